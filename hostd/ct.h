/* SPDX-License-Identifier: MIT */
/* ct.h - conntrack table: NAT mappings indexed by private and by public endpoint. */
#ifndef SPAT_CT_H
#define SPAT_CT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Theory of operation: one entry per mapping (RFC 4787 endpoint-independent
 * mapping), i.e. (tenant, protocol, VM address, VM port) <-> (public
 * address, public port).  Entries sit in one preallocated array; two
 * open-addressing indices (linear probing, at most two thirds full) find
 * them by their private and by their public key.  An index slot is 4
 * bytes, the entry's number and 7 bits of the key's hash, so a lookup
 * reads a slot or two (small enough to stay mostly in cache) and only the
 * entry whose tag matches: no chain of entries to walk.  Free
 * entries form a list through next_free.  Nothing allocates after ct_new().
 * Expiry is an incremental sweep (ct_sweep()) bounded per call.
 *
 * The table is one memory area: a header, the two bucket arrays and the
 * entry array, in that order.  ct_new() puts it in anonymous memory;
 * ct_create() in a file, mapped shared, so that every change is in the
 * file the moment it is made and a process killed with SIGKILL loses
 * nothing (the kernel keeps the dirty pages of a shared file mapping; only
 * a crash of the machine would need msync, and /run does not outlive one).
 *
 * A saved table is never adopted as it is.  ct_load() checks the header
 * and the entries, then only iterates them: a new table is built from its
 * entries (flow_restore()), so the indices of the file, which a
 * kill in the middle of ct_insert() may leave half linked and corruption
 * could turn into loops or wild indices, are never followed.  The only
 * field of the header that changes after ct_seal() is hwm, a bound checked
 * against max; the rest is covered by a checksum.  An entry is marked used
 * only once it is complete, and unmarked before it is cleared, so a kill
 * at any instruction leaves every used entry whole.
 */

#define CT_NONE UINT32_MAX

/*
 * Mapping states.  UDP and ICMP use NEW and EST only; TCP follows RFC 7857
 * s2 and RFC 6146 s3.5.2 (see tcpstate.h).  The values are stored in the
 * state file: append, never renumber.
 */
enum ct_state {
	CT_S_NEW = 0,            /* only the opening direction seen (TCP: picked up mid-stream) */
	CT_S_EST,                /* traffic both ways (TCP: a SYN seen each way) */
	CT_S_CLOSING,            /* TCP FIN seen both ways: transitory */
	CT_S_SYN_OUT,            /* TCP SYN from the VM only: transitory */
	CT_S_SYN_IN,             /* TCP SYN from outside only: transitory */
	CT_S_FIN_OUT,            /* TCP FIN from the VM only: established timer (half close) */
	CT_S_FIN_IN,             /* TCP FIN from outside only: established timer */
	CT_S_RST,                /* TCP RST seen: transitory; a later non-RST packet re-establishes */
	CT_S__N
};

#define CT_F_STATIC 0x01         /* seeded from config: never expires */
#define CT_F_USED 0x80           /* slot in use */

/*
 * Remote addresses a mapping has sent to, for address-dependent filtering
 * (RFC 4787 REQ-8): the CT_PEERS most recent distinct ones, replaced
 * oldest first.  7 keeps an entry at 64 bytes, one cache line.
 */
#define CT_PEERS 7

struct ct_entry {
	uint32_t vni;
	uint32_t vm_addr;
	uint32_t pub_addr;
	uint16_t vm_port;
	uint16_t pub_port;
	union {
		uint32_t expires;        /* in use: monotonic seconds; ignored for CT_F_STATIC */
		uint32_t next_free;      /* free: the next free slot, or CT_NONE */
	};
	uint16_t vm;             /* VM index in the host config */
	uint8_t proto;
	uint8_t state;
	uint8_t flags;
	uint8_t peer_next;       /* slot of peers[] the next new address goes to */
	uint32_t peers[CT_PEERS];   /* 0: unused slot */
};
_Static_assert(sizeof(struct ct_entry) <= 128, "issue 4: at most 128 bytes per entry");

#define CT_MAX_ENTRIES (1u << 24)  /* the largest max_entries a config may give */
#define CT_FILE_MAGIC "SPATCT\n"   /* 8 bytes with the NUL */
#define CT_FILE_VERSION 3u         /* 3: TCP states, peers[], open-addressing indices */

/*
 * The header of a table, at offset 0 of its memory and of its file; the
 * file is host-endian (it lives in /run and never leaves the machine).
 * Then come the index slots priv[nbuckets] and pub[nbuckets], 4 bytes each,
 * and struct ct_entry e[max]: size = 128 + 8 * nbuckets + max * entry_size.
 */
struct ct_file_hdr {
	char magic[8];           /* CT_FILE_MAGIC */
	uint32_t version;        /* CT_FILE_VERSION */
	uint32_t hdr_size;       /* sizeof(struct ct_file_hdr) */
	uint32_t entry_size;     /* sizeof(struct ct_entry) */
	uint32_t max;            /* capacity, 1..CT_MAX_ENTRIES */
	uint32_t nbuckets;       /* slots per index: the power of two above max * 3 / 2 */
	uint32_t seed;           /* bucket hash seed */
	uint64_t generation;     /* 1 for a first table, +1 for each one built from another */
	uint64_t size;           /* bytes of the whole layout (the file's size) */
	char owner[64];          /* name of the hostd that wrote it (config "name") */
	uint64_t csum;           /* FNV-1a of the bytes above; 0 until ct_seal() */
	uint32_t hwm;            /* slots below hwm have been used; the rest are zero */
	uint32_t pad;
};

struct ct;

/* ct_new() - a table for at most max entries (1..CT_MAX_ENTRIES) in memory; NULL on ENOMEM. */
struct ct *ct_new(uint32_t max);
/*
 * ct_create() - an empty table for max entries in the file open on fd,
 * which is truncated, sized and allocated in full (so that no later write
 * can fail for want of space).  Not loadable until ct_seal().  NULL with
 * errno set on failure.  The caller keeps fd; it must stay open.
 */
struct ct *ct_create(int fd, uint32_t max, uint64_t generation, const char *owner);
/* ct_seal() - write the header's checksum: from now on ct_load() accepts the file. */
void ct_seal(struct ct *t);

enum ct_load_res {
	CT_LOAD_OK = 0,
	CT_LOAD_EMPTY,           /* a file of size 0: no saved table */
	CT_LOAD_BAD,             /* not a table we can trust; why says what is wrong */
};
/*
 * ct_load() - map the table saved in the file open on fd, read-only, once
 * its header (magic, version, sizes, capacity, layout, checksum, owner, hwm)
 * and every used entry (flags, state) are valid.  The result is for
 * ct_iter(), ct_count(), ct_capacity() and ct_generation() only: its
 * indices are not trusted, so it is never searched nor changed.
 */
enum ct_load_res ct_load(int fd, const char *owner, struct ct **out, char *why, size_t whylen);
/* ct_free() - unmap the table (the file, if any, stays as it is). */
void ct_free(struct ct *t);
/* ct_generation() - the generation in the header: 0 in memory, >= 1 in a file. */
uint64_t ct_generation(const struct ct *t);
/* ct_count() / ct_capacity() - entries in use, and the maximum. */
uint32_t ct_count(const struct ct *t);
uint32_t ct_capacity(const struct ct *t);

/*
 * ct_prefetch_priv(), ct_prefetch_pub() - start loading the index slot that
 * ct_find_priv() / ct_find_pub() of this key reads first.  A lookup in a
 * large table waits on two cache misses, the slot and then the entry;
 * prefetching the slots of a whole burst's keys before looking any of them
 * up lets those misses overlap.  A hint: no effect on results.
 */
void ct_prefetch_priv(const struct ct *t, uint32_t vni, uint8_t proto, uint32_t vm_addr,
		      uint16_t vm_port);
void ct_prefetch_pub(const struct ct *t, uint32_t vni, uint8_t proto, uint32_t pub_addr,
		     uint16_t pub_port);

/* ct_find_priv() - mapping of a VM endpoint, or NULL. */
struct ct_entry *ct_find_priv(struct ct *t, uint32_t vni, uint8_t proto, uint32_t vm_addr,
			      uint16_t vm_port);
/* ct_find_pub() - mapping of a public endpoint, or NULL. */
struct ct_entry *ct_find_pub(struct ct *t, uint32_t vni, uint8_t proto, uint32_t pub_addr,
			     uint16_t pub_port);
/*
 * ct_insert() - copy *e into a free slot and index it both ways.  Returns
 * the entry, or NULL when the table is full or either key already exists.
 */
struct ct_entry *ct_insert(struct ct *t, const struct ct_entry *e);
/* ct_remove() - remove e from both indices and free its slot. */
void ct_remove(struct ct *t, struct ct_entry *e);

/*
 * ct_sweep() - examine up to budget slots from where the last sweep
 * stopped; for each non-static entry with expires <= now call cb (if set)
 * and remove it.  Returns the number removed.
 */
typedef void (*ct_expire_fn)(void *arg, const struct ct_entry *e);
uint32_t ct_sweep(struct ct *t, uint32_t now, uint32_t budget, ct_expire_fn cb, void *arg);

/* ct_iter() - walk entries in use: start with *pos = 0; NULL at the end. */
struct ct_entry *ct_iter(struct ct *t, uint32_t *pos);

#endif
