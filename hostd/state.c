// SPDX-License-Identifier: MIT
/* state.c - hostd's conntrack table in a pair of files: restore at start, swap at reload. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "state.h"

/*
 * Theory of operation: the running table lives in a shared file mapping
 * (ct_create()), so whatever hostd has written is in the file when it is
 * killed.  There are two files, state_file and state_file.next; the one
 * with a sealed, valid header and the higher generation holds the table,
 * the other is empty or an unfinished build.
 *
 * Start (as root, before privileges go): lock both files, load each
 * (ct_load()); a file that fails validation is renamed aside and logged,
 * never read again.  The newest valid one is the source.  A new table is
 * built in the other file, seeded with the config's forwards, the source's
 * dynamic mappings are adopted one by one (flow_restore(): they are
 * re-checked against the config, and the indices of the file are never
 * followed), and the new file is sealed.  Then it is renamed to state_file
 * if it was state_file.next, and the other file is emptied.  A kill at any
 * point leaves the source intact and the new file unsealed or sealed with
 * a higher generation: the next start picks the right one.
 *
 * Reload (unprivileged by then, so no file can be created or renamed in
 * the state directory): the new table is built in the spare file, which is
 * open since start, and sealed once it is swapped in; the old file is then
 * emptied and becomes the spare.  Until the next start the table is thus
 * in state_file.next every other reload.  A refused reload leaves the
 * running file untouched.
 *
 * Timers are monotonic seconds (svc_now(): CLOCK_MONOTONIC, since boot).
 * They stay valid across a restart of hostd on the same boot, which is all
 * a file in /run sees; flow_restore() caps them for a file that outlived one.
 */

static const char *const state_suffix[2] = { "", ".next" };

/* Open and lock file i: 0, -1 (logged), or -2 when another process holds it. */
static int state_open(struct state *s, int i)
{
	int fd = open(s->name[i], O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0) {
		log_warn("state %s", s->name[i]);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK) {
			log_warnx("state %s: in use by another process", s->name[i]);
			close(fd);
			return -2;
		}
		log_warn("state %s: flock", s->name[i]);
		close(fd);
		return -1;
	}
	s->fd[i] = fd;
	return 0;
}

/* Give up on the files: empty them (nothing stale stays behind) and keep the table in memory. */
static void state_memory(struct state *s, const char *why)
{
	log_warnx("state %s: %s; the conntrack table is kept in memory and will not survive "
		  "a restart", s->name[0], why);
	for (int i = 0; i < 2; i++) {
		if (s->fd[i] >= 0 && ftruncate(s->fd[i], 0) < 0)
			log_warn("state %s: truncate", s->name[i]);
		if (s->fd[i] >= 0)
			close(s->fd[i]);
		s->fd[i] = -1;
	}
	s->cur = 0;
}

/* File i cannot be trusted: rename it aside (or empty it) and put an empty file in its place. */
static void state_set_aside(struct state *s, int i, const char *why)
{
	char bad[sizeof(s->name[0]) + 32];

	snprintf(bad, sizeof(bad), "%s.bad-%lld", s->name[i], (long long)time(NULL));
	if (rename(s->name[i], bad) == 0) {
		log_warnx("state %s: %s; set aside as %s", s->name[i], why, bad);
		close(s->fd[i]);
		s->fd[i] = -1;
		state_open(s, i);
		return;
	}
	log_warn("state %s: %s; cannot set it aside, emptied instead: rename", s->name[i], why);
	if (ftruncate(s->fd[i], 0) < 0) {
		close(s->fd[i]);
		s->fd[i] = -1;
	}
}

/* The table saved in file i, or NULL (empty, or bad and set aside: then fd[i] may be -1). */
static struct ct *state_load(struct state *s, int i, const char *owner)
{
	struct ct *t;
	char why[128];

	switch (ct_load(s->fd[i], owner, &t, why, sizeof(why))) {
	case CT_LOAD_OK:
		return t;
	case CT_LOAD_EMPTY:
		return NULL;
	case CT_LOAD_BAD:
		break;
	}
	state_set_aside(s, i, why);
	return NULL;
}

/* The directory of the files, like svc does for the control socket: one level, 0755. */
static void state_mkdir(const char *path)
{
	char dir[sizeof(((struct state *)0)->name[0])];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			log_warn("state: mkdir %s", dir);
	}
}

/* Load the files that are open; the newest valid table in *src (NULL if none), its index in *from. */
static void state_scan(struct state *s, const char *owner, struct ct **src, int *from)
{
	struct ct *t[2] = { NULL, NULL };

	for (int i = 0; i < 2; i++)
		if (s->fd[i] >= 0)
			t[i] = state_load(s, i, owner);
	*from = t[1] && (!t[0] || ct_generation(t[1]) > ct_generation(t[0]));
	*src = t[*from];
	ct_free(t[!*from]);
}

/*
 * The new table is sealed in fd[to]; file from holds the old one or
 * nothing.  Leave the table in state_file and an empty state_file.next.
 */
static void state_settle(struct state *s, int from, int to)
{
	s->cur = to;
	if (to == 1 && rename(s->name[1], s->name[0]) == 0) {
		close(s->fd[0]);        /* the old table: its name is gone, so is its inode */
		s->fd[0] = s->fd[1];
		s->fd[1] = -1;
		s->cur = 0;
		if (state_open(s, 1) == 0 && ftruncate(s->fd[1], 0) == 0)
			return;
		log_warnx("state %s: no spare file: a reload will keep its table in memory",
			  s->name[1]);
		return;
	}
	if (to == 1)
		log_warn("state: rename %s to %s", s->name[1], s->name[0]);
	if (ftruncate(s->fd[from], 0) < 0)
		log_warn("state %s: truncate", s->name[from]);
}

/* state_start() - build ft for conf on the state files, adopting what the last run left. */
int state_start(struct state *s, struct flowtab *ft, const struct host_conf *conf,
		uint32_t seed, uint32_t now)
{
	struct ct *src = NULL, *t = NULL;
	uint32_t kept = 0, lost = 0;
	int from = 0;

	memset(s, 0, sizeof(*s));
	s->fd[0] = s->fd[1] = -1;
	for (int i = 0; i < 2; i++)
		snprintf(s->name[i], sizeof(s->name[i]), "%s%s", conf->state_file,
			 state_suffix[i]);
	state_mkdir(conf->state_file);
	for (int i = 0; i < 2; i++) {
		if (state_open(s, i) == -2) {
			state_close(s);     /* another hostd's files: leave them be */
			return -1;
		}
	}
	state_scan(s, conf->name, &src, &from);
	s->generation = src ? ct_generation(src) + 1 : 1;
	if (s->fd[0] >= 0 && s->fd[1] >= 0) {
		t = ct_create(s->fd[!from], conf->max_entries, s->generation, conf->name);
		if (!t)
			log_warn("state %s: cannot allocate the table", s->name[!from]);
	}
	if (!t)
		t = ct_new(conf->max_entries);
	if (flow_init_ct(ft, conf, seed, t) < 0) {
		ct_free(src);
		if (s->fd[!from] >= 0 && ftruncate(s->fd[!from], 0) < 0)
			log_warn("state %s: truncate", s->name[!from]);
		state_close(s);
		return -1;
	}
	if (src)
		kept = flow_restore(ft, src, now, &lost);
	ct_free(src);
	if (ct_generation(ft->ct) == 0) {
		state_memory(s, "files unusable");
		log_info("%u mappings restored, %u dropped", kept, lost);
		return 0;
	}
	ct_seal(ft->ct);
	state_settle(s, from, !from);
	log_info("state %s: generation %" PRIu64 ", %u mappings restored, %u dropped",
		 s->name[s->cur], s->generation, kept, lost);
	return 0;
}

/* state_build() - for a reload: the new table in the spare file (or in memory). */
int state_build(struct state *s, struct flowtab *nft, const struct host_conf *nc,
		uint32_t seed)
{
	int spare = !s->cur;
	struct ct *t;

	if (s->fd[0] < 0 || s->fd[spare] < 0)
		return flow_init(nft, nc, seed);
	t = ct_create(s->fd[spare], nc->max_entries, s->generation + 1, nc->name);
	if (!t)
		log_warn("state %s: cannot allocate the table", s->name[spare]);
	if (flow_init_ct(nft, nc, seed, t) == 0)
		return 0;
	if (ftruncate(s->fd[spare], 0) < 0)
		log_warn("state %s: truncate", s->name[spare]);
	return -1;
}

/* state_commit() - seal the table state_build() made, now running; empty the old file. */
void state_commit(struct state *s, struct flowtab *ft)
{
	int old = s->cur;

	if (s->fd[0] < 0)
		return;
	if (ct_generation(ft->ct) == 0) {
		state_memory(s, "no spare file");   /* built in memory: drop the stale file */
		return;
	}
	ct_seal(ft->ct);
	s->generation = ct_generation(ft->ct);
	s->cur = !old;
	if (ftruncate(s->fd[old], 0) < 0)
		log_warn("state %s: truncate", s->name[old]);
	log_info("state %s: generation %" PRIu64, s->name[s->cur], s->generation);
}

/* state_close() - close the files (unmap the table first); they keep the table. */
void state_close(struct state *s)
{
	for (int i = 0; i < 2; i++) {
		if (s->fd[i] >= 0)
			close(s->fd[i]);
		s->fd[i] = -1;
	}
}
