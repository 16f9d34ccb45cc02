// SPDX-License-Identifier: MIT
/* svc.c - daemon plumbing shared by edged and hostd: options, signals, control, metrics. */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ctl.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "svc.h"

struct svc {
	struct event_base *base;
	struct event *sig[3];
	struct ctl *ctl;
	struct metrics *metrics;
	struct event *watchdog;
	struct svc_hooks hooks;
	char status[128];        /* from svc_ready(), sent again after a reload */
};

static void svc_usage(const char *prog, int code)
{
	fprintf(code ? stderr : stdout,
		"usage: %s -c FILE [-s SOCKET] [-n [-v]] [-d]\n"
		"  -c FILE    configuration file (YAML)\n"
		"  -s SOCKET  control socket path (overrides the config)\n"
		"  -n         check the configuration and exit\n"
		"  -v         with -n: print the configuration as understood\n"
		"  -d         debug logging\n", prog);
	exit(code);
}

/* svc_parse_args() - parse the command line common to both daemons. */
void svc_parse_args(int argc, char **argv, const char *prog, struct svc_opts *o)
{
	int ch;

	memset(o, 0, sizeof(*o));
	while ((ch = getopt(argc, argv, "c:s:nvdh")) != -1) {
		switch (ch) {
		case 'c': o->conf = optarg; break;
		case 's': o->sock = optarg; break;
		case 'n': o->check = true; break;
		case 'v': o->verbose = true; break;
		case 'd': o->debug = true; break;
		case 'h': svc_usage(prog, 0); break;
		default: svc_usage(prog, 2);
		}
	}
	if (optind != argc || !o->conf)
		svc_usage(prog, 2);
	log_init(prog, o->debug ? LOG_LVL_DEBUG : LOG_LVL_INFO);
}

/* The hook logs its own failure; either way the daemon runs on, so READY=1. */
static void svc_reload(struct svc *s)
{
	notify_reloading();
	s->hooks.reload(s->hooks.arg);
	notify_ready(s->status);
}

static void svc_on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct svc *s = arg;

	if (sig == SIGHUP) {
		svc_reload(s);
		return;
	}
	log_info("signal %d: stopping", (int)sig);
	notify_stopping();
	if (s->hooks.stop)
		s->hooks.stop(s->hooks.arg);
	event_base_loopexit(s->base, NULL);
}

static int svc_on_request(void *arg, int argc, char **argv, struct evbuffer *out)
{
	struct svc *s = arg;

	if (strcmp(argv[0], "reload") == 0) {
		if (argc != 1) {
			evbuffer_add_printf(out, "reload takes no arguments");
			return -1;
		}
		svc_reload(s);
		evbuffer_add_printf(out, "{\"reload\": \"requested\"}");
		return 0;
	}
	return s->hooks.request(s->hooks.arg, argc, argv, out);
}

static int svc_open_ctl(struct svc *s, const char *path)
{
	char dir[256];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			log_warn("mkdir %s", dir);
	}
	s->ctl = ctl_open(s->base, path, svc_on_request, s);
	if (!s->ctl) {
		log_warn("control socket %s", path);
		return -1;
	}
	return 0;
}

/* svc_start() - signals, control socket and metrics for a daemon's loop. */
struct svc *svc_start(struct event_base *base, const char *ctl_path, const char *metrics,
		      const struct svc_hooks *hooks)
{
	static const int sigs[3] = { SIGTERM, SIGINT, SIGHUP };
	struct svc *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->base = base;
	s->hooks = *hooks;
	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < 3; i++) {
		s->sig[i] = evsignal_new(base, sigs[i], svc_on_signal, s);
		if (!s->sig[i] || evsignal_add(s->sig[i], NULL) < 0)
			goto fail;
	}
	if (ctl_path && *ctl_path && svc_open_ctl(s, ctl_path) < 0)
		goto fail;
	if (metrics && *metrics) {
		s->metrics = metrics_start(base, metrics, hooks->metrics, hooks->arg);
		if (!s->metrics) {
			log_warnx("cannot serve metrics on %s", metrics);
			goto fail;
		}
	}
	s->watchdog = notify_watchdog_start(base);
	return s;
fail:
	svc_stop(s);
	return NULL;
}

/* svc_ready() - READY=1 and STATUS= to systemd, right before the loop runs. */
void svc_ready(struct svc *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->status, sizeof(s->status), fmt, ap);
	va_end(ap);
	notify_ready(s->status);
}

/* svc_status() - replace the status line sent with READY=1 after the next reload. */
void svc_status(struct svc *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->status, sizeof(s->status), fmt, ap);
	va_end(ap);
}

/* svc_stop() - remove signal events, watchdog, control socket and metrics. */
void svc_stop(struct svc *s)
{
	if (!s)
		return;
	notify_watchdog_stop(s->watchdog);
	for (int i = 0; i < 3; i++)
		if (s->sig[i])
			event_free(s->sig[i]);
	ctl_close(s->ctl);
	metrics_stop(s->metrics);
	free(s);
}

/* svc_now_ms() - monotonic milliseconds since boot, modulo 2^32. */
uint32_t svc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

/* svc_now() - monotonic seconds since boot. */
unsigned svc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned)ts.tv_sec;
}
