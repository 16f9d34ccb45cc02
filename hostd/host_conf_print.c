// SPDX-License-Identifier: MIT
/* host_conf_print.c - canonical YAML of a hostd config, and the equality its round trip keeps. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "host_conf.h"
#include "host_conf_internal.h"

static bool vm_equal(const struct host_vm *a, const struct host_vm *b)
{
	return !strcmp(a->name, b->name) && !strcmp(a->tap, b->tap) &&
	       !strcmp(a->netns, b->netns) && a->vni == b->vni && a->addr == b->addr &&
	       !memcmp(a->mac, b->mac, 6) && a->gateway == b->gateway &&
	       a->public_addr == b->public_addr;
}

static bool fwd_equal(const struct host_fwd *a, const struct host_fwd *b)
{
	return a->proto == b->proto && a->pub == b->pub && a->pub_port == b->pub_port &&
	       a->vm == b->vm && a->vm_port == b->vm_port;
}

static bool lists_equal(const struct host_conf *a, const struct host_conf *b)
{
	size_t i;

	if (a->nedges != b->nedges || a->npools != b->npools || a->nvms != b->nvms ||
	    a->nfwds != b->nfwds)
		return false;
	for (i = 0; i < a->nedges; i++)
		if (a->edges[i].addr != b->edges[i].addr)
			return false;
	for (i = 0; i < a->npools; i++)
		if (a->pools[i].vni != b->pools[i].vni || a->pools[i].addr != b->pools[i].addr ||
		    a->pools[i].lo != b->pools[i].lo || a->pools[i].hi != b->pools[i].hi)
			return false;
	for (i = 0; i < a->nvms; i++)
		if (!vm_equal(&a->vms[i], &b->vms[i]))
			return false;
	for (i = 0; i < a->nfwds; i++)
		if (!fwd_equal(&a->fwds[i], &b->fwds[i]))
			return false;
	return true;
}

/* host_conf_equal() - same settings in a and b; file names and positions aside. */
bool host_conf_equal(const struct host_conf *a, const struct host_conf *b)
{
	return !strcmp(a->name, b->name) && a->local == b->local && a->port == b->port &&
	       !memcmp(a->gw_mac, b->gw_mac, 6) && !strcmp(a->control, b->control) &&
	       !strcmp(a->user, b->user) && !strcmp(a->state_file, b->state_file) &&
	       !strcmp(a->metrics, b->metrics) && a->batch == b->batch &&
	       a->busy_poll == b->busy_poll &&
	       a->max_entries == b->max_entries && a->vm_quota == b->vm_quota &&
	       a->port_reuse_delay == b->port_reuse_delay &&
	       !memcmp(&a->timeout, &b->timeout, sizeof(a->timeout)) &&
	       a->probe_interval_ms == b->probe_interval_ms &&
	       a->probe_down_ms == b->probe_down_ms &&
	       a->filtering == b->filtering && !strcmp(a->maplog.path, b->maplog.path) &&
	       a->maplog.rate == b->maplog.rate &&
	       a->maplog.destination == b->maplog.destination &&
	       a->tunnel_mtu == b->tunnel_mtu && a->icmp_rate == b->icmp_rate &&
	       a->mss_clamp == b->mss_clamp && lists_equal(a, b);
}

/* Safe in a block-context plain scalar: no indicator first, no ':' at either end. */
static bool plain_char(const char *s, const char *p)
{
	return (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
	       *p == '_' || *p == '.' || *p == '/' || (*p == '-' && p != s) ||
	       (*p == ':' && p != s && p[1]);
}

/*
 * Print the UTF-8 sequence at p (libyaml gave us valid UTF-8) as a \u or \U
 * escape: raw, NEL and the Unicode line separators would be folded inside
 * quotes.  Returns the bytes used.
 */
static size_t print_utf8(FILE *f, const unsigned char *p)
{
	size_t n = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2, i;
	uint32_t cp = *p & (0x7f >> n);

	for (i = 1; i < n && (p[i] & 0xc0) == 0x80; i++)
		cp = cp << 6 | (p[i] & 0x3f);
	fprintf(f, cp > 0xffff ? "\\U%08x" : "\\u%04x", cp);
	return i;
}

/* Plain when it cannot be read as anything else, else double-quoted with escapes. */
static void print_str(FILE *f, const char *s)
{
	const char *p = s;

	while (*p && plain_char(s, p))
		p++;
	if (*s && !*p) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (p = s; *p;) {
		if ((unsigned char)*p >= 0x80)
			p += print_utf8(f, (const unsigned char *)p);
		else if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p++);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", (unsigned char)*p++);
		else
			fputc(*p++, f);
	}
	fputc('"', f);
}

static void print_key_str(FILE *f, const char *indent, const char *key, const char *s)
{
	fprintf(f, "%s%s: ", indent, key);
	print_str(f, s);
	fputc('\n', f);
}

static void print_header(const struct host_conf *c, FILE *f)
{
	char a[ADDR_STRLEN], m[MAC_STRLEN];
	const struct host_timeouts *t = &c->timeout;

	print_key_str(f, "", "name", c->name);
	fprintf(f, "listen: %s\nport: %u\n", addr_fmt_ip4(c->local, a), c->port);
	fprintf(f, "gateway_mac: %s\n", addr_fmt_mac(c->gw_mac, m));
	print_key_str(f, "", "control", c->control);
	print_key_str(f, "", "user", c->user);
	print_key_str(f, "", "state_file", c->state_file);
	print_key_str(f, "", "metrics", c->metrics);
	fprintf(f, "busy_poll: %u\n", c->busy_poll);
	fprintf(f, "batch: %u\nmax_entries: %u\nmax_mappings_per_vm: %u\nport_reuse_delay: %u\n",
		c->batch, c->max_entries, c->vm_quota, c->port_reuse_delay);
	if (c->tunnel_mtu)
		fprintf(f, "tunnel_mtu: %u\n", c->tunnel_mtu);
	else
		fputs("tunnel_mtu: auto\n", f);
	fprintf(f, "icmp_rate: %u\n", c->icmp_rate);
	if (c->mss_clamp == HOST_MSS_OFF || c->mss_clamp == HOST_MSS_AUTO)
		fprintf(f, "tcp_mss_clamp: %s\n", c->mss_clamp == HOST_MSS_OFF ? "off" : "auto");
	else
		fprintf(f, "tcp_mss_clamp: %u\n", c->mss_clamp);
	fprintf(f, "timeouts: { udp: %u, tcp_established: %u, tcp_transitory: %u, icmp: %u }\n",
		t->udp, t->tcp_est, t->tcp_trans, t->icmp);
	fprintf(f, "edge_probe: { interval: %u, down_after: %u }\n", c->probe_interval_ms,
		c->probe_down_ms);
	fprintf(f, "filtering: %s\n", host_conf_filtering_name(c->filtering));
	if (c->maplog.path[0]) {
		fputs("mapping_log:\n", f);
		print_key_str(f, "  ", "path", c->maplog.path);
		fprintf(f, "  rate: %u\n  destination: %s\n", c->maplog.rate,
			c->maplog.destination ? "true" : "false");
	}
}

static void print_lists(const struct host_conf *c, FILE *f)
{
	char a[ADDR_STRLEN];
	size_t i;

	fputs(c->nedges ? "edges:\n" : "edges: []\n", f);
	for (i = 0; i < c->nedges; i++)
		fprintf(f, "  - address: %s\n", addr_fmt_ip4(c->edges[i].addr, a));
	fputs(c->npools ? "pools:\n" : "pools: []\n", f);
	for (i = 0; i < c->npools; i++)
		fprintf(f, "  - vni: %u\n    public: %s\n    ports: %u-%u\n", c->pools[i].vni,
			addr_fmt_ip4(c->pools[i].addr, a), c->pools[i].lo, c->pools[i].hi);
}

static void print_vm(const struct host_vm *vm, FILE *f)
{
	char a[ADDR_STRLEN], m[MAC_STRLEN];

	print_key_str(f, "  - ", "name", vm->name);
	fprintf(f, "    vni: %u\n", vm->vni);
	print_key_str(f, "    ", "tap", vm->tap);
	if (vm->netns[0])
		print_key_str(f, "    ", "netns", vm->netns);
	fprintf(f, "    address: %s\n", addr_fmt_ip4(vm->addr, a));
	fprintf(f, "    mac: %s\n", addr_fmt_mac(vm->mac, m));
	fprintf(f, "    gateway: %s\n", addr_fmt_ip4(vm->gateway, a));
}

static void print_fwd(const struct host_conf *c, const struct host_fwd *fw, FILE *f)
{
	char a[ADDR_STRLEN];

	fprintf(f, "  - public: %s:%u\n    proto: %s\n", addr_fmt_ip4(fw->pub, a), fw->pub_port,
		addr_proto_name(fw->proto));
	print_key_str(f, "    ", "vm", c->vms[fw->vm].name);
	fprintf(f, "    port: %u\n", fw->vm_port);
}

static void print_o2o(const struct host_conf *c, FILE *f)
{
	char a[ADDR_STRLEN];
	size_t i, n = 0;

	for (i = 0; i < c->nvms; i++) {
		if (!c->vms[i].public_addr)
			continue;
		fprintf(f, "%s  - public: %s\n", n++ ? "" : "one_to_one:\n",
			addr_fmt_ip4(c->vms[i].public_addr, a));
		print_key_str(f, "    ", "vm", c->vms[i].name);
	}
	if (!n)
		fputs("one_to_one: []\n", f);
}

/* host_conf_print() - canonical YAML (for -n -v and round trips). */
void host_conf_print(const struct host_conf *c, FILE *f)
{
	size_t i;

	print_header(c, f);
	print_lists(c, f);
	fputs(c->nvms ? "vms:\n" : "vms: []\n", f);
	for (i = 0; i < c->nvms; i++)
		print_vm(&c->vms[i], f);
	fputs(c->nfwds ? "forwards:\n" : "forwards: []\n", f);
	for (i = 0; i < c->nfwds; i++)
		print_fwd(c, &c->fwds[i], f);
	print_o2o(c, f);
}
