// SPDX-License-Identifier: MIT
/* maplog.c - the mapping log: create/delete events, rate-bounded, buffered, one write per burst. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "maplog.h"

/* The longest line maplog_event() writes, with room to spare. */
#define MAPLOG_LINE 192

struct maplog {
	int fd;
	uint32_t rate;
	bool destination;
	uint32_t window;         /* the monotonic second events are counted in */
	uint32_t in_window;      /* events logged in it */
	uint32_t pending;        /* events in buf */
	size_t len;
	struct maplog_ctr ctr;
	char buf[MAPLOG_BUF];
};

/* maplog_open() - append to the file at path; NULL with errno set on failure. */
struct maplog *maplog_open(const char *path, uint32_t rate, bool destination,
			   const struct maplog_ctr *ctr)
{
	struct maplog *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
	if (m->fd < 0) {
		int e = errno;

		free(m);
		errno = e;
		return NULL;
	}
	m->rate = rate ? rate : 1;
	m->destination = destination;
	m->window = UINT32_MAX;
	m->ctr = *ctr;
	return m;
}

/* maplog_close() - flush, close the file and free m (NULL is fine). */
void maplog_close(struct maplog *m)
{
	if (!m)
		return;
	maplog_flush(m);
	close(m->fd);
	free(m);
}

/* maplog_flush() - write what the buffer holds, one write(2); m may be NULL. */
void maplog_flush(struct maplog *m)
{
	ssize_t n;

	if (!m || !m->len)
		return;
	do
		n = write(m->fd, m->buf, m->len);
	while (n < 0 && errno == EINTR);
	/* A short or failed write loses the burst: counted, never retried in the data path. */
	if (n != (ssize_t)m->len)
		*m->ctr.lost += m->pending;
	m->len = 0;
	m->pending = 0;
}

/* The wall-clock time as 2026-01-02T03:04:05.678Z (the vDSO: no syscall). */
static size_t maplog_time(char *p, size_t cap)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	return (size_t)snprintf(p, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
				tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
				ts.tv_nsec / 1000000);
}

/* False (and counted) when this second's events are used up. */
static bool maplog_admit(struct maplog *m, uint32_t now)
{
	if (now && now != m->window) {
		m->window = now;
		m->in_window = 0;
	}
	if (m->in_window >= m->rate) {
		(*m->ctr.suppressed)++;
		return false;
	}
	m->in_window++;
	return true;
}

/* maplog_event() - log ev for mapping e at monotonic second now; m may be NULL. */
void maplog_event(struct maplog *m, enum maplog_event ev, const struct ct_entry *e,
		  const char *reason, uint32_t dst, uint16_t dport, uint32_t now)
{
	char va[ADDR_STRLEN], pa[ADDR_STRLEN], da[ADDR_STRLEN];
	char *p;
	size_t cap;
	int n;

	if (!m || !maplog_admit(m, now))
		return;
	if (MAPLOG_BUF - m->len < MAPLOG_LINE)
		maplog_flush(m);
	p = m->buf + m->len;
	cap = MAPLOG_BUF - m->len;
	n = (int)maplog_time(p, cap);
	n += snprintf(p + n, cap - (size_t)n, " %s %s vni=%u vm=%s:%u public=%s:%u",
		      ev == MAPLOG_CREATE ? "create" : "delete", addr_proto_name(e->proto),
		      e->vni, addr_fmt_ip4(e->vm_addr, va), e->vm_port,
		      addr_fmt_ip4(e->pub_addr, pa), e->pub_port);
	if (ev == MAPLOG_CREATE && m->destination)
		n += snprintf(p + n, cap - (size_t)n, " dst=%s:%u", addr_fmt_ip4(dst, da), dport);
	if (ev == MAPLOG_DELETE && reason)
		n += snprintf(p + n, cap - (size_t)n, " reason=%s", reason);
	n += snprintf(p + n, cap - (size_t)n, "\n");
	m->len += (size_t)n;
	m->pending++;
	(*m->ctr.logged)++;
}
