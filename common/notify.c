// SPDX-License-Identifier: MIT
/* notify.c - systemd service notifications (sd_notify) and the event-loop watchdog. */
/*
 * Why libsystemd and not twenty lines of our own socket code: the protocol
 * looks trivial (one datagram to $NOTIFY_SOCKET) but its edges are not.
 * The socket may be abstract ("@...", which needs the leading NUL and an
 * exact address length) or, in newer systemd, AF_VSOCK; WATCHDOG_USEC
 * applies only when WATCHDOG_PID is ours; a zero or malformed value must
 * be ignored.  libsystemd is the reference implementation of all of that,
 * kept in step with systemd itself, and present wherever our units run.
 */
#include <event2/event.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "log.h"
#include "notify.h"

/* Longest STATUS= we send; systemd shows it in one line of "systemctl status". */
#define NOTIFY_STATUS_MAX 256

static void notify_send(const char *msg)
{
	int r = sd_notify(0, msg);

	if (r < 0)
		log_warnx("sd_notify \"%.*s\": %s", (int)strcspn(msg, "\n"), msg, strerror(-r));
}

/* STATUS= is one line of the message: a newline in it would start a new field. */
static void notify_one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
}

/* notify_ready() - startup or reload done: "READY=1" and an optional status. */
void notify_ready(const char *status)
{
	char msg[sizeof("READY=1\nSTATUS=") + NOTIFY_STATUS_MAX];

	if (!status) {
		notify_send("READY=1");
		return;
	}
	snprintf(msg, sizeof(msg), "READY=1\nSTATUS=%.*s", NOTIFY_STATUS_MAX, status);
	notify_one_line(msg + strlen("READY=1\n"));
	notify_send(msg);
}

/* notify_status() - free-form status line shown by "systemctl status". */
void notify_status(const char *fmt, ...)
{
	char msg[sizeof("STATUS=") + NOTIFY_STATUS_MAX] = "STATUS=";
	size_t off = strlen(msg);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg + off, sizeof(msg) - off, fmt, ap);
	va_end(ap);
	notify_one_line(msg + off);
	notify_send(msg);
}

/* notify_reloading() - a reload begins; the timestamp lets systemd 253+ match it. */
void notify_reloading(void)
{
	struct timespec ts;
	char msg[64];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)ts.tv_sec * 1000000ULL +
		 (unsigned long long)ts.tv_nsec / 1000ULL);
	notify_send(msg);
}

/* notify_stopping() - shutdown begins. */
void notify_stopping(void)
{
	notify_send("STOPPING=1");
}

static void notify_on_watchdog(evutil_socket_t fd, short what, void *arg)
{
	notify_send("WATCHDOG=1");
}

/* notify_watchdog_start() - ping systemd's watchdog from @base's loop. */
struct event *notify_watchdog_start(struct event_base *base)
{
	struct timeval half;
	struct event *ev;
	uint64_t usec;
	int r;

	if (!getenv("NOTIFY_SOCKET"))
		return NULL;
	r = sd_watchdog_enabled(0, &usec);
	if (r < 0)
		log_warnx("watchdog settings from systemd: %s", strerror(-r));
	if (r <= 0 || usec == 0)
		return NULL;
	usec /= 2;
	half.tv_sec = (time_t)(usec / 1000000);
	half.tv_usec = (suseconds_t)(usec % 1000000);
	ev = event_new(base, -1, EV_PERSIST, notify_on_watchdog, NULL);
	if (!ev || event_add(ev, &half) < 0) {
		log_warnx("cannot set up the watchdog timer: systemd will restart us");
		if (ev)
			event_free(ev);
		return NULL;
	}
	log_debug("watchdog: pinging every %llu ms", (unsigned long long)usec / 1000);
	return ev;
}

/* notify_watchdog_stop() - stop pinging and free the timer. */
void notify_watchdog_stop(struct event *ev)
{
	if (ev)
		event_free(ev);
}
