// SPDX-License-Identifier: MIT
/* ct.c - conntrack table: one entry array, two hash indices, a free list, a bounded sweep. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "ct.h"
#include "hash.h"

/* The per-entry cost is a benchmark figure (memory per conntrack entry). */
static_assert(sizeof(struct ct_entry) <= 48, "ct_entry grew past 48 bytes");

/*
 * Slots below hwm have been used at least once; free ones among them are on
 * the free list.  Slots at or above hwm were never touched, so a large
 * table costs only the pages that traffic has reached.
 */
struct ct {
	struct ct_entry *e;
	uint32_t *priv;          /* bucket heads, private key */
	uint32_t *pub;           /* bucket heads, public key */
	uint32_t mask;           /* buckets - 1 */
	uint32_t max;
	uint32_t count;
	uint32_t hwm;
	uint32_t free_head;
	uint32_t cursor;         /* next slot ct_sweep() examines */
	uint32_t seed;
};

static uint32_t ct_seed(void)
{
	uint32_t s;

	/* A random seed keeps remote hosts from aiming at one bucket. */
	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != sizeof(s))
		s = 0x5a17c7u;
	return s;
}

/* ct_new() - a table for at most max entries (>= 1); NULL on ENOMEM. */
struct ct *ct_new(uint32_t max)
{
	struct ct *t;
	uint32_t nb = 1;

	if (max == 0 || max > (1u << 31))
		return NULL;
	while (nb < max)
		nb <<= 1;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->e = calloc(max, sizeof(*t->e));
	t->priv = malloc((size_t)nb * sizeof(*t->priv));
	t->pub = malloc((size_t)nb * sizeof(*t->pub));
	if (!t->e || !t->priv || !t->pub) {
		ct_free(t);
		return NULL;
	}
	memset(t->priv, 0xff, (size_t)nb * sizeof(*t->priv));
	memset(t->pub, 0xff, (size_t)nb * sizeof(*t->pub));
	t->mask = nb - 1;
	t->max = max;
	t->free_head = CT_NONE;
	t->seed = ct_seed();
	return t;
}

/* ct_free() - release the table and every entry in it. */
void ct_free(struct ct *t)
{
	if (!t)
		return;
	free(t->e);
	free(t->priv);
	free(t->pub);
	free(t);
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

static uint32_t *ct_priv_head(struct ct *t, uint32_t vni, uint8_t proto, uint32_t addr,
			      uint16_t port)
{
	return &t->priv[hash_u32x3(vni, addr, (uint32_t)proto << 16 | port, t->seed) & t->mask];
}

static uint32_t *ct_pub_head(struct ct *t, uint32_t vni, uint8_t proto, uint32_t addr,
			     uint16_t port)
{
	/* Another seed, so that an entry's two keys do not share a bucket pattern. */
	return &t->pub[hash_u32x3(vni, addr, (uint32_t)proto << 16 | port, ~t->seed) & t->mask];
}

/* ct_find_priv() - mapping of a VM endpoint, or NULL. */
struct ct_entry *ct_find_priv(struct ct *t, uint32_t vni, uint8_t proto, uint32_t vm_addr,
			      uint16_t vm_port)
{
	uint32_t i = *ct_priv_head(t, vni, proto, vm_addr, vm_port);
	struct ct_entry *e;

	for (; i != CT_NONE; i = e->next_priv) {
		e = &t->e[i];
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
	uint32_t i = *ct_pub_head(t, vni, proto, pub_addr, pub_port);
	struct ct_entry *e;

	for (; i != CT_NONE; i = e->next_pub) {
		e = &t->e[i];
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
		t->free_head = t->e[i].next_priv;
		return i;
	}
	if (t->hwm < t->max)
		return t->hwm++;
	return CT_NONE;
}

/*
 * ct_insert() - copy *e into a free slot and index it both ways.  Returns
 * the entry, or NULL when the table is full or either key already exists.
 */
struct ct_entry *ct_insert(struct ct *t, const struct ct_entry *e)
{
	uint32_t *hpriv, *hpub, i;
	struct ct_entry *n;

	if (t->count >= t->max ||
	    ct_find_priv(t, e->vni, e->proto, e->vm_addr, e->vm_port) ||
	    ct_find_pub(t, e->vni, e->proto, e->pub_addr, e->pub_port))
		return NULL;
	i = ct_slot_get(t);
	if (i == CT_NONE)
		return NULL;
	hpriv = ct_priv_head(t, e->vni, e->proto, e->vm_addr, e->vm_port);
	hpub = ct_pub_head(t, e->vni, e->proto, e->pub_addr, e->pub_port);
	n = &t->e[i];
	*n = *e;
	n->flags |= CT_F_USED;
	n->next_priv = *hpriv;
	n->next_pub = *hpub;
	*hpriv = i;
	*hpub = i;
	t->count++;
	return n;
}

/* Unlink slot i from the private chain starting at *link. */
static void ct_unlink_priv(struct ct *t, uint32_t *link, uint32_t i)
{
	while (*link != CT_NONE && *link != i)
		link = &t->e[*link].next_priv;
	if (*link == i)
		*link = t->e[i].next_priv;
}

/* Unlink slot i from the public chain starting at *link. */
static void ct_unlink_pub(struct ct *t, uint32_t *link, uint32_t i)
{
	while (*link != CT_NONE && *link != i)
		link = &t->e[*link].next_pub;
	if (*link == i)
		*link = t->e[i].next_pub;
}

/* ct_remove() - unlink e from both indices and free its slot. */
void ct_remove(struct ct *t, struct ct_entry *e)
{
	uint32_t i = (uint32_t)(e - t->e);

	if (i >= t->hwm || !(e->flags & CT_F_USED))
		return;
	ct_unlink_priv(t, ct_priv_head(t, e->vni, e->proto, e->vm_addr, e->vm_port), i);
	ct_unlink_pub(t, ct_pub_head(t, e->vni, e->proto, e->pub_addr, e->pub_port), i);
	memset(e, 0, sizeof(*e));
	e->next_priv = t->free_head;
	e->next_pub = CT_NONE;
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
