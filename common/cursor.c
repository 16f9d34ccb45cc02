// SPDX-License-Identifier: MIT
/* cursor.c - bounds-checked reader over a byte buffer (the getters are inline in cursor.h). */
#include "cursor.h"

/* Stands in for a NULL buffer so that no arithmetic is ever done on NULL. */
static const uint8_t cur_empty[1];

/* cur_init() - make c a window over buf[0..len); a NULL buf is an empty window. */
void cur_init(struct cursor *c, const void *buf, size_t len)
{
	c->p = buf ? buf : cur_empty;
	c->len = buf ? len : 0;
}
