// SPDX-License-Identifier: MIT
/* fleet_pass.c - what spatfleet reads in passed-through hostd keys: 1:1 addresses, forwards. */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "fleet_pass.h"
#include "fleet_split.h"

/*
 * Theory of operation: the pass-through mappings stay YAML nodes (see
 * fleet_conf.c), but two of their keys concern the edge and the split: a
 * 1:1 address needs a whole-address rule on every edge, which only
 * spatfleet can write, and a forward's public port must lie in a block that
 * the split gave this host, which the operator cannot easily see.  So this
 * file reads `vms` (name -> VNI), `one_to_one` and `forwards` of each host,
 * as hostd would, and checks them against the blocks.
 */

static yaml_node_t *node(struct fleet_conf *c, int id)
{
	return yaml_document_get_node(&c->doc.doc, id);
}

/* The value of key in mapping m (NULL m, or no such key: NULL). */
static yaml_node_t *get(struct fleet_conf *c, yaml_node_t *m, const char *key)
{
	yaml_node_pair_t *pr;

	if (!m || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top; pr++)
		if (!strcmp(ydoc_scalar(node(c, pr->key)), key))
			return node(c, pr->value);
	return NULL;
}

/* A host's hostd key: its own, else the fleet's. */
static yaml_node_t *host_key(struct fleet_conf *c, const struct fleet_host *h, const char *key)
{
	yaml_node_t *v = get(c, h->hostd, key);

	return v ? v : get(c, c->hostd, key);
}

/* The scalar value of key in item, or NULL with err set. */
static const char *item_str(struct fleet_conf *c, yaml_node_t *item, const char *what,
			    const char *key, struct yerr *err)
{
	yaml_node_t *v = get(c, item, key);
	const char *s = v ? ydoc_scalar(v) : NULL;

	if (item->type != YAML_MAPPING_NODE)
		yerr_at(err, &c->doc, item, "%s: expected a mapping, found %s", what,
			ydoc_kind(item));
	else if (!s)
		yerr_at(err, &c->doc, item, "%s: expected a scalar '%s'", what, key);
	return item->type == YAML_MAPPING_NODE ? s : NULL;
}

/* The VNI of the VM named vm in the host's vms, or -1 with err set at at. */
static long vm_vni(struct fleet_conf *c, const struct fleet_host *h, const char *vm,
		   yaml_node_t *at, struct yerr *err)
{
	yaml_node_t *vms = host_key(c, h, "vms");
	yaml_node_item_t *it;
	const char *s;
	uint32_t vni;

	for (it = vms && vms->type == YAML_SEQUENCE_NODE ? vms->data.sequence.items.start : NULL;
	     it && it < vms->data.sequence.items.top; it++) {
		yaml_node_t *v = node(c, *it);

		s = ydoc_scalar(get(c, v, "name"));
		if (!s || strcmp(s, vm))
			continue;
		s = ydoc_scalar(get(c, v, "vni"));
		if (!s || addr_parse_u32(s, 1, 16777215, &vni))
			return yerr_at(err, &c->doc, v, "VM '%s': expected a 'vni' of 1..16777215",
				       vm);
		return vni;
	}
	return yerr_at(err, &c->doc, at, "VM '%.64s' is not in the vms of host '%s'", vm,
		       h->name);
}

/* Is pub:port in one of host h's blocks of VNI vni? */
static bool in_blocks(const struct fleet_conf *c, const struct fleet_host *h, uint32_t vni,
		      uint32_t pub, uint16_t port)
{
	uint32_t a, k;
	uint16_t lo, hi;
	size_t p;

	for (p = 0; p < c->npools; p++) {
		if (c->pools[p].vni != vni)
			continue;
		for (k = 0; k < c->pools[p].blocks; k++) {
			fleet_block_of(&c->pools[p], h->slot, k, &a, &lo, &hi);
			if (a == pub && lo <= port && port <= hi)
				return true;
		}
	}
	return false;
}

static int check_forwards(struct fleet_conf *c, const struct fleet_host *h, struct yerr *err)
{
	yaml_node_t *fw = host_key(c, h, "forwards");
	yaml_node_item_t *it;
	const char *pub, *vm;
	uint32_t addr;
	uint16_t port;
	long vni;

	if (!fw || fw->type != YAML_SEQUENCE_NODE)
		return 0;        /* hostd -n says what is wrong with it */
	for (it = fw->data.sequence.items.start; it < fw->data.sequence.items.top; it++) {
		yaml_node_t *f = node(c, *it);

		if (!(pub = item_str(c, f, "forward", "public", err)) ||
		    !(vm = item_str(c, f, "forward", "vm", err)))
			return -1;
		if (addr_parse_ip4_port(pub, &addr, &port))
			return yerr_at(err, &c->doc, get(c, f, "public"), "forward: invalid address "
				       "'%.40s' (expected a.b.c.d:port)", pub);
		if ((vni = vm_vni(c, h, vm, f, err)) < 0)
			return -1;
		if (!in_blocks(c, h, (uint32_t)vni, addr, port))
			return yerr_at(err, &c->doc, get(c, f, "public"), "forward %s is not in a "
				       "block of host '%s' for VNI %ld (see the block map)", pub,
				       h->name, vni);
	}
	return 0;
}

/* Append host h's 1:1 addresses to c->o2o. */
static int collect_o2o(struct fleet_conf *c, uint32_t hi, struct yerr *err)
{
	const struct fleet_host *h = &c->hosts[hi];
	yaml_node_t *o = host_key(c, h, "one_to_one");
	yaml_node_item_t *it;
	struct fleet_o2o *n;
	const char *pub, *vm;
	uint32_t addr;
	long vni;

	if (!o || o->type != YAML_SEQUENCE_NODE)
		return 0;
	for (it = o->data.sequence.items.start; it < o->data.sequence.items.top; it++) {
		yaml_node_t *item = node(c, *it);

		if (!(pub = item_str(c, item, "one_to_one", "public", err)) ||
		    !(vm = item_str(c, item, "one_to_one", "vm", err)))
			return -1;
		if (addr_parse_ip4(pub, &addr))
			return yerr_at(err, &c->doc, get(c, item, "public"), "one_to_one: invalid "
				       "IPv4 address '%.40s'", pub);
		if ((vni = vm_vni(c, h, vm, item, err)) < 0)
			return -1;
		n = realloc(c->o2o, (c->no2o + 1) * sizeof(*n));
		if (!n)
			return yerr_at(err, &c->doc, item, "out of memory");
		c->o2o = n;
		c->o2o[c->no2o++] = (struct fleet_o2o){ addr, hi, (uint32_t)vni, ydoc_pos(item) };
	}
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static int cmp_o2o(const void *a, const void *b)
{
	const struct fleet_o2o *x = a, *y = b;

	if (x->pub != y->pub)
		return x->pub < y->pub ? -1 : 1;
	return (x->pos.line > y->pos.line) - (x->pos.line < y->pos.line);
}

/* 1:1 addresses: each once, none a pool address (its rule would overlap the blocks'). */
static int check_o2o(struct fleet_conf *c, struct yerr *err)
{
	size_t i, j, n = 0;
	uint32_t *pools;
	char a[ADDR_STRLEN];
	int ret = 0;

	if (!c->no2o)
		return 0;
	qsort(c->o2o, c->no2o, sizeof(*c->o2o), cmp_o2o);
	for (i = 0; i < c->npools; i++)
		n += c->pools[i].naddrs;
	pools = calloc(n + 1, sizeof(*pools));
	if (!pools)
		return yerr_pos(err, c->file, (struct ypos){ 0, 0 }, "out of memory");
	for (n = 0, i = 0; i < c->npools; i++)
		for (j = 0; j < c->pools[i].naddrs; j++)
			pools[n++] = c->pools[i].addrs[j];
	qsort(pools, n, sizeof(*pools), cmp_u32);
	for (i = 0; i < c->no2o && !ret; i++) {
		addr_fmt_ip4(c->o2o[i].pub, a);
		if (i && c->o2o[i].pub == c->o2o[i - 1].pub)
			ret = yerr_pos(err, c->file, c->o2o[i].pos, "1:1 address %s is also given at "
				       "line %d", a, c->o2o[i - 1].pos.line);
		else if (bsearch(&c->o2o[i].pub, pools, n, sizeof(*pools), cmp_u32))
			ret = yerr_pos(err, c->file, c->o2o[i].pos, "1:1 address %s is a pool "
				       "address", a);
	}
	free(pools);
	return ret;
}

/* fleet_pass_check() - 1:1 addresses and forwards of every host; see fleet_pass.h. */
int fleet_pass_check(struct fleet_conf *c, struct yerr *err)
{
	size_t i;

	for (i = 0; i < c->nhosts; i++)
		if (collect_o2o(c, (uint32_t)i, err) || check_forwards(c, &c->hosts[i], err))
			return -1;
	return check_o2o(c, err);
}
