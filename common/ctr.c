// SPDX-License-Identifier: MIT
/* ctr.c - print named counters as Prometheus text or as a JSON object. */
#include <event2/buffer.h>
#include <inttypes.h>
#include <stdbool.h>

#include "ctr.h"

/* ctr_prom() - Prometheus text: one metric per plain counter, one labelled drops metric. */
void ctr_prom(struct evbuffer *out, const char *prefix, const struct ctr_def *defs,
	      const uint64_t *vals, size_t n)
{
	bool drops = false;

	for (size_t i = 0; i < n; i++) {
		if (defs[i].reason) {
			drops = true;
			continue;
		}
		evbuffer_add_printf(out, "# HELP %s_%s %s\n# TYPE %s_%s counter\n%s_%s %" PRIu64 "\n",
				    prefix, defs[i].name, defs[i].help, prefix, defs[i].name,
				    prefix, defs[i].name, vals[i]);
	}
	if (!drops)
		return;
	evbuffer_add_printf(out, "# HELP %s_drops_total Packets dropped, by reason.\n"
			    "# TYPE %s_drops_total counter\n", prefix, prefix);
	for (size_t i = 0; i < n; i++)
		if (defs[i].reason)
			evbuffer_add_printf(out, "%s_drops_total{reason=\"%s\"} %" PRIu64 "\n",
					    prefix, defs[i].reason, vals[i]);
}

/* ctr_json() - {"rx_packets_total": N, ..., "drops": {"reason": N, ...}}. */
void ctr_json(struct evbuffer *out, const struct ctr_def *defs, const uint64_t *vals, size_t n)
{
	const char *sep = "";

	evbuffer_add_printf(out, "{");
	for (size_t i = 0; i < n; i++) {
		if (defs[i].reason)
			continue;
		evbuffer_add_printf(out, "%s\"%s\": %" PRIu64, sep, defs[i].name, vals[i]);
		sep = ", ";
	}
	evbuffer_add_printf(out, "%s\"drops\": {", sep);
	sep = "";
	for (size_t i = 0; i < n; i++) {
		if (!defs[i].reason)
			continue;
		evbuffer_add_printf(out, "%s\"%s\": %" PRIu64, sep, defs[i].reason, vals[i]);
		sep = ", ";
	}
	evbuffer_add_printf(out, "}}");
}
