// SPDX-License-Identifier: MIT
/* test_metrics.c - unit tests for the /metrics HTTP endpoint: replies, 404s, bad addresses. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "metrics.h"

#define BODY "# HELP t_up Up.\n# TYPE t_up counter\nt_up 1\n"

/* One blocking HTTP client in a thread while the test drives the loop. */
struct client {
	uint16_t port;
	const char *req;
	char reply[8192];
	size_t n;
	int eof;
	int err;
	atomic_int done;
};

static struct event_base *base;
static struct metrics *m;
static uint16_t port;
static int calls;

static void fill(void *arg, struct evbuffer *out)
{
	ck_assert_ptr_eq(arg, &calls);
	calls++;
	evbuffer_add_printf(out, BODY);
}

static void *client_run(void *arg)
{
	struct client *c = arg;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = 5 };
	size_t len = strlen(c->req), off = 0;
	ssize_t r;
	int fd;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(c->port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		c->err = errno;
		goto out;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		c->err = errno;
		goto out_close;
	}
	while (off < len) {
		r = send(fd, c->req + off, len - off, MSG_NOSIGNAL);
		if (r <= 0) {
			c->err = errno;
			goto out_close;
		}
		off += (size_t)r;
	}
	while (c->n < sizeof(c->reply) - 1) {
		r = recv(fd, c->reply + c->n, sizeof(c->reply) - 1 - c->n, 0);
		if (r > 0) {
			c->n += (size_t)r;
			continue;
		}
		if (r == 0 || errno == ECONNRESET)
			c->eof = 1;
		else
			c->err = errno;
		break;
	}
out_close:
	close(fd);
out:
	c->reply[c->n] = 0;
	atomic_store(&c->done, 1);
	return NULL;
}

/* Send req to the server on port while the loop runs (5 s at most). */
static void http(struct client *c, const char *req)
{
	struct timeval tick = { .tv_usec = 10000 };
	pthread_t th;

	memset(c, 0, sizeof(*c));
	c->port = port;
	c->req = req;
	ck_assert_int_eq(pthread_create(&th, NULL, client_run, c), 0);
	for (int t = 0; t < 500 && !atomic_load(&c->done); t++) {
		event_base_loopexit(base, &tick);
		event_base_dispatch(base);
	}
	pthread_join(th, NULL);   /* bounded by the client's 5 s socket timeouts */
	ck_assert_msg(c->err == 0, "client: %s", strerror(c->err));
	ck_assert_msg(c->eof, "server did not close the connection");
}

/* The body after the header block, or NULL. */
static const char *body(const struct client *c)
{
	const char *p = strstr(c->reply, "\r\n\r\n");

	return p ? p + 4 : NULL;
}

/* The status code of the reply's status line, or -1. */
static int status(const struct client *c)
{
	int major, minor, code;

	if (sscanf(c->reply, "HTTP/%d.%d %d ", &major, &minor, &code) != 3 || major != 1)
		return -1;
	return code;
}

static void setup(void)
{
	char listen[32];

	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	srand((unsigned)getpid() ^ (unsigned)time(NULL));
	calls = 0;
	m = NULL;
	for (int i = 0; i < 50 && !m; i++) {
		port = (uint16_t)(20000 + rand() % 40001);
		snprintf(listen, sizeof(listen), "127.0.0.1:%u", port);
		m = metrics_start(base, listen, fill, &calls);
	}
	ck_assert_ptr_nonnull(m);
}

static void teardown(void)
{
	metrics_stop(m);
	event_base_free(base);
}

START_TEST(get_metrics)
{
	struct client c;
	const char *b;
	char clen[64];

	http(&c, "GET /metrics HTTP/1.0\r\n\r\n");
	ck_assert_msg(status(&c) == 200, "reply: %s", c.reply);
	ck_assert_ptr_nonnull(strcasestr(c.reply, "\r\nContent-Type: text/plain; "
					 "version=0.0.4; charset=utf-8\r\n"));
	b = body(&c);
	ck_assert_ptr_nonnull(b);
	ck_assert_str_eq(b, BODY);
	ck_assert_int_eq(calls, 1);

	/* Every scrape calls the callback afresh; a query string is allowed. */
	http(&c, "GET /metrics?name=x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
	ck_assert_int_eq(status(&c), 200);
	ck_assert_str_eq(body(&c), BODY);
	snprintf(clen, sizeof(clen), "\r\nContent-Length: %zu\r\n", strlen(BODY));
	ck_assert_msg(strcasestr(c.reply, clen) != NULL, "reply: %s", c.reply);
	ck_assert_int_eq(calls, 2);
}
END_TEST

START_TEST(not_found)
{
	static const char *const reqs[] = {
		"GET /other HTTP/1.0\r\n\r\n",
		"GET / HTTP/1.0\r\n\r\n",
		"GET /metricsx HTTP/1.0\r\n\r\n",
		"GET /metrics/ HTTP/1.0\r\n\r\n",
		"GET /Metrics HTTP/1.0\r\n\r\n",
		"GET /metric HTTP/1.0\r\n\r\n",
	};
	struct client c;

	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		http(&c, reqs[i]);
		ck_assert_msg(status(&c) == 404, "%s -> %s", reqs[i], c.reply);
	}
	ck_assert_int_eq(calls, 0);
}
END_TEST

/* Only GET: libevent refuses other methods (501) before the callback. */
START_TEST(bad_method)
{
	struct client c;

	http(&c, "POST /metrics HTTP/1.0\r\nContent-Length: 0\r\n\r\n");
	ck_assert_msg(status(&c) == 501, "reply: %s", c.reply);
	http(&c, "PUT /metrics HTTP/1.0\r\nContent-Length: 0\r\n\r\n");
	ck_assert_msg(status(&c) == 501, "reply: %s", c.reply);
	ck_assert_int_eq(calls, 0);
	ck_assert_ptr_null(strstr(c.reply, "t_up"));
}
END_TEST

/* metrics_stop() closes the listener. */
START_TEST(stop_closes)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd;

	metrics_stop(m);
	m = NULL;
	metrics_stop(NULL);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), -1);
	ck_assert_int_eq(errno, ECONNREFUSED);
	close(fd);
}
END_TEST

/* A port in use: NULL. */
START_TEST(bind_failure)
{
	char listen[32];

	snprintf(listen, sizeof(listen), "127.0.0.1:%u", port);
	ck_assert_ptr_null(metrics_start(base, listen, fill, &calls));
}
END_TEST

static const char *const bad_listen[] = {
	"nonsense", "127.0.0.1", "127.0.0.1:0", "300.1.1.1:80", "", ":9750",
	"127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:80x", "localhost:9750",
	"127.0.0.1:9750:1", " 127.0.0.1:9750",
};

START_TEST(bad_listen_strings)
{
	struct event_base *b = event_base_new();

	ck_assert_ptr_nonnull(b);
	ck_assert_msg(metrics_start(b, bad_listen[_i], fill, &calls) == NULL, "accepted '%s'",
		      bad_listen[_i]);
	event_base_free(b);
}
END_TEST

static Suite *metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("http");
	TCase *bad = tcase_create("listen");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, get_metrics);
	tcase_add_test(tc, not_found);
	tcase_add_test(tc, bad_method);
	tcase_add_test(tc, stop_closes);
	tcase_add_test(tc, bind_failure);
	suite_add_tcase(s, tc);

	tcase_add_loop_test(bad, bad_listen_strings, 0,
			    (int)(sizeof(bad_listen) / sizeof(bad_listen[0])));
	suite_add_tcase(s, bad);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(metrics_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
