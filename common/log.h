/* SPDX-License-Identifier: MIT */
/* log.h - leveled logging to stderr (journald tags it), OpenBSD log.c style. */
#ifndef SPAT_LOG_H
#define SPAT_LOG_H

#include <stdarg.h>

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* log_init() - set the program name and the most verbose level printed. */
void log_init(const char *progname, enum log_level lvl);
/* log_set_level() - change the level at run time. */
void log_set_level(enum log_level lvl);
/* log_enabled() - true when lvl would be printed (guard costly debug output). */
int log_enabled(enum log_level lvl);

/* log_warn() appends strerror(errno); log_warnx() does not. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_errx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* fatal() and fatalx() log and exit(1); only before the event loop runs. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
