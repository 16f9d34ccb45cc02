// SPDX-License-Identifier: MIT
/* host_ctl.c - hostd's control requests and metrics: counters, conntrack, VMs. */
#include <event2/buffer.h>
#include <inttypes.h>
#include <string.h>

#include "addr.h"
#include "ctl.h"
#include "hostd.h"
#include "pkt.h"
#include "svc.h"

/* Filters of "conntrack": vni=N proto=P vm=NAME public=ADDR; unset fields match all. */
struct ct_filter {
	uint32_t vni;
	uint8_t proto;
	long vm;
	uint32_t pub;
};

static const char *const ct_state_name[] = {
	[CT_S_NEW] = "new", [CT_S_EST] = "established", [CT_S_CLOSING] = "closing",
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
			    "\"state\": \"%s\", \"static\": %s, \"expires_in\": %ld}",
			    addr_fmt_ip4(e->vm_addr, va), e->vm_port, addr_fmt_ip4(e->pub_addr, pa),
			    e->pub_port, e->state <= CT_S_CLOSING ? ct_state_name[e->state] : "?",
			    st ? "true" : "false", st ? -1L : (long)e->expires - (long)now);
}

static int host_ctl_conntrack(struct hostd *h, int argc, char **argv, struct evbuffer *out)
{
	struct ct_filter f = { .vm = -1 };
	uint32_t pos = 0, now = svc_now();
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
	}
	evbuffer_add_printf(out, "]}");
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

static const struct {
	const char *name;
	int (*fn)(struct hostd *h, int argc, char **argv, struct evbuffer *out);
} host_ctl_cmds[] = {
	{ "stats", host_ctl_stats },
	{ "conntrack", host_ctl_conntrack },
	{ "vms", host_ctl_vms },
};

/* host_ctl_request() - dispatch a control request by its first word. */
int host_ctl_request(void *arg, int argc, char **argv, struct evbuffer *out)
{
	for (size_t i = 0; i < sizeof(host_ctl_cmds) / sizeof(host_ctl_cmds[0]); i++)
		if (strcmp(argv[0], host_ctl_cmds[i].name) == 0)
			return host_ctl_cmds[i].fn(arg, argc, argv, out);
	evbuffer_add_printf(out, "unknown request; try stats, conntrack, vms, reload");
	return -1;
}

/* host_ctl_metrics() - counters plus conntrack occupancy. */
void host_ctl_metrics(void *arg, struct evbuffer *out)
{
	struct hostd *h = arg;

	ctr_prom(out, "spat_hostd", host_ctr_defs, h->path.ctr, HC__N);
	evbuffer_add_printf(out, "# HELP spat_hostd_conntrack_entries Conntrack entries in use.\n"
			    "# TYPE spat_hostd_conntrack_entries gauge\n"
			    "spat_hostd_conntrack_entries %" PRIu32 "\n"
			    "# HELP spat_hostd_conntrack_capacity Conntrack table size.\n"
			    "# TYPE spat_hostd_conntrack_capacity gauge\n"
			    "spat_hostd_conntrack_capacity %" PRIu32 "\n",
			    ct_count(h->ft.ct), ct_capacity(h->ft.ct));
}
