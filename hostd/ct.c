// SPDX-License-Identifier: MIT
/* ct.c - conntrack table: entry array, two open-addressing indices, free list, sweep. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ct.h"
#include "hash.h"

/* The per-entry cost is a benchmark figure (memory per conntrack entry). */
static_assert(sizeof(struct ct_entry) <= 64, "ct_entry grew past 64 bytes (a cache line)");
/* The layout keeps the index slots and the entries 4-byte aligned. */
static_assert(sizeof(struct ct_file_hdr) == 128, "ct_file_hdr is not 128 bytes");
static_assert(offsetof(struct ct_file_hdr, csum) % 8 == 0, "csum is not 8-byte aligned");

#define CT_F_KNOWN (CT_F_STATIC | CT_F_USED)

/*
 * An index slot is 32 bits: the entry's number + 1 in the low 25 bits (0:
 * empty) and a 7-bit tag, the top bits of the key's hash, whose low bits
 * are the home position.  Comparing the tag first means an entry is read
 * only when it is 127 times in 128 the one sought; 4 bytes a slot keep
 * both indices small enough (8 MB each at a million entries) to stay
 * mostly in the last-level cache, so a hit costs about one miss, the entry.
 */
typedef uint32_t ct_slot;
#define CT_SLOT_IDX 0x01ffffffu          /* index + 1: CT_MAX_ENTRIES fits */
#define CT_SLOT_TAG_SHIFT 25
static_assert(CT_MAX_ENTRIES < CT_SLOT_IDX, "entry numbers + 1 fit a slot");

/*
 * Slots below hwm have been used at least once; free ones among them are on
 * the free list.  Slots at or above hwm were never touched, so a large
 * table costs only the pages that traffic has reached.  hwm is mirrored in
 * the header (it bounds what ct_load() reads); count, free list and sweep
 * cursor live here only: a loaded table is rebuilt, never resumed.
 */
struct ct {
	struct ct_file_hdr *h;   /* start of the mapping */
	size_t size;             /* of the mapping */
	struct ct_entry *e;
	ct_slot *priv;           /* index by private key */
	ct_slot *pub;            /* index by public key */
	uint32_t mask;           /* slots per index - 1 */
	uint32_t max;
	uint32_t count;
	uint32_t hwm;
	uint32_t free_head;
	uint32_t cursor;         /* next slot ct_sweep() examines */
	uint32_t seed;
};

/*
 * A kill may stop hostd between any two instructions; the order of the
 * stores around CT_F_USED is what keeps every used entry whole (see ct.h).
 * Stores of one thread reach memory in program order once the compiler
 * keeps it; nothing else reads the file while hostd runs.
 */
#define ct_barrier() __asm__ __volatile__("" ::: "memory")

static uint32_t ct_seed(void)
{
	uint32_t s;

	/* A random seed keeps remote hosts from aiming at one bucket. */
	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != sizeof(s))
		s = 0x5a17c7u;
	return s;
}

/* Slots per index: linear probing stays short at two thirds full or less. */
static uint32_t ct_nbuckets(uint32_t max)
{
	uint64_t want = (uint64_t)max + max / 2 + 1;
	uint32_t nb = 2;

	while (nb < want)
		nb <<= 1;
	return nb;
}

/* Bytes of the whole layout for max entries (max already checked). */
static size_t ct_layout_size(uint32_t max)
{
	return sizeof(struct ct_file_hdr) + 2 * (size_t)ct_nbuckets(max) * sizeof(ct_slot) +
	       (size_t)max * sizeof(struct ct_entry);
}

static uint64_t ct_hdr_csum(const struct ct_file_hdr *h)
{
	const unsigned char *p = (const unsigned char *)h;
	uint64_t x = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < offsetof(struct ct_file_hdr, csum); i++)
		x = (x ^ p[i]) * 0x100000001b3ULL;
	return x;
}

/* A struct ct over the mapping at map, laid out as the header h says (h may be a checked copy). */
static struct ct *ct_wrap(void *map, const struct ct_file_hdr *h)
{
	struct ct *t = calloc(1, sizeof(*t));
	uint32_t nb = h->nbuckets;

	if (!t)
		return NULL;
	t->h = map;
	t->size = h->size;
	t->priv = (ct_slot *)(t->h + 1);
	t->pub = t->priv + nb;
	t->e = (struct ct_entry *)(t->pub + nb);
	t->mask = nb - 1;
	t->max = h->max;
	t->hwm = h->hwm;
	t->free_head = CT_NONE;
	t->seed = h->seed;
	return t;
}

/* Fill in a fresh header and empty indices on a zeroed mapping of ct_layout_size(max). */
static struct ct *ct_init(void *map, uint32_t max, uint64_t generation, const char *owner)
{
	struct ct_file_hdr *h = map;
	struct ct *t;

	memcpy(h->magic, CT_FILE_MAGIC, sizeof(h->magic));
	h->version = CT_FILE_VERSION;
	h->hdr_size = sizeof(*h);
	h->entry_size = sizeof(struct ct_entry);
	h->max = max;
	h->nbuckets = ct_nbuckets(max);
	h->seed = ct_seed();
	h->generation = generation;
	h->size = ct_layout_size(max);
	snprintf(h->owner, sizeof(h->owner), "%s", owner);
	t = ct_wrap(map, h);
	if (t) {
		/* Zero: empty slots (the mapping may be a reused file). */
		memset(t->priv, 0, (size_t)h->nbuckets * sizeof(*t->priv));
		memset(t->pub, 0, (size_t)h->nbuckets * sizeof(*t->pub));
	}
	return t;
}

/* ct_new() - a table for at most max entries (1..CT_MAX_ENTRIES) in memory; NULL on ENOMEM. */
struct ct *ct_new(uint32_t max)
{
	struct ct *t;
	size_t size;
	void *map;

	if (max == 0 || max > CT_MAX_ENTRIES)
		return NULL;
	size = ct_layout_size(max);
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		return NULL;
	t = ct_init(map, max, 0, "");
	if (!t)
		munmap(map, size);
	return t;
}

/*
 * ct_create() - an empty table for max entries in the file open on fd,
 * truncated, sized and allocated in full; not loadable until ct_seal().
 */
struct ct *ct_create(int fd, uint32_t max, uint64_t generation, const char *owner)
{
	struct ct *t;
	size_t size;
	void *map;
	int err;

	if (max == 0 || max > CT_MAX_ENTRIES) {
		errno = EINVAL;
		return NULL;
	}
	size = ct_layout_size(max);
	/* Drop what was there, then reserve it all: a write to a hole of a full tmpfs is SIGBUS. */
	if (ftruncate(fd, 0) < 0 || ftruncate(fd, (off_t)size) < 0)
		return NULL;
	err = posix_fallocate(fd, 0, (off_t)size);
	if (err) {
		errno = err;
		return NULL;
	}
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return NULL;
	t = ct_init(map, max, generation, owner);
	if (!t) {
		munmap(map, size);
		errno = ENOMEM;
	}
	return t;
}

/* ct_seal() - write the header's checksum: from now on ct_load() accepts the file. */
void ct_seal(struct ct *t)
{
	ct_barrier();    /* the whole table is written before it is declared complete */
	t->h->csum = ct_hdr_csum(t->h);
}

/* Why a header cannot be trusted, or NULL when it can. */
static const char *ct_hdr_bad(const struct ct_file_hdr *h, off_t fsize, const char *owner)
{
	if (memcmp(h->magic, CT_FILE_MAGIC, sizeof(h->magic)))
		return "not a spat conntrack file (bad magic)";
	if (h->version != CT_FILE_VERSION)
		return "unknown version";
	if (h->hdr_size != sizeof(*h) || h->entry_size != sizeof(struct ct_entry))
		return "header or entry size differs from this build's";
	if (h->csum != ct_hdr_csum(h))
		return h->csum ? "header checksum mismatch" : "incomplete (never sealed)";
	if (h->max == 0 || h->max > CT_MAX_ENTRIES || h->nbuckets != ct_nbuckets(h->max))
		return "capacity or bucket count out of range";
	if (h->size != ct_layout_size(h->max) || (uint64_t)fsize != h->size)
		return "file size does not match the layout";
	if (!memchr(h->owner, 0, sizeof(h->owner)) || strcmp(h->owner, owner))
		return "written by another host (owner differs)";
	if (h->hwm > h->max)
		return "high-water mark past the capacity";
	return NULL;
}

/* The first used entry below hwm that no writer of ours would leave, or -1. */
static long ct_entries_bad(const struct ct *t, uint32_t *count)
{
	*count = 0;
	for (uint32_t i = 0; i < t->hwm; i++) {
		const struct ct_entry *e = &t->e[i];

		if (!(e->flags & CT_F_USED))
			continue;
		if ((e->flags & ~CT_F_KNOWN) || e->state >= CT_S__N || e->peer_next >= CT_PEERS)
			return i;
		(*count)++;
	}
	return -1;
}

/*
 * ct_load() - map the saved table in the file open on fd, read-only, once
 * its header and every used entry are valid.  For iteration only.
 */
enum ct_load_res ct_load(int fd, const char *owner, struct ct **out, char *why, size_t whylen)
{
	struct ct_file_hdr h;
	const char *bad;
	struct stat st;
	struct ct *t;
	void *map;
	long i;

	*out = NULL;
	if (fstat(fd, &st) < 0) {
		snprintf(why, whylen, "fstat: %s", strerror(errno));
		return CT_LOAD_BAD;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "not a regular file");
		return CT_LOAD_BAD;
	}
	if (st.st_size == 0)
		return CT_LOAD_EMPTY;
	if (st.st_size < (off_t)sizeof(h) || pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h)) {
		snprintf(why, whylen, "shorter than a header");
		return CT_LOAD_BAD;
	}
	bad = ct_hdr_bad(&h, st.st_size, owner);
	if (bad) {
		snprintf(why, whylen, "%s", bad);
		return CT_LOAD_BAD;
	}
	map = mmap(NULL, h.size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		snprintf(why, whylen, "mmap: %s", strerror(errno));
		return CT_LOAD_BAD;
	}
	/* Only the copy in h was checked: the layout comes from it, not from the mapping. */
	t = ct_wrap(map, &h);
	if (!t) {
		munmap(map, h.size);
		snprintf(why, whylen, "out of memory");
		return CT_LOAD_BAD;
	}
	i = ct_entries_bad(t, &t->count);
	if (i >= 0) {
		snprintf(why, whylen, "entry %ld: unknown flags or state", i);
		ct_free(t);
		return CT_LOAD_BAD;
	}
	*out = t;
	return CT_LOAD_OK;
}

/* ct_free() - unmap the table (the file, if any, stays as it is). */
void ct_free(struct ct *t)
{
	if (!t)
		return;
	munmap(t->h, t->size);
	free(t);
}

/* ct_generation() - the generation in the header: 0 in memory, >= 1 in a file. */
uint64_t ct_generation(const struct ct *t)
{
	return t->h->generation;
}

/* ct_count() - entries in use. */
uint32_t ct_count(const struct ct *t)
{
	return t->count;
}

/* ct_capacity() - the most entries the table holds. */
uint32_t ct_capacity(const struct ct *t)
{
	return t->max;
}

static uint32_t ct_priv_hash(const struct ct *t, uint32_t vni, uint8_t proto, uint32_t addr,
			     uint16_t port)
{
	return hash_u32x3(vni, addr, (uint32_t)proto << 16 | port, t->seed);
}

static uint32_t ct_pub_hash(const struct ct *t, uint32_t vni, uint8_t proto, uint32_t addr,
			    uint16_t port)
{
	/* Another seed, so that an entry's two keys do not share a probe pattern. */
	return hash_u32x3(vni, addr, (uint32_t)proto << 16 | port, ~t->seed);
}

static uint32_t ct_tag(uint32_t h)
{
	return h >> CT_SLOT_TAG_SHIFT;
}

/* ct_prefetch_priv() - the private index's slot for this key, on its way to the cache. */
void ct_prefetch_priv(const struct ct *t, uint32_t vni, uint8_t proto, uint32_t vm_addr,
		      uint16_t vm_port)
{
	__builtin_prefetch(&t->priv[ct_priv_hash(t, vni, proto, vm_addr, vm_port) & t->mask]);
}

/* ct_prefetch_pub() - the public index's slot for this key, on its way to the cache. */
void ct_prefetch_pub(const struct ct *t, uint32_t vni, uint8_t proto, uint32_t pub_addr,
		     uint16_t pub_port)
{
	__builtin_prefetch(&t->pub[ct_pub_hash(t, vni, proto, pub_addr, pub_port) & t->mask]);
}

/* ct_find_priv() - mapping of a VM endpoint, or NULL. */
struct ct_entry *ct_find_priv(struct ct *t, uint32_t vni, uint8_t proto, uint32_t vm_addr,
			      uint16_t vm_port)
{
	uint32_t h = ct_priv_hash(t, vni, proto, vm_addr, vm_port), i = h & t->mask, s;
	struct ct_entry *e;

	for (; (s = t->priv[i]) != 0; i = (i + 1) & t->mask) {
		if (s >> CT_SLOT_TAG_SHIFT != ct_tag(h))
			continue;
		e = &t->e[(s & CT_SLOT_IDX) - 1];
		if (e->vm_addr == vm_addr && e->vm_port == vm_port && e->vni == vni &&
		    e->proto == proto)
			return e;
	}
	return NULL;
}

/* ct_find_pub() - mapping of a public endpoint, or NULL. */
struct ct_entry *ct_find_pub(struct ct *t, uint32_t vni, uint8_t proto, uint32_t pub_addr,
			     uint16_t pub_port)
{
	uint32_t h = ct_pub_hash(t, vni, proto, pub_addr, pub_port), i = h & t->mask, s;
	struct ct_entry *e;

	for (; (s = t->pub[i]) != 0; i = (i + 1) & t->mask) {
		if (s >> CT_SLOT_TAG_SHIFT != ct_tag(h))
			continue;
		e = &t->e[(s & CT_SLOT_IDX) - 1];
		if (e->pub_addr == pub_addr && e->pub_port == pub_port && e->vni == vni &&
		    e->proto == proto)
			return e;
	}
	return NULL;
}

static uint32_t ct_slot_get(struct ct *t)
{
	uint32_t i = t->free_head;

	if (i != CT_NONE) {
		t->free_head = t->e[i].next_free;
		return i;
	}
	if (t->hwm < t->max) {
		t->h->hwm = t->hwm + 1;
		return t->hwm++;
	}
	return CT_NONE;
}

/* Put entry idx with key hash h into the first empty slot of its probe sequence. */
static void ct_index_add(struct ct *t, ct_slot *ix, uint32_t h, uint32_t idx)
{
	uint32_t i = h & t->mask;

	/* Never full: at most max entries in more than max * 3 / 2 slots. */
	while (ix[i])
		i = (i + 1) & t->mask;
	ix[i] = (idx + 1) | ct_tag(h) << CT_SLOT_TAG_SHIFT;
}

/* The hash of the key of the entry in slot value s, in the private or the public index. */
static uint32_t ct_slot_hash(const struct ct *t, ct_slot s, bool pub)
{
	const struct ct_entry *e = &t->e[(s & CT_SLOT_IDX) - 1];

	return pub ? ct_pub_hash(t, e->vni, e->proto, e->pub_addr, e->pub_port)
		   : ct_priv_hash(t, e->vni, e->proto, e->vm_addr, e->vm_port);
}

/*
 * Remove entry idx (key hash h) from an index by backward shift: each later
 * slot of the cluster that may live in the hole moves into it, so probes
 * never meet a gap before their key and no tombstones accumulate.  A slot
 * holds only 7 bits of its hash, so its home comes from its entry's key.
 */
static void ct_index_del(struct ct *t, ct_slot *ix, uint32_t h, uint32_t idx, bool pub)
{
	uint32_t hole = h & t->mask, k, home;

	while ((ix[hole] & CT_SLOT_IDX) != idx + 1) {
		if (!ix[hole])
			return;          /* not indexed: nothing to do */
		hole = (hole + 1) & t->mask;
	}
	for (k = (hole + 1) & t->mask; ix[k]; k = (k + 1) & t->mask) {
		home = ct_slot_hash(t, ix[k], pub) & t->mask;
		/* The entry at k may move back to the hole if the hole is on its probe path. */
		if (((k - home) & t->mask) >= ((k - hole) & t->mask)) {
			ix[hole] = ix[k];
			hole = k;
		}
	}
	ix[hole] = 0;
}

/*
 * ct_insert() - copy *e into a free slot and index it both ways.  Returns
 * the entry, or NULL when the table is full or either key already exists.
 */
struct ct_entry *ct_insert(struct ct *t, const struct ct_entry *e)
{
	struct ct_entry *n, c;
	uint32_t i;

	if (t->count >= t->max ||
	    ct_find_priv(t, e->vni, e->proto, e->vm_addr, e->vm_port) ||
	    ct_find_pub(t, e->vni, e->proto, e->pub_addr, e->pub_port))
		return NULL;
	i = ct_slot_get(t);
	if (i == CT_NONE)
		return NULL;
	c = *e;
	c.flags &= (uint8_t)~CT_F_USED;
	n = &t->e[i];
	*n = c;
	ct_barrier();    /* whole before it is marked used */
	n->flags |= CT_F_USED;
	ct_index_add(t, t->priv, ct_priv_hash(t, c.vni, c.proto, c.vm_addr, c.vm_port), i);
	ct_index_add(t, t->pub, ct_pub_hash(t, c.vni, c.proto, c.pub_addr, c.pub_port), i);
	t->count++;
	return n;
}

/* ct_remove() - remove e from both indices and free its slot. */
void ct_remove(struct ct *t, struct ct_entry *e)
{
	uint32_t i = (uint32_t)(e - t->e);

	if (i >= t->hwm || !(e->flags & CT_F_USED))
		return;
	ct_index_del(t, t->priv, ct_priv_hash(t, e->vni, e->proto, e->vm_addr, e->vm_port), i, false);
	ct_index_del(t, t->pub, ct_pub_hash(t, e->vni, e->proto, e->pub_addr, e->pub_port), i, true);
	e->flags = 0;
	ct_barrier();    /* unmarked before it is cleared */
	memset(e, 0, sizeof(*e));
	e->next_free = t->free_head;
	t->free_head = i;
	t->count--;
}

static bool ct_expired(const struct ct_entry *e, uint32_t now)
{
	return (e->flags & CT_F_USED) && !(e->flags & CT_F_STATIC) && e->expires <= now;
}

/*
 * ct_sweep() - examine up to budget slots from where the last sweep
 * stopped; for each non-static entry with expires <= now call cb (if set)
 * and remove it.  Returns the number removed.
 */
uint32_t ct_sweep(struct ct *t, uint32_t now, uint32_t budget, ct_expire_fn cb, void *arg)
{
	uint32_t n = 0, removed = 0;
	struct ct_entry *e;

	/* Only slots below hwm can be in use; each is looked at once per call at most. */
	if (budget > t->hwm)
		budget = t->hwm;
	for (; n < budget; n++) {
		if (t->cursor >= t->hwm)
			t->cursor = 0;
		e = &t->e[t->cursor++];
		if (!ct_expired(e, now))
			continue;
		if (cb)
			cb(arg, e);
		ct_remove(t, e);
		removed++;
	}
	return removed;
}

/* ct_iter() - walk entries in use: start with *pos = 0; NULL at the end. */
struct ct_entry *ct_iter(struct ct *t, uint32_t *pos)
{
	while (*pos < t->hwm) {
		struct ct_entry *e = &t->e[(*pos)++];

		if (e->flags & CT_F_USED)
			return e;
	}
	return NULL;
}
