// SPDX-License-Identifier: MIT
/* fleet_conf.c - spatfleet's input: YAML to plain data through handler tables, then checks. */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "fleet_conf.h"
#include "fleet_pass.h"
#include "fleet_split.h"

/*
 * Theory of operation: as edged's and hostd's parsers, one ydoc_map() table
 * per mapping fills plain structs, then fleet_conf_check() looks across
 * items, sorting so that a fleet of thousands of hosts is checked in
 * O(n log n).  The `edge:`, `hostd:` and per-host `hostd:` mappings are not
 * interpreted: their nodes stay in the kept document and fleet_emit copies
 * them into the generated files; here they are only bounded (depth and
 * size, since YAML aliases can make a small text a huge tree) and kept from
 * setting the keys spatfleet writes itself.
 */

#define VNI_MAX 16777215u
#define BLOCKS_MAX (1u << 22)    /* blocks over the whole fleet: ~4 M edge rules at most */
#define PASS_DEPTH 16            /* nesting of pass-through values */
#define PASS_NODES 65536         /* nodes one pass-through mapping may expand to */

struct pctx {
	struct fleet_conf *c;
};

/* Names end up in edged's rules, in file names and in logs: keep edged's alphabet. */
static int check_name(struct ydoc *d, yaml_node_t *n, char *buf, size_t cap, struct yerr *err)
{
	if (ydoc_str(d, n, buf, cap, err))
		return -1;
	if (!*buf || strspn(buf, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
		     != strlen(buf))
		return yerr_at(err, d, n, "invalid name '%s' (expected letters, digits, '.', '_', '-')",
			       buf);
	return 0;
}

/* An address a packet can be sent to or from, as edged and hostd require. */
static bool unicast(uint32_t a)
{
	return (a >> 24) != 0 && a < 0xe0000000u;
}

static int get_unicast(struct ydoc *d, yaml_node_t *n, uint32_t *a, struct yerr *err)
{
	if (ydoc_ip4(d, n, a, err))
		return -1;
	if (!unicast(*a))
		return yerr_at(err, d, n, "invalid address '%s' (expected a unicast address)",
			       ydoc_scalar(n));
	return 0;
}

/* ---- pass-through mappings ---- */

/*
 * Bound a pass-through value: depth, expanded size (aliases), scalar keys
 * only.  Past the size it fails with *budget 0 and no message.
 */
static int check_tree(struct ydoc *d, yaml_node_t *n, int depth, size_t *budget,
		      struct yerr *err)
{
	yaml_node_item_t *it;
	yaml_node_pair_t *pr;

	if (depth > PASS_DEPTH)
		return yerr_at(err, d, n, "value nested too deeply (at most %d levels)", PASS_DEPTH);
	if (!*budget)
		return -1;       /* the caller names the whole value */
	(*budget)--;
	if (n->type == YAML_SEQUENCE_NODE) {
		for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++)
			if (check_tree(d, yaml_document_get_node(&d->doc, *it), depth + 1, budget,
				       err))
				return -1;
	} else if (n->type == YAML_MAPPING_NODE) {
		for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
			yaml_node_t *k = yaml_document_get_node(&d->doc, pr->key);

			if (!ydoc_scalar(k))
				return yerr_at(err, d, k, "mapping key must be a scalar, found %s",
					       ydoc_kind(k));
			if (check_tree(d, yaml_document_get_node(&d->doc, pr->value), depth + 1,
				       budget, err))
				return -1;
		}
	}
	return 0;
}

/* A mapping of keys for DAEMON's config, none of them one of the keys spatfleet writes. */
static int pass_map(struct ydoc *d, yaml_node_t *v, const char *const *generated,
		    const char *daemon, yaml_node_t **out, struct yerr *err)
{
	yaml_node_pair_t *pr;
	size_t budget = PASS_NODES;
	int i;

	if (v->type != YAML_MAPPING_NODE)
		return yerr_at(err, d, v, "expected a mapping of %s keys, found %s", daemon,
			       ydoc_kind(v));
	if (check_tree(d, v, 0, &budget, err))
		return budget ? -1 : yerr_at(err, d, v, "value too large (at most %d nodes, "
					     "aliases expanded)", PASS_NODES);
	for (pr = v->data.mapping.pairs.start; pr < v->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(&d->doc, pr->key);
		yaml_node_pair_t *q;

		for (i = 0; generated[i]; i++)
			if (!strcmp(ydoc_scalar(k), generated[i]))
				return yerr_at(err, d, k, "'%s' is written by spatfleet; it cannot be "
					       "set for %s", generated[i], daemon);
		for (q = v->data.mapping.pairs.start; q < pr; q++)
			if (!strcmp(ydoc_scalar(yaml_document_get_node(&d->doc, q->key)),
				    ydoc_scalar(k)))
				return yerr_at(err, d, k, "duplicate key '%s'", ydoc_scalar(k));
	}
	*out = v;
	return 0;
}

static const char *const edge_generated[] = { "name", "listen", "hosts", "rules", NULL };
static const char *const hostd_generated[] = { "name", "listen", "edges", "pools", NULL };

static int k_edge(struct ydoc *d, yaml_node_t *v, void *obj, struct yerr *err)
{
	return pass_map(d, v, edge_generated, "edged", &((struct pctx *)obj)->c->edge, err);
}

static int k_hostd(struct ydoc *d, yaml_node_t *v, void *obj, struct yerr *err)
{
	return pass_map(d, v, hostd_generated, "hostd", &((struct pctx *)obj)->c->hostd, err);
}

/* ---- sequences ---- */

/* A non-empty sequence of items of size sz, each filled by fn. */
static int get_list(struct ydoc *d, yaml_node_t *v, const char *key, size_t sz, void **arr,
		    size_t *n, yseq_fn fn, void *obj, struct yerr *err)
{
	long len = ydoc_seq_len(v);

	if (len < 0)
		return yerr_at(err, d, v, "expected a sequence, found %s", ydoc_kind(v));
	if (len == 0)
		return yerr_at(err, d, v, "'%s' must not be empty", key);
	*arr = calloc((size_t)len, sz);
	if (!*arr)
		return yerr_at(err, d, v, "out of memory");
	*n = (size_t)len;
	return ydoc_seq(d, v, fn, obj, err);
}

/* ---- edges: - name, address ---- */

static int e_name(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	struct fleet_edge *e = o;

	return check_name(d, v, e->name, sizeof(e->name), err);
}

static int e_address(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return get_unicast(d, v, &((struct fleet_edge *)o)->addr, err);
}

static const struct ykey edge_keys[] = {
	{ "name", e_name, true },
	{ "address", e_address, true },
	{ NULL, NULL, false },
};

static int edge_item(struct ydoc *d, yaml_node_t *n, size_t i, void *o, struct yerr *err)
{
	struct fleet_edge *e = &((struct pctx *)o)->c->edges[i];

	e->pos = ydoc_pos(n);
	return ydoc_map(d, n, edge_keys, e, err);
}

static int k_edges(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	struct fleet_conf *c = ((struct pctx *)o)->c;

	return get_list(d, v, "edges", sizeof(*c->edges), (void **)&c->edges, &c->nedges,
			edge_item, o, err);
}

/* ---- pools: - name, vni, public, ports, block_size, blocks_per_host, layout ---- */

static int p_name(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	struct fleet_pool *p = o;

	return check_name(d, v, p->name, sizeof(p->name), err);
}

static int p_vni(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return ydoc_u32(d, v, 1, VNI_MAX, &((struct fleet_pool *)o)->vni, err);
}

/* "a.b.c.d" or "a.b.c.d-e.f.g.h" into *first and *last; -1 when malformed. */
static int parse_span(const char *s, uint32_t *first, uint32_t *last)
{
	char buf[2 * ADDR_STRLEN];
	char *dash;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	if (addr_parse_ip4(buf, first) || (dash && addr_parse_ip4(dash + 1, last)))
		return -1;
	if (!dash)
		*last = *first;
	return *first <= *last ? 0 : -1;
}

/* One item of `public`: append its addresses to the pool. */
static int add_span(struct ydoc *d, yaml_node_t *n, struct fleet_pool *p, struct yerr *err)
{
	const char *s = ydoc_scalar(n);
	uint32_t first, last, *na;
	uint64_t count;

	if (!s)
		return yerr_at(err, d, n, "expected an address or a range, found %s", ydoc_kind(n));
	if (strlen(s) != n->data.scalar.length || parse_span(s, &first, &last))
		return yerr_at(err, d, n, "invalid address range '%.40s' (expected a.b.c.d or "
			       "a.b.c.d-e.f.g.h, first <= last)", s);
	if (!unicast(first) || !unicast(last))
		return yerr_at(err, d, n, "invalid address '%.40s' (expected unicast addresses)", s);
	count = (uint64_t)last - first + 1;
	if (p->naddrs + count > FLEET_ADDRS_MAX)
		return yerr_at(err, d, n, "too many addresses in pool (at most %u)",
			       FLEET_ADDRS_MAX);
	na = realloc(p->addrs, (p->naddrs + count) * sizeof(*na));
	if (!na)
		return yerr_at(err, d, n, "out of memory");
	p->addrs = na;
	for (uint64_t i = 0; i < count; i++)
		p->addrs[p->naddrs++] = first + (uint32_t)i;
	return 0;
}

static int p_public(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	struct fleet_pool *p = o;
	yaml_node_item_t *it;

	if (v->type != YAML_SEQUENCE_NODE)
		return add_span(d, v, p, err);
	if (v->data.sequence.items.start == v->data.sequence.items.top)
		return yerr_at(err, d, v, "'public' must not be empty");
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++)
		if (add_span(d, yaml_document_get_node(&d->doc, *it), p, err))
			return -1;
	return 0;
}

static int p_ports(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	struct fleet_pool *p = o;

	return ydoc_range(d, v, &p->lo, &p->hi, err);
}

static int p_block_size(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return ydoc_u32(d, v, 1, 65535, &((struct fleet_pool *)o)->block_size, err);
}

static int p_blocks(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return ydoc_u32(d, v, 1, 65536, &((struct fleet_pool *)o)->blocks, err);
}

static int p_layout(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	struct fleet_pool *p = o;
	char s[16];

	if (ydoc_str(d, v, s, sizeof(s), err))
		return -1;
	if (!strcmp(s, "striped"))
		p->layout = FLEET_STRIPED;
	else if (!strcmp(s, "contiguous"))
		p->layout = FLEET_CONTIGUOUS;
	else
		return yerr_at(err, d, v, "invalid layout '%s' (expected striped or contiguous)", s);
	return 0;
}

static const struct ykey pool_keys[] = {
	{ "name", p_name, true },
	{ "vni", p_vni, true },
	{ "public", p_public, true },
	{ "ports", p_ports, false },
	{ "block_size", p_block_size, true },
	{ "blocks_per_host", p_blocks, true },
	{ "layout", p_layout, false },
	{ NULL, NULL, false },
};

static int pool_item(struct ydoc *d, yaml_node_t *n, size_t i, void *o, struct yerr *err)
{
	struct fleet_pool *p = &((struct pctx *)o)->c->pools[i];

	p->pos = ydoc_pos(n);
	p->lo = 1024;
	p->hi = 65535;
	p->layout = FLEET_STRIPED;
	return ydoc_map(d, n, pool_keys, p, err);
}

static int k_pools(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	struct fleet_conf *c = ((struct pctx *)o)->c;

	return get_list(d, v, "pools", sizeof(*c->pools), (void **)&c->pools, &c->npools,
			pool_item, o, err);
}

/* ---- hosts: - name, address, slot, hostd ---- */

static int h_name(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	struct fleet_host *h = o;

	return check_name(d, v, h->name, sizeof(h->name), err);
}

static int h_address(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return get_unicast(d, v, &((struct fleet_host *)o)->addr, err);
}

static int h_slot(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return ydoc_u32(d, v, 0, UINT32_MAX - 1, &((struct fleet_host *)o)->slot, err);
}

static int h_hostd(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return pass_map(d, v, hostd_generated, "hostd", &((struct fleet_host *)o)->hostd, err);
}

static const struct ykey host_keys[] = {
	{ "name", h_name, true },
	{ "address", h_address, true },
	{ "slot", h_slot, true },
	{ "hostd", h_hostd, false },
	{ NULL, NULL, false },
};

static int host_item(struct ydoc *d, yaml_node_t *n, size_t i, void *o, struct yerr *err)
{
	struct fleet_host *h = &((struct pctx *)o)->c->hosts[i];

	h->pos = ydoc_pos(n);
	return ydoc_map(d, n, host_keys, h, err);
}

static int k_hosts(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	struct fleet_conf *c = ((struct pctx *)o)->c;

	return get_list(d, v, "hosts", sizeof(*c->hosts), (void **)&c->hosts, &c->nhosts,
			host_item, o, err);
}

static const struct ykey root_keys[] = {
	{ "edge", k_edge, false },
	{ "edges", k_edges, true },
	{ "hostd", k_hostd, false },
	{ "pools", k_pools, true },
	{ "hosts", k_hosts, true },
	{ NULL, NULL, false },
};

/* ---- checks across items ---- */

/* A value to find duplicates of, with where it came from. */
struct dkey {
	const char *s;           /* a name, or NULL when u is the value */
	uint32_t u;
	uint32_t idx;            /* order of appearance, to name the first one */
	struct ypos pos;
	const char *what;        /* "host", "edge", ... for the message */
};

static int cmp_dkey(const void *a, const void *b)
{
	const struct dkey *x = a, *y = b;
	int r = x->s ? strcmp(x->s, y->s) : (x->u > y->u) - (x->u < y->u);

	return r ? r : (x->idx > y->idx) - (x->idx < y->idx);
}

static bool dkey_same(const struct dkey *x, const struct dkey *y)
{
	return x->s ? !strcmp(x->s, y->s) : x->u == y->u;
}

/* Sort k[0..n) and report the first duplicate (the later one, at its position). */
static int dup_check(const char *file, struct dkey *k, size_t n, const char *label,
		     struct yerr *err)
{
	char a[ADDR_STRLEN], v[80];
	size_t i;

	qsort(k, n, sizeof(*k), cmp_dkey);
	for (i = 1; i < n; i++) {
		if (!dkey_same(&k[i], &k[i - 1]))
			continue;
		if (k[i].s)
			snprintf(v, sizeof(v), "'%s'", k[i].s);
		else if (!strcmp(label, "slot"))
			snprintf(v, sizeof(v), "%u", k[i].u);
		else
			snprintf(v, sizeof(v), "%s", addr_fmt_ip4(k[i].u, a));
		return yerr_pos(err, file, k[i].pos, "duplicate %s %s (also %s at line %d)", label,
				v, k[i - 1].what, k[i - 1].pos.line);
	}
	return 0;
}

enum dwhat { D_EDGE_NAME, D_HOST_NAME, D_ADDR, D_SLOT, D_POOL_NAME };

/* Fill keys of one kind for every item; returns the count. */
static size_t dkeys(const struct fleet_conf *c, enum dwhat w, struct dkey *k)
{
	size_t i, n = 0;

	switch (w) {
	case D_EDGE_NAME:
		for (i = 0; i < c->nedges; i++)
			k[n++] = (struct dkey){ c->edges[i].name, 0, (uint32_t)i, c->edges[i].pos,
						"edge" };
		break;
	case D_HOST_NAME:
		for (i = 0; i < c->nhosts; i++)
			k[n++] = (struct dkey){ c->hosts[i].name, 0, (uint32_t)i, c->hosts[i].pos,
						"host" };
		break;
	case D_ADDR:     /* edges first: a host on an edge's address names the edge */
		for (i = 0; i < c->nedges; i++)
			k[n++] = (struct dkey){ NULL, c->edges[i].addr, (uint32_t)i, c->edges[i].pos,
						"edge" };
		for (i = 0; i < c->nhosts; i++)
			k[n++] = (struct dkey){ NULL, c->hosts[i].addr, (uint32_t)(c->nedges + i),
						c->hosts[i].pos, "host" };
		break;
	case D_SLOT:
		for (i = 0; i < c->nhosts; i++)
			k[n++] = (struct dkey){ NULL, c->hosts[i].slot, (uint32_t)i, c->hosts[i].pos,
						"host" };
		break;
	case D_POOL_NAME:
		for (i = 0; i < c->npools; i++)
			k[n++] = (struct dkey){ c->pools[i].name, 0, (uint32_t)i, c->pools[i].pos,
						"pool" };
		break;
	}
	return n;
}

static int check_unique(const struct fleet_conf *c, struct yerr *err)
{
	static const char *const label[] = { "edge name", "host name", "address", "slot",
					     "pool name" };
	struct dkey *k = calloc(c->nedges + c->nhosts + c->npools + 1, sizeof(*k));
	int ret = 0, w;

	if (!k)
		return yerr_pos(err, c->file, (struct ypos){ 0, 0 }, "out of memory");
	for (w = D_EDGE_NAME; w <= D_POOL_NAME && !ret; w++)
		ret = dup_check(c->file, k, dkeys(c, (enum dwhat)w, k), label[w], err);
	free(k);
	return ret;
}

/* One (address, ports) span of a pool, for the overlap check. */
struct span {
	uint32_t addr;
	uint16_t lo, hi;
	uint32_t pool;
};

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return (x->pool > y->pool) - (x->pool < y->pool);
}

/* No two pools (nor one pool twice) may claim the same port of an address. */
static int check_pool_overlap(const struct fleet_conf *c, struct yerr *err)
{
	const struct fleet_pool *p, *q;
	struct span *s;
	size_t n = 0, i, j;
	char a[ADDR_STRLEN];
	int ret = 0;

	for (i = 0; i < c->npools; i++)
		n += c->pools[i].naddrs;
	s = calloc(n + 1, sizeof(*s));
	if (!s)
		return yerr_pos(err, c->file, (struct ypos){ 0, 0 }, "out of memory");
	for (n = 0, i = 0; i < c->npools; i++)
		for (j = 0; j < c->pools[i].naddrs; j++)
			s[n++] = (struct span){ c->pools[i].addrs[j], c->pools[i].lo, c->pools[i].hi,
						(uint32_t)i };
	qsort(s, n, sizeof(*s), cmp_span);
	for (i = 1; i < n && !ret; i++) {
		if (s[i].addr != s[i - 1].addr || s[i].lo > s[i - 1].hi)
			continue;
		p = &c->pools[s[i].pool];
		q = &c->pools[s[i - 1].pool];
		addr_fmt_ip4(s[i].addr, a);
		if (p == q)
			ret = yerr_pos(err, c->file, p->pos, "pool '%s' lists address %s twice",
				       p->name, a);
		else
			ret = yerr_pos(err, c->file, p->pos, "pool '%s' overlaps pool '%s' (line %d) "
				       "on %s ports %u-%u", p->name, q->name, q->pos.line, a,
				       s[i].lo, s[i].hi < s[i - 1].hi ? s[i].hi : s[i - 1].hi);
	}
	free(s);
	return ret;
}

/* Each pool holds one host at least, and every host's slot. */
static int check_room(struct fleet_conf *c, struct yerr *err)
{
	const struct fleet_host *top = &c->hosts[0];
	uint64_t total = 0;
	size_t i;

	for (i = 1; i < c->nhosts; i++)
		if (c->hosts[i].slot > top->slot)
			top = &c->hosts[i];
	for (i = 0; i < c->npools; i++) {
		struct fleet_pool *p = &c->pools[i];

		if (fleet_pool_size(p))
			return yerr_pos(err, c->file, p->pos, "pool '%s' is too small for one host: "
					"%zu addresses x %u blocks of %u ports < %u blocks_per_host",
					p->name, p->naddrs, p->per_addr, p->block_size, p->blocks);
		if (top->slot >= p->slots)
			return yerr_pos(err, c->file, top->pos, "host '%s' slot %u does not fit pool "
					"'%s': room for %u hosts, slots 0-%u (%zu addresses x %u "
					"blocks of %u ports / %u blocks_per_host)", top->name,
					top->slot, p->name, p->slots, p->slots - 1, p->naddrs,
					p->per_addr, p->block_size, p->blocks);
		total += (uint64_t)p->blocks * c->nhosts;
	}
	if (total > BLOCKS_MAX)
		return yerr_pos(err, c->file, (struct ypos){ 1, 1 }, "%llu blocks in all: at most "
				"%u (use fewer, larger blocks)", (unsigned long long)total,
				BLOCKS_MAX);
	return 0;
}

static int fleet_conf_check(struct fleet_conf *c, struct yerr *err)
{
	if (check_unique(c, err) || check_pool_overlap(c, err) || check_room(c, err))
		return -1;
	return fleet_pass_check(c, err);
}

static int fleet_conf_from_doc(struct fleet_conf *c, struct yerr *err)
{
	struct pctx pc = { .c = c };

	if (ydoc_map(&c->doc, ydoc_root(&c->doc), root_keys, &pc, err) ||
	    fleet_conf_check(c, err)) {
		fleet_conf_free(c);
		return -1;
	}
	return 0;
}

/* fleet_conf_parse() - parse the YAML in buf into *c; see fleet_conf.h. */
int fleet_conf_parse(struct fleet_conf *c, const char *name, const char *buf, size_t len,
		     struct yerr *err)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->file, sizeof(c->file), "%s", name);
	if (ydoc_load(&c->doc, c->file, buf, len, err))
		return -1;
	return fleet_conf_from_doc(c, err);
}

/* fleet_conf_load() - read path and parse it. */
int fleet_conf_load(struct fleet_conf *c, const char *path, struct yerr *err)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->file, sizeof(c->file), "%s", path);
	if (ydoc_load_file(&c->doc, c->file, err))
		return -1;
	return fleet_conf_from_doc(c, err);
}

/* fleet_conf_free() - release c; safe on a zeroed or already freed one. */
void fleet_conf_free(struct fleet_conf *c)
{
	size_t i;

	for (i = 0; c->pools && i < c->npools; i++)
		free(c->pools[i].addrs);
	free(c->pools);
	free(c->edges);
	free(c->hosts);
	free(c->o2o);
	ydoc_free(&c->doc);
	c->pools = NULL;
	c->edges = NULL;
	c->hosts = NULL;
	c->o2o = NULL;
	c->npools = c->nedges = c->nhosts = c->no2o = 0;
	c->edge = c->hostd = NULL;
}
