/* SPDX-License-Identifier: MIT */
/* svc.h - what every spat daemon does around its data path: options, signals, control. */
#ifndef SPAT_SVC_H
#define SPAT_SVC_H

#include <stdbool.h>
#include <stdint.h>

struct event_base;
struct evbuffer;

/* Command line common to both daemons. */
struct svc_opts {
	const char *conf;        /* -c FILE */
	const char *sock;        /* -s SOCKET: overrides the config's control path */
	bool check;              /* -n: check the config and exit */
	bool verbose;            /* -v: with -n, print the normalised config */
	bool debug;              /* -d: debug logging */
};

/*
 * svc_parse_args() - parse "-c FILE [-s SOCKET] [-n] [-v] [-d] [-h]"; prints
 * usage and exits 2 on a bad command line, 0 on -h.  Also sets up logging.
 */
void svc_parse_args(int argc, char **argv, const char *prog, struct svc_opts *o);

/* Hooks a daemon gives to the service loop; all but stop are required. */
struct svc_hooks {
	void (*reload)(void *arg);                 /* SIGHUP or "reload" request */
	void (*stop)(void *arg);                   /* SIGTERM/SIGINT, before loop exit */
	int (*request)(void *arg, int argc, char **argv, struct evbuffer *out);
	void (*metrics)(void *arg, struct evbuffer *out);
	void *arg;
};

struct svc;

/*
 * svc_start() - install SIGTERM/SIGINT/SIGHUP handlers on base, ignore
 * SIGPIPE, open the control socket (ctl_path, "" for none) and the metrics
 * endpoint (metrics, "" for none), and start the systemd watchdog pings
 * if the unit has WatchdogSec=.  The "reload" request is handled here and
 * calls hooks->reload.  Under systemd, a reload is framed by RELOADING=1
 * and READY=1, and SIGTERM/SIGINT send STOPPING=1.  NULL (logged) on
 * failure.
 */
struct svc *svc_start(struct event_base *base, const char *ctl_path, const char *metrics,
		      const struct svc_hooks *hooks);
/*
 * svc_ready() - tell systemd the daemon is up (READY=1) with a one-line
 * status from a printf format; call it just before event_base_dispatch().
 * The same status is sent again with READY=1 after each reload.
 */
void svc_ready(struct svc *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * svc_status() - change the status line; a reload hook calls it on success
 * so that the READY=1 sent after the reload carries the new figures.
 */
void svc_status(struct svc *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* svc_stop() - undo svc_start(). */
void svc_stop(struct svc *s);
/* svc_now() - monotonic seconds, the clock of every timeout. */
unsigned svc_now(void);
/* svc_now_ms() - monotonic milliseconds (wraps after 49 days: compare differences). */
uint32_t svc_now_ms(void);

#endif
