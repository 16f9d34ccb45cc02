// SPDX-License-Identifier: MIT
/* test_svc.c - unit tests for the daemon plumbing: options, clock, signals, control, metrics. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <fcntl.h>
#include <netinet/in.h>
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

#include "log.h"
#include "svc.h"

/* What the hooks saw. */
struct seen {
	int reload, stop, request, metrics;
	int argc;
};

/* One blocking control client in a thread while the test drives the loop. */
struct client {
	const char *req;
	char reply[1024];
	size_t n;
	int eof;
	int err;
	atomic_int done;
};

static char tmpdir[48];
static char sockpath[100];
static struct event_base *base;
static struct seen seen;

static void on_reload(void *arg)
{
	ck_assert_ptr_eq(arg, &seen);
	seen.reload++;
}

static void on_stop(void *arg)
{
	ck_assert_ptr_eq(arg, &seen);
	seen.stop++;
}

static int on_request(void *arg, int argc, char **argv, struct evbuffer *out)
{
	ck_assert_ptr_eq(arg, &seen);
	seen.request++;
	seen.argc = argc;
	if (strcmp(argv[0], "stats") != 0) {
		evbuffer_add_printf(out, "unknown request");
		return -1;
	}
	evbuffer_add_printf(out, "{\"stats\": %d}", argc);
	return 0;
}

static void on_metrics(void *arg, struct evbuffer *out)
{
	seen.metrics++;
	evbuffer_add_printf(out, "t_up 1\n");
}

static const struct svc_hooks hooks = {
	.reload = on_reload, .stop = on_stop, .request = on_request, .metrics = on_metrics,
	.arg = &seen,
};

/*
 * The directory is made and removed by the parent process around the test
 * case (an unchecked fixture), so a failed test, whose process ends at once,
 * leaves nothing behind.
 */
static void make_tmpdir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/spat-svc-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	/* A directory svc_start() must create itself. */
	snprintf(sockpath, sizeof(sockpath), "%s/run/ctl.sock", tmpdir);
}

static void remove_tmpdir(void)
{
	char dir[80];

	unlink(sockpath);
	snprintf(dir, sizeof(dir), "%s/run", tmpdir);
	rmdir(dir);
	rmdir(tmpdir);
}

static void setup(void)
{
	memset(&seen, 0, sizeof(seen));
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
}

static void teardown(void)
{
	event_base_free(base);
}

static void *client_run(void *arg)
{
	struct client *c = arg;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 5 };
	ssize_t r;
	int fd;

	memcpy(sun.sun_path, sockpath, strlen(sockpath) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		c->err = errno;
		goto out;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    send(fd, c->req, strlen(c->req), MSG_NOSIGNAL) != (ssize_t)strlen(c->req)) {
		c->err = errno;
		goto out_close;
	}
	while (c->n < sizeof(c->reply) - 1) {
		r = recv(fd, c->reply + c->n, sizeof(c->reply) - 1 - c->n, 0);
		if (r > 0) {
			c->n += (size_t)r;
			continue;
		}
		if (r == 0)
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

/* One control request while the loop runs (5 s at most). */
static void request(struct client *c, const char *req)
{
	struct timeval tick = { .tv_usec = 10000 };
	pthread_t th;

	memset(c, 0, sizeof(*c));
	c->req = req;
	ck_assert_int_eq(pthread_create(&th, NULL, client_run, c), 0);
	for (int t = 0; t < 500 && !atomic_load(&c->done); t++) {
		event_base_loopexit(base, &tick);
		event_base_dispatch(base);
	}
	pthread_join(th, NULL);   /* bounded by the client's socket timeouts */
	ck_assert_msg(c->err == 0, "client: %s", strerror(c->err));
	ck_assert_int_eq(c->eof, 1);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	event_base_loopbreak(base);
}

/*
 * Run the loop until it is told to exit or ms pass; the time limit breaks
 * the loop (event_base_got_break()), svc's own stop exits it
 * (event_base_got_exit()).
 */
static void run_for(int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
	struct event *t = evtimer_new(base, on_timer, NULL);

	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(evtimer_add(t, &tv), 0);
	event_base_dispatch(base);
	event_free(t);
}

START_TEST(now_monotonic)
{
	struct timespec ts;
	unsigned prev = svc_now(), t;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ck_assert_uint_le(prev, (unsigned)ts.tv_sec);
	ck_assert_uint_ge(prev + 1, (unsigned)ts.tv_sec);
	for (int i = 0; i < 100000; i++) {
		t = svc_now();
		ck_assert_uint_ge(t, prev);
		prev = t;
	}
	usleep(1100000);
	t = svc_now();
	ck_assert_uint_ge(t, prev + 1);
	ck_assert_uint_le(t, prev + 3);
}
END_TEST

START_TEST(parse_all)
{
	char *argv[] = {
		(char *)"prog", (char *)"-c", (char *)"conf.yaml", (char *)"-s",
		(char *)"/run/x.sock", (char *)"-n", (char *)"-v", (char *)"-d", NULL,
	};
	struct svc_opts o;

	optind = 1;
	svc_parse_args(8, argv, "prog", &o);
	ck_assert_str_eq(o.conf, "conf.yaml");
	ck_assert_str_eq(o.sock, "/run/x.sock");
	ck_assert(o.check);
	ck_assert(o.verbose);
	ck_assert(o.debug);
	ck_assert(log_enabled(LOG_LVL_DEBUG));
}
END_TEST

START_TEST(parse_minimal)
{
	char *argv[] = { (char *)"prog", (char *)"-cconf.yaml", NULL };
	struct svc_opts o;

	memset(&o, 0xff, sizeof(o));
	optind = 1;
	svc_parse_args(2, argv, "prog", &o);
	ck_assert_str_eq(o.conf, "conf.yaml");
	ck_assert_ptr_null(o.sock);
	ck_assert(!o.check);
	ck_assert(!o.verbose);
	ck_assert(!o.debug);
	ck_assert(log_enabled(LOG_LVL_INFO));
	ck_assert(!log_enabled(LOG_LVL_DEBUG));
}
END_TEST

/* Bad command lines exit 2 (an exit test: the process must exit with that code). */
static char *const bad_args[][4] = {
	{ (char *)"prog", NULL },                                          /* no -c */
	{ (char *)"prog", (char *)"-n", NULL },
	{ (char *)"prog", (char *)"-c", NULL },                            /* -c without FILE */
	{ (char *)"prog", (char *)"-c", (char *)"f", (char *)"-x" },       /* unknown option */
	{ (char *)"prog", (char *)"-c", (char *)"f", (char *)"extra" },    /* operand */
};

static void quiet(void)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	close(fd);
}

START_TEST(parse_bad)
{
	char *argv[5] = { NULL };
	struct svc_opts o;
	int argc = 0;

	while (argc < 4 && bad_args[_i][argc]) {
		argv[argc] = bad_args[_i][argc];
		argc++;
	}
	quiet();
	optind = 1;
	svc_parse_args(argc, argv, "prog", &o);
	ck_abort_msg("bad command line %d accepted", _i);
}
END_TEST

START_TEST(parse_help)
{
	char *argv[] = { (char *)"prog", (char *)"-h", NULL };
	struct svc_opts o;

	quiet();
	optind = 1;
	svc_parse_args(2, argv, "prog", &o);
	ck_abort_msg("-h returned");
}
END_TEST

START_TEST(start_stop_empty)
{
	struct sigaction sa;
	struct svc *s;

	s = svc_start(base, "", "", &hooks);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(sigaction(SIGPIPE, NULL, &sa), 0);
	ck_assert_ptr_eq(sa.sa_handler, SIG_IGN);
	run_for(20);
	svc_stop(s);
	s = svc_start(base, NULL, NULL, &hooks);
	ck_assert_ptr_nonnull(s);
	svc_stop(s);
	svc_stop(NULL);
	ck_assert_int_eq(seen.reload + seen.stop + seen.request + seen.metrics, 0);
}
END_TEST

START_TEST(control_requests)
{
	struct client c;
	struct stat st;
	struct svc *s;

	s = svc_start(base, sockpath, "", &hooks);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(stat(sockpath, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));

	request(&c, "reload\n");
	ck_assert_str_eq(c.reply, "{\"reload\": \"requested\"}\n");
	ck_assert_int_eq(seen.reload, 1);
	ck_assert_int_eq(seen.request, 0);

	request(&c, "reload now\n");
	ck_assert_str_eq(c.reply, "{\"error\": \"reload takes no arguments\"}\n");
	ck_assert_int_eq(seen.reload, 1);

	/* Anything else goes to the daemon's handler. */
	request(&c, "stats all\n");
	ck_assert_str_eq(c.reply, "{\"stats\": 2}\n");
	ck_assert_int_eq(seen.request, 1);
	request(&c, "reloads\n");
	ck_assert_str_eq(c.reply, "{\"error\": \"unknown request\"}\n");
	ck_assert_int_eq(seen.request, 2);
	ck_assert_int_eq(seen.reload, 1);

	svc_stop(s);
	ck_assert_int_eq(stat(sockpath, &st), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(seen.stop, 0);
}
END_TEST

START_TEST(signals)
{
	struct svc *s = svc_start(base, "", "", &hooks);

	ck_assert_ptr_nonnull(s);
	quiet();
	ck_assert_int_eq(raise(SIGHUP), 0);
	run_for(200);
	ck_assert_int_eq(seen.reload, 1);
	ck_assert_int_eq(seen.stop, 0);
	ck_assert(!event_base_got_exit(base));
	ck_assert(event_base_got_break(base));

	/* SIGTERM: the stop hook, then the loop exits well before its 3 s limit. */
	ck_assert_int_eq(raise(SIGTERM), 0);
	run_for(3000);
	ck_assert_int_eq(seen.stop, 1);
	ck_assert(event_base_got_exit(base));
	ck_assert(!event_base_got_break(base));
	ck_assert_int_eq(seen.reload, 1);
	svc_stop(s);
}
END_TEST

START_TEST(sigint_stops)
{
	struct svc *s = svc_start(base, "", "", &hooks);

	ck_assert_ptr_nonnull(s);
	quiet();
	ck_assert_int_eq(raise(SIGINT), 0);
	run_for(3000);
	ck_assert_int_eq(seen.stop, 1);
	ck_assert(event_base_got_exit(base));
	ck_assert(!event_base_got_break(base));
	svc_stop(s);
}
END_TEST

/* A good metrics address is listened on; a bad one fails the whole start. */
START_TEST(metrics_addr)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	char listen[32];
	struct svc *s = NULL;
	struct stat st;
	uint16_t port = 0;
	int fd;

	srand((unsigned)getpid() ^ (unsigned)time(NULL));
	for (int i = 0; i < 50 && !s; i++) {
		port = (uint16_t)(20000 + rand() % 40001);
		snprintf(listen, sizeof(listen), "127.0.0.1:%u", port);
		s = svc_start(base, "", listen, &hooks);
	}
	ck_assert_ptr_nonnull(s);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(port);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	close(fd);
	svc_stop(s);

	quiet();
	ck_assert_ptr_null(svc_start(base, "", "nonsense", &hooks));
	ck_assert_ptr_null(svc_start(base, "", "127.0.0.1:0", &hooks));
	/* With a control socket: it is removed again when metrics fail. */
	ck_assert_ptr_null(svc_start(base, sockpath, "300.1.1.1:80", &hooks));
	ck_assert_int_eq(stat(sockpath, &st), -1);
	/* And the signals are released: a fresh start works. */
	s = svc_start(base, sockpath, "", &hooks);
	ck_assert_ptr_nonnull(s);
	svc_stop(s);
}
END_TEST

START_TEST(bad_control_path)
{
	char path[256];

	quiet();
	ck_assert_ptr_null(svc_start(base, "/dev/null/ctl.sock", "", &hooks));
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = 0;
	ck_assert_ptr_null(svc_start(base, path, "", &hooks));
}
END_TEST

static Suite *svc_suite(void)
{
	Suite *s = suite_create("svc");
	TCase *pure = tcase_create("args");
	TCase *tc = tcase_create("loop");

	tcase_set_timeout(pure, 30);
	tcase_add_test(pure, now_monotonic);
	tcase_add_test(pure, parse_all);
	tcase_add_test(pure, parse_minimal);
	tcase_add_loop_exit_test(pure, parse_bad, 2, 0,
				 (int)(sizeof(bad_args) / sizeof(bad_args[0])));
	tcase_add_exit_test(pure, parse_help, 0);
	suite_add_tcase(s, pure);

	tcase_add_unchecked_fixture(tc, make_tmpdir, remove_tmpdir);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, start_stop_empty);
	tcase_add_test(tc, control_requests);
	tcase_add_test(tc, signals);
	tcase_add_test(tc, sigint_stops);
	tcase_add_test(tc, metrics_addr);
	tcase_add_test(tc, bad_control_path);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(svc_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
