/* SPDX-License-Identifier: MIT */
/* notify.h - tell systemd (Type=notify) about readiness, reloads, stopping, and liveness. */
#ifndef SPAT_NOTIFY_H
#define SPAT_NOTIFY_H

struct event;
struct event_base;

/*
 * Every function here is a no-op when the daemon does not run under a
 * service manager (NOTIFY_SOCKET unset), and only logs when a message
 * cannot be sent: the data path never depends on systemd.
 */

/* notify_ready() - "READY=1", plus "STATUS=@status" unless @status is NULL. */
void notify_ready(const char *status);

/* notify_status() - "STATUS=..." from a printf format (newlines become spaces). */
void notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * notify_reloading() - "RELOADING=1" with "MONOTONIC_USEC=" now, as systemd
 * 253+ wants for Type=notify-reload (older versions ignore the timestamp).
 * Send notify_ready() when the reload is over, whether it worked or not.
 */
void notify_reloading(void);

/* notify_stopping() - "STOPPING=1": shutdown has begun. */
void notify_stopping(void);

/*
 * notify_watchdog_start() - when systemd asks for watchdog pings
 * (WatchdogSec=, seen through sd_watchdog_enabled()), add a persistent
 * timer on @base that sends "WATCHDOG=1" every half interval.  The pings
 * come from the event loop itself, so a loop that is stuck stops them.
 *
 * Return: the timer (release it with notify_watchdog_stop()), or NULL when
 * no watchdog is wanted or the timer cannot be set up (logged).
 */
struct event *notify_watchdog_start(struct event_base *base);

/* notify_watchdog_stop() - remove and free a timer from notify_watchdog_start(); NULL is ok. */
void notify_watchdog_stop(struct event *ev);

#endif
