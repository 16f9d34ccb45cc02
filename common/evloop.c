// SPDX-License-Identifier: MIT
/* evloop.c - the daemons' event loop, with optional busy polling after traffic. */
#include <event2/event.h>
#include <sched.h>
#include <time.h>

#include "evloop.h"
#include "log.h"

static uint64_t evloop_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* evloop_run() - sleep in epoll_wait, or poll while traffic was recent. */
int evloop_run(struct evloop *l)
{
	uint64_t until = 0;

	for (;;) {
		bool poll = l->busy_us && until && evloop_now_ns() < until;
		int r;

		l->worked = false;
		l->turn++;
		r = event_base_loop(l->base, poll ? EVLOOP_NONBLOCK : EVLOOP_ONCE);
		if (r < 0) {
			log_warnx("event loop failed");
			return -1;
		}
		if (r == 1 || event_base_got_exit(l->base) || event_base_got_break(l->base))
			return 0;    /* 1: no events left to wait for */
		++*(poll ? l->polls : l->waits);
		/* busy_us is read every turn: a reload may have changed it. */
		if (l->worked && l->busy_us)
			until = evloop_now_ns() + (uint64_t)l->busy_us * 1000u;
		else if (!poll)
			until = 0;
		if (poll)
			sched_yield();   /* let a runnable task have the CPU first */
	}
}
