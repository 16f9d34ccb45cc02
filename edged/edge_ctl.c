// SPDX-License-Identifier: MIT
/* edge_ctl.c - edged's control requests and metrics: counters, rules, hosts. */
#include <event2/buffer.h>
#include <inttypes.h>
#include <string.h>

#include "addr.h"
#include "ctl.h"
#include "edged.h"
#include "frag.h"
#include "svc.h"

static int edge_ctl_stats(struct edged *e, struct evbuffer *out)
{
	ctr_json(out, edge_ctr_defs, e->relay.ctr, EC__N);
	return 0;
}

static int edge_ctl_hosts(struct edged *e, struct evbuffer *out)
{
	char a[ADDR_STRLEN];

	evbuffer_add_printf(out, "{\"hosts\": [");
	for (size_t i = 0; i < e->conf.nhosts; i++) {
		evbuffer_add_printf(out, "%s{\"name\": ", i ? ", " : "");
		ctl_json_str(out, e->conf.hosts[i].name);
		evbuffer_add_printf(out, ", \"address\": \"%s\"}",
				    addr_fmt_ip4(e->conf.hosts[i].addr, a));
	}
	evbuffer_add_printf(out, "]}");
	return 0;
}

static int edge_ctl_rules(struct edged *e, struct evbuffer *out)
{
	char a[ADDR_STRLEN];

	evbuffer_add_printf(out, "{\"rules\": [");
	for (size_t i = 0; i < e->conf.nrules; i++) {
		const struct edge_rule *r = &e->conf.rules[i];

		evbuffer_add_printf(out, "%s{\"public\": \"%s\", ", i ? ", " : "",
				    addr_fmt_ip4(r->pub, a));
		if (r->whole)
			evbuffer_add_printf(out, "\"proto\": \"all\", \"ports\": \"all\", ");
		else
			evbuffer_add_printf(out, "\"proto\": \"%s\", \"ports\": \"%u-%u\", ",
					    addr_proto_name(r->proto), r->lo, r->hi);
		evbuffer_add_printf(out, "\"host\": ");
		ctl_json_str(out, e->conf.hosts[r->host].name);
		evbuffer_add_printf(out, ", \"vni\": %" PRIu32 "}", r->vni);
	}
	evbuffer_add_printf(out, "]}");
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(struct edged *e, struct evbuffer *out);
} edge_ctl_cmds[] = {
	{ "stats", edge_ctl_stats },
	{ "hosts", edge_ctl_hosts },
	{ "rules", edge_ctl_rules },
};

/* edge_ctl_request() - dispatch a control request by its first word. */
int edge_ctl_request(void *arg, int argc, char **argv, struct evbuffer *out)
{
	for (size_t i = 0; i < sizeof(edge_ctl_cmds) / sizeof(edge_ctl_cmds[0]); i++) {
		if (strcmp(argv[0], edge_ctl_cmds[i].name) != 0)
			continue;
		if (argc != 1) {
			evbuffer_add_printf(out, "%s takes no arguments", argv[0]);
			return -1;
		}
		return edge_ctl_cmds[i].fn(arg, out);
	}
	evbuffer_add_printf(out, "unknown request; try stats, hosts, rules, reload");
	return -1;
}

/* edge_ctl_metrics() - counters, the size of the rule table, fragment cache use. */
void edge_ctl_metrics(void *arg, struct evbuffer *out)
{
	struct edged *e = arg;
	uint32_t used = e->relay.frags ? frag_used(e->relay.frags, svc_now_ms()) : 0;
	uint32_t held = e->relay.frags ? frag_held(e->relay.frags) : 0;

	ctr_prom(out, "spat_edged", edge_ctr_defs, e->relay.ctr, EC__N);
	evbuffer_add_printf(out, "# HELP spat_edged_rules Forwarding rules loaded.\n"
			    "# TYPE spat_edged_rules gauge\nspat_edged_rules %zu\n"
			    "# HELP spat_edged_hosts Hosts known.\n"
			    "# TYPE spat_edged_hosts gauge\nspat_edged_hosts %zu\n",
			    e->conf.nrules, e->conf.nhosts);
	evbuffer_add_printf(out, "# HELP spat_edged_fragment_cache_entries Live fragment "
			    "steering decisions (capacity %u).\n"
			    "# TYPE spat_edged_fragment_cache_entries gauge\n"
			    "spat_edged_fragment_cache_entries %u\n"
			    "# HELP spat_edged_fragments_held Fragments waiting for their first "
			    "(capacity %u).\n# TYPE spat_edged_fragments_held gauge\n"
			    "spat_edged_fragments_held %u\n", RELAY_FRAG_ENTRIES, used,
			    RELAY_FRAG_HOLD, held);
}
