/* SPDX-License-Identifier: MIT */
/* ctl.h - the control socket: one request line in, one JSON reply out, per connection. */
#ifndef SPAT_CTL_H
#define SPAT_CTL_H

#include <stddef.h>

struct event_base;
struct evbuffer;
struct ctl;

/*
 * A request is one line of words ("conntrack vni=100", "stats").  The
 * daemon's handler splits nothing itself: ctl passes argv-style words.
 * The handler appends a JSON document to out and returns 0, or returns -1
 * with an error message in out (plain text, no JSON), which ctl wraps as
 * {"error": "..."}.  Requests longer than CTL_MAX_LINE or with more than
 * CTL_MAX_ARGS words get an error, never a crash.
 */
#define CTL_MAX_LINE 1024
#define CTL_MAX_ARGS 16

typedef int (*ctl_handler)(void *arg, int argc, char **argv, struct evbuffer *out);

/*
 * ctl_open() - listen on the UNIX socket path (mode 0600; a stale socket is
 * replaced, any other file there is an error, EEXIST) and serve requests
 * from base.  NULL and errno on failure.  The caller must ignore SIGPIPE:
 * a client may hang up before its reply is written.
 */
struct ctl *ctl_open(struct event_base *base, const char *path, ctl_handler fn, void *arg);
/* ctl_close() - close open connections, stop listening and unlink the socket. */
void ctl_close(struct ctl *c);
/* ctl_json_str() - append s as a JSON string literal (quoted, escaped). */
void ctl_json_str(struct evbuffer *out, const char *s);

#endif
