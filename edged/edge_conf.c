// SPDX-License-Identifier: MIT
/* edge_conf.c - edged configuration: YAML to plain data through handler tables, then checks. */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "edge_conf.h"
#include "evloop.h"
#include "pktbuf.h"

/*
 * Theory of operation: edge_conf_parse() loads the document, fills struct
 * edge_conf through one ydoc_map() table per YAML mapping (one small
 * handler per key), then edge_conf_check() validates the whole: unique
 * hosts, rule-to-host references, and rule overlap.  The checks that look
 * across items sort, so a config of 100,000 rules is checked in
 * O(n log n).  Handlers only see one value each; a rule's host name is
 * kept as its YAML node until the check resolves it, since hosts may come
 * after rules in the file.
 */

#define VNI_MAX 16777215u

struct parse_ctx {
	struct edge_conf *c;
	yaml_node_t **rule_host;     /* per rule: the host name node, resolved in the check */
};

struct rule_ctx {
	struct edge_rule *r;
	yaml_node_t **host;
	yaml_node_t *proto;          /* the proto value, if given */
	bool ports;                  /* "ports" given: not a whole-address rule */
};

/* Names end up in logs and metric labels: keep them to a safe alphabet. */
static int check_name(struct ydoc *d, yaml_node_t *n, const char *s, struct yerr *err)
{
	if (!*s || strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
		   != strlen(s))
		return yerr_at(err, d, n, "invalid name '%s' (expected letters, digits, '.', '_', '-')",
			       s);
	return 0;
}

/* Free text (paths) must be printable ASCII, so that the printer never needs escapes. */
static int check_printable(struct ydoc *d, yaml_node_t *n, const char *s, struct yerr *err)
{
	const char *p;

	for (p = s; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			return yerr_at(err, d, n, "invalid character 0x%02x (expected printable ASCII)",
				       (unsigned char)*p);
	return 0;
}

/* An address a packet can be sent to or from: not 0.0.0.0/8, multicast or reserved. */
static int check_unicast(struct ydoc *d, yaml_node_t *n, uint32_t a, struct yerr *err)
{
	if ((a >> 24) == 0 || a >= 0xe0000000u)
		return yerr_at(err, d, n, "invalid address '%s' (expected a unicast address)",
			       ydoc_scalar(n));
	return 0;
}

static int get_unicast(struct ydoc *d, yaml_node_t *n, uint32_t *a, struct yerr *err)
{
	if (ydoc_ip4(d, n, a, err))
		return -1;
	return check_unicast(d, n, *a, err);
}

/* ---- root keys ---- */

static int k_name(struct ydoc *d, yaml_node_t *v, void *obj, struct yerr *err)
{
	struct edge_conf *c = ((struct parse_ctx *)obj)->c;

	if (ydoc_str(d, v, c->name, sizeof(c->name), err))
		return -1;
	return check_name(d, v, c->name, err);
}

/* Linux dev_valid_name(): not "", "." or "..", no '/', ':' or whitespace. */
static int k_tun(struct ydoc *d, yaml_node_t *v, void *obj, struct yerr *err)
{
	struct edge_conf *c = ((struct parse_ctx *)obj)->c;

	if (ydoc_str(d, v, c->tun, sizeof(c->tun), err) || check_printable(d, v, c->tun, err))
		return -1;
	if (!*c->tun || !strcmp(c->tun, ".") || !strcmp(c->tun, "..") || strpbrk(c->tun, "/: "))
		return yerr_at(err, d, v, "invalid interface name '%s'", c->tun);
	return 0;
}

static int k_listen(struct ydoc *d, yaml_node_t *v, void *obj, struct yerr *err)
{
	return get_unicast(d, v, &((struct parse_ctx *)obj)->c->local, err);
}

static int k_port(struct ydoc *d, yaml_node_t *v, void *obj, struct yerr *err)
{
	uint32_t port;

	if (ydoc_u32(d, v, 1, 65535, &port, err))
		return -1;
	((struct parse_ctx *)obj)->c->port = (uint16_t)port;
	return 0;
}

/* "" turns the control socket off. */
static int k_control(struct ydoc *d, yaml_node_t *v, void *obj, struct yerr *err)
{
	struct edge_conf *c = ((struct parse_ctx *)obj)->c;

	if (ydoc_str(d, v, c->control, sizeof(c->control), err))
		return -1;
	return check_printable(d, v, c->control, err);
}

/* The unprivileged user to run as once devices and sockets are open. */
static int k_user(struct ydoc *d, yaml_node_t *v, void *obj, struct yerr *err)
{
	struct edge_conf *c = ((struct parse_ctx *)obj)->c;

	if (ydoc_str(d, v, c->user, sizeof(c->user), err))
		return -1;
	if (!*c->user)
		return yerr_at(err, d, v, "invalid user '' (empty)");
	return check_printable(d, v, c->user, err);
}

/* "" (or no key) turns metrics off. */
static int k_metrics(struct ydoc *d, yaml_node_t *v, void *obj, struct yerr *err)
{
	struct edge_conf *c = ((struct parse_ctx *)obj)->c;
	uint32_t addr;
	uint16_t port;

	if (ydoc_str(d, v, c->metrics, sizeof(c->metrics), err))
		return -1;
	if (!*c->metrics)
		return 0;
	return ydoc_ip4_port(d, v, &addr, &port, err);
}

static int k_batch(struct ydoc *d, yaml_node_t *v, void *obj, struct yerr *err)
{
	return ydoc_u32(d, v, 1, BURST_MAX, &((struct parse_ctx *)obj)->c->batch, err);
}

static int k_busy_poll(struct ydoc *d, yaml_node_t *v, void *obj, struct yerr *err)
{
	return ydoc_u32(d, v, 0, BUSY_POLL_MAX, &((struct parse_ctx *)obj)->c->busy_poll, err);
}

/* tunnel_mtu: "auto" (the default) or a number of bytes. */
static int k_tunnel_mtu(struct ydoc *d, yaml_node_t *v, void *obj, struct yerr *err)
{
	struct edge_conf *c = ((struct parse_ctx *)obj)->c;
	char s[8];

	if (v->type == YAML_SCALAR_NODE && v->data.scalar.length == 4 &&
	    !ydoc_str(d, v, s, sizeof(s), err) && !strcmp(s, "auto")) {
		c->tunnel_mtu = 0;
		return 0;
	}
	return ydoc_u32(d, v, EDGE_MTU_MIN, EDGE_MTU_MAX, &c->tunnel_mtu, err);
}

static int k_icmp_rate(struct ydoc *d, yaml_node_t *v, void *obj, struct yerr *err)
{
	return ydoc_u32(d, v, 0, 100000, &((struct parse_ctx *)obj)->c->icmp_rate, err);
}

/* ---- hosts ---- */

static int h_name(struct ydoc *d, yaml_node_t *v, void *obj, struct yerr *err)
{
	struct edge_host *h = obj;

	if (ydoc_str(d, v, h->name, sizeof(h->name), err))
		return -1;
	return check_name(d, v, h->name, err);
}

static int h_address(struct ydoc *d, yaml_node_t *v, void *obj, struct yerr *err)
{
	return get_unicast(d, v, &((struct edge_host *)obj)->addr, err);
}

static const struct ykey host_keys[] = {
	{ "name", h_name, true },
	{ "address", h_address, true },
	{ NULL, NULL, false },
};

static int host_item(struct ydoc *d, yaml_node_t *n, size_t idx, void *obj, struct yerr *err)
{
	struct edge_host *h = &((struct parse_ctx *)obj)->c->hosts[idx];

	h->pos = ydoc_pos(n);
	return ydoc_map(d, n, host_keys, h, err);
}

/* Length of a non-empty sequence, or -1 with err set. */
static long seq_len(struct ydoc *d, yaml_node_t *v, const char *key, struct yerr *err)
{
	long n = ydoc_seq_len(v);

	if (n < 0)
		return yerr_at(err, d, v, "expected a sequence, found %s", ydoc_kind(v));
	if (n == 0)
		return yerr_at(err, d, v, "'%s' must not be empty", key);
	return n;
}

static int k_hosts(struct ydoc *d, yaml_node_t *v, void *obj, struct yerr *err)
{
	struct edge_conf *c = ((struct parse_ctx *)obj)->c;
	long n = seq_len(d, v, "hosts", err);

	if (n < 0)
		return -1;
	c->hosts = calloc((size_t)n, sizeof(*c->hosts));
	if (!c->hosts)
		return yerr_at(err, d, v, "out of memory");
	c->nhosts = (size_t)n;
	return ydoc_seq(d, v, host_item, obj, err);
}

/* ---- rules ---- */

static int r_public(struct ydoc *d, yaml_node_t *v, void *obj, struct yerr *err)
{
	return get_unicast(d, v, &((struct rule_ctx *)obj)->r->pub, err);
}

static int r_proto(struct ydoc *d, yaml_node_t *v, void *obj, struct yerr *err)
{
	struct rule_ctx *rc = obj;

	rc->proto = v;
	return ydoc_proto(d, v, true, &rc->r->proto, err);
}

static int r_ports(struct ydoc *d, yaml_node_t *v, void *obj, struct yerr *err)
{
	struct rule_ctx *rc = obj;

	rc->ports = true;
	return ydoc_range(d, v, &rc->r->lo, &rc->r->hi, err);
}

/* The name is checked here, resolved to an index by edge_conf_check(). */
static int r_host(struct ydoc *d, yaml_node_t *v, void *obj, struct yerr *err)
{
	char name[sizeof(((struct edge_host *)0)->name)];

	*((struct rule_ctx *)obj)->host = v;
	if (ydoc_str(d, v, name, sizeof(name), err))
		return -1;
	return check_name(d, v, name, err);
}

static int r_vni(struct ydoc *d, yaml_node_t *v, void *obj, struct yerr *err)
{
	return ydoc_u32(d, v, 1, VNI_MAX, &((struct rule_ctx *)obj)->r->vni, err);
}

static const struct ykey rule_keys[] = {
	{ "public", r_public, true },
	{ "proto", r_proto, false },
	{ "ports", r_ports, false },
	{ "host", r_host, true },
	{ "vni", r_vni, true },
	{ NULL, NULL, false },
};

static int rule_item(struct ydoc *d, yaml_node_t *n, size_t idx, void *obj, struct yerr *err)
{
	struct parse_ctx *pc = obj;
	struct rule_ctx rc = { .r = &pc->c->rules[idx], .host = &pc->rule_host[idx] };

	rc.r->pos = ydoc_pos(n);
	rc.r->proto = PROTO_ANY;
	if (ydoc_map(d, n, rule_keys, &rc, err))
		return -1;
	if (rc.ports)
		return 0;
	/* No ports: the rule takes the whole address, every protocol included. */
	if (rc.r->proto != PROTO_ANY)
		return yerr_at(err, d, rc.proto, "proto '%s' needs 'ports' (a rule without "
			       "ports takes the whole address, every protocol)",
			       addr_proto_name(rc.r->proto));
	rc.r->whole = true;
	rc.r->lo = 0;
	rc.r->hi = 65535;
	return 0;
}

static int k_rules(struct ydoc *d, yaml_node_t *v, void *obj, struct yerr *err)
{
	struct parse_ctx *pc = obj;
	long n = seq_len(d, v, "rules", err);

	if (n < 0)
		return -1;
	pc->c->rules = calloc((size_t)n, sizeof(*pc->c->rules));
	pc->rule_host = calloc((size_t)n, sizeof(*pc->rule_host));
	if (!pc->c->rules || !pc->rule_host)
		return yerr_at(err, d, v, "out of memory");
	pc->c->nrules = (size_t)n;
	return ydoc_seq(d, v, rule_item, obj, err);
}

static const struct ykey root_keys[] = {
	{ "name", k_name, false },
	{ "tun", k_tun, false },
	{ "listen", k_listen, true },
	{ "port", k_port, false },
	{ "control", k_control, false },
	{ "user", k_user, false },
	{ "metrics", k_metrics, false },
	{ "batch", k_batch, false },
	{ "busy_poll", k_busy_poll, false },
	{ "tunnel_mtu", k_tunnel_mtu, false },
	{ "icmp_rate", k_icmp_rate, false },
	{ "hosts", k_hosts, true },
	{ "rules", k_rules, true },
	{ NULL, NULL, false },
};

/* ---- checks across items ---- */

struct name_ref {
	const char *name;
	uint32_t idx;
};

static int cmp_name_ref(const void *a, const void *b)
{
	const struct name_ref *x = a, *y = b;
	int r = strcmp(x->name, y->name);

	return r ? r : (x->idx > y->idx) - (x->idx < y->idx);
}

/* Names are unique by the time we look one up, so the name alone is the key. */
static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct name_ref *)a)->name, ((const struct name_ref *)b)->name);
}

static int cmp_host_addr(const void *a, const void *b)
{
	const struct edge_host *const *x = a, *const *y = b;

	if ((*x)->addr != (*y)->addr)
		return (*x)->addr < (*y)->addr ? -1 : 1;
	return (*x < *y) ? -1 : (*x > *y);
}

/* Duplicate addresses; sorted pointers keep the first in file order first. */
static int check_host_addrs(const struct edge_conf *c, struct yerr *err)
{
	const struct edge_host **by = calloc(c->nhosts, sizeof(*by));
	char buf[ADDR_STRLEN];
	int ret = 0;
	size_t i;

	if (!by)
		return yerr_pos(err, c->file, (struct ypos){ 0, 0 }, "out of memory");
	for (i = 0; i < c->nhosts; i++)
		by[i] = &c->hosts[i];
	qsort(by, c->nhosts, sizeof(*by), cmp_host_addr);
	for (i = 1; i < c->nhosts && !ret; i++)
		if (by[i]->addr == by[i - 1]->addr)
			ret = yerr_pos(err, c->file, by[i]->pos,
				       "duplicate host address %s (also host '%s' at line %d)",
				       addr_fmt_ip4(by[i]->addr, buf), by[i - 1]->name,
				       by[i - 1]->pos.line);
	free(by);
	return ret;
}

/* Unique host names, then each rule's host name to its index. */
static int resolve_hosts(struct edge_conf *c, yaml_node_t **rule_host, struct yerr *err)
{
	struct name_ref *by = calloc(c->nhosts, sizeof(*by)), key, *hit;
	int ret = 0;
	size_t i;

	if (!by)
		return yerr_pos(err, c->file, (struct ypos){ 0, 0 }, "out of memory");
	for (i = 0; i < c->nhosts; i++)
		by[i] = (struct name_ref){ c->hosts[i].name, (uint32_t)i };
	qsort(by, c->nhosts, sizeof(*by), cmp_name_ref);
	for (i = 1; i < c->nhosts && !ret; i++)
		if (!strcmp(by[i].name, by[i - 1].name))
			ret = yerr_pos(err, c->file, c->hosts[by[i].idx].pos,
				       "duplicate host name '%s' (first at line %d)", by[i].name,
				       c->hosts[by[i - 1].idx].pos.line);
	for (i = 0; i < c->nrules && !ret; i++) {
		key = (struct name_ref){ ydoc_scalar(rule_host[i]), 0 };
		hit = bsearch(&key, by, c->nhosts, sizeof(*by), cmp_name);
		if (!hit)
			ret = yerr_pos(err, c->file, c->rules[i].pos, "unknown host '%s'", key.name);
		else
			c->rules[i].host = hit->idx;
	}
	free(by);
	return ret;
}

/*
 * Overlap: every rule becomes one entry per protocol it covers ("any" three,
 * a whole-address rule one entry of its own kind).  Sorted by address, kind
 * and low port, overlaps are neighbours: a whole entry clashes with anything
 * else on its address, and a range with the widest range before it.
 */
#define KIND_WHOLE 0             /* sorts before ICMP (1), TCP (6), UDP (17) */

struct ov_ent {
	uint32_t pub;
	uint32_t rule;
	uint16_t lo, hi;
	uint8_t kind;
};

static int cmp_ov(const void *a, const void *b)
{
	const struct ov_ent *x = a, *y = b;

	if (x->pub != y->pub)
		return x->pub < y->pub ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return (x->rule > y->rule) - (x->rule < y->rule);
}

static size_t ov_expand(const struct edge_conf *c, struct ov_ent *e)
{
	static const uint8_t any[] = { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP };
	const struct edge_rule *r;
	size_t i, j, n = 0;

	for (i = 0; i < c->nrules; i++) {
		r = &c->rules[i];
		if (r->whole) {
			e[n++] = (struct ov_ent){ r->pub, (uint32_t)i, 0, 65535, KIND_WHOLE };
			continue;
		}
		for (j = 0; j < sizeof(any); j++)
			if (r->proto == PROTO_ANY || r->proto == any[j])
				e[n++] = (struct ov_ent){ r->pub, (uint32_t)i, r->lo, r->hi, any[j] };
	}
	return n;
}

/* Keep, of all clashing pairs seen, the one whose later rule comes first in the file. */
static void ov_note(uint32_t a, uint32_t b, uint32_t *later, uint32_t *earlier)
{
	uint32_t hi = a > b ? a : b, lo = a > b ? b : a;

	if (hi < *later || (hi == *later && lo < *earlier)) {
		*later = hi;
		*earlier = lo;
	}
}

/* Scan sorted entries; on a clash set *later and *earlier (else left at UINT32_MAX). */
static void ov_scan(const struct ov_ent *e, size_t n, uint32_t *later, uint32_t *earlier)
{
	const struct ov_ent *w = e;      /* widest range so far of this address and kind */
	size_t i;

	for (i = 1; i < n; i++) {
		if (e[i].pub != w->pub) {
			w = &e[i];
		} else if (w->kind == KIND_WHOLE) {
			ov_note(e[i].rule, w->rule, later, earlier);
		} else if (e[i].kind != w->kind) {
			w = &e[i];
		} else {
			if (e[i].lo <= w->hi)
				ov_note(e[i].rule, w->rule, later, earlier);
			if (e[i].hi > w->hi)
				w = &e[i];
		}
	}
}

static const char *rule_desc(const struct edge_rule *r, char *buf, size_t len)
{
	char a[ADDR_STRLEN];

	addr_fmt_ip4(r->pub, a);
	if (r->whole)
		snprintf(buf, len, "%s (whole address)", a);
	else
		snprintf(buf, len, "%s %s %u-%u", a, addr_proto_name(r->proto), r->lo, r->hi);
	return buf;
}

static int check_overlap(const struct edge_conf *c, struct yerr *err)
{
	struct ov_ent *e = calloc(c->nrules * 3 + 1, sizeof(*e));
	uint32_t later = UINT32_MAX, earlier = UINT32_MAX;
	char d1[48], d2[48];
	size_t n;

	if (!e)
		return yerr_pos(err, c->file, (struct ypos){ 0, 0 }, "out of memory");
	n = ov_expand(c, e);
	qsort(e, n, sizeof(*e), cmp_ov);
	ov_scan(e, n, &later, &earlier);
	free(e);
	if (later == UINT32_MAX)
		return 0;
	return yerr_pos(err, c->file, c->rules[later].pos, "rule %s overlaps rule at line %d (%s)",
			rule_desc(&c->rules[later], d1, sizeof(d1)), c->rules[earlier].pos.line,
			rule_desc(&c->rules[earlier], d2, sizeof(d2)));
}

/* Checks that need the whole config: references, uniqueness, overlap. */
static int edge_conf_check(struct edge_conf *c, yaml_node_t **rule_host, struct yerr *err)
{
	if (resolve_hosts(c, rule_host, err) || check_host_addrs(c, err))
		return -1;
	return check_overlap(c, err);
}

static void edge_conf_defaults(struct edge_conf *c, const char *name)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->file, sizeof(c->file), "%s", name);
	strcpy(c->name, "edged");
	strcpy(c->tun, "spat0");
	c->port = 6081;
	strcpy(c->control, "/run/spat/edged.sock");
	strcpy(c->user, "nobody");
	c->batch = BURST_MAX;
	c->busy_poll = BUSY_POLL_DEFAULT;
	c->icmp_rate = 100;
}

/* Fill c from a loaded document; frees the document, and c on failure. */
static int edge_conf_from_doc(struct edge_conf *c, struct ydoc *d, struct yerr *err)
{
	struct parse_ctx pc = { .c = c };
	int ret;

	ret = ydoc_map(d, ydoc_root(d), root_keys, &pc, err);
	if (!ret)
		ret = edge_conf_check(c, pc.rule_host, err);
	free(pc.rule_host);
	ydoc_free(d);
	if (ret)
		edge_conf_free(c);
	return ret;
}

/* edge_conf_parse() - parse the YAML in buf into *c; see edge_conf.h. */
int edge_conf_parse(struct edge_conf *c, const char *name, const char *buf, size_t len,
		    struct yerr *err)
{
	struct ydoc d;

	edge_conf_defaults(c, name);
	if (ydoc_load(&d, name, buf, len, err))
		return -1;
	return edge_conf_from_doc(c, &d, err);
}

/* edge_conf_load() - read path and parse it. */
int edge_conf_load(struct edge_conf *c, const char *path, struct yerr *err)
{
	struct ydoc d;

	edge_conf_defaults(c, path);
	if (ydoc_load_file(&d, path, err))
		return -1;
	return edge_conf_from_doc(c, &d, err);
}

/* edge_conf_free() - release the host and rule arrays; c stays safe to free again. */
void edge_conf_free(struct edge_conf *c)
{
	free(c->hosts);
	free(c->rules);
	c->hosts = NULL;
	c->rules = NULL;
	c->nhosts = 0;
	c->nrules = 0;
}

/* Strings were checked to be printable ASCII: only '"' and '\' need escapes. */
static void print_str(FILE *f, const char *key, const char *indent, const char *s)
{
	fprintf(f, "%s%s: \"", indent, key);
	for (; *s; s++)
		fprintf(f, *s == '"' || *s == '\\' ? "\\%c" : "%c", *s);
	fputs("\"\n", f);
}

static void print_rule(FILE *f, const struct edge_conf *c, const struct edge_rule *r)
{
	char a[ADDR_STRLEN];

	fprintf(f, "  - public: %s\n", addr_fmt_ip4(r->pub, a));
	if (!r->whole) {
		fprintf(f, "    proto: %s\n", addr_proto_name(r->proto));
		if (r->lo == r->hi)
			fprintf(f, "    ports: %u\n", r->lo);
		else
			fprintf(f, "    ports: %u-%u\n", r->lo, r->hi);
	}
	print_str(f, "host", "    ", c->hosts[r->host].name);
	fprintf(f, "    vni: %u\n", r->vni);
}

/* edge_conf_print() - canonical YAML of the config (for -n -v and round trips). */
void edge_conf_print(const struct edge_conf *c, FILE *f)
{
	char a[ADDR_STRLEN];
	size_t i;

	print_str(f, "name", "", c->name);
	print_str(f, "tun", "", c->tun);
	fprintf(f, "listen: %s\nport: %u\n", addr_fmt_ip4(c->local, a), c->port);
	print_str(f, "control", "", c->control);
	print_str(f, "user", "", c->user);
	if (*c->metrics)
		print_str(f, "metrics", "", c->metrics);
	fprintf(f, "batch: %u\nbusy_poll: %u\n", c->batch, c->busy_poll);
	if (c->tunnel_mtu)
		fprintf(f, "tunnel_mtu: %u\n", c->tunnel_mtu);
	else
		fputs("tunnel_mtu: auto\n", f);
	fprintf(f, "icmp_rate: %u\nhosts:\n", c->icmp_rate);
	for (i = 0; i < c->nhosts; i++) {
		fputs("  - ", f);
		print_str(f, "name", "", c->hosts[i].name);
		fprintf(f, "    address: %s\n", addr_fmt_ip4(c->hosts[i].addr, a));
	}
	fputs("rules:\n", f);
	for (i = 0; i < c->nrules; i++)
		print_rule(f, c, &c->rules[i]);
}

/* edge_conf_host() - index of the host with that address, or -1. */
long edge_conf_host(const struct edge_conf *c, uint32_t addr)
{
	size_t i;

	for (i = 0; i < c->nhosts; i++)
		if (c->hosts[i].addr == addr)
			return (long)i;
	return -1;
}
