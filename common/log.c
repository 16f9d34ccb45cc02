// SPDX-License-Identifier: MIT
/* log.c - leveled logging to stderr with strerror variants, OpenBSD log.c style. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static const char *log_prog = "spat";
static enum log_level log_lvl = LOG_LVL_INFO;
static int log_journal;          /* stderr goes to journald: prefix levels */

/* Prefixes journald understands (sd-daemon(3)), so levels survive in the journal. */
static const char *const log_prefix[] = {
	[LOG_LVL_ERR] = "<3>", [LOG_LVL_WARN] = "<4>",
	[LOG_LVL_INFO] = "<6>", [LOG_LVL_DEBUG] = "<7>",
};

/* log_init() - set the program name and the most verbose level printed. */
void log_init(const char *progname, enum log_level lvl)
{
	log_prog = progname;
	log_lvl = lvl;
	log_journal = getenv("JOURNAL_STREAM") != NULL;
}

/* log_set_level() - change the level at run time. */
void log_set_level(enum log_level lvl)
{
	log_lvl = lvl;
}

/* log_enabled() - true when lvl would be printed. */
int log_enabled(enum log_level lvl)
{
	return lvl <= log_lvl;
}

__attribute__((format(printf, 3, 0)))
static void log_vput(enum log_level lvl, int with_errno, const char *fmt, va_list ap)
{
	char msg[1024];
	int saved = errno;

	if (lvl > log_lvl)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_errno)
		fprintf(stderr, "%s%s: %s: %s\n", log_journal ? log_prefix[lvl] : "", log_prog,
			msg, strerror(saved));
	else
		fprintf(stderr, "%s%s: %s\n", log_journal ? log_prefix[lvl] : "", log_prog, msg);
	errno = saved;
}

#define LOG_FN(fn, lvl, with_errno)                   \
	void fn(const char *fmt, ...)                 \
	{                                             \
		va_list ap;                           \
		va_start(ap, fmt);                    \
		log_vput(lvl, with_errno, fmt, ap);   \
		va_end(ap);                           \
	}

/* log_warn() etc. - one line at their level; the _x-less ones add strerror(errno). */
LOG_FN(log_warn, LOG_LVL_WARN, 1)
LOG_FN(log_warnx, LOG_LVL_WARN, 0)
LOG_FN(log_err, LOG_LVL_ERR, 1)
LOG_FN(log_errx, LOG_LVL_ERR, 0)
LOG_FN(log_info, LOG_LVL_INFO, 0)
LOG_FN(log_debug, LOG_LVL_DEBUG, 0)

/* fatal() - log with strerror(errno) and exit(1). */
void fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vput(LOG_LVL_ERR, 1, fmt, ap);
	va_end(ap);
	exit(1);
}

/* fatalx() - log and exit(1). */
void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vput(LOG_LVL_ERR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
