// SPDX-License-Identifier: MIT
/* metrics.c - serve /metrics in Prometheus text format with evhttp. */
#include <event2/buffer.h>
#include <event2/http.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "metrics.h"

struct metrics {
	struct evhttp *http;
	metrics_fn fn;
	void *arg;
};

static void metrics_serve(struct evhttp_request *req, void *arg)
{
	struct metrics *m = arg;
	struct evbuffer *out = evhttp_request_get_output_buffer(req);
	const char *uri = evhttp_request_get_uri(req);

	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET ||
	    strncmp(uri, "/metrics", 8) != 0 || (uri[8] && uri[8] != '?')) {
		evhttp_send_error(req, HTTP_NOTFOUND, NULL);
		return;
	}
	m->fn(m->arg, out);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
			  "text/plain; version=0.0.4; charset=utf-8");
	evhttp_send_reply(req, HTTP_OK, "OK", NULL);
}

/* metrics_start() - serve GET /metrics on "addr:port". */
struct metrics *metrics_start(struct event_base *base, const char *listen, metrics_fn fn,
			      void *arg)
{
	char host[ADDR_STRLEN];
	struct metrics *m;
	uint32_t addr;
	uint16_t port;

	if (addr_parse_ip4_port(listen, &addr, &port) < 0)
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->fn = fn;
	m->arg = arg;
	m->http = evhttp_new(base);
	if (!m->http || evhttp_bind_socket(m->http, addr_fmt_ip4(addr, host), port) < 0) {
		metrics_stop(m);
		return NULL;
	}
	evhttp_set_allowed_methods(m->http, EVHTTP_REQ_GET);
	evhttp_set_max_headers_size(m->http, 8192);
	evhttp_set_max_body_size(m->http, 0);
	evhttp_set_timeout(m->http, 10);
	evhttp_set_gencb(m->http, metrics_serve, m);
	return m;
}

/* metrics_stop() - close the listener. */
void metrics_stop(struct metrics *m)
{
	if (!m)
		return;
	if (m->http)
		evhttp_free(m->http);
	free(m);
}
