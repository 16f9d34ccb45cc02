/* SPDX-License-Identifier: MIT */
/* ctr.h - named packet and drop counters, printable as Prometheus text or JSON. */
#ifndef SPAT_CTR_H
#define SPAT_CTR_H

#include <stddef.h>
#include <stdint.h>

struct evbuffer;

/*
 * A daemon declares its counters as a table of ctr_def, indexed by its own
 * enum, and keeps the values in a uint64_t array of the same length.  A def
 * with a non-NULL reason is a drop counter: all drop counters share one
 * metric "<prefix>_drops_total" with a reason label, so dashboards can sum
 * them.  Others are metrics of their own name.
 */
struct ctr_def {
	const char *name;    /* metric name without prefix, e.g. "rx_packets_total" */
	const char *reason;  /* drop reason label, or NULL */
	const char *help;
};

/* ctr_prom() - append the counters in Prometheus text format to out. */
void ctr_prom(struct evbuffer *out, const char *prefix, const struct ctr_def *defs,
	      const uint64_t *vals, size_t n);
/* ctr_json() - append {"name": value, ..., "drops": {"reason": value, ...}} to out. */
void ctr_json(struct evbuffer *out, const struct ctr_def *defs, const uint64_t *vals, size_t n);

#endif
