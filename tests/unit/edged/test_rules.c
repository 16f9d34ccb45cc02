// SPDX-License-Identifier: MIT
/* test_rules.c - unit tests for the compiled rule table, against a brute-force reference. */
#include <check.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "edge_conf.h"
#include "rules.h"

#define GRE 47

static struct edge_conf conf;
static struct rules *tab;
static struct yerr err;

static uint32_t ip(const char *s)
{
	uint32_t a = 0;

	ck_assert_int_eq(addr_parse_ip4(s, &a), 0);
	return a;
}

static void teardown(void)
{
	rules_free(tab);
	tab = NULL;
	edge_conf_free(&conf);
}

static void load_lab(void)
{
	ck_assert_msg(edge_conf_load(&conf, SPAT_SOURCE_DIR "/etc/edged.yaml", &err) == 0, "%s",
		      err.msg);
	tab = rules_build(&conf);
	ck_assert_ptr_nonnull(tab);
}

/* Assert the lookup gives host/vni, or nothing when host is -1. */
static void expect(const char *addr, uint8_t proto, uint16_t port, long host, uint32_t vni)
{
	const struct rule_target *t = rules_lookup(tab, ip(addr), proto, port);

	if (host < 0) {
		ck_assert_msg(t == NULL, "%s %u %u: matched host %u", addr, proto, port,
			      t ? t->host : 0);
		return;
	}
	ck_assert_msg(t != NULL, "%s %u %u: no match", addr, proto, port);
	ck_assert_uint_eq(t->host, (uint32_t)host);
	ck_assert_uint_eq(t->host_addr, conf.hosts[host].addr);
	ck_assert_uint_eq(t->vni, vni);
}

/* The lab: range borders, every protocol of "any", the whole address. */
START_TEST(lab_borders)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP };
	size_t i;

	load_lab();
	for (i = 0; i < 3; i++) {
		expect("203.0.113.10", protos[i], 0, -1, 0);
		expect("203.0.113.10", protos[i], 1023, -1, 0);
		expect("203.0.113.10", protos[i], 1024, 0, 100);
		expect("203.0.113.10", protos[i], 32767, 0, 100);
		expect("203.0.113.10", protos[i], 32768, 1, 100);
		expect("203.0.113.10", protos[i], 65535, 1, 100);
		expect("203.0.113.11", protos[i], 1024, 0, 200);
		expect("203.0.113.11", protos[i], 65535, 1, 200);
		expect("203.0.113.20", protos[i], 0, 1, 200);
		expect("203.0.113.20", protos[i], 65535, 1, 200);
		expect("203.0.113.12", protos[i], 2000, -1, 0);
	}
	/* Other protocols only match whole-address rules. */
	expect("203.0.113.10", GRE, 2000, -1, 0);
	expect("203.0.113.20", GRE, 0, 1, 200);
	expect("203.0.113.20", 255, 7, 1, 200);
	ck_assert(rules_has_addr(tab, ip("203.0.113.10")));
	ck_assert(rules_has_addr(tab, ip("203.0.113.11")));
	ck_assert(rules_has_addr(tab, ip("203.0.113.20")));
	ck_assert(!rules_has_addr(tab, ip("203.0.113.21")));
	ck_assert(!rules_has_addr(tab, ip("198.18.0.11")));
	ck_assert(!rules_has_addr(tab, 0));
	ck_assert_uint_eq(rules_count(tab), 4 * 3 + 1);
	/* The tunnel sender check: configured hosts only, by address. */
	ck_assert_int_eq(rules_host(tab, ip("198.18.0.11")), 0);
	ck_assert_int_eq(rules_host(tab, ip("198.18.0.12")), 1);
	ck_assert_int_eq(rules_host(tab, ip("198.18.0.13")), -1);
	ck_assert_int_eq(rules_host(tab, ip("198.18.0.1")), -1);
	ck_assert_int_eq(rules_host(tab, 0), -1);
	ck_assert_int_eq(rules_host(tab, 0xFFFFFFFFu), -1);
}
END_TEST

/* Per-protocol rules beside "any" ones on one address; single ports; gaps. */
START_TEST(per_proto)
{
	static const char text[] =
		"listen: 198.18.0.1\n"
		"hosts: [{name: a, address: 198.18.0.11}, {name: b, address: 198.18.0.12}]\n"
		"rules:\n"
		"  - {public: 192.0.2.7, proto: tcp, ports: 80, host: a, vni: 1}\n"
		"  - {public: 192.0.2.7, proto: udp, ports: 80, host: b, vni: 2}\n"
		"  - {public: 192.0.2.7, proto: icmp, ports: 1-79, host: b, vni: 3}\n"
		"  - {public: 192.0.2.7, proto: any, ports: 100-200, host: a, vni: 4}\n"
		"  - {public: 192.0.2.7, proto: tcp, ports: 65535, host: b, vni: 5}\n"
		"  - {public: 192.0.2.8, proto: udp, ports: 1-65535, host: a, vni: 6}\n";

	ck_assert_msg(edge_conf_parse(&conf, "t", text, sizeof(text) - 1, &err) == 0, "%s",
		      err.msg);
	tab = rules_build(&conf);
	ck_assert_ptr_nonnull(tab);
	expect("192.0.2.7", IPPROTO_TCP, 80, 0, 1);
	expect("192.0.2.7", IPPROTO_TCP, 79, -1, 0);
	expect("192.0.2.7", IPPROTO_TCP, 81, -1, 0);
	expect("192.0.2.7", IPPROTO_UDP, 80, 1, 2);
	expect("192.0.2.7", IPPROTO_ICMP, 80, -1, 0);
	expect("192.0.2.7", IPPROTO_ICMP, 1, 1, 3);
	expect("192.0.2.7", IPPROTO_ICMP, 79, 1, 3);
	expect("192.0.2.7", IPPROTO_ICMP, 0, -1, 0);
	expect("192.0.2.7", IPPROTO_TCP, 100, 0, 4);
	expect("192.0.2.7", IPPROTO_UDP, 200, 0, 4);
	expect("192.0.2.7", IPPROTO_ICMP, 150, 0, 4);
	expect("192.0.2.7", IPPROTO_UDP, 201, -1, 0);
	expect("192.0.2.7", IPPROTO_TCP, 65535, 1, 5);
	expect("192.0.2.7", IPPROTO_TCP, 65534, -1, 0);
	expect("192.0.2.7", IPPROTO_UDP, 65535, -1, 0);
	expect("192.0.2.7", GRE, 80, -1, 0);
	expect("192.0.2.8", IPPROTO_UDP, 1, 0, 6);
	expect("192.0.2.8", IPPROTO_UDP, 65535, 0, 6);
	expect("192.0.2.8", IPPROTO_UDP, 0, -1, 0);
	expect("192.0.2.8", IPPROTO_TCP, 1, -1, 0);
	ck_assert_uint_eq(rules_count(tab), 1 + 1 + 1 + 3 + 1 + 1);
}
END_TEST

/* The reference: the first of rules[0..n) that matches, by a linear scan. */
static const struct edge_rule *brute(const struct edge_rule *rules, size_t n, uint32_t addr,
				     uint8_t proto, uint16_t port)
{
	const struct edge_rule *r;
	size_t i;

	for (i = 0; i < n; i++) {
		r = &rules[i];
		if (r->pub != addr)
			continue;
		if (r->whole)
			return r;
		if (proto != IPPROTO_TCP && proto != IPPROTO_UDP && proto != IPPROTO_ICMP)
			continue;
		if ((r->proto == PROTO_ANY || r->proto == proto) && port >= r->lo && port <= r->hi)
			return r;
	}
	return NULL;
}

#define NADDR 16                 /* with ranges; two more are whole addresses */
#define NPER 6250
#define PUB0 0xcb007164u         /* 203.0.113.100 */

static size_t first[NADDR + 3];  /* rules of address PUB0 + a: [first[a], first[a + 1]) */

/*
 * 16 addresses of 203.0.113.0/24 x 6250 ranges = 100,000 rules with random
 * widths, gaps (sometimes none), protocols and targets, in address order;
 * then two whole addresses.  Ranges of different protocols interleave.
 */
static void gen_big(void)
{
	static const uint8_t protos[] = { PROTO_ANY, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP };
	struct edge_rule *r;
	size_t a, i, n = 0;
	uint32_t port;

	memset(&conf, 0, sizeof(conf));
	conf.nhosts = 50;
	conf.hosts = calloc(conf.nhosts, sizeof(*conf.hosts));
	conf.rules = calloc(NADDR * NPER + 2, sizeof(*conf.rules));
	ck_assert(conf.hosts && conf.rules);
	for (i = 0; i < conf.nhosts; i++)
		conf.hosts[i].addr = 0xc6120000u + 10 + (uint32_t)i;   /* 198.18.0.10+i */
	for (a = 0; a < NADDR + 2; a++) {
		first[a] = n;
		port = 1 + (uint32_t)(rand() % 3);
		for (i = 0; i < (a < NADDR ? NPER : 1); i++) {
			r = &conf.rules[n++];
			r->pub = PUB0 + (uint32_t)a;
			r->host = (uint32_t)(rand() % 50);
			r->vni = 1 + (uint32_t)(rand() % 1000);
			r->whole = a >= NADDR;
			if (r->whole)
				continue;
			/* At most 10 ports a step: 6250 steps stay below 65535. */
			r->proto = protos[rand() % 4];
			r->lo = (uint16_t)port;
			r->hi = (uint16_t)(port + (uint32_t)(rand() % 8));
			port = r->hi + 1u + (uint32_t)(rand() % 3);
		}
	}
	first[NADDR + 2] = n;
	conf.nrules = n;
}

/* Brute force over the rules of addr's own slice (others cannot match). */
static const struct edge_rule *brute_big(uint32_t addr, uint8_t proto, uint16_t port)
{
	uint32_t a = addr - PUB0;

	if (addr < PUB0 || a >= NADDR + 2)
		return NULL;
	return brute(&conf.rules[first[a]], first[a + 1] - first[a], addr, proto, port);
}

static void same(const struct rule_target *t, const struct edge_rule *want, uint32_t addr,
		 uint8_t proto, uint16_t port)
{
	if (!want) {
		ck_assert_msg(t == NULL, "lookup %x %u %u: unexpected match", addr, proto, port);
		return;
	}
	ck_assert_msg(t != NULL, "lookup %x %u %u: no match", addr, proto, port);
	ck_assert(t->host == want->host && t->vni == want->vni);
	ck_assert_uint_eq(t->host_addr, conf.hosts[want->host].addr);
}

START_TEST(big_vs_brute)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, GRE };
	const struct edge_rule *want;
	uint32_t addr;
	uint16_t port;
	uint8_t proto;
	long hits = 0;
	int i;

	srand(1234);
	gen_big();
	ck_assert_uint_eq(conf.nrules, 100002);
	tab = rules_build(&conf);
	ck_assert_ptr_nonnull(tab);
	for (i = 0; i < 50000; i++) {
		addr = PUB0 - 2 + (uint32_t)(rand() % (NADDR + 6));
		proto = protos[rand() % 4];
		port = (uint16_t)(i % 7 ? rand() % 36000 : rand() % 65536);
		want = brute_big(addr, proto, port);
		same(rules_lookup(tab, addr, proto, port), want, addr, proto, port);
		hits += want != NULL;
	}
	ck_assert_int_gt(hits, 12000);
	ck_assert(!rules_has_addr(tab, PUB0 - 1));
	ck_assert(rules_has_addr(tab, PUB0));
	ck_assert(rules_has_addr(tab, PUB0 + NADDR + 1));
	ck_assert(!rules_has_addr(tab, PUB0 + NADDR + 2));
}
END_TEST

/*
 * Every border of every range of the big table, and one port either side.
 * Ranges of one address are generated in port order, so the neighbours
 * are the only other rules that can match.
 */
START_TEST(big_borders)
{
	const struct edge_rule *r, *lo;
	size_t i, a, b;
	int d, k;

	srand(99);
	gen_big();
	tab = rules_build(&conf);
	ck_assert_ptr_nonnull(tab);
	for (a = 0; a < NADDR; a++) {
		for (i = first[a]; i < first[a + 1]; i++) {
			r = &conf.rules[i];
			b = i > first[a] ? i - 1 : i;
			lo = &conf.rules[b];
			for (d = -1; d <= 1; d++) {
				uint16_t ports[2] = { (uint16_t)(r->lo + d), (uint16_t)(r->hi + d) };
				uint8_t p = r->proto ? r->proto : IPPROTO_UDP;

				for (k = 0; k < 2; k++)
					same(rules_lookup(tab, r->pub, p, ports[k]),
					     brute(lo, (i + 2 < first[a + 1] ? i + 2 : first[a + 1]) - b,
						   r->pub, p, ports[k]), r->pub, p, ports[k]);
			}
		}
	}
}
END_TEST

/* 65536 addresses (load 0.5 in a 131072-slot table), half whole, half one port. */
START_TEST(many_addresses)
{
	const struct rule_target *t;
	uint32_t a;
	size_t i;

	memset(&conf, 0, sizeof(conf));
	conf.nhosts = 1;
	conf.hosts = calloc(1, sizeof(*conf.hosts));
	conf.rules = calloc(65536, sizeof(*conf.rules));
	ck_assert(conf.hosts && conf.rules);
	conf.hosts[0].addr = 0xc6120001u;
	for (i = 0; i < 65536; i++) {
		conf.rules[i].pub = 0xc6130000u + (uint32_t)i;         /* 198.19.0.0/16 */
		conf.rules[i].whole = i % 2;
		conf.rules[i].proto = IPPROTO_TCP;
		conf.rules[i].lo = conf.rules[i].hi = (uint16_t)(i | 1);
		conf.rules[i].vni = (uint32_t)i + 1;
	}
	conf.nrules = 65536;
	tab = rules_build(&conf);
	ck_assert_ptr_nonnull(tab);
	for (i = 0; i < 65536; i++) {
		a = 0xc6130000u + (uint32_t)i;
		t = rules_lookup(tab, a, IPPROTO_TCP, (uint16_t)(i | 1));
		ck_assert_ptr_nonnull(t);
		ck_assert_uint_eq(t->vni, i + 1);
		if (i % 2)
			ck_assert_ptr_eq(rules_lookup(tab, a, GRE, 0), t);
		else
			ck_assert_ptr_null(rules_lookup(tab, a, IPPROTO_TCP, (uint16_t)i));
	}
	ck_assert(!rules_has_addr(tab, 0xc6120000u));
	ck_assert_uint_eq(rules_count(tab), 65536);
}
END_TEST

/*
 * Addresses just above and below the port-index threshold (64 ranges and
 * 63), with ranges of every width from 1 port to thousands, touching port
 * 0 and 65535 and crossing bucket borders: every port of every protocol
 * against brute force.
 */
START_TEST(index_every_port)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP };
	uint32_t a, port, lo;
	size_t i, n = 0, k;

	memset(&conf, 0, sizeof(conf));
	conf.nhosts = 1;
	conf.hosts = calloc(1, sizeof(*conf.hosts));
	conf.rules = calloc(256, sizeof(*conf.rules));
	ck_assert(conf.hosts && conf.rules);
	conf.hosts[0].addr = 0xc6120001u;
	for (a = 0; a < 2; a++) {
		for (i = 0, lo = 0; i < 64u - a; i++) {
			struct edge_rule *r = &conf.rules[n++];
			uint32_t w = i % 3 == 0 ? 1 : i % 3 == 1 ? 63 : 1900;

			r->pub = 0xcb007100u + a;
			r->proto = i == 5 ? PROTO_ANY : protos[i % 2];
			r->lo = (uint16_t)lo;
			r->hi = (uint16_t)(i + 1 == 64u - a ? 65535 : lo + w - 1);
			r->vni = (uint32_t)n;
			lo += w + (i % 4 == 0 ? 0 : 17);
		}
	}
	conf.nrules = n;
	tab = rules_build(&conf);
	ck_assert_ptr_nonnull(tab);
	for (a = 0; a < 2; a++)
		for (k = 0; k < 3; k++)
			for (port = 0; port < 65536; port++)
				same(rules_lookup(tab, 0xcb007100u + a, protos[k], (uint16_t)port),
				     brute(conf.rules, n, 0xcb007100u + a, protos[k], (uint16_t)port),
				     0xcb007100u + a, protos[k], (uint16_t)port);
}
END_TEST

static Suite *rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, lab_borders);
	tcase_add_test(tc, per_proto);
	tcase_add_test(tc, big_vs_brute);
	tcase_add_test(tc, big_borders);
	tcase_add_test(tc, many_addresses);
	tcase_add_test(tc, index_every_port);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rules_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
