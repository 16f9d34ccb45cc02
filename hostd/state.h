/* SPDX-License-Identifier: MIT */
/* state.h - hostd's conntrack table in a pair of files, kept across restarts and reloads. */
#ifndef SPAT_STATE_H
#define SPAT_STATE_H

#include <stdint.h>

#include "flow.h"
#include "host_conf.h"

/*
 * The two files are state_file and state_file.next.  fd[cur] holds the
 * running table; fd[!cur] is empty, for the table the next reload builds.
 * fd[0] < 0: no files, the table is in memory (it does not survive).
 */
struct state {
	char name[2][sizeof(((struct host_conf *)0)->state_file) + 8];
	int fd[2];
	int cur;
	uint64_t generation;     /* of the running table */
};

/*
 * state_start() - build ft for conf on the state files, adopting the live
 * mappings the last run left there.  Locks both files, loads the newest
 * valid table (a bad one is renamed to NAME.bad-UNIXTIME and logged),
 * builds a new table from it, and leaves it in state_file with an empty
 * state_file.next.  When the files cannot be used the table is built in
 * memory (logged).  Returns 0, or -1 (logged) when another process holds
 * the files or ft cannot be built at all.
 */
int state_start(struct state *s, struct flowtab *ft, const struct host_conf *conf,
		uint32_t seed, uint32_t now);
/*
 * state_build() - for a reload: flow_init_ct() of nft for nc on the spare
 * file (or in memory); the running file is not touched.  0 or -1; on -1
 * nothing is left behind.
 */
int state_build(struct state *s, struct flowtab *nft, const struct host_conf *nc,
		uint32_t seed);
/*
 * state_commit() - after a reload swapped in the table of state_build()
 * and unmapped the old one: mark the new file complete, then empty the old
 * one, which becomes the spare.
 */
void state_commit(struct state *s, struct flowtab *ft);
/* state_close() - close the files (unmap the table first); they keep the table. */
void state_close(struct state *s);

#endif
