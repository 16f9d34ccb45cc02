// SPDX-License-Identifier: MIT
/* host_ctl.c - hostd's control requests and metrics: counters, conntrack, VMs. */
#include <event2/buffer.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "ctl.h"
#include "frag.h"
#include "hostd.h"
#include "pkt.h"
#include "svc.h"
#include "tcpstate.h"

/* Filters of "conntrack": vni=N proto=P vm=NAME public=ADDR; unset fields match all. */
struct ct_filter {
	uint32_t vni;
	uint8_t proto;
	long vm;
	uint32_t pub;
};

static int host_ctl_filter_word(struct hostd *h, const char *w, struct ct_filter *f)
{
	const char *eq = strchr(w, '=');
	const char *v = eq ? eq + 1 : "";
	size_t klen = eq ? (size_t)(eq - w) : 0;

	if (klen == 3 && !strncmp(w, "vni", 3))
		return addr_parse_u32(v, 1, 0xFFFFFF, &f->vni);
	if (klen == 5 && !strncmp(w, "proto", 5))
		return addr_parse_proto(v, &f->proto);
	if (klen == 6 && !strncmp(w, "public", 6))
		return addr_parse_ip4(v, &f->pub);
	if (klen == 2 && !strncmp(w, "vm", 2)) {
		for (size_t i = 0; i < h->conf.nvms; i++) {
			if (!strcmp(h->conf.vms[i].name, v)) {
				f->vm = (long)i;
				return 0;
			}
		}
		return -1;
	}
	return -1;
}

static bool host_ctl_match(const struct ct_filter *f, const struct ct_entry *e)
{
	return (!f->vni || f->vni == e->vni) && (!f->proto || f->proto == e->proto) &&
	       (f->vm < 0 || (uint32_t)f->vm == e->vm) && (!f->pub || f->pub == e->pub_addr);
}

static void host_ctl_entry(struct hostd *h, const struct ct_entry *e, uint32_t now,
			   struct evbuffer *out)
{
	char va[ADDR_STRLEN], pa[ADDR_STRLEN];
	bool st = e->flags & CT_F_STATIC;

	evbuffer_add_printf(out, "{\"vni\": %" PRIu32 ", \"proto\": \"%s\", \"vm\": ", e->vni,
			    addr_proto_name(e->proto));
	ctl_json_str(out, h->conf.vms[e->vm].name);
	evbuffer_add_printf(out, ", \"private\": \"%s:%u\", \"public\": \"%s:%u\", "
			    "\"state\": \"%s\", \"static\": %s, \"expires_in\": ",
			    addr_fmt_ip4(e->vm_addr, va), e->vm_port, addr_fmt_ip4(e->pub_addr, pa),
			    e->pub_port, tcpstate_name(e->state),
			    st ? "true" : "false");
	if (st)
		evbuffer_add_printf(out, "null}");
	else
		evbuffer_add_printf(out, "%ld}", (long)e->expires - (long)now);
}

static int host_ctl_conntrack(struct hostd *h, int argc, char **argv, struct evbuffer *out)
{
	struct ct_filter f = { .vm = -1 };
	uint32_t pos = 0, now = svc_now(), shown = 0;
	const char *sep = "";
	struct ct_entry *e;

	for (int i = 1; i < argc; i++) {
		if (host_ctl_filter_word(h, argv[i], &f) < 0) {
			evbuffer_add_printf(out, "bad filter '%.64s' (vni=N proto=P vm=NAME "
					    "public=ADDR)", argv[i]);
			return -1;
		}
	}
	evbuffer_add_printf(out, "{\"count\": %" PRIu32 ", \"capacity\": %" PRIu32
			    ", \"entries\": [", ct_count(h->ft.ct), ct_capacity(h->ft.ct));
	while ((e = ct_iter(h->ft.ct, &pos))) {
		if (!host_ctl_match(&f, e))
			continue;
		evbuffer_add_printf(out, "%s", sep);
		host_ctl_entry(h, e, now, out);
		sep = ", ";
		shown++;
	}
	/* count is the whole table; shown, what the filters let through. */
	evbuffer_add_printf(out, "], \"shown\": %" PRIu32 "}", shown);
	return 0;
}

static int host_ctl_stats(struct hostd *h, int argc, char **argv, struct evbuffer *out)
{
	if (argc != 1) {
		evbuffer_add_printf(out, "stats takes no arguments");
		return -1;
	}
	ctr_json(out, host_ctr_defs, h->path.ctr, HC__N);
	return 0;
}

static int host_ctl_vms(struct hostd *h, int argc, char **argv, struct evbuffer *out)
{
	char a[ADDR_STRLEN], m[MAC_STRLEN];

	if (argc != 1) {
		evbuffer_add_printf(out, "vms takes no arguments");
		return -1;
	}
	evbuffer_add_printf(out, "{\"vms\": [");
	for (size_t i = 0; i < h->conf.nvms; i++) {
		const struct host_vm *vm = &h->conf.vms[i];

		evbuffer_add_printf(out, "%s{\"name\": ", i ? ", " : "");
		ctl_json_str(out, vm->name);
		evbuffer_add_printf(out, ", \"tap\": ");
		ctl_json_str(out, vm->tap);
		evbuffer_add_printf(out, ", \"vni\": %" PRIu32 ", \"address\": \"%s\", "
				    "\"mac\": \"%s\"}", vm->vni, addr_fmt_ip4(vm->addr, a),
				    addr_fmt_mac(vm->mac, m));
	}
	evbuffer_add_printf(out, "]}");
	return 0;
}

/* The edges, in use or not, with their keepalive figures. */
static int host_ctl_edges(struct hostd *h, int argc, char **argv, struct evbuffer *out)
{
	uint32_t now = svc_now_ms();
	char a[ADDR_STRLEN];

	if (argc != 1) {
		evbuffer_add_printf(out, "edges takes no arguments");
		return -1;
	}
	evbuffer_add_printf(out, "{\"probe_interval_ms\": %u, \"down_after_ms\": %u, "
			    "\"in_use\": %zu, \"edges\": [", h->edges.interval_ms,
			    h->edges.down_ms, h->edges.nlive);
	for (size_t i = 0; i < h->edges.n; i++) {
		const struct edge_live *e = &h->edges.e[i];

		evbuffer_add_printf(out, "%s{\"address\": \"%s\", \"state\": \"%s\", "
				    "\"since_ms\": %u, \"last_reply_ms\": %u, \"rtt_ms\": %u, "
				    "\"probes\": %" PRIu64 ", \"replies\": %" PRIu64 ", "
				    "\"downs\": %" PRIu64 "}", i ? ", " : "",
				    addr_fmt_ip4(e->addr, a), e->up ? "up" : "down",
				    now - e->changed_ms, now - e->last_reply_ms, e->rtt_ms, e->sent,
				    e->replies, e->downs);
	}
	evbuffer_add_printf(out, "]}");
	return 0;
}

static const char *const host_ctl_proto[3] = { "tcp", "udp", "icmp" };

/*
 * Public ports in use, cooling (reuse delay) and free per port block and
 * protocol, and mappings per VM and protocol.
 */
static int host_ctl_ports(struct hostd *h, int argc, char **argv, struct evbuffer *out)
{
	char a[ADDR_STRLEN];
	uint32_t pos = 0, *per_vm;
	struct ct_entry *e;
	const char *sep = "";

	if (argc != 1) {
		evbuffer_add_printf(out, "ports takes no arguments");
		return -1;
	}
	per_vm = calloc(h->conf.nvms * 3 + 1, sizeof(*per_vm));
	if (!per_vm) {
		evbuffer_add_printf(out, "out of memory");
		return -1;
	}
	while ((e = ct_iter(h->ft.ct, &pos)))
		per_vm[e->vm * 3 + (e->proto == PROTO_TCP ? 0 : e->proto == PROTO_UDP ? 1 : 2)]++;
	evbuffer_add_printf(out, "{\"pools\": [");
	for (size_t i = 0; i < h->conf.npools; i++) {
		const struct host_pool *p = &h->conf.pools[i];

		for (int k = 0; k < 3; k++) {
			const struct portmap *pm = &h->ft.pm[i][k];

			evbuffer_add_printf(out, "%s{\"vni\": %u, \"public\": \"%s\", "
					    "\"ports\": \"%u-%u\", \"proto\": \"%s\", \"used\": %u, "
					    "\"cooling\": %u, \"free\": %u}", sep, p->vni,
					    addr_fmt_ip4(p->addr, a), p->lo, p->hi, host_ctl_proto[k],
					    pm->used, pm->cooling, portmap_free(pm));
			sep = ", ";
		}
	}
	evbuffer_add_printf(out, "], \"vms\": [");
	for (size_t i = 0; i < h->conf.nvms; i++) {
		evbuffer_add_printf(out, "%s{\"vm\": ", i ? ", " : "");
		ctl_json_str(out, h->conf.vms[i].name);
		evbuffer_add_printf(out, ", \"vni\": %u, \"tcp\": %u, \"udp\": %u, \"icmp\": %u}",
				    h->conf.vms[i].vni, per_vm[i * 3], per_vm[i * 3 + 1],
				    per_vm[i * 3 + 2]);
	}
	evbuffer_add_printf(out, "]}");
	free(per_vm);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(struct hostd *h, int argc, char **argv, struct evbuffer *out);
} host_ctl_cmds[] = {
	{ "stats", host_ctl_stats },
	{ "conntrack", host_ctl_conntrack },
	{ "vms", host_ctl_vms },
	{ "ports", host_ctl_ports },
	{ "edges", host_ctl_edges },
};

/* host_ctl_request() - dispatch a control request by its first word. */
int host_ctl_request(void *arg, int argc, char **argv, struct evbuffer *out)
{
	for (size_t i = 0; i < sizeof(host_ctl_cmds) / sizeof(host_ctl_cmds[0]); i++)
		if (strcmp(argv[0], host_ctl_cmds[i].name) == 0)
			return host_ctl_cmds[i].fn(arg, argc, argv, out);
	evbuffer_add_printf(out, "unknown request; try stats, conntrack, ports, vms, edges, reload");
	return -1;
}

/* Conntrack entries by protocol and state, counted at scrape time. */
static void host_ctl_prom_ct(struct hostd *h, struct evbuffer *out)
{
	uint32_t n[3][CT_S__N] = { { 0 } }, pos = 0;
	struct ct_entry *e;

	while ((e = ct_iter(h->ft.ct, &pos)))
		if (e->state < CT_S__N)
			n[e->proto == PROTO_TCP ? 0 : e->proto == PROTO_UDP ? 1 : 2][e->state]++;
	evbuffer_add_printf(out, "# HELP spat_hostd_conntrack_entries Conntrack entries in use, "
			    "by protocol and state.\n# TYPE spat_hostd_conntrack_entries gauge\n");
	/* UDP and ICMP only know new and established; TCP has every state. */
	for (int p = 0; p < 3; p++)
		for (uint8_t st = 0; st < (p ? CT_S_CLOSING : CT_S__N); st++)
			evbuffer_add_printf(out, "spat_hostd_conntrack_entries{proto=\"%s\","
					    "state=\"%s\"} %u\n", host_ctl_proto[p],
					    tcpstate_name(st), n[p][st]);
	evbuffer_add_printf(out, "# HELP spat_hostd_conntrack_capacity Conntrack table size.\n"
			    "# TYPE spat_hostd_conntrack_capacity gauge\n"
			    "spat_hostd_conntrack_capacity %" PRIu32 "\n", ct_capacity(h->ft.ct));
}

/* Public ports in use and cooling, and the size of each port block, per protocol. */
static void host_ctl_prom_ports(struct hostd *h, struct evbuffer *out)
{
	char a[ADDR_STRLEN];

	const struct host_pool *p = h->conf.pools;

	/* A tenant may have several blocks on one address: the range label tells them apart. */
	evbuffer_add_printf(out, "# HELP spat_hostd_pool_ports_used Public ports (ICMP ids) in use.\n"
			    "# TYPE spat_hostd_pool_ports_used gauge\n");
	for (size_t i = 0; i < h->conf.npools; i++)
		for (int k = 0; k < 3; k++)
			evbuffer_add_printf(out, "spat_hostd_pool_ports_used{vni=\"%u\",public=\"%s\","
					    "ports=\"%u-%u\",proto=\"%s\"} %u\n", p[i].vni,
					    addr_fmt_ip4(p[i].addr, a), p[i].lo, p[i].hi,
					    host_ctl_proto[k], h->ft.pm[i][k].used);
	evbuffer_add_printf(out, "# HELP spat_hostd_pool_ports_cooling Public ports (ICMP ids) "
			    "waiting out port_reuse_delay.\n"
			    "# TYPE spat_hostd_pool_ports_cooling gauge\n");
	for (size_t i = 0; i < h->conf.npools; i++)
		for (int k = 0; k < 3; k++)
			evbuffer_add_printf(out, "spat_hostd_pool_ports_cooling{vni=\"%u\",public=\"%s\","
					    "ports=\"%u-%u\",proto=\"%s\"} %u\n", p[i].vni,
					    addr_fmt_ip4(p[i].addr, a), p[i].lo, p[i].hi,
					    host_ctl_proto[k], h->ft.pm[i][k].cooling);
	evbuffer_add_printf(out, "# HELP spat_hostd_pool_ports Size of the port block.\n"
			    "# TYPE spat_hostd_pool_ports gauge\n");
	for (size_t i = 0; i < h->conf.npools; i++)
		evbuffer_add_printf(out, "spat_hostd_pool_ports{vni=\"%u\",public=\"%s\","
				    "ports=\"%u-%u\"} %u\n", p[i].vni, addr_fmt_ip4(p[i].addr, a),
				    p[i].lo, p[i].hi, p[i].hi - p[i].lo + 1u);
	evbuffer_add_printf(out, "# HELP spat_hostd_allocation_failures_total Mappings refused: "
			    "no free port, or a full table.\n"
			    "# TYPE spat_hostd_allocation_failures_total counter\n"
			    "spat_hostd_allocation_failures_total{reason=\"ports_full\"} %" PRIu64 "\n"
			    "spat_hostd_allocation_failures_total{reason=\"table_full\"} %" PRIu64 "\n",
			    h->path.ctr[HC_DROP_PORTS_FULL], h->path.ctr[HC_DROP_TABLE_FULL]);
}

/* Each edge: in use or not, and the round trip of its last keepalive. */
static void host_ctl_prom_edges(struct hostd *h, struct evbuffer *out)
{
	char a[ADDR_STRLEN];

	evbuffer_add_printf(out, "# HELP spat_hostd_edge_up 1 if the edge answers keepalives "
			    "and carries return traffic.\n# TYPE spat_hostd_edge_up gauge\n");
	for (size_t i = 0; i < h->edges.n; i++)
		evbuffer_add_printf(out, "spat_hostd_edge_up{edge=\"%s\"} %d\n",
				    addr_fmt_ip4(h->edges.e[i].addr, a), h->edges.e[i].up);
	evbuffer_add_printf(out, "# HELP spat_hostd_edge_rtt_seconds Round trip of the last "
			    "keepalive reply (millisecond resolution).\n"
			    "# TYPE spat_hostd_edge_rtt_seconds gauge\n");
	for (size_t i = 0; i < h->edges.n; i++)
		evbuffer_add_printf(out, "spat_hostd_edge_rtt_seconds{edge=\"%s\"} %u.%03u\n",
				    addr_fmt_ip4(h->edges.e[i].addr, a), h->edges.e[i].rtt_ms / 1000,
				    h->edges.e[i].rtt_ms % 1000);
}

/* host_ctl_metrics() - counters, conntrack by protocol and state, pool use, edges. */
void host_ctl_metrics(void *arg, struct evbuffer *out)
{
	struct hostd *h = arg;

	ctr_prom(out, "spat_hostd", host_ctr_defs, h->path.ctr, HC__N);
	host_ctl_prom_ct(h, out);
	host_ctl_prom_ports(h, out);
	host_ctl_prom_edges(h, out);
	if (h->path.frags)
		evbuffer_add_printf(out, "# HELP spat_hostd_fragment_cache_entries Live fragment "
				    "translation decisions (capacity %u).\n"
				    "# TYPE spat_hostd_fragment_cache_entries gauge\n"
				    "spat_hostd_fragment_cache_entries %u\n"
				    "# HELP spat_hostd_fragments_held Fragments waiting for their first "
				    "(capacity %u).\n# TYPE spat_hostd_fragments_held gauge\n"
				    "spat_hostd_fragments_held %u\n", PATH_FRAG_ENTRIES,
				    frag_used(h->path.frags, svc_now_ms()), PATH_FRAG_HOLD,
				    frag_held(h->path.frags));
}
