// SPDX-License-Identifier: MIT
/* test_ctl.c - unit tests for the control socket: requests, errors, limits, timeouts, JSON. */
#include <check.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"

/* What the test handler saw. */
struct hstate {
	int calls;
	int argc;
	char argv0[64];
	size_t lastlen;          /* length of the last word */
};

/* One blocking client run in a thread while the test drives the loop. */
struct client {
	const char *path;
	const char *req;
	size_t reqlen;
	size_t split;            /* >0: send req[0..split) first, then the rest 50 ms later */
	char reply[4096];
	size_t n;
	int eof;                 /* the server closed the connection */
	int err;                 /* errno of a failed connect/send/recv, else 0 */
	double secs;             /* from connect to close */
	atomic_int done;
};

static char tmpdir[48];
static char sockpath[100];
static struct event_base *base;
static struct ctl *ctl;
static struct hstate hs;

static double now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int handler(void *arg, int argc, char **argv, struct evbuffer *out)
{
	struct hstate *h = arg;

	h->calls++;
	h->argc = argc;
	snprintf(h->argv0, sizeof(h->argv0), "%s", argv[0]);
	h->lastlen = strlen(argv[argc - 1]);
	if (strcmp(argv[0], "fail") == 0) {
		evbuffer_add_printf(out, "failed: \"%s\"\\", argc > 1 ? argv[1] : "");
		return -1;
	}
	if (strcmp(argv[0], "longfail") == 0) {
		for (int i = 0; i < 300; i++)
			evbuffer_add(out, "x", 1);
		return -1;
	}
	evbuffer_add_printf(out, "{\"argc\": %d, \"first\": ", argc);
	ctl_json_str(out, argv[0]);
	evbuffer_add_printf(out, "}");
	return 0;
}

static void *client_run(void *arg)
{
	struct client *c = arg;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 9 };
	double t0 = now_secs();
	ssize_t r;
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", c->path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		c->err = errno;
		goto out;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		c->err = errno;
		goto out_close;
	}
	t0 = now_secs();
	if (c->split && c->split < c->reqlen) {
		if (send(fd, c->req, c->split, MSG_NOSIGNAL) != (ssize_t)c->split) {
			c->err = errno;
			goto out_close;
		}
		usleep(50000);
	}
	if (c->reqlen > c->split) {
		size_t left = c->reqlen - c->split;

		/* The server may close early on a too-long request: EPIPE is not an error here. */
		r = send(fd, c->req + c->split, left, MSG_NOSIGNAL);
		if (r < 0 && errno != EPIPE && errno != ECONNRESET) {
			c->err = errno;
			goto out_close;
		}
	}
	while (c->n < sizeof(c->reply) - 1) {
		r = recv(fd, c->reply + c->n, sizeof(c->reply) - 1 - c->n, 0);
		if (r > 0) {
			c->n += (size_t)r;
			continue;
		}
		/* A close with our unread request bytes pending shows as ECONNRESET. */
		if (r == 0 || errno == ECONNRESET)
			c->eof = 1;
		else
			c->err = errno;
		break;
	}
	c->reply[c->n] = 0;
	c->secs = now_secs() - t0;
out_close:
	close(fd);
out:
	atomic_store(&c->done, 1);
	return NULL;
}

/* Run the clients in threads while the loop serves them; at most max_ms. */
static void run_clients(struct client *cs, int n, int max_ms)
{
	pthread_t th[4];
	struct timeval tick = { .tv_usec = 10000 };

	ck_assert_int_le(n, 4);
	for (int i = 0; i < n; i++) {
		if (!cs[i].path)
			cs[i].path = sockpath;
		ck_assert_int_eq(pthread_create(&th[i], NULL, client_run, &cs[i]), 0);
	}
	for (int t = 0; t < max_ms / 10; t++) {
		int all = 1;

		for (int i = 0; i < n; i++)
			all &= atomic_load(&cs[i].done);
		if (all)
			break;
		event_base_loopexit(base, &tick);
		event_base_dispatch(base);
	}
	/* The clients' own 9 s socket timeouts bound the joins. */
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	/* Let the server finish closing its side. */
	for (int t = 0; t < 5; t++)
		event_base_loop(base, EVLOOP_NONBLOCK);
}

/* One request on a fresh connection; the reply is in c. */
static void request(struct client *c, const char *req, size_t len)
{
	memset(c, 0, sizeof(*c));
	c->req = req;
	c->reqlen = len;
	run_clients(c, 1, 5000);
	ck_assert_msg(c->err == 0, "client error %s", strerror(c->err));
	ck_assert_msg(c->eof, "server did not close after its reply");
}

/*
 * The directory is made and removed by the parent process around the test
 * case (an unchecked fixture), so a failed test, whose process ends at once,
 * leaves nothing behind.
 */
static void make_tmpdir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/spat-ctl-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(sockpath, sizeof(sockpath), "%s/ctl.sock", tmpdir);
}

static void remove_tmpdir(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/precious.yaml", tmpdir);
	unlink(path);
	unlink(sockpath);
	rmdir(tmpdir);
}

static void setup(void)
{
	memset(&hs, 0, sizeof(hs));
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	ctl = ctl_open(base, sockpath, handler, &hs);
	ck_assert_ptr_nonnull(ctl);
}

static void teardown(void)
{
	ctl_close(ctl);
	ctl = NULL;
	event_base_free(base);
	base = NULL;
}

START_TEST(socket_file)
{
	struct stat st;

	ck_assert_int_eq(stat(sockpath, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	/*
	 * Root-only: no group or other bits.  ctl.h and README say "mode 0600";
	 * umask(0077) actually gives 0700 (x is meaningless on a socket).
	 */
	ck_assert_uint_eq(st.st_mode & 0077, 0);
	ck_assert_uint_eq(st.st_mode & 0600, 0600);
	ctl_close(ctl);
	ctl = NULL;
	ck_assert_int_eq(stat(sockpath, &st), -1);
	ck_assert_int_eq(errno, ENOENT);
	ctl_close(NULL);
}
END_TEST

START_TEST(normal_request)
{
	struct client c;
	static const char req[] = "hello world\n";

	request(&c, req, strlen(req));
	ck_assert_str_eq(c.reply, "{\"argc\": 2, \"first\": \"hello\"}\n");
	ck_assert_int_eq(hs.calls, 1);
	ck_assert_int_eq(hs.argc, 2);
	ck_assert_str_eq(hs.argv0, "hello");

	/* Tabs, repeated blanks and CRLF only separate words. */
	request(&c, " \tconntrack   vni=100\r\n", 23);
	ck_assert_str_eq(c.reply, "{\"argc\": 2, \"first\": \"conntrack\"}\n");
	ck_assert_int_eq(hs.calls, 2);
	ck_assert_uint_eq(hs.lastlen, strlen("vni=100"));
}
END_TEST

/* A line that arrives in two pieces is served once it is complete. */
START_TEST(split_request)
{
	struct client c;
	static const char req[] = "stats now\n";

	memset(&c, 0, sizeof(c));
	c.req = req;
	c.reqlen = strlen(req);
	c.split = 3;
	run_clients(&c, 1, 5000);
	ck_assert_int_eq(c.err, 0);
	ck_assert_int_eq(c.eof, 1);
	ck_assert_str_eq(c.reply, "{\"argc\": 2, \"first\": \"stats\"}\n");
	ck_assert_int_eq(hs.calls, 1);
}
END_TEST

/* One request per connection: a second line gets no reply. */
START_TEST(one_request_per_connection)
{
	struct client c;
	static const char req[] = "first\nsecond\n";

	request(&c, req, strlen(req));
	ck_assert_str_eq(c.reply, "{\"argc\": 1, \"first\": \"first\"}\n");
	ck_assert_int_eq(hs.calls, 1);
}
END_TEST

START_TEST(handler_error)
{
	struct client c;
	static const char req[] = "fail it\n";

	request(&c, req, strlen(req));
	/* Plain-text message wrapped and escaped as a JSON string. */
	ck_assert_str_eq(c.reply, "{\"error\": \"failed: \\\"it\\\"\\\\\"}\n");
	ck_assert_int_eq(hs.calls, 1);
}
END_TEST

/* A long handler error is cut to 255 bytes, still valid JSON. */
START_TEST(handler_long_error)
{
	struct client c;
	static const char req[] = "longfail\n";
	char want[400];
	int n;

	request(&c, req, strlen(req));
	n = snprintf(want, sizeof(want), "{\"error\": \"");
	memset(want + n, 'x', 255);
	snprintf(want + n + 255, sizeof(want) - (size_t)n - 255, "\"}\n");
	ck_assert_str_eq(c.reply, want);
}
END_TEST

START_TEST(empty_request)
{
	struct client c;

	request(&c, "\n", 1);
	ck_assert_str_eq(c.reply, "{\"error\": \"empty request\"}\n");
	request(&c, " \t \r\n", 5);
	ck_assert_str_eq(c.reply, "{\"error\": \"empty request\"}\n");
	ck_assert_int_eq(hs.calls, 0);
}
END_TEST

START_TEST(max_args)
{
	struct client c;
	static const char ok[] = "a b c d e f g h i j k l m n o p\n";
	static const char bad[] = "a b c d e f g h i j k l m n o p q\n";

	request(&c, ok, strlen(ok));
	ck_assert_str_eq(c.reply, "{\"argc\": 16, \"first\": \"a\"}\n");
	ck_assert_int_eq(hs.argc, CTL_MAX_ARGS);
	request(&c, bad, strlen(bad));
	ck_assert_str_eq(c.reply, "{\"error\": \"too many words in request\"}\n");
	ck_assert_int_eq(hs.calls, 1);
}
END_TEST

START_TEST(max_line)
{
	struct client c;
	static char req[3 * CTL_MAX_LINE];
	static char want[CTL_MAX_LINE + 64];
	int n;

	/* Exactly CTL_MAX_LINE bytes before the LF: served. */
	memset(req, 'w', CTL_MAX_LINE);
	req[CTL_MAX_LINE] = '\n';
	request(&c, req, CTL_MAX_LINE + 1);
	n = snprintf(want, sizeof(want), "{\"argc\": 1, \"first\": \"");
	memset(want + n, 'w', CTL_MAX_LINE);
	snprintf(want + n + CTL_MAX_LINE, sizeof(want) - (size_t)n - CTL_MAX_LINE, "\"}\n");
	ck_assert_str_eq(c.reply, want);
	ck_assert_int_eq(hs.calls, 1);
	ck_assert_uint_eq(hs.lastlen, CTL_MAX_LINE);

	/* One more byte: refused. */
	memset(req, 'w', CTL_MAX_LINE + 1);
	req[CTL_MAX_LINE + 1] = '\n';
	request(&c, req, CTL_MAX_LINE + 2);
	ck_assert_str_eq(c.reply, "{\"error\": \"request too long\"}\n");

	/* Far too long, with no LF at all: refused without waiting for one. */
	memset(req, 'w', sizeof(req));
	request(&c, req, sizeof(req));
	ck_assert_str_eq(c.reply, "{\"error\": \"request too long\"}\n");
	ck_assert_int_eq(hs.calls, 1);
}
END_TEST

START_TEST(nul_in_request)
{
	struct client c;
	static const char req[] = "sta\0ts\n";

	request(&c, req, sizeof(req) - 1);
	ck_assert_str_eq(c.reply, "{\"error\": \"NUL in request\"}\n");
	request(&c, "\0\n", 2);
	ck_assert_str_eq(c.reply, "{\"error\": \"NUL in request\"}\n");
	ck_assert_int_eq(hs.calls, 0);
}
END_TEST

/* Several clients at once are all served. */
START_TEST(concurrent)
{
	struct client c[4];
	static const char *const reqs[4] = { "one\n", "two 2\n", "\n", "fail x\n" };
	static const char *const want[4] = {
		"{\"argc\": 1, \"first\": \"one\"}\n", "{\"argc\": 2, \"first\": \"two\"}\n",
		"{\"error\": \"empty request\"}\n", "{\"error\": \"failed: \\\"x\\\"\\\\\"}\n",
	};

	memset(c, 0, sizeof(c));
	for (int i = 0; i < 4; i++) {
		c[i].req = reqs[i];
		c[i].reqlen = strlen(reqs[i]);
	}
	run_clients(c, 4, 5000);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(c[i].err, 0);
		ck_assert_int_eq(c[i].eof, 1);
		ck_assert_str_eq(c[i].reply, want[i]);
	}
	ck_assert_int_eq(hs.calls, 3);
}
END_TEST

/* A client that sends nothing, or half a line, is dropped after the 5 s idle timeout. */
START_TEST(idle_timeout)
{
	struct client c[2];

	memset(c, 0, sizeof(c));
	c[1].req = "stat";
	c[1].reqlen = 4;
	run_clients(c, 2, 8000);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(c[i].err, 0);
		ck_assert_int_eq(c[i].eof, 1);
		ck_assert_uint_eq(c[i].n, 0);
		ck_assert_msg(c[i].secs > 4.0 && c[i].secs < 7.5, "closed after %.2f s", c[i].secs);
	}
	ck_assert_int_eq(hs.calls, 0);
}
END_TEST

/* A leftover socket file from a dead daemon is replaced. */
START_TEST(stale_socket)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ctl *c2;
	struct client c;
	int fd;

	ctl_close(ctl);
	ctl = NULL;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sockpath);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	ck_assert_int_eq(access(sockpath, F_OK), 0);
	c2 = ctl_open(base, sockpath, handler, &hs);
	ck_assert_ptr_nonnull(c2);
	ctl = c2;
	request(&c, "ping\n", 5);
	ck_assert_str_eq(c.reply, "{\"argc\": 1, \"first\": \"ping\"}\n");
}
END_TEST

/*
 * A client that hangs up before its reply is written costs nothing; the next
 * one is served.  SIGPIPE is ignored here as svc_start() does for the
 * daemons: ctl itself writes with plain writev(), so without that the
 * process would die of SIGPIPE (ctl.h does not say so).
 */
START_TEST(client_hangs_up)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tick = { .tv_usec = 10000 };
	struct client c;
	int fd;

	signal(SIGPIPE, SIG_IGN);
	memcpy(sun.sun_path, sockpath, strlen(sockpath) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_eq(send(fd, "hello\n", 6, MSG_NOSIGNAL), 6);
	close(fd);
	for (int t = 0; t < 10; t++) {
		event_base_loopexit(base, &tick);
		event_base_dispatch(base);
	}
	ck_assert_int_eq(hs.calls, 1);
	request(&c, "again\n", 6);
	ck_assert_str_eq(c.reply, "{\"argc\": 1, \"first\": \"again\"}\n");
	ck_assert_int_eq(hs.calls, 2);
}
END_TEST

/*
 * Only a stale *socket* is replaced (ctl.h).  BUG (common/ctl.c ctl_open(),
 * the unconditional "(void)unlink(path);"): any file at path is deleted, so
 * a mistyped control path (say, the config file's) destroys that file.
 * These assertions fail until ctl_open() refuses to unlink a non-socket.
 */
START_TEST(no_clobber_regular_file)
{
	char path[128];
	struct stat st;
	struct ctl *c2;
	FILE *f;

	snprintf(path, sizeof(path), "%s/precious.yaml", tmpdir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("keep: me\n", f);
	fclose(f);
	c2 = ctl_open(base, path, handler, &hs);
	ck_assert_int_eq(stat(path, &st), 0);
	if (c2)
		ctl_close(c2);
	else
		unlink(path);
	ck_assert_msg(c2 == NULL, "ctl_open() replaced a regular file with its socket");
	ck_assert_msg(S_ISREG(st.st_mode), "ctl_open() replaced a regular file with its socket");
}
END_TEST

START_TEST(open_errors)
{
	char longpath[200];

	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = 0;
	errno = 0;
	ck_assert_ptr_null(ctl_open(base, longpath, handler, &hs));
	ck_assert_int_eq(errno, ENAMETOOLONG);

	snprintf(longpath, sizeof(longpath), "%s/no/such/dir/ctl.sock", tmpdir);
	errno = 0;
	ck_assert_ptr_null(ctl_open(base, longpath, handler, &hs));
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

/* The JSON string of s. */
static void json_is(const char *s, const char *want)
{
	struct evbuffer *b = evbuffer_new();
	char got[256];
	size_t n;

	ck_assert_ptr_nonnull(b);
	ctl_json_str(b, s);
	n = evbuffer_get_length(b);
	ck_assert_uint_lt(n, sizeof(got));
	evbuffer_remove(b, got, n);
	got[n] = 0;
	ck_assert_str_eq(got, want);
	evbuffer_free(b);
}

START_TEST(json_str)
{
	json_is("", "\"\"");
	json_is("plain text 1.2.3", "\"plain text 1.2.3\"");
	json_is("say \"hi\"", "\"say \\\"hi\\\"\"");
	json_is("C:\\dir\\", "\"C:\\\\dir\\\\\"");
	json_is("a\nb\tc\rd", "\"a\\u000ab\\u0009c\\u000dd\"");
	json_is("\x01\x1f\x20\x7f", "\"\\u0001\\u001f \x7f\"");
	/* UTF-8 bytes pass unchanged. */
	json_is("caf\xc3\xa9", "\"caf\xc3\xa9\"");
	json_is("\"\\\"", "\"\\\"\\\\\\\"\"");
}
END_TEST

static Suite *ctl_suite(void)
{
	Suite *s = suite_create("ctl");
	TCase *tc = tcase_create("core");
	TCase *slow = tcase_create("slow");
	TCase *pure = tcase_create("json");

	tcase_add_unchecked_fixture(tc, make_tmpdir, remove_tmpdir);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, socket_file);
	tcase_add_test(tc, normal_request);
	tcase_add_test(tc, split_request);
	tcase_add_test(tc, one_request_per_connection);
	tcase_add_test(tc, handler_error);
	tcase_add_test(tc, handler_long_error);
	tcase_add_test(tc, empty_request);
	tcase_add_test(tc, max_args);
	tcase_add_test(tc, max_line);
	tcase_add_test(tc, nul_in_request);
	tcase_add_test(tc, concurrent);
	tcase_add_test(tc, stale_socket);
	tcase_add_test(tc, client_hangs_up);
	tcase_add_test(tc, no_clobber_regular_file);
	tcase_add_test(tc, open_errors);
	suite_add_tcase(s, tc);

	tcase_add_unchecked_fixture(slow, make_tmpdir, remove_tmpdir);
	tcase_add_checked_fixture(slow, setup, teardown);
	tcase_set_timeout(slow, 30);
	tcase_add_test(slow, idle_timeout);
	suite_add_tcase(s, slow);

	tcase_add_test(pure, json_str);
	suite_add_tcase(s, pure);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ctl_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
