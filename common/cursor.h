/* SPDX-License-Identifier: MIT */
/* cursor.h - bounds-checked reader over a byte buffer: nothing indexes raw packets. */
#ifndef SPAT_CURSOR_H
#define SPAT_CURSOR_H

#include <stddef.h>
#include <stdint.h>

/*
 * A cursor is a window [p, p + len) into a buffer.  Every getter either
 * consumes the bytes it returns or fails with -1 and leaves the cursor as it
 * was, so callers can chain reads and check once.  Multi-byte integers are
 * read in network byte order and returned in host order.
 */
struct cursor {
	const uint8_t *p;
	size_t len;
};

void cur_init(struct cursor *c, const void *buf, size_t len);
size_t cur_left(const struct cursor *c);
int cur_get_u8(struct cursor *c, uint8_t *v);
int cur_get_u16(struct cursor *c, uint16_t *v);
int cur_get_u24(struct cursor *c, uint32_t *v);
int cur_get_u32(struct cursor *c, uint32_t *v);
int cur_get_bytes(struct cursor *c, void *dst, size_t n);
int cur_skip(struct cursor *c, size_t n);
/* Point *ptr at the next n bytes without copying, and consume them. */
int cur_get_ptr(struct cursor *c, const uint8_t **ptr, size_t n);
/* Cut the next n bytes into a sub-cursor and consume them from c. */
int cur_sub(struct cursor *c, struct cursor *sub, size_t n);
/* Read without consuming: bytes at offset off from the cursor's start. */
int cur_peek_u8(const struct cursor *c, size_t off, uint8_t *v);
int cur_peek_u16(const struct cursor *c, size_t off, uint16_t *v);

#endif
