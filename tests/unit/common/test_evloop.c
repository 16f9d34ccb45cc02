// SPDX-License-Identifier: MIT
/* test_evloop.c - unit tests for the event loop's waiting and busy polling. */
#include <check.h>
#include <event2/event.h>
#include <stdlib.h>
#include <unistd.h>

#include "evloop.h"

static struct event_base *base;
static struct evloop loop;
static uint64_t polls, waits, polls_mid;
static struct event *data_ev;
static int fds[2] = { -1, -1 };
static int reads;

static void setup(void)
{
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	ck_assert_int_eq(pipe(fds), 0);
	polls = waits = polls_mid = 0;
	reads = 0;
	loop = (struct evloop){ .base = base, .polls = &polls, .waits = &waits };
}

static void teardown(void)
{
	if (data_ev)
		event_free(data_ev);
	data_ev = NULL;
	event_base_free(base);
	close(fds[0]);
	close(fds[1]);
}

/* A data-path callback: drains the pipe and says it moved packets. */
static void on_data(evutil_socket_t fd, short what, void *arg)
{
	char c;

	(void)what;
	(void)arg;
	if (read(fd, &c, 1) == 1) {
		reads++;
		evloop_worked(&loop);
	}
}

static void on_mid(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	polls_mid = polls;
}

static void on_exit_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	event_base_loopexit(base, NULL);
}

/* The pipe readable, a timer at mid_ms that notes the polls, the exit at end_ms. */
static void arm(int mid_ms, int end_ms)
{
	struct timeval mid = { mid_ms / 1000, (mid_ms % 1000) * 1000 };
	struct timeval end = { end_ms / 1000, (end_ms % 1000) * 1000 };

	data_ev = event_new(base, fds[0], EV_READ | EV_PERSIST, on_data, NULL);
	ck_assert_ptr_nonnull(data_ev);
	ck_assert_int_eq(event_add(data_ev, NULL), 0);
	ck_assert_int_eq(event_base_once(base, -1, EV_TIMEOUT, on_mid, NULL, &mid), 0);
	ck_assert_int_eq(event_base_once(base, -1, EV_TIMEOUT, on_exit_timer, NULL, &end), 0);
	ck_assert_int_eq(write(fds[1], "x", 1), 1);
}

/* busy_poll 0: every turn waits in epoll_wait; none polls. */
START_TEST(off_waits)
{
	arm(20, 40);
	ck_assert_int_eq(evloop_run(&loop), 0);
	ck_assert_int_eq(reads, 1);
	ck_assert_uint_eq(polls, 0);
	ck_assert_uint_ge(waits, 2);
	ck_assert_uint_eq(loop.turn, waits + 1);           /* every turn, the exit's too */
}
END_TEST

/* A long window: after the packet the loop polls until the exit, never waits again. */
START_TEST(on_polls)
{
	loop.busy_us = BUSY_POLL_MAX;
	arm(20, 40);
	ck_assert_int_eq(evloop_run(&loop), 0);
	ck_assert_int_eq(reads, 1);
	ck_assert_uint_eq(waits, 1);
	ck_assert_uint_gt(polls, 0);
	ck_assert_uint_gt(polls, polls_mid);
	ck_assert_uint_eq(loop.turn, polls + waits + 1);
}
END_TEST

/* A short window: polling stops once it has passed with nothing to do. */
START_TEST(window_ends)
{
	loop.busy_us = 20000;    /* long enough to poll at least once on a busy machine */
	arm(300, 400);
	ck_assert_int_eq(evloop_run(&loop), 0);
	ck_assert_int_eq(reads, 1);
	ck_assert_uint_gt(polls_mid, 0);
	ck_assert_uint_eq(polls, polls_mid);
	ck_assert_uint_ge(waits, 2);
}
END_TEST

/* Packets arriving while it polls are taken without a wait and extend the window. */
START_TEST(polls_take_packets)
{
	loop.busy_us = BUSY_POLL_MAX;
	arm(20, 40);
	ck_assert_int_eq(write(fds[1], "yz", 2), 2);
	ck_assert_int_eq(evloop_run(&loop), 0);
	ck_assert_int_eq(reads, 3);
	ck_assert_uint_eq(waits, 1);
}
END_TEST

/* A loop with no events left returns at once, in either mode. */
START_TEST(no_events)
{
	loop.busy_us = 0;
	ck_assert_int_eq(evloop_run(&loop), 0);
	loop.busy_us = 50;
	ck_assert_int_eq(evloop_run(&loop), 0);
	ck_assert_uint_eq(polls, 0);
}
END_TEST

static Suite *evloop_suite(void)
{
	Suite *s = suite_create("evloop");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, off_waits);
	tcase_add_test(tc, on_polls);
	tcase_add_test(tc, window_ends);
	tcase_add_test(tc, polls_take_packets);
	tcase_add_test(tc, no_events);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(evloop_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
