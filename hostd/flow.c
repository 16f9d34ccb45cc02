// SPDX-License-Identifier: MIT
/* flow.c - hostd's NAT decisions: PAT mappings, static forwards, 1:1 addresses, expiry. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "hash.h"
#include "tcpstate.h"

/*
 * Theory of operation: outbound packets of PAT VMs find or create a
 * conntrack entry keyed by the VM endpoint (endpoint-independent mapping)
 * and refresh its timer; inbound packets only find entries by public
 * endpoint and may move the TCP state on (tcpstate.c), which re-arms the
 * timer by state.  Each mapping remembers the last CT_PEERS addresses its
 * VM sent to, for address-dependent filtering.
 * Each port block (pools entry) has one portmap per protocol; a tenant's
 * blocks are found by a bisection on its VNI and a walk of at most its
 * blocks (tens).  A port an expired mapping gave back waits out
 * port_reuse_delay in its portmap's generations, rotated by flow_expire().
 * 1:1 VMs bypass the table: only their address changes.
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
	[FLOW_DROP_FILTERED] = "filtered",
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

/* flow_tenant_blocks() - the pool indices of vni's port blocks and their number. */
const uint32_t *flow_tenant_blocks(const struct flowtab *ft, uint32_t vni, uint32_t *n)
{
	size_t lo = 0, hi = ft->nten;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ft->ten[mid].vni == vni) {
			*n = ft->ten[mid].n;
			return ft->blk + ft->ten[mid].first;
		}
		if (ft->ten[mid].vni < vni)
			lo = mid + 1;
		else
			hi = mid;
	}
	*n = 0;
	return NULL;
}

/* The portmap (index k) of the block of any tenant that holds addr:port, or NULL. */
static struct portmap *flow_pm_addr(struct flowtab *ft, uint32_t addr, uint16_t port, int k)
{
	const struct host_pool *p = ft->conf->pools;

	for (size_t i = 0; k >= 0 && i < ft->conf->npools; i++)
		if (p[i].addr == addr && port >= p[i].lo && port <= p[i].hi)
			return &ft->pm[i][k];
	return NULL;
}

/* The portmap of vni's block that holds addr:port for proto, or NULL. */
static struct portmap *flow_pm(struct flowtab *ft, uint32_t vni, uint32_t addr, uint16_t port,
			       uint8_t proto)
{
	const struct host_pool *p;
	int k = pm_index(proto);
	const uint32_t *blk;
	uint32_t n;

	blk = flow_tenant_blocks(ft, vni, &n);
	for (uint32_t j = 0; k >= 0 && j < n; j++) {
		p = &ft->conf->pools[blk[j]];
		if (p->addr == addr && port >= p->lo && port <= p->hi)
			return &ft->pm[blk[j]][k];
	}
	return NULL;
}

static uint32_t flow_timeout(const struct flowtab *ft, uint8_t proto, uint8_t state)
{
	const struct host_timeouts *to = &ft->conf->timeout;

	switch (proto) {
	case PROTO_TCP:
		return tcpstate_established(state) ? to->tcp_est : to->tcp_trans;
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

/* splitmix64: 64 random bits per call for the port choice, from the getrandom() seed. */
static uint64_t flow_rand(struct flowtab *ft)
{
	uint64_t z = (ft->rnd += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
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

/* flow_stir() - mix fresh entropy into the port choice generator. */
void flow_stir(struct flowtab *ft, uint64_t entropy)
{
	ft->rnd ^= entropy;
	(void)flow_rand(ft);
}

static int blk_cmp(const void *a, const void *b, void *arg)
{
	const struct host_pool *x = &((const struct host_pool *)arg)[*(const uint32_t *)a];
	const struct host_pool *y = &((const struct host_pool *)arg)[*(const uint32_t *)b];

	if (x->vni != y->vni)
		return x->vni < y->vni ? -1 : 1;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return (x->lo > y->lo) - (x->lo < y->lo);
}

/* The tenants' block lists: pool indices sorted by (vni, address, first port), one run per vni. */
static int ten_build(struct flowtab *ft)
{
	const struct host_conf *c = ft->conf;

	ft->blk = calloc(c->npools + 1, sizeof(*ft->blk));
	ft->ten = calloc(c->npools + 1, sizeof(*ft->ten));
	if (!ft->blk || !ft->ten)
		return -1;
	for (uint32_t i = 0; i < c->npools; i++)
		ft->blk[i] = i;
	qsort_r(ft->blk, c->npools, sizeof(*ft->blk), blk_cmp, c->pools);
	for (uint32_t i = 0; i < c->npools; i++) {
		uint32_t vni = c->pools[ft->blk[i]].vni;

		if (!ft->nten || ft->ten[ft->nten - 1].vni != vni)
			ft->ten[ft->nten++] = (struct flow_tenant){ .vni = vni, .first = i };
		ft->ten[ft->nten - 1].n++;
	}
	return 0;
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
	struct portmap *pm = flow_pm(ft, vm->vni, f->pub, f->pub_port, f->proto);
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
	ft->rnd = (uint64_t)seed << 32 ^ seed ^ 0x5851F42D4C957F2DULL;
	/* Rotate every delay/(GENS-1) s: a port is held between delay and 4/3 of it. */
	ft->cool_step = (conf->port_reuse_delay + PORTMAP_GENS - 2) / (PORTMAP_GENS - 1);
	if (conf->nvms > UINT16_MAX)             /* ct_entry.vm is 16 bits */
		goto fail;
	ft->vm_used = calloc(conf->nvms + 1, sizeof(*ft->vm_used));
	if (!ft->ct || !ft->vm_used || pm_build(ft) || ten_build(ft) || o2o_build(ft))
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
	free(ft->blk);
	free(ft->ten);
	ft->blk = NULL;
	ft->ten = NULL;
	ft->nten = 0;
	free(ft->o2o);
	free(ft->vm_used);
	ft->vm_used = NULL;
	ct_free(ft->ct);
	ft->pm = NULL;
	ft->o2o = NULL;
	ft->no2o = 0;
	ft->ct = NULL;
}

/* Remember that the VM sent to addr through e (address-dependent filtering). */
static void flow_peer_note(struct ct_entry *e, uint32_t addr)
{
	for (int i = 0; i < CT_PEERS; i++)
		if (e->peers[i] == addr)
			return;
	if (e->peer_next >= CT_PEERS)
		e->peer_next = 0;
	e->peers[e->peer_next] = addr;
	e->peer_next = (uint8_t)((e->peer_next + 1) % CT_PEERS);
}

static bool flow_peer_known(const struct ct_entry *e, uint32_t addr)
{
	for (int i = 0; i < CT_PEERS; i++)
		if (e->peers[i] == addr)
			return true;
	return false;
}

/* Where a new port may come from: blocks on one address (0: all), and a port parity (-1: any). */
struct flow_pick {
	const uint32_t *blk;
	uint32_t n;
	int k;                   /* portmap index: TCP, UDP or ICMP */
	uint32_t only;
	int parity;
};

/*
 * A random free port of pk's blocks: the first block tried is drawn with
 * weight by its free ports, so a big block is not as likely as a small one
 * to fill first; then the others in turn.
 */
static struct portmap *flow_pick_random(struct flowtab *ft, const struct flow_pick *pk,
					uint32_t *addr, uint16_t *port)
{
	const struct host_pool *pools = ft->conf->pools;
	uint64_t total = 0, pick;
	uint32_t j0 = 0;

	for (uint32_t j = 0; j < pk->n; j++)
		if (!pk->only || pools[pk->blk[j]].addr == pk->only)
			total += portmap_free(&ft->pm[pk->blk[j]][pk->k]);
	if (!total)
		return NULL;
	pick = (flow_rand(ft) >> 11) % total;
	for (uint32_t j = 0; j < pk->n; j++) {
		uint32_t f;

		if (pk->only && pools[pk->blk[j]].addr != pk->only)
			continue;
		f = portmap_free(&ft->pm[pk->blk[j]][pk->k]);
		if (pick < f) {
			j0 = j;
			break;
		}
		pick -= f;
	}
	for (uint32_t t = 0; t < pk->n; t++) {
		uint32_t b = pk->blk[(j0 + t) % pk->n];
		struct portmap *pm = &ft->pm[b][pk->k];

		if (pk->only && pools[b].addr != pk->only)
			continue;
		*port = portmap_alloc_random(pm, pk->parity, flow_rand(ft));
		if (*port) {
			*addr = pools[b].addr;
			return pm;
		}
	}
	return NULL;
}

/*
 * Take a public port for a new mapping of VM vm's port want among the
 * tenant's blocks blk[0..n-1], or NULL.  In order: want itself on any block
 * that holds it (port preservation, RFC 4787 REQ-3), then a random port of
 * want's parity (REQ-4), then any random port.  Each step tries the VM's
 * own address first: a hash of the VM picks one of the tenant's addresses,
 * so that its mappings share one public address while it has ports there
 * ("paired" pooling, REQ-2).
 */
static struct portmap *flow_alloc(struct flowtab *ft, const struct host_vm *vm,
				  const uint32_t *blk, uint32_t n, int k, uint16_t want,
				  uint32_t *addr, uint16_t *port)
{
	const struct host_pool *pools = ft->conf->pools;
	uint32_t pref = pools[blk[hash_u32x3(vm->addr, vm->vni, 0, 0x9a1d) % n]].addr;
	struct flow_pick pk = { .blk = blk, .n = n, .k = k };
	struct portmap *pm;

	for (int pass = 0; pass < 2; pass++)
		for (uint32_t j = 0; j < n; j++) {
			const struct host_pool *p = &pools[blk[j]];

			if ((p->addr == pref) != (pass == 0) || want < p->lo || want > p->hi ||
			    portmap_take(&ft->pm[blk[j]][k], want))
				continue;
			*addr = p->addr;
			*port = want;
			return &ft->pm[blk[j]][k];
		}
	for (int step = 0; step < 4; step++) {
		pk.only = step < 2 ? pref : 0;
		pk.parity = step % 2 ? -1 : want & 1;
		pm = flow_pick_random(ft, &pk, addr, port);
		if (pm)
			return pm;
	}
	return NULL;
}

/* New PAT mapping for the VM endpoint of pi. */
static enum flow_drop flow_create(struct flowtab *ft, const struct host_vm *vm, uint32_t vmi,
				  const struct pkt_ip4 *pi, uint32_t now, struct ct_entry **out,
				  struct flow_result *res)
{
	struct portmap *pm;
	const uint32_t *blk;
	uint32_t n;
	struct ct_entry e = {
		.vni = vm->vni, .vm_addr = vm->addr, .vm_port = pi->sport,
		.proto = pi->proto, .vm = (uint16_t)vmi,
		.state = pi->proto == PROTO_TCP ? tcpstate_initial(pi->tcp_flags) : CT_S_NEW,
		.peers = { pi->dst }, .peer_next = 1,
	};

	blk = flow_tenant_blocks(ft, vm->vni, &n);
	if (!n)
		return FLOW_DROP_NO_POOL;
	/* RFC 6888 REQ-4: one VM cannot take its neighbours' ports. */
	if (ft->conf->vm_quota && ft->vm_used[vmi] >= ft->conf->vm_quota)
		return FLOW_DROP_QUOTA;
	pm = flow_alloc(ft, vm, blk, n, pm_index(pi->proto), pi->sport, &e.pub_addr, &e.pub_port);
	if (!pm)
		return FLOW_DROP_PORTS_FULL;
	e.expires = now + flow_timeout(ft, e.proto, e.state);
	*out = ct_insert(ft->ct, &e);
	res->created = 1;
	if (!*out) {
		res->created = 0;
		portmap_release(pm, e.pub_port);
		return FLOW_DROP_TABLE_FULL;
	}
	ft->vm_used[vmi]++;
	maplog_event(ft->log, MAPLOG_CREATE, *out, NULL, pi->dst, pi->dport, now);
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
		/* Outbound traffic always refreshes (RFC 4787 REQ-6, RFC 5382 REQ-5). */
		if (pi->proto == PROTO_TCP)
			e->state = tcpstate_next(e->state, TCPSTATE_OUT, pi->tcp_flags);
		flow_set_state(ft, e, e->state, now);
		flow_peer_note(e, pi->dst);
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
	/* Static entries are never filtered and never expire: they stay established. */
	if (!(e->flags & CT_F_STATIC)) {
		uint8_t st = e->state;

		if (ft->conf->filtering == HOST_FILTER_ADF && !flow_peer_known(e, pi->src))
			return FLOW_DROP_FILTERED;
		if (pi->proto == PROTO_TCP)
			st = tcpstate_next(st, TCPSTATE_IN, pi->tcp_flags);
		else if (st == CT_S_NEW)
			st = CT_S_EST;
		/* No refresh (RFC 4787 REQ-6); a TCP state change re-arms by state. */
		if (st != e->state && pi->proto == PROTO_TCP)
			flow_set_state(ft, e, st, now);
		else
			e->state = st;
	}
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
	pm = flow_pm(dst, e->vni, e->pub_addr, e->pub_port, e->proto);
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

/*
 * Carry the reuse delay over a reload: each port cooling in src cools in
 * dst, at the same age, if dst has a delay and a block with that port.  The
 * rotation clock comes along, so the ages keep their meaning.
 */
static void flow_migrate_cool(struct flowtab *dst, const struct flowtab *src)
{
	const struct host_pool *p = src->conf->pools;

	if (!dst->cool_step)
		return;          /* no delay now: cooling ports are free at once */
	dst->cool_last = src->cool_last;
	for (size_t i = 0; i < src->conf->npools; i++)
		for (int k = 0; k < PM__N; k++) {
			const struct portmap *spm = &src->pm[i][k];

			for (uint32_t port = p[i].lo; spm->cooling && port <= p[i].hi; port++) {
				int age = portmap_cool_age(spm, (uint16_t)port);
				struct portmap *dpm;

				if (age < 0)
					continue;
				dpm = flow_pm_addr(dst, p[i].addr, (uint16_t)port, k);
				if (dpm)
					portmap_cool(dpm, (uint16_t)port, (unsigned)age);
			}
		}
}

/* flow_migrate() - carry live dynamic mappings over to a table for a new config. */
uint32_t flow_migrate(struct flowtab *dst, struct flowtab *src, uint32_t *dropped)
{
	uint32_t pos = 0, moved = 0, lost = 0;
	uint32_t *map = flow_vm_map(dst, src);
	struct ct_entry *e;
	struct portmap *pm;

	flow_migrate_cool(dst, src);
	while ((e = ct_iter(src->ct, &pos))) {
		if (e->flags & CT_F_STATIC)
			continue;
		if (map && flow_adopt(dst, e, map[e->vm])) {
			moved++;
			continue;
		}
		lost++;
		maplog_event(src->log, MAPLOG_DELETE, e, "reload", 0, 0, 0);
		/* The mapping ends here: its port starts its reuse delay, as on expiry. */
		pm = flow_pm_addr(dst, e->pub_addr, e->pub_port, pm_index(e->proto));
		if (pm && dst->cool_step)
			portmap_cool(pm, e->pub_port, 0);
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

/* What ct_sweep() hands flow_expired(): the table, and the time for the log. */
struct flow_sweep {
	struct flowtab *ft;
	uint32_t now;
};

static void flow_expired(void *arg, const struct ct_entry *e)
{
	const struct flow_sweep *sw = arg;
	struct flowtab *ft = sw->ft;
	struct portmap *pm = flow_pm(ft, e->vni, e->pub_addr, e->pub_port, e->proto);

	if (pm && ft->cool_step)
		portmap_retire(pm, e->pub_port);    /* reusable after port_reuse_delay */
	else if (pm)
		portmap_release(pm, e->pub_port);
	if (e->vm < ft->conf->nvms && ft->vm_used[e->vm])
		ft->vm_used[e->vm]--;
	maplog_event(ft->log, MAPLOG_DELETE, e, "expired", 0, 0, sw->now);
}

/*
 * One portmap_rotate() of every portmap per cool_step seconds since the
 * last; after a long stall, PORTMAP_GENS of them free everything and the
 * clock restarts at now.
 */
static void flow_cool_tick(struct flowtab *ft, uint32_t now)
{
	unsigned n = 0;

	if (!ft->cool_step)
		return;
	while (now - ft->cool_last >= ft->cool_step && now - ft->cool_last < 0x80000000u &&
	       n++ < PORTMAP_GENS) {
		for (size_t i = 0; i < ft->conf->npools; i++)
			for (int k = 0; k < PM__N; k++)
				portmap_rotate(&ft->pm[i][k]);
		ft->cool_last += ft->cool_step;
	}
	if (n > PORTMAP_GENS)
		ft->cool_last = now;
}

/*
 * flow_expire() - sweep up to budget entries, retiring ports of expired ones
 * (logged); age the delay.
 */
uint32_t flow_expire(struct flowtab *ft, uint32_t now, uint32_t budget)
{
	struct flow_sweep sw = { .ft = ft, .now = now };

	/* Age first: a port retired by this sweep starts at age 0 of the current step. */
	flow_cool_tick(ft, now);
	return ct_sweep(ft->ct, now, budget, flow_expired, &sw);
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
