/* SPDX-License-Identifier: MIT */
/* ydoc.h - YAML documents with file:line:column errors and table-driven maps. */
#ifndef SPAT_YDOC_H
#define SPAT_YDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

/* An error message, already prefixed with "file:line:column: ". */
struct yerr {
	char msg[512];
};

struct ydoc {
	const char *name;     /* file name for messages */
	yaml_document_t doc;
	bool loaded;
};

/*
 * ydoc_load() - parse buf (len bytes, not NUL-terminated) as one YAML
 * document.  On a syntax error fills *err with the position libyaml gives
 * and returns -1.  An empty document is an error too.  On success call
 * ydoc_free().  Aliases and tags are accepted as libyaml resolves them.
 */
int ydoc_load(struct ydoc *d, const char *name, const char *buf, size_t len, struct yerr *err);
/* ydoc_load_file() - read the file (at most 16 MiB) and ydoc_load() it. */
int ydoc_load_file(struct ydoc *d, const char *path, struct yerr *err);
void ydoc_free(struct ydoc *d);
/* ydoc_root() - the root node (never NULL after a successful load). */
yaml_node_t *ydoc_root(struct ydoc *d);

/* yerr_at() - format an error at node n's start mark; always returns -1. */
int yerr_at(struct yerr *err, const struct ydoc *d, const yaml_node_t *n,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* ydoc_scalar() - the scalar's text (NUL-terminated) or NULL if n is not a scalar. */
const char *ydoc_scalar(const yaml_node_t *n);
/* ydoc_kind() - "a scalar", "a sequence" or "a mapping", for messages. */
const char *ydoc_kind(const yaml_node_t *n);

/*
 * Table-driven mapping walk: one ykey per accepted key, the table ended by
 * an entry with a NULL name (at most 64 keys).  ydoc_map() fails
 * on a non-mapping node, an unknown key, a duplicate key, a non-scalar key,
 * a missing required key, or the first handler that fails.  Handlers get the
 * value node and the caller's object, and report errors through yerr_at().
 * Handlers run in document order; a duplicate key fails before its handler.
 */
typedef int (*ykey_fn)(struct ydoc *d, yaml_node_t *val, void *obj, struct yerr *err);
struct ykey {
	const char *name;
	ykey_fn fn;
	bool required;
};
int ydoc_map(struct ydoc *d, yaml_node_t *n, const struct ykey *keys, void *obj, struct yerr *err);

/*
 * ydoc_seq() - call fn for each item of a sequence node, with idx.  Fails on
 * a non-sequence node or the first failing call.
 */
typedef int (*yseq_fn)(struct ydoc *d, yaml_node_t *item, size_t idx, void *obj, struct yerr *err);
int ydoc_seq(struct ydoc *d, yaml_node_t *n, yseq_fn fn, void *obj, struct yerr *err);
/* ydoc_seq_len() - number of items, or -1 if n is not a sequence. */
long ydoc_seq_len(const yaml_node_t *n);

/*
 * Typed scalar getters: each fails with a message naming the bad value
 * (quoted) and its position.  Strings must fit in cap bytes with the NUL.
 */
int ydoc_str(struct ydoc *d, yaml_node_t *n, char *buf, size_t cap, struct yerr *err);
int ydoc_u32(struct ydoc *d, yaml_node_t *n, uint32_t min, uint32_t max, uint32_t *v, struct yerr *err);
int ydoc_bool(struct ydoc *d, yaml_node_t *n, bool *v, struct yerr *err);
int ydoc_ip4(struct ydoc *d, yaml_node_t *n, uint32_t *addr, struct yerr *err);
int ydoc_ip4_port(struct ydoc *d, yaml_node_t *n, uint32_t *addr, uint16_t *port, struct yerr *err);
int ydoc_port(struct ydoc *d, yaml_node_t *n, uint16_t *port, struct yerr *err);
int ydoc_range(struct ydoc *d, yaml_node_t *n, uint16_t *lo, uint16_t *hi, struct yerr *err);
int ydoc_mac(struct ydoc *d, yaml_node_t *n, uint8_t mac[6], struct yerr *err);
int ydoc_proto(struct ydoc *d, yaml_node_t *n, bool allow_any, uint8_t *proto, struct yerr *err);

/*
 * Positions kept in parsed config structs so that checks made after parsing
 * (overlaps, cross references) still point at file:line:column.
 */
struct ypos {
	int line, col;      /* 1-based; 0 when unknown */
};
/* ydoc_pos() - the start position of node n. */
struct ypos ydoc_pos(const yaml_node_t *n);
/* yerr_pos() - format an error at a saved position; always returns -1. */
int yerr_pos(struct yerr *err, const char *file, struct ypos pos,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
