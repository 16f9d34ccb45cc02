// SPDX-License-Identifier: MIT
/* flow.c - hostd's NAT decisions: PAT mappings, static forwards, 1:1 addresses, expiry. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"

/*
 * Theory of operation: outbound packets of PAT VMs find or create a
 * conntrack entry keyed by the VM endpoint (endpoint-independent mapping)
 * and refresh its timer; inbound packets only find entries by public
 * endpoint and may move the TCP state on, which re-arms the timer by state.
 * Each pool has one portmap per protocol so that a freed port is reusable
 * at once.  1:1 VMs bypass the table: only their address changes.
 */

enum { PM_TCP, PM_UDP, PM_ICMP, PM__N };

static const char *const drop_names[] = {
	[FLOW_OK] = "ok",
	[FLOW_DROP_NO_POOL] = "no_pool",
	[FLOW_DROP_PORTS_FULL] = "ports_full",
	[FLOW_DROP_TABLE_FULL] = "table_full",
	[FLOW_DROP_NO_MAPPING] = "no_mapping",
	[FLOW_DROP_UNSUPPORTED] = "unsupported",
	[FLOW_DROP_QUOTA] = "vm_quota",
};
static_assert(sizeof(drop_names) / sizeof(drop_names[0]) == FLOW_DROP__N,
	      "drop_names and enum flow_drop differ");

static int pm_index(uint8_t proto)
{
	switch (proto) {
	case PROTO_TCP:
		return PM_TCP;
	case PROTO_UDP:
		return PM_UDP;
	case PROTO_ICMP:
		return PM_ICMP;
	}
	return -1;
}

/* The portmap of the pool of vni for proto, or NULL if addr is not that pool's address. */
static struct portmap *flow_pm(struct flowtab *ft, uint32_t vni, uint32_t addr, uint8_t proto)
{
	const struct host_pool *p = host_conf_pool(ft->conf, vni);
	int i = pm_index(proto);

	if (!p || p->addr != addr || i < 0)
		return NULL;
	return &ft->pm[p - ft->conf->pools][i];
}

static uint32_t flow_timeout(const struct flowtab *ft, uint8_t proto, uint8_t state)
{
	const struct host_timeouts *to = &ft->conf->timeout;

	switch (proto) {
	case PROTO_TCP:
		return state == CT_S_EST ? to->tcp_est : to->tcp_trans;
	case PROTO_UDP:
		return to->udp;
	}
	return to->icmp;
}

static void flow_set_state(const struct flowtab *ft, struct ct_entry *e, uint8_t state,
			   uint32_t now)
{
	e->state = state;
	e->expires = now + flow_timeout(ft, e->proto, state);
}

static uint32_t xorshift32(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

static int o2o_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Sorted (public address, VM) pairs, so that flow_in() finds a 1:1 VM in log time. */
static int o2o_build(struct flowtab *ft)
{
	const struct host_conf *c = ft->conf;
	size_t i;

	ft->o2o = calloc(c->nvms ? c->nvms : 1, sizeof(*ft->o2o));
	if (!ft->o2o)
		return -1;
	for (i = 0; i < c->nvms; i++)
		if (c->vms[i].public_addr)
			ft->o2o[ft->no2o++] = (uint64_t)c->vms[i].public_addr << 32 | i;
	qsort(ft->o2o, ft->no2o, sizeof(*ft->o2o), o2o_cmp);
	return 0;
}

/* Index of the VM whose 1:1 address is addr, or -1. */
static long o2o_find(const struct flowtab *ft, uint32_t addr)
{
	size_t lo = 0, hi = ft->no2o;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t a = (uint32_t)(ft->o2o[mid] >> 32);

		if (a == addr)
			return (long)(uint32_t)ft->o2o[mid];
		if (a < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int pm_build(struct flowtab *ft)
{
	const struct host_conf *c = ft->conf;
	size_t i;
	int p;

	ft->pm = calloc(c->npools ? c->npools : 1, sizeof(*ft->pm));
	if (!ft->pm)
		return -1;
	for (i = 0; i < c->npools; i++)
		for (p = 0; p < PM__N; p++)
			if (portmap_init(&ft->pm[i][p], c->pools[i].lo, c->pools[i].hi))
				return -1;
	return 0;
}

/* Enter one static forward as a never-expiring established entry and reserve its port. */
static int seed_forward(struct flowtab *ft, const struct host_fwd *f)
{
	const struct host_vm *vm = &ft->conf->vms[f->vm];
	struct portmap *pm = flow_pm(ft, vm->vni, f->pub, f->proto);
	struct ct_entry e = {
		.vni = vm->vni, .vm_addr = vm->addr, .vm_port = f->vm_port,
		.pub_addr = f->pub, .pub_port = f->pub_port, .proto = f->proto,
		.vm = (uint16_t)f->vm, .flags = CT_F_STATIC, .state = CT_S_EST,
	};

	if (!pm || portmap_take(pm, f->pub_port))
		return -1;
	if (!ct_insert(ft->ct, &e)) {
		portmap_release(pm, f->pub_port);
		return -1;
	}
	return 0;
}

/* flow_init() - table for conf, seeded with its static forwards; 0 or -1. */
int flow_init(struct flowtab *ft, const struct host_conf *conf, uint32_t seed)
{
	return flow_init_ct(ft, conf, seed, ct_new(conf->max_entries));
}

/* flow_init_ct() - flow_init() on the empty table ct, which ft owns from now on. */
int flow_init_ct(struct flowtab *ft, const struct host_conf *conf, uint32_t seed, struct ct *ct)
{
	size_t i;

	memset(ft, 0, sizeof(*ft));
	ft->conf = conf;
	ft->ct = ct;
	ft->rnd = seed ? seed : 0x9e3779b9u;    /* xorshift must not start at 0 */
	if (conf->nvms > UINT16_MAX)             /* ct_entry.vm is 16 bits */
		goto fail;
	ft->vm_used = calloc(conf->nvms + 1, sizeof(*ft->vm_used));
	if (!ft->ct || !ft->vm_used || pm_build(ft) || o2o_build(ft))
		goto fail;
	for (i = 0; i < conf->nfwds; i++)
		if (conf->fwds[i].vm >= conf->nvms || seed_forward(ft, &conf->fwds[i]))
			goto fail;
	return 0;
fail:
	flow_destroy(ft);
	return -1;
}

/* flow_destroy() - free the table and portmaps; ft may be partly built. */
void flow_destroy(struct flowtab *ft)
{
	size_t i;
	int p;

	if (ft->pm && ft->conf)
		for (i = 0; i < ft->conf->npools; i++)
			for (p = 0; p < PM__N; p++)
				portmap_destroy(&ft->pm[i][p]);
	free(ft->pm);
	free(ft->o2o);
	free(ft->vm_used);
	ft->vm_used = NULL;
	ct_free(ft->ct);
	ft->pm = NULL;
	ft->o2o = NULL;
	ft->no2o = 0;
	ft->ct = NULL;
}

/* TCP flags seen from the VM on an existing entry (simple model, to be refined). */
static void tcp_out(const struct flowtab *ft, struct ct_entry *e, uint8_t flags, uint32_t now)
{
	uint8_t state = e->state;

	if (flags & TCPF_RST) {
		state = CT_S_CLOSING;
	} else if (state == CT_S_CLOSING && (flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN) {
		/* The VM reuses its port for a new connection: start over. */
		e->flags &= (uint8_t)~(CT_F_FIN_OUT | CT_F_FIN_IN);
		state = CT_S_NEW;
	} else if (flags & TCPF_FIN) {
		e->flags |= CT_F_FIN_OUT;
		if (e->flags & CT_F_FIN_IN)
			state = CT_S_CLOSING;
	}
	flow_set_state(ft, e, state, now);
}

/* TCP flags seen from outside: may move the state on, never just refresh the timer. */
static void tcp_in(const struct flowtab *ft, struct ct_entry *e, uint8_t flags, uint32_t now)
{
	uint8_t state = e->state;

	if (flags & TCPF_RST) {
		state = CT_S_CLOSING;
	} else {
		if (state == CT_S_NEW && (flags & TCPF_ACK))
			state = CT_S_EST;
		if (flags & TCPF_FIN) {
			e->flags |= CT_F_FIN_IN;
			if (e->flags & CT_F_FIN_OUT)
				state = CT_S_CLOSING;
		}
	}
	if (state != e->state)
		flow_set_state(ft, e, state, now);
}

/* New PAT mapping for the VM endpoint of pi. */
static enum flow_drop flow_create(struct flowtab *ft, const struct host_vm *vm, uint32_t vmi,
				  const struct pkt_ip4 *pi, uint32_t now, struct ct_entry **out,
				  struct flow_result *res)
{
	const struct host_pool *p = host_conf_pool(ft->conf, vm->vni);
	struct portmap *pm;
	struct ct_entry e = {
		.vni = vm->vni, .vm_addr = vm->addr, .vm_port = pi->sport,
		.proto = pi->proto, .vm = (uint16_t)vmi, .state = CT_S_NEW,
	};

	if (!p)
		return FLOW_DROP_NO_POOL;
	/* RFC 6888 REQ-4: one VM cannot take its neighbours' ports. */
	if (ft->conf->vm_quota && ft->vm_used[vmi] >= ft->conf->vm_quota)
		return FLOW_DROP_QUOTA;
	pm = flow_pm(ft, vm->vni, p->addr, pi->proto);
	e.pub_addr = p->addr;
	e.pub_port = portmap_alloc(pm, pi->sport, xorshift32(&ft->rnd));
	if (!e.pub_port)
		return FLOW_DROP_PORTS_FULL;
	e.expires = now + flow_timeout(ft, e.proto, CT_S_NEW);
	*out = ct_insert(ft->ct, &e);
	res->created = 1;
	if (!*out) {
		res->created = 0;
		portmap_release(pm, e.pub_port);
		return FLOW_DROP_TABLE_FULL;
	}
	ft->vm_used[vmi]++;
	return FLOW_OK;
}

/* Only TCP, UDP and ICMP echo of the given type carry a port we can map. */
static bool flow_mappable(const struct pkt_ip4 *pi, uint8_t echo_type)
{
	if (!pi->has_ports || pm_index(pi->proto) < 0)
		return false;
	return pi->proto != PROTO_ICMP || pi->icmp_type == echo_type;
}

/*
 * flow_out() - a packet from VM vm (already checked to be from that VM):
 * decide its new source.  Creates a mapping when none exists (TCP, UDP,
 * ICMP echo request); refreshes the timer and TCP state.  1:1 VMs get their
 * public address with the port unchanged and no state.
 */
enum flow_drop flow_out(struct flowtab *ft, uint32_t vm, const struct pkt_ip4 *pi, uint32_t now,
			struct flow_result *res)
{
	const struct host_vm *v;
	struct ct_entry *e;
	enum flow_drop d;

	*res = (struct flow_result){ .vm = vm };
	if (vm >= ft->conf->nvms)
		return FLOW_DROP_UNSUPPORTED;   /* caller bug; never index past vms */
	v = &ft->conf->vms[vm];
	if (v->public_addr) {
		res->addr = v->public_addr;
		return FLOW_OK;
	}
	if (!flow_mappable(pi, ICMP_ECHO))
		return FLOW_DROP_UNSUPPORTED;
	e = ct_find_priv(ft->ct, v->vni, pi->proto, v->addr, pi->sport);
	if (!e) {
		d = flow_create(ft, v, vm, pi, now, &e, res);
		if (d != FLOW_OK)
			return d;
	} else if (!(e->flags & CT_F_STATIC)) {
		if (pi->proto == PROTO_TCP)
			tcp_out(ft, e, pi->tcp_flags, now);
		else
			e->expires = now + flow_timeout(ft, e->proto, e->state);
	}
	res->addr = e->pub_addr;
	res->port = e->pub_port;
	res->has_port = 1;
	return FLOW_OK;
}

/*
 * flow_in() - a packet from the tunnel with tenant vni: decide its new
 * destination and the VM.  Never creates state.  Inbound traffic does not
 * refresh mapping timers; it may advance the TCP state, which sets the
 * timer by state.
 */
enum flow_drop flow_in(struct flowtab *ft, uint32_t vni, const struct pkt_ip4 *pi, uint32_t now,
		       struct flow_result *res)
{
	long vm = o2o_find(ft, pi->dst);
	struct ct_entry *e;

	*res = (struct flow_result){ 0 };
	if (vm >= 0 && ft->conf->vms[vm].vni == vni) {
		res->vm = (uint32_t)vm;
		res->addr = ft->conf->vms[vm].addr;
		return FLOW_OK;
	}
	if (!flow_mappable(pi, ICMP_ECHOREPLY))
		return FLOW_DROP_UNSUPPORTED;
	e = ct_find_pub(ft->ct, vni, pi->proto, pi->dst, pi->dport);
	if (!e)
		return FLOW_DROP_NO_MAPPING;
	/* Static entries never expire: their state stays established. */
	if (!(e->flags & CT_F_STATIC) && pi->proto == PROTO_TCP)
		tcp_in(ft, e, pi->tcp_flags, now);
	else if (!(e->flags & CT_F_STATIC) && e->state == CT_S_NEW)
		e->state = CT_S_EST;    /* no timer refresh (RFC 4787 REQ-6) */
	res->vm = e->vm;
	res->addr = e->vm_addr;
	res->port = e->vm_port;
	res->has_port = 1;
	return FLOW_OK;
}

static int flow_cmp_vm_name(const void *a, const void *b, void *arg)
{
	const struct host_vm *vms = arg;

	return strcmp(vms[*(const uint32_t *)a].name, vms[*(const uint32_t *)b].name);
}

/*
 * For each VM of src, the index of the VM of the same name in dst, or
 * UINT32_MAX: one sort and a bisection per VM, so a reload stays
 * O(V log V + entries) with many VMs.
 */
static uint32_t *flow_vm_map(const struct flowtab *dst, const struct flowtab *src)
{
	const struct host_conf *dc = dst->conf, *sc = src->conf;
	uint32_t *order = calloc(dc->nvms + 1, sizeof(*order));
	uint32_t *map = calloc(sc->nvms + 1, sizeof(*map));

	if (!order || !map) {
		free(order);
		free(map);
		return NULL;
	}
	for (uint32_t i = 0; i < dc->nvms; i++)
		order[i] = i;
	qsort_r(order, dc->nvms, sizeof(*order), flow_cmp_vm_name, dc->vms);
	for (size_t i = 0; i < sc->nvms; i++) {
		size_t lo = 0, hi = dc->nvms;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (strcmp(dc->vms[order[mid]].name, sc->vms[i].name) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		map[i] = lo < dc->nvms && !strcmp(dc->vms[order[lo]].name, sc->vms[i].name) ?
			 order[lo] : UINT32_MAX;
	}
	free(order);
	return map;
}

/* Re-enter one dynamic mapping of the old table into the new one as VM vm. */
static bool flow_adopt(struct flowtab *dst, const struct ct_entry *e, uint32_t vm)
{
	const struct host_vm *v;
	struct ct_entry n = *e;
	struct portmap *pm;

	if (vm == UINT32_MAX)
		return false;
	v = &dst->conf->vms[vm];
	if (v->vni != e->vni || v->addr != e->vm_addr || v->public_addr)
		return false;
	pm = flow_pm(dst, e->vni, e->pub_addr, e->proto);
	if (!pm || portmap_take(pm, e->pub_port))
		return false;
	n.vm = (uint16_t)vm;
	if ((dst->conf->vm_quota && dst->vm_used[vm] >= dst->conf->vm_quota) ||
	    !ct_insert(dst->ct, &n)) {
		portmap_release(pm, e->pub_port);
		return false;
	}
	dst->vm_used[vm]++;
	return true;
}

/* flow_migrate() - carry live dynamic mappings over to a table for a new config. */
uint32_t flow_migrate(struct flowtab *dst, struct flowtab *src, uint32_t *dropped)
{
	uint32_t pos = 0, moved = 0, lost = 0;
	uint32_t *map = flow_vm_map(dst, src);
	struct ct_entry *e;

	while ((e = ct_iter(src->ct, &pos))) {
		if (e->flags & CT_F_STATIC)
			continue;
		if (map && flow_adopt(dst, e, map[e->vm]))
			moved++;
		else
			lost++;
	}
	free(map);
	if (dropped)
		*dropped = lost;
	return moved;
}

static int flow_cmp_vm_key(const void *a, const void *b, void *arg)
{
	const struct host_vm *x = &((const struct host_vm *)arg)[*(const uint32_t *)a];
	const struct host_vm *y = &((const struct host_vm *)arg)[*(const uint32_t *)b];

	if (x->vni != y->vni)
		return x->vni < y->vni ? -1 : 1;
	return (x->addr > y->addr) - (x->addr < y->addr);
}

/*
 * The VM that owns the private side of e: the one at e->vm if it still has
 * e's tenant and address, else a bisection of order (VM indices sorted by
 * tenant and address, unique in a config).  UINT32_MAX if none.
 */
static uint32_t flow_vm_of(const struct host_conf *c, const uint32_t *order,
			   const struct ct_entry *e)
{
	size_t lo = 0, hi = c->nvms;

	if (e->vm < c->nvms && c->vms[e->vm].vni == e->vni && c->vms[e->vm].addr == e->vm_addr)
		return e->vm;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct host_vm *v = &c->vms[order[mid]];

		if (v->vni == e->vni && v->addr == e->vm_addr)
			return order[mid];
		if (v->vni < e->vni || (v->vni == e->vni && v->addr < e->vm_addr))
			lo = mid + 1;
		else
			hi = mid;
	}
	return UINT32_MAX;
}

/*
 * flow_restore() - adopt the dynamic mappings of a saved table (ct_load())
 * into dst, just built by flow_init_ct() for the running config.
 */
uint32_t flow_restore(struct flowtab *dst, struct ct *src, uint32_t now, uint32_t *dropped)
{
	const struct host_conf *c = dst->conf;
	uint32_t *order = calloc(c->nvms + 1, sizeof(*order));
	uint32_t pos = 0, kept = 0, lost = 0, limit;
	struct ct_entry *e, n;

	for (uint32_t i = 0; order && i < c->nvms; i++)
		order[i] = i;
	if (order)
		qsort_r(order, c->nvms, sizeof(*order), flow_cmp_vm_key, c->vms);
	while ((e = ct_iter(src, &pos))) {
		if (e->flags & CT_F_STATIC)
			continue;       /* the config's forwards are in dst already */
		/* A file that outlived a boot has timers of another clock: cap them. */
		n = *e;
		limit = now + flow_timeout(dst, n.proto, n.state);
		if (n.expires > limit)
			n.expires = limit;
		if (order && flow_adopt(dst, &n, flow_vm_of(c, order, &n)))
			kept++;
		else
			lost++;
	}
	free(order);
	if (dropped)
		*dropped = lost;
	return kept;
}

static void flow_expired(void *arg, const struct ct_entry *e)
{
	struct flowtab *ft = arg;
	struct portmap *pm = flow_pm(ft, e->vni, e->pub_addr, e->proto);

	if (pm)
		portmap_release(pm, e->pub_port);
	if (e->vm < ft->conf->nvms && ft->vm_used[e->vm])
		ft->vm_used[e->vm]--;
}

/* flow_expire() - sweep up to budget entries, freeing ports of expired ones. */
uint32_t flow_expire(struct flowtab *ft, uint32_t now, uint32_t budget)
{
	return ct_sweep(ft->ct, now, budget, flow_expired, ft);
}

/* flow_drop_str() - counter/reason name. */
const char *flow_drop_str(enum flow_drop d)
{
	if ((unsigned int)d >= FLOW_DROP__N)
		return "unknown";
	return drop_names[d];
}

/* flow_find_pub() - look up, never change, the VM endpoint of a public one (ICMP errors). */
enum flow_drop flow_find_pub(struct flowtab *ft, uint32_t vni, uint8_t proto, bool has_ports,
			     uint32_t addr, uint16_t port, struct flow_result *res)
{
	long vm = o2o_find(ft, addr);
	const struct ct_entry *e;

	*res = (struct flow_result){ .port = port, .has_port = 1 };
	if (vm >= 0 && ft->conf->vms[vm].vni == vni) {
		res->vm = (uint32_t)vm;
		res->addr = ft->conf->vms[vm].addr;
		return FLOW_OK;
	}
	if (!has_ports || pm_index(proto) < 0)
		return FLOW_DROP_NO_MAPPING;
	e = ct_find_pub(ft->ct, vni, proto, addr, port);
	if (!e)
		return FLOW_DROP_NO_MAPPING;
	res->vm = e->vm;
	res->addr = e->vm_addr;
	res->port = e->vm_port;
	return FLOW_OK;
}

/* flow_find_priv() - look up, never change, the public endpoint of a VM's (ICMP errors). */
enum flow_drop flow_find_priv(struct flowtab *ft, uint32_t vm, uint8_t proto, bool has_ports,
			      uint16_t port, struct flow_result *res)
{
	const struct host_vm *v;
	const struct ct_entry *e;

	*res = (struct flow_result){ .vm = vm, .port = port, .has_port = 1 };
	if (vm >= ft->conf->nvms)
		return FLOW_DROP_NO_MAPPING;
	v = &ft->conf->vms[vm];
	if (v->public_addr) {
		res->addr = v->public_addr;
		return FLOW_OK;
	}
	if (!has_ports || pm_index(proto) < 0)
		return FLOW_DROP_NO_MAPPING;
	e = ct_find_priv(ft->ct, v->vni, proto, v->addr, port);
	if (!e)
		return FLOW_DROP_NO_MAPPING;
	res->addr = e->pub_addr;
	res->port = e->pub_port;
	return FLOW_OK;
}
