// SPDX-License-Identifier: MIT
/* test_notify.c - unit tests for systemd notifications: exact datagrams, watchdog, svc framing. */
#include <check.h>
#include <event2/event.h>
#include <inttypes.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "notify.h"
#include "svc.h"

/* Stand-in for systemd's end of $NOTIFY_SOCKET. */
static char tmpdir[48];
static char sockpath[100];
static int sd = -1;

static void setup(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/spat-notify-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(sockpath, sizeof(sockpath), "%s/notify", tmpdir);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sockpath);
	sd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(sd, 0);
	ck_assert_int_eq(bind(sd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", sockpath, 1), 0);
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

static void teardown(void)
{
	close(sd);
	unlink(sockpath);
	rmdir(tmpdir);
}

/* The next datagram as a string, or "" if none is queued. */
static const char *next_msg(void)
{
	static char buf[512];
	ssize_t n = recv(sd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	buf[n > 0 ? n : 0] = 0;
	return buf;
}

static uint64_t mono_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* "RELOADING=1\nMONOTONIC_USEC=<t>" with before <= t <= after. */
static void check_reloading(const char *msg, uint64_t before, uint64_t after)
{
	static const char pfx[] = "RELOADING=1\nMONOTONIC_USEC=";
	char *end;
	uint64_t t;

	ck_assert_msg(strncmp(msg, pfx, strlen(pfx)) == 0, "got \"%s\"", msg);
	t = strtoull(msg + strlen(pfx), &end, 10);
	ck_assert_str_eq(end, "");
	ck_assert_msg(t >= before && t <= after, "%" PRIu64 " not in [%" PRIu64 ", %" PRIu64 "]",
		      t, before, after);
}

START_TEST(test_ready_status_stopping)
{
	notify_ready("relaying: 2 hosts, 3 rules");
	ck_assert_str_eq(next_msg(), "READY=1\nSTATUS=relaying: 2 hosts, 3 rules");
	notify_ready(NULL);
	ck_assert_str_eq(next_msg(), "READY=1");
	notify_status("%d vms, %s", 4, "2 edges");
	ck_assert_str_eq(next_msg(), "STATUS=4 vms, 2 edges");
	notify_stopping();
	ck_assert_str_eq(next_msg(), "STOPPING=1");
	ck_assert_str_eq(next_msg(), "");
}
END_TEST

/* A newline inside a status would smuggle in another field, e.g. READY=1. */
START_TEST(test_status_one_line)
{
	notify_status("bad\nREADY=1");
	ck_assert_str_eq(next_msg(), "STATUS=bad READY=1");
	notify_ready("x\r\nSTOPPING=1");
	ck_assert_str_eq(next_msg(), "READY=1\nSTATUS=x  STOPPING=1");
}
END_TEST

START_TEST(test_reloading)
{
	uint64_t before = mono_usec(), after;

	notify_reloading();
	after = mono_usec();
	check_reloading(next_msg(), before, after);
}
END_TEST

/* Abstract sockets ("@name") are what systemd uses inside some containers. */
START_TEST(test_abstract_socket)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char name[64];
	socklen_t len;
	int asd;

	snprintf(name, sizeof(name), "@spat-notify-test-%d", (int)getpid());
	memcpy(sun.sun_path, name, strlen(name));
	sun.sun_path[0] = 0;
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(name));
	asd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(asd, 0);
	ck_assert_int_eq(bind(asd, (struct sockaddr *)&sun, len), 0);
	setenv("NOTIFY_SOCKET", name, 1);
	notify_stopping();
	close(sd);
	sd = asd;
	ck_assert_str_eq(next_msg(), "STOPPING=1");
}
END_TEST

static int count_watchdogs(void)
{
	const char *m;
	int n = 0;

	while (*(m = next_msg())) {
		ck_assert_str_eq(m, "WATCHDOG=1");
		n++;
	}
	return n;
}

START_TEST(test_watchdog_pings)
{
	struct timeval run = { .tv_usec = 300000 };
	struct event_base *base = event_base_new();
	struct event *ev;
	char pid[16];
	int n;

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("WATCHDOG_USEC", "200000", 1);
	setenv("WATCHDOG_PID", pid, 1);
	ev = notify_watchdog_start(base);
	ck_assert_ptr_nonnull(ev);
	ck_assert_str_eq(next_msg(), "");      /* pings come from the loop, not before */
	event_base_loopexit(base, &run);
	event_base_dispatch(base);
	n = count_watchdogs();
	/* Every 100 ms for 300 ms: 2 or 3, at least 1 on a slow machine. */
	ck_assert_msg(n >= 1 && n <= 3, "%d pings", n);
	notify_watchdog_stop(ev);
	event_base_free(base);
}
END_TEST

START_TEST(test_watchdog_not_wanted)
{
	struct event_base *base = event_base_new();
	char pid[16];

	/* No WatchdogSec= */
	ck_assert_ptr_null(notify_watchdog_start(base));
	/* Meant for another process (e.g. our parent) */
	snprintf(pid, sizeof(pid), "%d", (int)getpid() + 1);
	setenv("WATCHDOG_USEC", "200000", 1);
	setenv("WATCHDOG_PID", pid, 1);
	ck_assert_ptr_null(notify_watchdog_start(base));
	/* Malformed */
	unsetenv("WATCHDOG_PID");
	setenv("WATCHDOG_USEC", "soon", 1);
	ck_assert_ptr_null(notify_watchdog_start(base));
	notify_watchdog_stop(NULL);
	event_base_free(base);
}
END_TEST

/* Not under systemd: nothing is sent, nothing fails. */
START_TEST(test_no_socket)
{
	struct event_base *base = event_base_new();

	unsetenv("NOTIFY_SOCKET");
	setenv("WATCHDOG_USEC", "200000", 1);
	notify_ready("x");
	notify_ready(NULL);
	notify_status("%s", "y");
	notify_reloading();
	notify_stopping();
	ck_assert_ptr_null(notify_watchdog_start(base));
	ck_assert_str_eq(next_msg(), "");
	event_base_free(base);
}
END_TEST

/* svc: READY from svc_ready(), RELOADING/READY around a SIGHUP reload, STOPPING on SIGTERM. */
static int reloads, stops;

static void on_reload(void *arg)
{
	reloads++;
}

static void on_stop(void *arg)
{
	stops++;
}

static int on_request(void *arg, int argc, char **argv, struct evbuffer *out)
{
	return -1;
}

START_TEST(test_svc_framing)
{
	static const struct svc_hooks hooks = {
		.reload = on_reload, .stop = on_stop, .request = on_request,
	};
	struct event_base *base = event_base_new();
	struct svc *s = svc_start(base, "", "", &hooks);
	uint64_t before;

	ck_assert_ptr_nonnull(s);
	svc_ready(s, "%d vms, %d edges", 3, 2);
	ck_assert_str_eq(next_msg(), "READY=1\nSTATUS=3 vms, 2 edges");

	before = mono_usec();
	raise(SIGHUP);
	event_base_loop(base, EVLOOP_ONCE);
	ck_assert_int_eq(reloads, 1);
	check_reloading(next_msg(), before, mono_usec());
	ck_assert_str_eq(next_msg(), "READY=1\nSTATUS=3 vms, 2 edges");

	raise(SIGTERM);
	event_base_dispatch(base);             /* returns: SIGTERM exits the loop */
	ck_assert_int_eq(stops, 1);
	ck_assert_str_eq(next_msg(), "STOPPING=1");
	ck_assert_str_eq(next_msg(), "");
	svc_stop(s);
	event_base_free(base);
}
END_TEST

static Suite *notify_suite(void)
{
	Suite *s = suite_create("notify");
	TCase *tc = tcase_create("notify");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ready_status_stopping);
	tcase_add_test(tc, test_status_one_line);
	tcase_add_test(tc, test_reloading);
	tcase_add_test(tc, test_abstract_socket);
	tcase_add_test(tc, test_watchdog_pings);
	tcase_add_test(tc, test_watchdog_not_wanted);
	tcase_add_test(tc, test_no_socket);
	tcase_add_test(tc, test_svc_framing);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(notify_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
