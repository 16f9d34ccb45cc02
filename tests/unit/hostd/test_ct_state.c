// SPDX-License-Identifier: MIT
/* test_ct_state.c - unit tests for the conntrack state files: save, crash, restore, reject. */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ct.h"
#include "flow.h"
#include "log.h"
#include "pkt.h"
#include "state.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define PUB_A IP(203, 0, 113, 10)       /* pool of VNI 100 */
#define PUB_B IP(203, 0, 113, 11)       /* pool of VNI 200 */
#define VM_ADDR IP(198, 19, 0, 11)      /* vm-a1 and vm-a2: two tenants, one address */
#define REMOTE IP(192, 0, 2, 1)
#define OWNER "host-t"

enum { VM_A1, VM_A2, VM_B2, NVMS };

static char base[32];            /* per run, made and removed by the parent process */
static char dir[48];             /* per test, inside base */
static struct host_pool pools[2];
static struct host_vm vms[NVMS];
static struct host_fwd fwds[2];
static struct host_conf conf;

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return remove(path) < 0 ? -1 : 0;
}

/* Unchecked fixture: the parent removes everything, even after a test that was killed. */
static void base_setup(void)
{
	strcpy(base, "/tmp/spat-ct-state.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(base));
}

static void base_teardown(void)
{
	nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "%s/t.XXXXXX", base);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	memset(&conf, 0, sizeof(conf));
	pools[0] = (struct host_pool){ .vni = 100, .addr = PUB_A, .lo = 1024, .hi = 32767 };
	pools[1] = (struct host_pool){ .vni = 200, .addr = PUB_B, .lo = 1024, .hi = 32767 };
	vms[VM_A1] = (struct host_vm){ .name = "vm-a1", .vni = 100, .addr = VM_ADDR };
	vms[VM_A2] = (struct host_vm){ .name = "vm-a2", .vni = 200, .addr = VM_ADDR };
	vms[VM_B2] = (struct host_vm){ .name = "vm-b2", .vni = 200, .addr = IP(198, 19, 0, 22),
				       .public_addr = IP(203, 0, 113, 20) };
	fwds[0] = (struct host_fwd){ .proto = PROTO_TCP, .pub = PUB_A, .pub_port = 8080,
				     .vm = VM_A1, .vm_port = 80 };
	fwds[1] = (struct host_fwd){ .proto = PROTO_TCP, .pub = PUB_B, .pub_port = 8080,
				     .vm = VM_A2, .vm_port = 80 };
	strcpy(conf.name, OWNER);
	snprintf(conf.state_file, sizeof(conf.state_file), "%s/t.state", dir);
	conf.pools = pools;
	conf.npools = 2;
	conf.vms = vms;
	conf.nvms = NVMS;
	conf.fwds = fwds;
	conf.nfwds = 2;
	conf.max_entries = 256;
	conf.timeout = (struct host_timeouts){ .udp = 300, .tcp_est = 7440, .tcp_trans = 240,
					       .icmp = 60 };
}

static void teardown(void)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *in_dir(const char *name)
{
	static char p[4][160];
	static int n;

	n = (n + 1) % 4;
	snprintf(p[n], sizeof(p[n]), "%s/%s", dir, name);
	return p[n];
}

/* Whole file as bytes (*len set); the caller frees. */
static unsigned char *slurp(const char *path, size_t *len)
{
	struct stat st;
	unsigned char *buf;
	int fd = open(path, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	*len = (size_t)st.st_size;
	buf = malloc(*len + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(pread(fd, buf, *len, 0), (ssize_t)*len);
	close(fd);
	return buf;
}

static void spill(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

/* What a kill -9 leaves: the bytes of the file as they are now, copied while mapped. */
static void snapshot(const char *from, const char *to)
{
	size_t len;
	unsigned char *b = slurp(from, &len);

	spill(to, b, len);
	free(b);
}

static off_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

static int count_bad_files(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		n += strstr(de->d_name, ".bad-") != NULL;
	if (d)
		closedir(d);
	return n;
}

static uint64_t fnv(const void *p, size_t n)
{
	const unsigned char *c = p;
	uint64_t x = 0xcbf29ce484222325ULL;

	while (n--)
		x = (x ^ *c++) * 0x100000001b3ULL;
	return x;
}

static void reseal(struct ct_file_hdr *h)
{
	h->csum = fnv(h, offsetof(struct ct_file_hdr, csum));
}

static struct ct_entry mk(uint32_t i)
{
	struct ct_entry e = {
		.vni = 100 + i % 3, .vm_addr = IP(198, 19, 0, 0) + i % 50,
		.vm_port = (uint16_t)(1000 + i), .pub_addr = PUB_A,
		.pub_port = (uint16_t)(2000 + i), .proto = i % 2 ? PROTO_UDP : PROTO_TCP,
		.expires = 1000 + i, .vm = (uint16_t)(i % 4), .state = (uint8_t)(i % 3),
		.flags = i % 10 == 0 ? CT_F_STATIC : 0,
	};
	return e;
}

static bool same(const struct ct_entry *a, const struct ct_entry *b)
{
	if (!a || !b)
		return a == b;
	return a->vni == b->vni && a->vm_addr == b->vm_addr && a->vm_port == b->vm_port &&
	       a->pub_addr == b->pub_addr && a->pub_port == b->pub_port && a->proto == b->proto &&
	       a->expires == b->expires && a->vm == b->vm && a->state == b->state &&
	       a->flags == b->flags;
}

/* Rebuild what ct_load() gave into a fresh table, as flow_restore() does. */
static struct ct *rebuild(struct ct *l, uint32_t max, uint32_t *inserted)
{
	struct ct *t = ct_new(max);
	struct ct_entry *e;
	uint32_t pos = 0;

	ck_assert_ptr_nonnull(t);
	*inserted = 0;
	while ((e = ct_iter(l, &pos)))
		*inserted += ct_insert(t, e) != NULL;
	return t;
}

/* A sealed table of 256 with entries 0..199 inserted and every third removed. */
static struct ct *make_table(int fd)
{
	struct ct *t = ct_create(fd, 256, 7, OWNER);
	struct ct_entry e;

	ck_assert_ptr_nonnull(t);
	ct_seal(t);
	for (uint32_t i = 0; i < 200; i++) {
		e = mk(i);
		ck_assert_ptr_nonnull(ct_insert(t, &e));
	}
	for (uint32_t i = 0; i < 200; i += 3) {
		e = mk(i);
		ct_remove(t, ct_find_priv(t, e.vni, e.proto, e.vm_addr, e.vm_port));
	}
	return t;
}

static int open_rw(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT, 0600);

	ck_assert_int_ge(fd, 0);
	return fd;
}

START_TEST(test_snapshot_and_reopen)
{
	int fd = open_rw(in_dir("t")), sfd;
	struct ct *t = make_table(fd), *l, *r;
	struct ct_entry e;
	uint32_t n;
	char why[128];

	ck_assert_uint_eq(ct_generation(t), 7);
	/* A kill -9: nothing unmapped, nothing synced; the file is what it is. */
	snapshot(in_dir("t"), in_dir("snap"));
	sfd = open_rw(in_dir("snap"));
	ck_assert_int_eq(ct_load(sfd, OWNER, &l, why, sizeof(why)), CT_LOAD_OK);
	ck_assert_uint_eq(ct_count(l), ct_count(t));
	ck_assert_uint_eq(ct_capacity(l), 256);
	ck_assert_uint_eq(ct_generation(l), 7);
	r = rebuild(l, 256, &n);
	ck_assert_uint_eq(n, ct_count(t));
	for (uint32_t i = 0; i < 210; i++) {
		e = mk(i);
		ck_assert(same(ct_find_priv(t, e.vni, e.proto, e.vm_addr, e.vm_port),
			       ct_find_priv(r, e.vni, e.proto, e.vm_addr, e.vm_port)));
		ck_assert(same(ct_find_pub(t, e.vni, e.proto, e.pub_addr, e.pub_port),
			       ct_find_pub(r, e.vni, e.proto, e.pub_addr, e.pub_port)));
		ck_assert(!ct_find_priv(r, e.vni, e.proto, e.vm_addr, e.vm_port) ==
			  (i % 3 == 0 || i >= 200));
	}
	ct_free(l);
	ct_free(r);
	close(sfd);
	/* A clean stop: unmap, close, open again. */
	n = ct_count(t);
	ct_free(t);
	close(fd);
	fd = open_rw(in_dir("t"));
	ck_assert_int_eq(ct_load(fd, OWNER, &l, why, sizeof(why)), CT_LOAD_OK);
	ck_assert_uint_eq(ct_count(l), n);
	ct_free(l);
	close(fd);
}
END_TEST

/* Load a modified copy of a good file; expect BAD with why containing want. */
static void expect_bad(const unsigned char *good, size_t len, void (*mod)(unsigned char *, size_t *),
		       const char *want)
{
	unsigned char *b = malloc(len + 64);
	size_t n = len;
	char why[128] = "";
	struct ct *l = NULL;
	int fd;

	memcpy(b, good, len);
	mod(b, &n);
	spill(in_dir("bad"), b, n);
	fd = open_rw(in_dir("bad"));
	ck_assert_int_eq(ct_load(fd, OWNER, &l, why, sizeof(why)), CT_LOAD_BAD);
	ck_assert_ptr_null(l);
	ck_assert_msg(strstr(why, want), "why '%s', want '%s'", why, want);
	close(fd);
	free(b);
}

#define H(b) ((struct ct_file_hdr *)(void *)(b))
static void m_magic(unsigned char *b, size_t *n) { b[0] ^= 1; }
static void m_version(unsigned char *b, size_t *n) { H(b)->version = CT_FILE_VERSION + 1; }
static void m_entry_size(unsigned char *b, size_t *n) { H(b)->entry_size = 40; }
static void m_csum(unsigned char *b, size_t *n) { H(b)->seed ^= 1; }
static void m_unsealed(unsigned char *b, size_t *n) { H(b)->csum = 0; }
static void m_capacity(unsigned char *b, size_t *n) { H(b)->max = 255; reseal(H(b)); }
static void m_capacity_big(unsigned char *b, size_t *n) { H(b)->max = CT_MAX_ENTRIES + 1; reseal(H(b)); }
static void m_buckets(unsigned char *b, size_t *n) { H(b)->nbuckets = 128; reseal(H(b)); }
static void m_size(unsigned char *b, size_t *n) { H(b)->size += 4; reseal(H(b)); }
static void m_truncated(unsigned char *b, size_t *n) { *n -= 1; }
static void m_short(unsigned char *b, size_t *n) { *n = 10; }
static void m_owner(unsigned char *b, size_t *n) { strcpy(H(b)->owner, "host-x"); reseal(H(b)); }
static void m_owner_unterminated(unsigned char *b, size_t *n)
{
	memset(H(b)->owner, 'x', sizeof(H(b)->owner));
	reseal(H(b));
}
static void m_hwm(unsigned char *b, size_t *n) { H(b)->hwm = 257; }

static void m_entry_flags(unsigned char *b, size_t *n)
{
	struct ct_entry *e = (struct ct_entry *)(void *)(b + 128 + 8 * 512);

	e[1].flags |= 0x40;
}

static void m_entry_state(unsigned char *b, size_t *n)
{
	struct ct_entry *e = (struct ct_entry *)(void *)(b + 128 + 8 * 512);

	e[2].state = CT_S__N;
}

/* peers[] is indexed by peer_next: a saved index out of range would write past it. */
static void m_entry_peer_next(unsigned char *b, size_t *n)
{
	struct ct_entry *e = (struct ct_entry *)(void *)(b + 128 + 8 * 512);

	e[2].peer_next = CT_PEERS;
}

START_TEST(test_load_rejects)
{
	int fd = open_rw(in_dir("t"));
	struct ct *t = make_table(fd), *l;
	unsigned char *good;
	char why[128];
	size_t len;

	good = slurp(in_dir("t"), &len);
	ck_assert_uint_eq(len, 128 + 8 * 512 + 256 * sizeof(struct ct_entry));
	expect_bad(good, len, m_magic, "magic");
	expect_bad(good, len, m_version, "version");
	expect_bad(good, len, m_entry_size, "size differs");
	expect_bad(good, len, m_csum, "checksum");
	expect_bad(good, len, m_unsealed, "never sealed");
	expect_bad(good, len, m_capacity, "file size");
	expect_bad(good, len, m_capacity_big, "capacity");
	expect_bad(good, len, m_buckets, "capacity");
	expect_bad(good, len, m_size, "file size");
	expect_bad(good, len, m_truncated, "file size");
	expect_bad(good, len, m_short, "shorter");
	expect_bad(good, len, m_owner, "owner");
	expect_bad(good, len, m_owner_unterminated, "owner");
	expect_bad(good, len, m_hwm, "high-water");
	expect_bad(good, len, m_entry_peer_next, "unknown flags or state");
	expect_bad(good, len, m_entry_flags, "entry 1");
	expect_bad(good, len, m_entry_state, "entry 2");
	/* Another owner's view of the same good file. */
	ck_assert_int_eq(ct_load(fd, "host-y", &l, why, sizeof(why)), CT_LOAD_BAD);
	/* An empty file is no state, not a bad one; a directory is bad. */
	close(open_rw(in_dir("empty")));
	close(fd);
	fd = open_rw(in_dir("empty"));
	ck_assert_int_eq(ct_load(fd, OWNER, &l, why, sizeof(why)), CT_LOAD_EMPTY);
	close(fd);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_eq(ct_load(fd, OWNER, &l, why, sizeof(why)), CT_LOAD_BAD);
	ck_assert_str_eq(why, "not a regular file");
	close(fd);
	/* A table that was never sealed (a build cut short) is refused. */
	fd = open_rw(in_dir("unsealed"));
	ct_free(ct_create(fd, 16, 1, OWNER));
	ck_assert_int_eq(ct_load(fd, OWNER, &l, why, sizeof(why)), CT_LOAD_BAD);
	ck_assert_str_eq(why, "incomplete (never sealed)");
	close(fd);
	ct_free(t);
	free(good);
}
END_TEST

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	uint32_t x = rnd_state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return rnd_state = x;
}

/* Corrupt 1..8 bytes (or the length) of a copy of good: in the header half the time. */
static size_t corrupt(unsigned char *b, const unsigned char *good, size_t len)
{
	uint32_t n = 1 + rnd() % 8;

	memcpy(b, good, len);
	if (rnd() % 50 == 0)
		return rnd() % len;     /* cut short */
	while (n--) {
		size_t at = rnd() % 2 ? rnd() % 128 : rnd() % len;

		b[at] = (unsigned char)rnd();
	}
	/* Sometimes fix the checksum, so that the checks behind it are reached too. */
	if (rnd() % 2)
		reseal(H(b));
	return len;
}

/* Thousands of random corruptions: never a crash; adopted consistently or refused. */
START_TEST(test_load_random_corruption)
{
	const uint32_t iters = 4000;
	int fd = open_rw(in_dir("t"));
	struct ct *t = make_table(fd), *l, *r;
	uint32_t ok = 0, bad = 0, n, pos, found;
	unsigned char *good, *b;
	struct ct_entry *e;
	char why[128];
	size_t len, blen;

	good = slurp(in_dir("t"), &len);
	b = malloc(len);
	ck_assert_ptr_nonnull(b);
	for (uint32_t i = 0; i < iters; i++) {
		blen = corrupt(b, good, len);
		spill(in_dir("c"), b, blen);
		close(fd);
		fd = open_rw(in_dir("c"));
		switch (ct_load(fd, OWNER, &l, why, sizeof(why))) {
		case CT_LOAD_OK:
			ok++;
			/* Consistent: what is adopted is found both ways, and nothing else. */
			r = rebuild(l, ct_capacity(l), &n);
			ck_assert_uint_le(n, ct_count(l));
			ck_assert_uint_eq(ct_count(r), n);
			pos = found = 0;
			while ((e = ct_iter(r, &pos))) {
				found += ct_find_priv(r, e->vni, e->proto, e->vm_addr, e->vm_port) == e &&
					 ct_find_pub(r, e->vni, e->proto, e->pub_addr, e->pub_port) == e;
			}
			ck_assert_uint_eq(found, n);
			ct_free(r);
			ct_free(l);
			break;
		case CT_LOAD_BAD:
			bad++;
			ck_assert_ptr_null(l);
			ck_assert_uint_gt(strlen(why), 0);
			break;
		case CT_LOAD_EMPTY:
			ck_assert_uint_eq(blen, 0);
			bad++;
			break;
		}
	}
	fprintf(stderr, "test_load_random_corruption: %u corruptions, %u adopted, %u refused\n",
		iters, ok, bad);
	ck_assert_uint_eq(ok + bad, iters);
	ck_assert_uint_gt(ok, 0);
	ck_assert_uint_gt(bad, 0);
	close(fd);
	free(b);
	free(good);
	ct_free(t);
}
END_TEST

static struct pkt_ip4 pkt(uint8_t proto, uint32_t src, uint16_t sport, uint32_t dst,
			  uint16_t dport, uint8_t tcp_flags)
{
	struct pkt_ip4 pi = {
		.src = src, .dst = dst, .proto = proto, .sport = sport, .dport = dport,
		.has_ports = true, .tcp_flags = tcp_flags, .hlen = 20, .l3len = 60,
	};
	return pi;
}

/* Mappings on ft at time now: UDP and TCP (established) of vm-a1, ICMP of vm-a2. */
struct maps {
	uint16_t udp, tcp, icmp;
};

static struct maps make_mappings(struct flowtab *ft, uint32_t now)
{
	struct flow_result r;
	struct pkt_ip4 pi;
	struct maps m;

	pi = pkt(PROTO_UDP, VM_ADDR, 40000, REMOTE, 53, 0);
	ck_assert_int_eq(flow_out(ft, VM_A1, &pi, now, &r), FLOW_OK);
	m.udp = r.port;
	pi = pkt(PROTO_TCP, VM_ADDR, 5000, REMOTE, 443, TCPF_SYN);
	ck_assert_int_eq(flow_out(ft, VM_A1, &pi, now, &r), FLOW_OK);
	m.tcp = r.port;
	pi = pkt(PROTO_TCP, REMOTE, 443, PUB_A, m.tcp, TCPF_SYN | TCPF_ACK);
	ck_assert_int_eq(flow_in(ft, 100, &pi, now, &r), FLOW_OK);
	pi = pkt(PROTO_ICMP, VM_ADDR, 77, REMOTE, 77, 0);
	pi.icmp_type = ICMP_ECHO;
	ck_assert_int_eq(flow_out(ft, VM_A2, &pi, now, &r), FLOW_OK);
	m.icmp = r.port;
	return m;
}

/* Replies to m reach their VM endpoints on ft, and the VM endpoints keep their ports. */
static void check_mappings(struct flowtab *ft, const struct maps *m, uint32_t now)
{
	struct flow_result r;
	struct pkt_ip4 pi;
	struct ct_entry *e;

	pi = pkt(PROTO_UDP, REMOTE, 53, PUB_A, m->udp, 0);
	ck_assert_int_eq(flow_in(ft, 100, &pi, now, &r), FLOW_OK);
	ck_assert_uint_eq(r.vm, VM_A1);
	ck_assert_uint_eq(r.port, 40000);
	pi = pkt(PROTO_UDP, VM_ADDR, 40000, REMOTE, 53, 0);
	ck_assert_int_eq(flow_out(ft, VM_A1, &pi, now, &r), FLOW_OK);
	ck_assert_uint_eq(r.port, m->udp);
	ck_assert(!r.created);
	e = ct_find_pub(ft->ct, 100, PROTO_TCP, PUB_A, m->tcp);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->state, CT_S_EST);
	ck_assert_uint_eq(e->vm_port, 5000);
	pi = pkt(PROTO_ICMP, REMOTE, m->icmp, PUB_B, m->icmp, 0);
	pi.icmp_type = ICMP_ECHOREPLY;
	ck_assert_int_eq(flow_in(ft, 200, &pi, now, &r), FLOW_OK);
	ck_assert_uint_eq(r.vm, VM_A2);
	ck_assert_uint_eq(r.port, 77);
	/* The static forwards are there once each. */
	pi = pkt(PROTO_TCP, REMOTE, 1, PUB_A, 8080, TCPF_SYN);
	ck_assert_int_eq(flow_in(ft, 100, &pi, now, &r), FLOW_OK);
	ck_assert_uint_eq(r.port, 80);
	ck_assert_uint_eq(ct_count(ft->ct), 2 + 3);
}

/* Copy both state files of the running hostd to dir/crash.*: what a kill -9 leaves. */
static void crash_copy(struct host_conf *c)
{
	snapshot(in_dir("t.state"), in_dir("crash.state"));
	snapshot(in_dir("t.state.next"), in_dir("crash.state.next"));
	*c = conf;
	snprintf(c->state_file, sizeof(c->state_file), "%s", in_dir("crash.state"));
}

START_TEST(test_restart_keeps_mappings)
{
	struct flowtab ft, ft2;
	struct state st, st2;
	struct host_conf c2;
	struct maps m;

	ck_assert_int_eq(state_start(&st, &ft, &conf, 1, 100), 0);
	ck_assert_uint_eq(ct_generation(ft.ct), 1);
	ck_assert_int_gt(file_size(in_dir("t.state")), 0);
	ck_assert_int_eq(file_size(in_dir("t.state.next")), 0);
	m = make_mappings(&ft, 100);
	/* kill -9, then a start from what it left. */
	crash_copy(&c2);
	ck_assert_int_eq(state_start(&st2, &ft2, &c2, 2, 150), 0);
	ck_assert_uint_eq(ct_generation(ft2.ct), 2);
	check_mappings(&ft2, &m, 150);
	ck_assert(portmap_is_used(&ft2.pm[0][1], m.udp));
	/* The restored timers run on: ICMP (60 s) and UDP (300 s) go, and their ports with them. */
	ck_assert_uint_eq(flow_expire(&ft2, 100 + 60, 1000), 1);
	ck_assert(!portmap_is_used(&ft2.pm[1][2], m.icmp));
	ck_assert_uint_eq(flow_expire(&ft2, 150 + 300, 1000), 1);
	ck_assert(!portmap_is_used(&ft2.pm[0][1], m.udp));
	ck_assert_uint_eq(ct_count(ft2.ct), 2 + 1);
	flow_destroy(&ft2);
	state_close(&st2);
	/* A clean stop and start of the first. */
	flow_destroy(&ft);
	state_close(&st);
	ck_assert_int_eq(state_start(&st, &ft, &conf, 3, 120), 0);
	ck_assert_uint_eq(ct_generation(ft.ct), 2);
	check_mappings(&ft, &m, 120);
	flow_destroy(&ft);
	state_close(&st);
	ck_assert_int_eq(count_bad_files(), 0);
}
END_TEST

START_TEST(test_locked)
{
	struct flowtab ft, ft2;
	struct state st, st2;
	struct ct *l;
	char why[128];
	int fd;

	ck_assert_int_eq(state_start(&st, &ft, &conf, 1, 100), 0);
	make_mappings(&ft, 100);
	ck_assert_int_eq(state_start(&st2, &ft2, &conf, 2, 100), -1);
	/* The running hostd's file is untouched. */
	fd = open(in_dir("t.state"), O_RDONLY);
	ck_assert_int_eq(ct_load(fd, OWNER, &l, why, sizeof(why)), CT_LOAD_OK);
	ck_assert_uint_eq(ct_count(l), 5);
	ct_free(l);
	close(fd);
	flow_destroy(&ft);
	state_close(&st);
}
END_TEST

START_TEST(test_set_aside)
{
	struct flowtab ft;
	struct state st;
	unsigned char junk[4096];

	ck_assert_int_eq(state_start(&st, &ft, &conf, 1, 100), 0);
	make_mappings(&ft, 100);
	flow_destroy(&ft);
	state_close(&st);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 7 + 3);
	spill(in_dir("t.state"), junk, sizeof(junk));
	ck_assert_int_eq(state_start(&st, &ft, &conf, 1, 100), 0);
	ck_assert_int_eq(count_bad_files(), 1);
	ck_assert_uint_eq(ct_count(ft.ct), 2);           /* the forwards only */
	ck_assert_uint_eq(ct_generation(ft.ct), 1);
	ck_assert_int_gt(file_size(in_dir("t.state")), 0);
	flow_destroy(&ft);
	state_close(&st);
	/* The new file is a good one. */
	ck_assert_int_eq(state_start(&st, &ft, &conf, 1, 100), 0);
	ck_assert_uint_eq(ct_generation(ft.ct), 2);
	ck_assert_int_eq(count_bad_files(), 1);
	flow_destroy(&ft);
	state_close(&st);
}
END_TEST

/* A reload builds in the spare file; a refused build leaves the running file alone. */
START_TEST(test_reload_generations)
{
	struct host_conf nc = conf;
	struct flowtab ft, nft;
	struct state st;
	struct maps m;
	struct ct *l;
	char why[128];
	int fd;

	ck_assert_int_eq(state_start(&st, &ft, &conf, 1, 100), 0);
	m = make_mappings(&ft, 100);
	ck_assert_int_eq(state_build(&st, &nft, &nc, 2), 0);
	ck_assert_uint_eq(flow_migrate(&nft, &ft, NULL), 3);
	flow_destroy(&ft);
	ft = nft;
	state_commit(&st, &ft);
	ck_assert_uint_eq(ct_generation(ft.ct), 2);
	ck_assert_int_eq(file_size(in_dir("t.state")), 0);
	ck_assert_int_gt(file_size(in_dir("t.state.next")), 0);
	/* Too small for the two forwards: refused, nothing changes on disk. */
	nc.max_entries = 1;
	ck_assert_int_eq(state_build(&st, &nft, &nc, 3), -1);
	ck_assert_int_eq(file_size(in_dir("t.state")), 0);
	fd = open(in_dir("t.state.next"), O_RDONLY);
	ck_assert_int_eq(ct_load(fd, OWNER, &l, why, sizeof(why)), CT_LOAD_OK);
	ck_assert_uint_eq(ct_generation(l), 2);
	ck_assert_uint_eq(ct_count(l), 5);
	ct_free(l);
	close(fd);
	/* Killed now: the next start finds the table in t.state.next. */
	flow_destroy(&ft);
	state_close(&st);
	ck_assert_int_eq(state_start(&st, &ft, &conf, 4, 110), 0);
	ck_assert_uint_eq(ct_generation(ft.ct), 3);
	check_mappings(&ft, &m, 110);
	ck_assert_int_gt(file_size(in_dir("t.state")), 0);
	ck_assert_int_eq(file_size(in_dir("t.state.next")), 0);
	flow_destroy(&ft);
	state_close(&st);
}
END_TEST

/* A kill while a start built its new table: the old file wins, the unfinished one is set aside. */
START_TEST(test_interrupted_build)
{
	struct flowtab ft;
	struct state st;
	struct maps m;
	int fd;

	ck_assert_int_eq(state_start(&st, &ft, &conf, 1, 100), 0);
	m = make_mappings(&ft, 100);
	flow_destroy(&ft);
	state_close(&st);
	fd = open_rw(in_dir("t.state.next"));
	ct_free(ct_create(fd, 256, 99, OWNER));  /* higher generation, never sealed */
	close(fd);
	ck_assert_int_eq(state_start(&st, &ft, &conf, 1, 100), 0);
	ck_assert_uint_eq(ct_generation(ft.ct), 2);
	check_mappings(&ft, &m, 100);
	ck_assert_int_eq(count_bad_files(), 1);
	flow_destroy(&ft);
	state_close(&st);
}
END_TEST

/* The config changed while hostd was down: mappings follow their VM by tenant and address. */
START_TEST(test_restart_new_config)
{
	static struct host_vm nvms[2];
	static struct host_fwd nfwd[1];
	struct host_conf nc = conf;
	struct flowtab ft;
	struct flow_result r;
	struct pkt_ip4 pi;
	struct state st;
	struct maps m;

	ck_assert_int_eq(state_start(&st, &ft, &conf, 1, 100), 0);
	m = make_mappings(&ft, 100);
	flow_destroy(&ft);
	state_close(&st);
	/* vm-a2 gone, vm-a1 now second (and renamed), a forward on the UDP mapping's port. */
	nvms[0] = (struct host_vm){ .name = "vm-new", .vni = 100, .addr = IP(198, 19, 0, 44) };
	nvms[1] = vms[VM_A1];
	strcpy(nvms[1].name, "vm-a1-renamed");
	nfwd[0] = (struct host_fwd){ .proto = PROTO_UDP, .pub = PUB_A, .pub_port = m.udp,
				     .vm = 0, .vm_port = 53 };
	nc.vms = nvms;
	nc.nvms = 2;
	nc.fwds = nfwd;
	nc.nfwds = 1;
	ck_assert_int_eq(state_start(&st, &ft, &nc, 2, 100), 0);
	ck_assert_uint_eq(ct_count(ft.ct), 1 + 1);      /* the new forward, the TCP mapping */
	pi = pkt(PROTO_TCP, REMOTE, 443, PUB_A, m.tcp, TCPF_ACK);
	ck_assert_int_eq(flow_in(&ft, 100, &pi, 100, &r), FLOW_OK);
	ck_assert_uint_eq(r.vm, 1);
	ck_assert_uint_eq(r.port, 5000);
	pi = pkt(PROTO_UDP, REMOTE, 53, PUB_A, m.udp, 0);
	ck_assert_int_eq(flow_in(&ft, 100, &pi, 100, &r), FLOW_OK);
	ck_assert_uint_eq(r.vm, 0);                      /* the forward won */
	flow_destroy(&ft);
	state_close(&st);
}
END_TEST

/* A file that outlived a boot: its timers are of another clock and get capped. */
START_TEST(test_timers_capped)
{
	struct flowtab ft;
	struct state st;
	struct maps m;
	struct ct_entry *e;

	ck_assert_int_eq(state_start(&st, &ft, &conf, 1, 1000000), 0);
	m = make_mappings(&ft, 1000000);
	flow_destroy(&ft);
	state_close(&st);
	ck_assert_int_eq(state_start(&st, &ft, &conf, 1, 10), 0);
	e = ct_find_pub(ft.ct, 100, PROTO_UDP, PUB_A, m.udp);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->expires, 10 + 300);
	e = ct_find_pub(ft.ct, 100, PROTO_TCP, PUB_A, m.tcp);
	ck_assert_uint_eq(e->expires, 10 + 7440);
	flow_destroy(&ft);
	state_close(&st);
}
END_TEST

/* Random corruption of the saved file seen through state_start(): it always starts. */
START_TEST(test_start_random_corruption)
{
	const uint32_t iters = 600;
	uint32_t restored = 0, aside = 0, pos;
	unsigned char *good, *b;
	struct flowtab ft;
	struct ct_entry *e;
	struct state st;
	size_t len;

	ck_assert_int_eq(state_start(&st, &ft, &conf, 1, 100), 0);
	make_mappings(&ft, 100);
	flow_destroy(&ft);
	state_close(&st);
	good = slurp(in_dir("t.state"), &len);
	b = malloc(len);
	log_set_level(LOG_LVL_ERR);     /* 600 starts, each logged */
	for (uint32_t i = 0; i < iters; i++) {
		size_t blen = corrupt(b, good, len);

		spill(in_dir("t.state"), b, blen);
		spill(in_dir("t.state.next"), "", 0);
		ck_assert_int_eq(state_start(&st, &ft, &conf, 1, 100), 0);
		ck_assert_uint_ge(ct_count(ft.ct), 2);
		ck_assert_uint_le(ct_count(ft.ct), 5);
		pos = 0;
		while ((e = ct_iter(ft.ct, &pos))) {
			ck_assert_ptr_eq(ct_find_pub(ft.ct, e->vni, e->proto, e->pub_addr,
						     e->pub_port), e);
			ck_assert_uint_lt(e->vm, NVMS);
		}
		if (count_bad_files()) {
			aside++;
			teardown();
			ck_assert_int_eq(mkdir(dir, 0700), 0);
		} else {
			restored++;
		}
		flow_destroy(&ft);
		state_close(&st);
	}
	fprintf(stderr, "test_start_random_corruption: %u starts, %u restored, %u set aside\n",
		iters, restored, aside);
	ck_assert_uint_gt(aside, 0);
	free(b);
	free(good);
}
END_TEST

/* Files that cannot be made: the table is in memory and reloads still work. */
START_TEST(test_memory_fallback)
{
	struct host_conf c = conf;
	struct flowtab ft, nft;
	struct state st;

	snprintf(c.state_file, sizeof(c.state_file), "%s/no/such/dir/t.state", dir);
	ck_assert_int_eq(state_start(&st, &ft, &c, 1, 100), 0);
	ck_assert_uint_eq(ct_generation(ft.ct), 0);
	ck_assert_uint_eq(ct_count(ft.ct), 2);
	make_mappings(&ft, 100);
	ck_assert_int_eq(state_build(&st, &nft, &c, 2), 0);
	ck_assert_uint_eq(flow_migrate(&nft, &ft, NULL), 3);
	flow_destroy(&ft);
	ft = nft;
	state_commit(&st, &ft);
	ck_assert_uint_eq(ct_count(ft.ct), 5);
	flow_destroy(&ft);
	state_close(&st);
}
END_TEST

static Suite *ct_state_suite(void)
{
	Suite *s = suite_create("ct_state");
	TCase *tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, base_setup, base_teardown);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_snapshot_and_reopen);
	tcase_add_test(tc, test_load_rejects);
	tcase_add_test(tc, test_load_random_corruption);
	tcase_add_test(tc, test_restart_keeps_mappings);
	tcase_add_test(tc, test_locked);
	tcase_add_test(tc, test_set_aside);
	tcase_add_test(tc, test_reload_generations);
	tcase_add_test(tc, test_interrupted_build);
	tcase_add_test(tc, test_restart_new_config);
	tcase_add_test(tc, test_timers_capped);
	tcase_add_test(tc, test_start_random_corruption);
	tcase_add_test(tc, test_memory_fallback);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ct_state_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
