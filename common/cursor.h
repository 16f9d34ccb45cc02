/* SPDX-License-Identifier: MIT */
/* cursor.h - bounds-checked reader over a byte buffer: nothing indexes raw packets. */
#ifndef SPAT_CURSOR_H
#define SPAT_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * A cursor is a window [p, p + len) into a buffer.  Every getter either
 * consumes the bytes it returns or fails with -1 and leaves the cursor as it
 * was, so callers can chain reads and check once.  Multi-byte integers are
 * read in network byte order and returned in host order.  The getters are
 * inline: every packet's parse runs through them, and a call each cost
 * more than the check.
 */
struct cursor {
	const uint8_t *p;
	size_t len;
};

/* cur_init() - make c a window over buf[0..len); a NULL buf is an empty window. */
void cur_init(struct cursor *c, const void *buf, size_t len);

/* Consume n bytes and return where they start, or NULL (cursor untouched). */
static inline const uint8_t *cur_take_(struct cursor *c, size_t n)
{
	const uint8_t *p = c->p;

	if (n > c->len)
		return NULL;
	c->p += n;
	c->len -= n;
	return p;
}

/* Big-endian value of the n (<= 4) bytes at p. */
static inline uint32_t cur_be_(const uint8_t *p, size_t n)
{
	uint32_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* cur_left() - bytes not yet consumed. */
static inline size_t cur_left(const struct cursor *c)
{
	return c->len;
}

/* cur_get_u8() - read one byte. Return: 0, or -1 if none is left. */
static inline int cur_get_u8(struct cursor *c, uint8_t *v)
{
	const uint8_t *p = cur_take_(c, 1);

	if (!p)
		return -1;
	*v = p[0];
	return 0;
}

/* cur_get_u16() - read a network-order 16-bit integer. Return: 0 or -1. */
static inline int cur_get_u16(struct cursor *c, uint16_t *v)
{
	const uint8_t *p = cur_take_(c, 2);

	if (!p)
		return -1;
	*v = (uint16_t)cur_be_(p, 2);
	return 0;
}

/* cur_get_u24() - read a network-order 24-bit integer (a VNI). Return: 0 or -1. */
static inline int cur_get_u24(struct cursor *c, uint32_t *v)
{
	const uint8_t *p = cur_take_(c, 3);

	if (!p)
		return -1;
	*v = cur_be_(p, 3);
	return 0;
}

/* cur_get_u32() - read a network-order 32-bit integer. Return: 0 or -1. */
static inline int cur_get_u32(struct cursor *c, uint32_t *v)
{
	const uint8_t *p = cur_take_(c, 4);

	if (!p)
		return -1;
	*v = cur_be_(p, 4);
	return 0;
}

/* cur_get_bytes() - copy the next n bytes to dst. Return: 0 or -1. */
static inline int cur_get_bytes(struct cursor *c, void *dst, size_t n)
{
	const uint8_t *p = cur_take_(c, n);

	if (!p)
		return -1;
	if (n)
		memcpy(dst, p, n);
	return 0;
}

/* cur_skip() - consume n bytes. Return: 0 or -1. */
static inline int cur_skip(struct cursor *c, size_t n)
{
	return cur_take_(c, n) ? 0 : -1;
}

/* cur_get_ptr() - point *ptr at the next n bytes without copying, and consume them. */
static inline int cur_get_ptr(struct cursor *c, const uint8_t **ptr, size_t n)
{
	const uint8_t *p = cur_take_(c, n);

	if (!p)
		return -1;
	*ptr = p;
	return 0;
}

/* cur_sub() - cut the next n bytes into *sub and consume them from c. Return: 0 or -1. */
static inline int cur_sub(struct cursor *c, struct cursor *sub, size_t n)
{
	const uint8_t *p = cur_take_(c, n);

	if (!p)
		return -1;
	sub->p = p;
	sub->len = n;
	return 0;
}

/* cur_peek_u8() - byte at offset off from the cursor's start, not consumed. Return: 0 or -1. */
static inline int cur_peek_u8(const struct cursor *c, size_t off, uint8_t *v)
{
	if (off >= c->len)
		return -1;
	*v = c->p[off];
	return 0;
}

/* cur_peek_u16() - network-order 16 bits at offset off, not consumed. Return: 0 or -1. */
static inline int cur_peek_u16(const struct cursor *c, size_t off, uint16_t *v)
{
	if (off >= c->len || c->len - off < 2)
		return -1;
	*v = (uint16_t)cur_be_(c->p + off, 2);
	return 0;
}

#endif
