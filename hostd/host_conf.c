// SPDX-License-Identifier: MIT
/* host_conf.c - hostd configuration: YAML into struct host_conf, checks, canonical printer. */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "evloop.h"
#include "host_conf.h"
#include "host_conf_internal.h"
#include "pkt.h"
#include "pktbuf.h"

/*
 * Theory of operation: parse_doc() walks the document with one ykey table
 * per mapping type and one small handler per key; lists are allocated at
 * their YAML length.  forwards and one_to_one name VMs, so they are parsed
 * after the top-level walk, whatever the key order.  Everything that
 * relates two items (duplicates, overlaps, cross references) is checked
 * afterwards by host_conf_check() (host_conf_check.c), from saved positions.
 */

#define VNI_MAX 0xffffffu        /* Geneve VNIs are 24 bits */
#define TIMEOUT_MAX 86400u

/* Top-level parse state: the config, and the lists that must wait for vms. */
struct pctx {
	struct host_conf *c;
	yaml_node_t *fwds;
	yaml_node_t *o2o;
};

/* Item parse state for lists whose items name a VM. */
struct ictx {
	struct host_conf *c;
	void *item;
};

/* ---- scalar helpers ---- */

/* An address a host can send to or from: not 0.0.0.0, multicast or broadcast. */
static int get_unicast(struct ydoc *d, yaml_node_t *n, uint32_t *addr, struct yerr *err)
{
	char b[ADDR_STRLEN];

	if (ydoc_ip4(d, n, addr, err))
		return -1;
	if (*addr == 0 || *addr >= 0xe0000000u)
		return yerr_at(err, d, n, "invalid address '%s' (not a unicast address)",
			       addr_fmt_ip4(*addr, b));
	return 0;
}

static int get_mac(struct ydoc *d, yaml_node_t *n, uint8_t mac[6], struct yerr *err)
{
	static const uint8_t zero[6];
	char b[MAC_STRLEN];

	if (ydoc_mac(d, n, mac, err))
		return -1;
	if ((mac[0] & 1) || !memcmp(mac, zero, 6))
		return yerr_at(err, d, n, "invalid MAC address '%s' (not a unicast address)",
			       addr_fmt_mac(mac, b));
	return 0;
}

/* Names that end up in paths or ioctls: no '/', no whitespace, not "." or "..". */
static int get_name(struct ydoc *d, yaml_node_t *n, char *buf, size_t cap, const char *what,
		    struct yerr *err)
{
	const char *p;

	if (ydoc_str(d, n, buf, cap, err))
		return -1;
	for (p = buf; *p; p++)
		if (*p == '/' || *p <= ' ' || *p == 0x7f)
			break;
	if (!buf[0] || *p || !strcmp(buf, ".") || !strcmp(buf, ".."))
		return yerr_at(err, d, n, "invalid %s '%s'", what, buf);
	return 0;
}

/* Allocate *arr for the items of sequence n and run fn on each. */
static int get_list(struct ydoc *d, yaml_node_t *n, size_t size, void **arr, size_t *count,
		    yseq_fn fn, void *obj, struct yerr *err)
{
	long len = ydoc_seq_len(n);

	if (len < 0)
		return ydoc_seq(d, n, fn, obj, err);    /* reports "expected a sequence" */
	*arr = calloc(len ? (size_t)len : 1, size);
	if (!*arr)
		return yerr_at(err, d, n, "out of memory");
	*count = (size_t)len;
	return ydoc_seq(d, n, fn, obj, err);
}

/* ---- timeouts: { udp, tcp_established, tcp_transitory, icmp } ---- */

static int to_udp(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return ydoc_u32(d, v, 1, TIMEOUT_MAX, &((struct host_timeouts *)o)->udp, err);
}

static int to_tcp_est(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return ydoc_u32(d, v, 1, TIMEOUT_MAX, &((struct host_timeouts *)o)->tcp_est, err);
}

static int to_tcp_trans(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return ydoc_u32(d, v, 1, TIMEOUT_MAX, &((struct host_timeouts *)o)->tcp_trans, err);
}

static int to_icmp(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return ydoc_u32(d, v, 1, TIMEOUT_MAX, &((struct host_timeouts *)o)->icmp, err);
}

static const struct ykey timeout_keys[] = {
	{ "udp", to_udp, false },
	{ "tcp_established", to_tcp_est, false },
	{ "tcp_transitory", to_tcp_trans, false },
	{ "icmp", to_icmp, false },
	{ NULL, NULL, false },
};

/* ---- edge_probe: { interval, down_after } (milliseconds) ---- */

#define PROBE_MS_MAX 600000u

static int ep_interval(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return ydoc_u32(d, v, 0, PROBE_MS_MAX, &((struct host_conf *)o)->probe_interval_ms, err);
}

static int ep_down(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return ydoc_u32(d, v, 1, PROBE_MS_MAX, &((struct host_conf *)o)->probe_down_ms, err);
}

static const struct ykey edge_probe_keys[] = {
	{ "interval", ep_interval, false },
	{ "down_after", ep_down, false },
	{ NULL, NULL, false },
};

/* ---- edges: - address ---- */

static int edge_addr(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return get_unicast(d, v, &((struct host_edge *)o)->addr, err);
}

static const struct ykey edge_keys[] = {
	{ "address", edge_addr, true },
	{ NULL, NULL, false },
};

static int edge_item(struct ydoc *d, yaml_node_t *n, size_t i, void *o, struct yerr *err)
{
	struct host_edge *e = &((struct pctx *)o)->c->edges[i];

	e->pos = ydoc_pos(n);
	return ydoc_map(d, n, edge_keys, e, err);
}

/* ---- pools: - vni, public, ports ---- */

static int pool_vni(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return ydoc_u32(d, v, 1, VNI_MAX, &((struct host_pool *)o)->vni, err);
}

static int pool_public(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return get_unicast(d, v, &((struct host_pool *)o)->addr, err);
}

static int pool_ports(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	struct host_pool *p = o;

	return ydoc_range(d, v, &p->lo, &p->hi, err);
}

static const struct ykey pool_keys[] = {
	{ "vni", pool_vni, true },
	{ "public", pool_public, true },
	{ "ports", pool_ports, true },
	{ NULL, NULL, false },
};

static int pool_item(struct ydoc *d, yaml_node_t *n, size_t i, void *o, struct yerr *err)
{
	struct host_pool *p = &((struct pctx *)o)->c->pools[i];

	p->pos = ydoc_pos(n);
	return ydoc_map(d, n, pool_keys, p, err);
}

/* ---- vms: - name, vni, tap, netns, address, mac, gateway ---- */

static int vm_name(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	struct host_vm *vm = o;

	if (ydoc_str(d, v, vm->name, sizeof(vm->name), err))
		return -1;
	return vm->name[0] ? 0 : yerr_at(err, d, v, "invalid VM name '' (empty)");
}

static int vm_vni(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return ydoc_u32(d, v, 1, VNI_MAX, &((struct host_vm *)o)->vni, err);
}

static int vm_tap(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	struct host_vm *vm = o;

	return get_name(d, v, vm->tap, sizeof(vm->tap), "interface name", err);
}

static int vm_netns(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	struct host_vm *vm = o;

	return get_name(d, v, vm->netns, sizeof(vm->netns), "netns name", err);
}

static int vm_addr(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return get_unicast(d, v, &((struct host_vm *)o)->addr, err);
}

static int vm_mac(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return get_mac(d, v, ((struct host_vm *)o)->mac, err);
}

static int vm_gateway(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return get_unicast(d, v, &((struct host_vm *)o)->gateway, err);
}

static const struct ykey vm_keys[] = {
	{ "name", vm_name, true },
	{ "vni", vm_vni, true },
	{ "tap", vm_tap, true },
	{ "netns", vm_netns, false },
	{ "address", vm_addr, true },
	{ "mac", vm_mac, true },
	{ "gateway", vm_gateway, true },
	{ NULL, NULL, false },
};

static int vm_item(struct ydoc *d, yaml_node_t *n, size_t i, void *o, struct yerr *err)
{
	struct host_vm *vm = &((struct pctx *)o)->c->vms[i];

	vm->pos = ydoc_pos(n);
	return ydoc_map(d, n, vm_keys, vm, err);
}

/* Index of the VM named by scalar n, or -1 with err set. */
static long vm_ref(struct ydoc *d, yaml_node_t *n, const struct host_conf *c, struct yerr *err)
{
	char name[sizeof(c->vms[0].name)];
	size_t i;

	if (ydoc_str(d, n, name, sizeof(name), err))
		return -1;
	for (i = 0; i < c->nvms; i++)
		if (!strcmp(c->vms[i].name, name))
			return (long)i;
	return yerr_at(err, d, n, "unknown VM '%s'", name);
}

/* ---- forwards: - public, proto, vm, port ---- */

static int fwd_public(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	struct host_fwd *f = ((struct ictx *)o)->item;

	return ydoc_ip4_port(d, v, &f->pub, &f->pub_port, err);
}

static int fwd_proto(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	struct host_fwd *f = ((struct ictx *)o)->item;

	if (ydoc_proto(d, v, false, &f->proto, err))
		return -1;
	if (f->proto != PROTO_TCP && f->proto != PROTO_UDP)
		return yerr_at(err, d, v, "invalid protocol '%s' (forwards are tcp or udp)",
			       ydoc_scalar(v));
	return 0;
}

static int fwd_vm(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	struct ictx *x = o;
	long i = vm_ref(d, v, x->c, err);

	if (i < 0)
		return -1;
	((struct host_fwd *)x->item)->vm = (uint32_t)i;
	return 0;
}

static int fwd_port(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	struct host_fwd *f = ((struct ictx *)o)->item;
	uint32_t port;

	if (ydoc_u32(d, v, 1, 65535, &port, err))
		return -1;
	f->vm_port = (uint16_t)port;
	return 0;
}

static const struct ykey fwd_keys[] = {
	{ "public", fwd_public, true },
	{ "proto", fwd_proto, true },
	{ "vm", fwd_vm, true },
	{ "port", fwd_port, true },
	{ NULL, NULL, false },
};

static int fwd_item(struct ydoc *d, yaml_node_t *n, size_t i, void *o, struct yerr *err)
{
	struct host_conf *c = ((struct pctx *)o)->c;
	struct ictx x = { c, &c->fwds[i] };

	c->fwds[i].pos = ydoc_pos(n);
	return ydoc_map(d, n, fwd_keys, &x, err);
}

/* ---- one_to_one: - public, vm (sets that VM's public_addr) ---- */

struct o2o {
	uint32_t pub;
	long vm;
};

static int o2o_public(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return get_unicast(d, v, &((struct o2o *)((struct ictx *)o)->item)->pub, err);
}

static int o2o_vm(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	struct ictx *x = o;
	struct o2o *m = x->item;

	m->vm = vm_ref(d, v, x->c, err);
	if (m->vm < 0)
		return -1;
	if (x->c->vms[m->vm].public_addr)
		return yerr_at(err, d, v, "VM '%s' already has a 1:1 address (line %d)",
			       x->c->vms[m->vm].name, x->c->vms[m->vm].o2o_pos.line);
	return 0;
}

static const struct ykey o2o_keys[] = {
	{ "public", o2o_public, true },
	{ "vm", o2o_vm, true },
	{ NULL, NULL, false },
};

static int o2o_item(struct ydoc *d, yaml_node_t *n, size_t i, void *o, struct yerr *err)
{
	struct host_conf *c = ((struct pctx *)o)->c;
	struct o2o m = { 0, -1 };
	struct ictx x = { c, &m };

	if (ydoc_map(d, n, o2o_keys, &x, err))
		return -1;
	c->vms[m.vm].public_addr = m.pub;
	c->vms[m.vm].o2o_pos = ydoc_pos(n);
	return 0;
}

/* ---- top level ---- */

static int top_name(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	struct host_conf *c = ((struct pctx *)o)->c;

	return ydoc_str(d, v, c->name, sizeof(c->name), err);
}

static int top_listen(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return get_unicast(d, v, &((struct pctx *)o)->c->local, err);
}

static int top_port(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	uint32_t port;

	if (ydoc_u32(d, v, 1, 65535, &port, err))
		return -1;
	((struct pctx *)o)->c->port = (uint16_t)port;
	return 0;
}

static int top_gw_mac(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return get_mac(d, v, ((struct pctx *)o)->c->gw_mac, err);
}

static int top_control(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	struct host_conf *c = ((struct pctx *)o)->c;

	if (ydoc_str(d, v, c->control, sizeof(c->control), err))
		return -1;
	return 0;                /* "" turns the control socket off, as in edged */
}

/* A non-empty string without blanks, "/" allowed (paths) or not (user names). */
static int top_word(struct ydoc *d, yaml_node_t *v, char *buf, size_t cap, bool path,
		    const char *what, struct yerr *err)
{
	if (ydoc_str(d, v, buf, cap, err))
		return -1;
	if (!*buf)
		return yerr_at(err, d, v, "invalid %s '' (empty)", what);
	for (const char *p = buf; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || (!path && *p == '/') ||
		    (path && buf[0] != '/'))
			return yerr_at(err, d, v, "invalid %s '%s'", what, buf);
	return 0;
}

static int top_user(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	struct host_conf *c = ((struct pctx *)o)->c;

	return top_word(d, v, c->user, sizeof(c->user), false, "user", err);
}

static int top_state_file(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	struct host_conf *c = ((struct pctx *)o)->c;

	return top_word(d, v, c->state_file, sizeof(c->state_file), true,
			"state file (an absolute path)", err);
}

/* "" turns metrics off; anything else must be an address:port to listen on. */
static int top_metrics(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	struct host_conf *c = ((struct pctx *)o)->c;
	uint32_t addr;
	uint16_t port;

	if (ydoc_str(d, v, c->metrics, sizeof(c->metrics), err))
		return -1;
	if (c->metrics[0] && addr_parse_ip4_port(c->metrics, &addr, &port))
		return yerr_at(err, d, v, "invalid metrics address '%s' (expected a.b.c.d:port)",
			       c->metrics);
	return 0;
}

static int top_batch(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return ydoc_u32(d, v, 1, BURST_MAX, &((struct pctx *)o)->c->batch, err);
}

static int top_busy_poll(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return ydoc_u32(d, v, 0, BUSY_POLL_MAX, &((struct pctx *)o)->c->busy_poll, err);
}

/* tunnel_mtu: "auto" (the default) or a number of bytes. */
static int top_tunnel_mtu(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	struct host_conf *c = ((struct pctx *)o)->c;
	char s[8];

	if (v->type == YAML_SCALAR_NODE && v->data.scalar.length == 4 &&
	    !ydoc_str(d, v, s, sizeof(s), err) && !strcmp(s, "auto")) {
		c->tunnel_mtu = 0;
		return 0;
	}
	return ydoc_u32(d, v, HOST_MTU_MIN, HOST_MTU_MAX, &c->tunnel_mtu, err);
}

static int top_icmp_rate(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return ydoc_u32(d, v, 0, 100000, &((struct pctx *)o)->c->icmp_rate, err);
}

/* tcp_mss_clamp: "off", "auto" (the default) or an MSS. */
static int top_mss_clamp(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	struct host_conf *c = ((struct pctx *)o)->c;
	char s[8];

	if (v->type == YAML_SCALAR_NODE && v->data.scalar.length < sizeof(s) &&
	    !ydoc_str(d, v, s, sizeof(s), err)) {
		if (!strcmp(s, "off")) {
			c->mss_clamp = HOST_MSS_OFF;
			return 0;
		}
		if (!strcmp(s, "auto")) {
			c->mss_clamp = HOST_MSS_AUTO;
			return 0;
		}
	}
	return ydoc_u32(d, v, HOST_MSS_MIN, 65495, &c->mss_clamp, err);
}

static int top_vm_quota(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return ydoc_u32(d, v, 1, 1u << 24, &((struct pctx *)o)->c->vm_quota, err);
}

static int top_reuse_delay(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return ydoc_u32(d, v, 0, TIMEOUT_MAX, &((struct pctx *)o)->c->port_reuse_delay, err);
}

static int top_max_entries(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return ydoc_u32(d, v, 1, 1u << 24, &((struct pctx *)o)->c->max_entries, err);
}

static int top_timeouts(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return ydoc_map(d, v, timeout_keys, &((struct pctx *)o)->c->timeout, err);
}

static int top_edge_probe(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	struct host_conf *c = ((struct pctx *)o)->c;

	if (ydoc_map(d, v, edge_probe_keys, c, err))
		return -1;
	/* One lost reply must not take an edge out of use. */
	if (c->probe_interval_ms && c->probe_down_ms < 2 * c->probe_interval_ms)
		return yerr_at(err, d, v, "edge_probe: down_after (%u ms) must be at least twice "
			       "the interval (%u ms)", c->probe_down_ms, c->probe_interval_ms);
	return 0;
}

static int top_filtering(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return host_conf_filtering(d, v, ((struct pctx *)o)->c, err);
}

static int top_maplog(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return host_conf_maplog(d, v, ((struct pctx *)o)->c, err);
}

static int top_edges(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	struct host_conf *c = ((struct pctx *)o)->c;

	if (get_list(d, v, sizeof(*c->edges), (void **)&c->edges, &c->nedges, edge_item, o, err))
		return -1;
	return c->nedges ? 0 : yerr_at(err, d, v, "edges: at least one edge is required");
}

static int top_pools(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	struct host_conf *c = ((struct pctx *)o)->c;

	return get_list(d, v, sizeof(*c->pools), (void **)&c->pools, &c->npools, pool_item, o,
			err);
}

static int top_vms(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	struct host_conf *c = ((struct pctx *)o)->c;

	return get_list(d, v, sizeof(*c->vms), (void **)&c->vms, &c->nvms, vm_item, o, err);
}

static int top_forwards(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	((struct pctx *)o)->fwds = v;
	return 0;
}

static int top_o2o(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	((struct pctx *)o)->o2o = v;
	return 0;
}

static const struct ykey top_keys[] = {
	{ "name", top_name, false },
	{ "listen", top_listen, true },
	{ "port", top_port, false },
	{ "gateway_mac", top_gw_mac, false },
	{ "control", top_control, false },
	{ "metrics", top_metrics, false },
	{ "user", top_user, false },
	{ "state_file", top_state_file, false },
	{ "batch", top_batch, false },
	{ "busy_poll", top_busy_poll, false },
	{ "max_entries", top_max_entries, false },
	{ "max_mappings_per_vm", top_vm_quota, false },
	{ "port_reuse_delay", top_reuse_delay, false },
	{ "tunnel_mtu", top_tunnel_mtu, false },
	{ "icmp_rate", top_icmp_rate, false },
	{ "tcp_mss_clamp", top_mss_clamp, false },
	{ "timeouts", top_timeouts, false },
	{ "edge_probe", top_edge_probe, false },
	{ "filtering", top_filtering, false },
	{ "mapping_log", top_maplog, false },
	{ "edges", top_edges, true },
	{ "pools", top_pools, false },
	{ "vms", top_vms, false },
	{ "forwards", top_forwards, false },
	{ "one_to_one", top_o2o, false },
	{ NULL, NULL, false },
};

static void conf_defaults(struct host_conf *c)
{
	static const uint8_t gw_mac[6] = { 0x02, 0x5a, 0x00, 0x00, 0x00, 0x01 };

	c->port = 6081;
	memcpy(c->gw_mac, gw_mac, sizeof(gw_mac));
	strcpy(c->control, "/run/spat/hostd.sock");
	strcpy(c->user, "nobody");
	strcpy(c->state_file, "/run/spat/hostd.state");
	c->batch = BURST_MAX;
	c->busy_poll = BUSY_POLL_DEFAULT;
	c->max_entries = 262144;
	c->vm_quota = 4096;
	c->port_reuse_delay = 120;       /* RFC 6888 REQ-8: ports rest before reuse */
	c->icmp_rate = 100;
	c->mss_clamp = HOST_MSS_AUTO;
	c->timeout = (struct host_timeouts){ .udp = 300, .tcp_est = 7440, .tcp_trans = 240,
					     .icmp = 60 };
	c->probe_interval_ms = 200;
	c->probe_down_ms = 800;
	c->maplog.rate = 1000;
}

static int parse_doc(struct host_conf *c, struct ydoc *d, struct yerr *err)
{
	struct pctx p = { .c = c };

	if (ydoc_map(d, ydoc_root(d), top_keys, &p, err))
		return -1;
	if (p.fwds && get_list(d, p.fwds, sizeof(*c->fwds), (void **)&c->fwds, &c->nfwds,
			       fwd_item, &p, err))
		return -1;
	if (p.o2o && ydoc_seq(d, p.o2o, o2o_item, &p, err))
		return -1;
	return 0;
}

/* ---- entry points ---- */

static int conf_from_doc(struct host_conf *c, const char *name, struct ydoc *d,
			 struct yerr *err)
{
	int ret;

	snprintf(c->file, sizeof(c->file), "%s", name);
	conf_defaults(c);
	ret = parse_doc(c, d, err);
	ydoc_free(d);
	if (!ret)
		ret = host_conf_check(c, err);
	if (ret)
		host_conf_free(c);
	return ret;
}

/*
 * host_conf_parse() - parse YAML in buf into *c (zeroed first); name is used
 * in messages.  Returns 0, or -1 with err as "name:line:col: message".
 */
int host_conf_parse(struct host_conf *c, const char *name, const char *buf, size_t len,
		    struct yerr *err)
{
	struct ydoc d;

	memset(c, 0, sizeof(*c));
	if (ydoc_load(&d, name, buf, len, err))
		return -1;
	return conf_from_doc(c, name, &d, err);
}

/* host_conf_load() - read and parse the file at path, as host_conf_parse(). */
int host_conf_load(struct host_conf *c, const char *path, struct yerr *err)
{
	struct ydoc d;

	memset(c, 0, sizeof(*c));
	if (ydoc_load_file(&d, path, err))
		return -1;
	return conf_from_doc(c, path, &d, err);
}

/* host_conf_free() - free the lists; *c is zeroed and may be freed again. */
void host_conf_free(struct host_conf *c)
{
	free(c->edges);
	free(c->pools);
	free(c->vms);
	free(c->fwds);
	memset(c, 0, sizeof(*c));
}
/* host_conf_pool() - the first port block of a VNI, or NULL. */
const struct host_pool *host_conf_pool(const struct host_conf *c, uint32_t vni)
{
	size_t i;

	for (i = 0; i < c->npools; i++)
		if (c->pools[i].vni == vni)
			return &c->pools[i];
	return NULL;
}

/* host_conf_edge() - index of the edge with that address, or -1. */
long host_conf_edge(const struct host_conf *c, uint32_t addr)
{
	size_t i;

	for (i = 0; i < c->nedges; i++)
		if (c->edges[i].addr == addr)
			return (long)i;
	return -1;
}
