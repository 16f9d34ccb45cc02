/* SPDX-License-Identifier: MIT */
/* maplog.h - the mapping log: create/delete events, rate-bounded, buffered, one write per burst. */
#ifndef SPAT_MAPLOG_H
#define SPAT_MAPLOG_H

#include <stdbool.h>
#include <stdint.h>

#include "ct.h"

/*
 * Theory of operation (RFC 6888 s4, RFC 7422): one text line per mapping
 * created or deleted, appended to a file opened once at start (before the
 * sandbox: the running daemon cannot open files for writing).  Lines go
 * to a buffer; maplog_flush(), called after each burst and each timer
 * tick, writes it with one write(2), so the data path makes no syscall
 * per event.  At most rate events are logged per second; the rest are
 * counted as suppressed.  The file is opened O_APPEND: rotate it with
 * copytruncate, or restart hostd after moving it.
 */

#define MAPLOG_BUF 65536

enum maplog_event { MAPLOG_CREATE = 0, MAPLOG_DELETE };

/* Counters the log adds to (hostd points them at its own counter array). */
struct maplog_ctr {
	uint64_t *logged;        /* events written to the buffer */
	uint64_t *suppressed;    /* events over the rate, not logged */
	uint64_t *lost;          /* events logged but lost to a failed write */
};

struct maplog;

/*
 * maplog_open() - append to the file at path (created 0640 if need be);
 * rate events per second at most; destination adds the first packet's
 * destination to create events.  NULL with errno set on failure.
 */
struct maplog *maplog_open(const char *path, uint32_t rate, bool destination,
			   const struct maplog_ctr *ctr);
/* maplog_close() - flush, close the file and free m (NULL is fine). */
void maplog_close(struct maplog *m);
/*
 * maplog_event() - log ev for mapping e at monotonic second now; reason
 * (deletes) says why, dst/dport (creates, if destination is on) the
 * destination; now 0 counts the event in the current second.  m may be
 * NULL (the log is off).  No syscall unless the buffer is full.
 */
void maplog_event(struct maplog *m, enum maplog_event ev, const struct ct_entry *e,
		  const char *reason, uint32_t dst, uint16_t dport, uint32_t now);
/* maplog_flush() - write what the buffer holds, one write(2); m may be NULL. */
void maplog_flush(struct maplog *m);

#endif
