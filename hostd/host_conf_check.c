// SPDX-License-Identifier: MIT
/* host_conf_check.c - checks across the items of a parsed hostd config (duplicates, references). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "addr.h"
#include "host_conf.h"
#include "host_conf_internal.h"

/*
 * Each check walks plain data and reports at a position saved while
 * parsing.  Pairwise loops: configs hold tens to hundreds of items, and a
 * message can name the first of two clashing items.
 */

static int check_edges(const struct host_conf *c, struct yerr *err)
{
	char b[ADDR_STRLEN];
	size_t i, j;

	for (i = 0; i < c->nedges; i++)
		for (j = 0; j < i; j++)
			if (c->edges[i].addr == c->edges[j].addr)
				return yerr_pos(err, c->file, c->edges[i].pos,
						"duplicate edge %s (first at line %d)",
						addr_fmt_ip4(c->edges[i].addr, b),
						c->edges[j].pos.line);
	return 0;
}

static int check_vm_pair(const struct host_conf *c, const struct host_vm *a,
			 const struct host_vm *b, struct yerr *err)
{
	char s[ADDR_STRLEN];

	if (!strcmp(a->name, b->name))
		return yerr_pos(err, c->file, a->pos, "duplicate VM name '%s' (first at line %d)",
				a->name, b->pos.line);
	if (a->vni == b->vni && a->addr == b->addr)
		return yerr_pos(err, c->file, a->pos,
				"VM '%s': address %s already used in VNI %u by VM '%s'", a->name,
				addr_fmt_ip4(a->addr, s), a->vni, b->name);
	if (!strcmp(a->tap, b->tap) && !strcmp(a->netns, b->netns))
		return yerr_pos(err, c->file, a->pos,
				"VM '%s': tap '%s' already used in netns '%s' by VM '%s'", a->name,
				a->tap, a->netns, b->name);
	return 0;
}

static int check_vms(const struct host_conf *c, struct yerr *err)
{
	size_t i, j;

	if (c->nvms > UINT16_MAX)
		return yerr_pos(err, c->file, c->vms[UINT16_MAX].pos,
				"too many VMs (at most %u)", UINT16_MAX);
	for (i = 0; i < c->nvms; i++)
		for (j = 0; j < i; j++)
			if (check_vm_pair(c, &c->vms[i], &c->vms[j], err))
				return -1;
	return 0;
}

static int check_pools(const struct host_conf *c, struct yerr *err)
{
	const struct host_pool *a, *b;
	char s[ADDR_STRLEN];
	size_t i, j;

	for (i = 0; i < c->npools; i++) {
		a = &c->pools[i];
		for (j = 0; j < i; j++) {
			b = &c->pools[j];
			if (a->addr == b->addr && a->lo <= b->hi && b->lo <= a->hi)
				return yerr_pos(err, c->file, a->pos,
						"pool %s ports %u-%u overlap ports %u-%u (line %d)",
						addr_fmt_ip4(a->addr, s), a->lo, a->hi, b->lo,
						b->hi, b->pos.line);
		}
	}
	return 0;
}

/* One forward against the port blocks of its VM's tenant: it must fall in one. */
static int check_fwd_pool(const struct host_conf *c, const struct host_fwd *f,
			  struct yerr *err)
{
	const struct host_vm *vm = &c->vms[f->vm];
	const struct host_pool *p = NULL;
	char s[ADDR_STRLEN];
	bool addr_ok = false;

	if (vm->public_addr)
		return yerr_pos(err, c->file, f->pos,
				"forward to VM '%s', which has a 1:1 address", vm->name);
	for (size_t i = 0; i < c->npools; i++) {
		if (c->pools[i].vni != vm->vni)
			continue;
		p = p ? p : &c->pools[i];
		if (c->pools[i].addr != f->pub)
			continue;
		addr_ok = true;
		if (f->pub_port >= c->pools[i].lo && f->pub_port <= c->pools[i].hi)
			return 0;
	}
	if (!p)
		return yerr_pos(err, c->file, f->pos,
				"forward to VM '%s': no pool for its VNI %u", vm->name, vm->vni);
	if (!addr_ok)
		return yerr_pos(err, c->file, f->pos,
				"forward address %s is not a pool address of VNI %u",
				addr_fmt_ip4(f->pub, s), vm->vni);
	return yerr_pos(err, c->file, f->pos,
			"forward port %u outside the ports of VNI %u on %s",
			f->pub_port, vm->vni, addr_fmt_ip4(f->pub, s));
}

static int check_fwd_pair(const struct host_conf *c, const struct host_fwd *a,
			  const struct host_fwd *b, struct yerr *err)
{
	char s[ADDR_STRLEN];

	if (a->proto != b->proto)
		return 0;
	if (a->pub == b->pub && a->pub_port == b->pub_port)
		return yerr_pos(err, c->file, a->pos,
				"duplicate forward of %s:%u/%s (first at line %d)",
				addr_fmt_ip4(a->pub, s), a->pub_port, addr_proto_name(a->proto),
				b->pos.line);
	/* One mapping per VM endpoint (endpoint-independent): replies need one source. */
	if (a->vm == b->vm && a->vm_port == b->vm_port)
		return yerr_pos(err, c->file, a->pos,
				"VM '%s' port %u/%s is already forwarded (line %d)",
				c->vms[a->vm].name, a->vm_port, addr_proto_name(a->proto),
				b->pos.line);
	return 0;
}

static int check_fwds(const struct host_conf *c, struct yerr *err)
{
	size_t i, j;

	for (i = 0; i < c->nfwds; i++) {
		if (check_fwd_pool(c, &c->fwds[i], err))
			return -1;
		for (j = 0; j < i; j++)
			if (check_fwd_pair(c, &c->fwds[i], &c->fwds[j], err))
				return -1;
	}
	return 0;
}

static int check_o2o(const struct host_conf *c, const struct host_vm *vm, struct yerr *err)
{
	char s[ADDR_STRLEN];
	size_t i;

	for (i = 0; i < c->npools; i++)
		if (c->pools[i].addr == vm->public_addr)
			return yerr_pos(err, c->file, vm->o2o_pos,
					"1:1 address %s is a pool address (line %d)",
					addr_fmt_ip4(vm->public_addr, s), c->pools[i].pos.line);
	for (i = 0; &c->vms[i] != vm; i++)
		if (c->vms[i].public_addr == vm->public_addr)
			return yerr_pos(err, c->file, vm->o2o_pos,
					"1:1 address %s already used by VM '%s' (line %d)",
					addr_fmt_ip4(vm->public_addr, s), c->vms[i].name,
					c->vms[i].o2o_pos.line);
	return 0;
}

static int check_vm_public(const struct host_conf *c, struct yerr *err)
{
	const struct host_vm *vm;
	size_t i;

	for (i = 0; i < c->nvms; i++) {
		vm = &c->vms[i];
		if (vm->public_addr && check_o2o(c, vm, err))
			return -1;
		if (!vm->public_addr && !host_conf_pool(c, vm->vni))
			return yerr_pos(err, c->file, vm->pos,
					"VM '%s': no pool for VNI %u and no 1:1 address",
					vm->name, vm->vni);
	}
	return 0;
}

typedef int (*conf_check_fn)(const struct host_conf *c, struct yerr *err);

static const conf_check_fn conf_checks[] = {
	check_edges, check_vms, check_pools, check_vm_public, check_fwds,
};

/* host_conf_check() - the checks across items of a parsed config; 0, or -1 with err set. */
int host_conf_check(const struct host_conf *c, struct yerr *err)
{
	size_t i;

	for (i = 0; i < sizeof(conf_checks) / sizeof(conf_checks[0]); i++)
		if (conf_checks[i](c, err))
			return -1;
	return 0;
}
