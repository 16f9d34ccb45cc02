/* SPDX-License-Identifier: MIT */
/* metrics.h - Prometheus text exposition over HTTP (libevent evhttp). */
#ifndef SPAT_METRICS_H
#define SPAT_METRICS_H

struct event_base;
struct evbuffer;
struct metrics;

/* The daemon fills out with its metrics in Prometheus text format. */
typedef void (*metrics_fn)(void *arg, struct evbuffer *out);

/*
 * metrics_start() - serve GET /metrics on listen ("addr:port", IPv4) from
 * base.  Any other path is 404.  NULL on a bad address or a bind failure.
 */
struct metrics *metrics_start(struct event_base *base, const char *listen, metrics_fn fn,
			      void *arg);
void metrics_stop(struct metrics *m);

#endif
