// SPDX-License-Identifier: MIT
/* cursor.c - bounds-checked reader over a byte buffer. */
#include <string.h>

#include "cursor.h"

/* Stands in for a NULL buffer so that no arithmetic is ever done on NULL. */
static const uint8_t cur_empty[1];

/* cur_init() - make c a window over buf[0..len); a NULL buf is an empty window. */
void cur_init(struct cursor *c, const void *buf, size_t len)
{
	c->p = buf ? buf : cur_empty;
	c->len = buf ? len : 0;
}

/* cur_left() - bytes not yet consumed. */
size_t cur_left(const struct cursor *c)
{
	return c->len;
}

/* Consume n bytes and return where they start, or NULL (cursor untouched). */
static const uint8_t *cur_take(struct cursor *c, size_t n)
{
	const uint8_t *p = c->p;

	if (n > c->len)
		return NULL;
	c->p += n;
	c->len -= n;
	return p;
}

/* Big-endian value of the n (<= 4) bytes at p. */
static uint32_t be_load(const uint8_t *p, size_t n)
{
	uint32_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* cur_get_u8() - read one byte. Return: 0, or -1 if none is left. */
int cur_get_u8(struct cursor *c, uint8_t *v)
{
	const uint8_t *p = cur_take(c, 1);

	if (!p)
		return -1;
	*v = p[0];
	return 0;
}

/* cur_get_u16() - read a network-order 16-bit integer. Return: 0 or -1. */
int cur_get_u16(struct cursor *c, uint16_t *v)
{
	const uint8_t *p = cur_take(c, 2);

	if (!p)
		return -1;
	*v = (uint16_t)be_load(p, 2);
	return 0;
}

/* cur_get_u24() - read a network-order 24-bit integer (a VNI). Return: 0 or -1. */
int cur_get_u24(struct cursor *c, uint32_t *v)
{
	const uint8_t *p = cur_take(c, 3);

	if (!p)
		return -1;
	*v = be_load(p, 3);
	return 0;
}

/* cur_get_u32() - read a network-order 32-bit integer. Return: 0 or -1. */
int cur_get_u32(struct cursor *c, uint32_t *v)
{
	const uint8_t *p = cur_take(c, 4);

	if (!p)
		return -1;
	*v = be_load(p, 4);
	return 0;
}

/* cur_get_bytes() - copy the next n bytes to dst. Return: 0 or -1. */
int cur_get_bytes(struct cursor *c, void *dst, size_t n)
{
	const uint8_t *p = cur_take(c, n);

	if (!p)
		return -1;
	if (n)
		memcpy(dst, p, n);
	return 0;
}

/* cur_skip() - consume n bytes. Return: 0 or -1. */
int cur_skip(struct cursor *c, size_t n)
{
	return cur_take(c, n) ? 0 : -1;
}

/* cur_get_ptr() - point *ptr at the next n bytes and consume them. Return: 0 or -1. */
int cur_get_ptr(struct cursor *c, const uint8_t **ptr, size_t n)
{
	const uint8_t *p = cur_take(c, n);

	if (!p)
		return -1;
	*ptr = p;
	return 0;
}

/* cur_sub() - cut the next n bytes into *sub and consume them. Return: 0 or -1. */
int cur_sub(struct cursor *c, struct cursor *sub, size_t n)
{
	const uint8_t *p = cur_take(c, n);

	if (!p)
		return -1;
	sub->p = p;
	sub->len = n;
	return 0;
}

/* cur_peek_u8() - byte at offset off, not consumed. Return: 0 or -1. */
int cur_peek_u8(const struct cursor *c, size_t off, uint8_t *v)
{
	if (off >= c->len)
		return -1;
	*v = c->p[off];
	return 0;
}

/* cur_peek_u16() - network-order 16 bits at offset off, not consumed. Return: 0 or -1. */
int cur_peek_u16(const struct cursor *c, size_t off, uint16_t *v)
{
	if (off >= c->len || c->len - off < 2)
		return -1;
	*v = (uint16_t)be_load(c->p + off, 2);
	return 0;
}
