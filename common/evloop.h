/* SPDX-License-Identifier: MIT */
/* evloop.h - the daemons' event loop, with optional busy polling after traffic. */
#ifndef SPAT_EVLOOP_H
#define SPAT_EVLOOP_H

#include <stdbool.h>
#include <stdint.h>

struct event_base;

/*
 * Theory of operation: a packet that finds its daemon asleep in epoll_wait
 * waits for the scheduler to wake the daemon, often on another CPU: an
 * inter-processor interrupt, and on a virtual machine an exit to the
 * hypervisor, tens of microseconds for each daemon a packet crosses, where
 * the kernel's own forwarding wakes nobody.  With busy_us set, the loop
 * keeps polling (epoll_wait with no timeout) for busy_us microseconds after
 * the last turn that moved packets, so that the next packet of a
 * conversation (a reply, the next request) is taken without a wake-up.
 * Between polls it yields the CPU (sched_yield), so that a spinning daemon
 * never holds back a runnable task on its CPU, the VM or the sender of the
 * packet it waits for among them.  The price is CPU time: up to busy_us
 * after each burst, none while idle.  Timers, signals and the control
 * socket run as usual in either mode.
 */
#define BUSY_POLL_DEFAULT 0          /* microseconds: off unless configured */
#define BUSY_POLL_MAX 1000000        /* one second */

struct evloop {
	struct event_base *base;
	uint32_t busy_us;            /* 0: always sleep in epoll_wait; a reload may change it */
	bool worked;                 /* set by data-path callbacks that moved packets */
	uint64_t turn;               /* turns taken so far (struct burst_pace reads it) */
	uint64_t *polls, *waits;     /* counters: turns that polled, turns that waited */
};

/* evloop_worked() - a data-path callback moved packets: keep polling a while. */
static inline void evloop_worked(struct evloop *l)
{
	l->worked = true;
}

/*
 * evloop_run() - run l->base until event_base_loopexit() or loopbreak, or
 * until no event is left; returns 0, or -1 when libevent failed (logged).
 */
int evloop_run(struct evloop *l);

#endif
