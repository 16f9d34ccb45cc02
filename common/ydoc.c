// SPDX-License-Identifier: MIT
/* ydoc.c - libyaml documents with file:line:column errors, table-driven maps and typed getters. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "ydoc.h"

/*
 * Theory of operation: ydoc_load() builds libyaml's node graph for one
 * document; config parsers then walk it with ydoc_map() (a table of
 * handlers, one per key) and ydoc_seq(), and read leaves with the typed
 * getters, which quote the bad value in their error.
 *
 * Aliases: libyaml resolves "*a" to a reference to the anchored node, so a
 * "billion laughs" document stays as small as its text, but the graph may
 * share nodes and even contain cycles ("&a [*a]").  ydoc_map() and
 * ydoc_seq() only ever walk one level, and config schemas have a fixed
 * depth, so any walk built from them visits at most (schema depth x items
 * in the text) nodes and always ends.  Code that recursed over arbitrary
 * nodes would need a depth limit.
 */

#define YDOC_FILE_MAX (16u << 20)
#define YDOC_KEYS_MAX 64         /* ydoc_map() tracks seen keys in a 64-bit mask */

/* Position of a libyaml mark, made 1-based. */
static struct ypos mark_pos(yaml_mark_t m)
{
	return (struct ypos){ .line = (int)m.line + 1, .col = (int)m.column + 1 };
}

static int yerr_vpos(struct yerr *err, const char *file, struct ypos pos, const char *fmt,
		     va_list ap) __attribute__((format(printf, 4, 0)));

static int yerr_vpos(struct yerr *err, const char *file, struct ypos pos, const char *fmt,
		     va_list ap)
{
	int n;

	if (pos.line > 0)
		n = snprintf(err->msg, sizeof(err->msg), "%s:%d:%d: ", file, pos.line, pos.col);
	else
		n = snprintf(err->msg, sizeof(err->msg), "%s: ", file);
	if (n < 0 || (size_t)n >= sizeof(err->msg))
		return -1;
	vsnprintf(err->msg + n, sizeof(err->msg) - (size_t)n, fmt, ap);
	return -1;
}

/* yerr_pos() - format an error at a saved position; always returns -1. */
int yerr_pos(struct yerr *err, const char *file, struct ypos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	yerr_vpos(err, file, pos, fmt, ap);
	va_end(ap);
	return -1;
}

/* yerr_at() - format an error at node n's start mark; always returns -1. */
int yerr_at(struct yerr *err, const struct ydoc *d, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	yerr_vpos(err, d->name, ydoc_pos(n), fmt, ap);
	va_end(ap);
	return -1;
}

/* ydoc_pos() - the start position of node n. */
struct ypos ydoc_pos(const yaml_node_t *n)
{
	return mark_pos(n->start_mark);
}

/* Reader errors carry a byte offset, not a mark: count lines ourselves. */
static struct ypos offset_pos(const char *buf, size_t len, size_t off)
{
	struct ypos pos = { 1, 1 };
	size_t i;

	for (i = 0; i < off && i < len; i++) {
		if (buf[i] == '\n') {
			pos.line++;
			pos.col = 1;
		} else {
			pos.col++;
		}
	}
	return pos;
}

static int parser_error(const yaml_parser_t *p, const char *name, const char *buf, size_t len,
			struct yerr *err)
{
	const char *problem = p->problem ? p->problem : "invalid YAML";

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return yerr_pos(err, name, (struct ypos){ 0, 0 }, "out of memory");
	case YAML_READER_ERROR:
		if (p->problem_value == -1)
			return yerr_pos(err, name, offset_pos(buf, len, p->problem_offset), "%s",
					problem);
		return yerr_pos(err, name, offset_pos(buf, len, p->problem_offset),
				"%s (character 0x%x)", problem, (unsigned int)p->problem_value);
	default:
		break;
	}
	if (p->context)
		return yerr_pos(err, name, mark_pos(p->problem_mark),
				"%s (%s that started at line %zu)", problem, p->context,
				p->context_mark.line + 1);
	return yerr_pos(err, name, mark_pos(p->problem_mark), "%s", problem);
}

/* A document without a root, or whose root is an empty plain scalar ("---" alone). */
static bool doc_is_empty(yaml_document_t *doc)
{
	yaml_node_t *root = yaml_document_get_root_node(doc);

	return !root || (root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0 &&
			 root->data.scalar.style == YAML_PLAIN_SCALAR_STYLE);
}

/* A second document in the stream would be silently ignored: refuse it. */
static int check_single_doc(yaml_parser_t *p, const char *name, const char *buf, size_t len,
			    struct yerr *err)
{
	yaml_document_t next;
	yaml_node_t *root;
	int ret = 0;

	if (!yaml_parser_load(p, &next))
		return parser_error(p, name, buf, len, err);
	root = yaml_document_get_root_node(&next);
	if (root)
		ret = yerr_pos(err, name, mark_pos(next.start_mark),
			       "more than one YAML document (only one is allowed)");
	yaml_document_delete(&next);
	return ret;
}

/* ydoc_load() - parse buf as one YAML document; see ydoc.h. */
int ydoc_load(struct ydoc *d, const char *name, const char *buf, size_t len, struct yerr *err)
{
	yaml_parser_t p;
	int ret = -1;

	memset(d, 0, sizeof(*d));
	d->name = name;
	if (!yaml_parser_initialize(&p))
		return yerr_pos(err, name, (struct ypos){ 0, 0 }, "out of memory");
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&p, &d->doc)) {
		parser_error(&p, name, buf, len, err);
		goto out;
	}
	d->loaded = true;
	if (doc_is_empty(&d->doc))
		yerr_pos(err, name, (struct ypos){ 1, 1 }, "empty configuration");
	else
		ret = check_single_doc(&p, name, buf, len, err);
	if (ret)
		ydoc_free(d);
out:
	yaml_parser_delete(&p);
	return ret;
}

/*
 * Read all of fd into a malloc'd buffer; -EFBIG past YDOC_FILE_MAX bytes.
 * Reads to EOF rather than trusting st_size, so pipes work too.
 */
static int read_all(int fd, char **out, size_t *outlen)
{
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap), *nb;
	ssize_t n = 0;

	while (buf) {
		if (len == cap) {
			if (cap > YDOC_FILE_MAX)
				break;
			/* Room for one byte past the limit tells "too large" from "exactly 16 MiB". */
			cap = cap * 2 > YDOC_FILE_MAX ? YDOC_FILE_MAX + 1 : cap * 2;
			nb = realloc(buf, cap);
			if (!nb)
				break;
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*out = buf;
			*outlen = len;
			return n < 0 ? -errno : 0;
		}
		len += (size_t)n;
	}
	free(buf);
	return len > YDOC_FILE_MAX ? -EFBIG : -ENOMEM;
}

/* ydoc_load_file() - read the file (at most 16 MiB) and ydoc_load() it. */
int ydoc_load_file(struct ydoc *d, const char *path, struct yerr *err)
{
	struct ypos none = { 0, 0 };
	char *buf = NULL;
	size_t len = 0;
	int fd, ret;

	memset(d, 0, sizeof(*d));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return yerr_pos(err, path, none, "cannot open: %s", strerror(errno));
	ret = read_all(fd, &buf, &len);
	close(fd);
	if (ret == -EFBIG)
		ret = yerr_pos(err, path, none, "file too large (limit %u MiB)", YDOC_FILE_MAX >> 20);
	else if (ret)
		ret = yerr_pos(err, path, none, "cannot read: %s", strerror(-ret));
	else
		ret = ydoc_load(d, path, buf, len, err);
	free(buf);
	return ret;
}

/* ydoc_free() - release the document; safe on a zeroed or already freed ydoc. */
void ydoc_free(struct ydoc *d)
{
	if (d->loaded)
		yaml_document_delete(&d->doc);
	d->loaded = false;
}

/* ydoc_root() - the root node (never NULL after a successful load). */
yaml_node_t *ydoc_root(struct ydoc *d)
{
	return yaml_document_get_root_node(&d->doc);
}

/* ydoc_scalar() - the scalar's text (NUL-terminated) or NULL if n is not a scalar. */
const char *ydoc_scalar(const yaml_node_t *n)
{
	if (!n || n->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

/* ydoc_kind() - "a scalar", "a sequence" or "a mapping", for messages. */
const char *ydoc_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return "a scalar";
	case YAML_SEQUENCE_NODE:
		return "a sequence";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "nothing";
	}
}

/*
 * The text of scalar n for a typed getter, or NULL with err set.  A "\0"
 * escape would cut the C string short and let "80\0junk" pass as 80.
 */
static const char *scalar_text(struct ydoc *d, const yaml_node_t *n, struct yerr *err)
{
	const char *s = ydoc_scalar(n);

	if (!s) {
		yerr_at(err, d, n, "expected a scalar, found %s", ydoc_kind(n));
		return NULL;
	}
	if (strlen(s) != n->data.scalar.length) {
		yerr_at(err, d, n, "value contains a NUL character");
		return NULL;
	}
	return s;
}

static yaml_node_t *node(struct ydoc *d, yaml_node_item_t id)
{
	return yaml_document_get_node(&d->doc, id);
}

static int key_index(const struct ykey *keys, const char *name)
{
	int i;

	for (i = 0; keys[i].name; i++)
		if (!strcmp(keys[i].name, name))
			return i;
	return -1;
}

/* Error for a repeated key: name where it first appeared, in pairs before cur. */
static int dup_key(struct ydoc *d, yaml_node_t *map, yaml_node_pair_t *cur, const char *name,
		   struct yerr *err)
{
	yaml_node_pair_t *pr;
	yaml_node_t *k = node(d, cur->key);

	for (pr = map->data.mapping.pairs.start; pr < cur; pr++) {
		const char *s = ydoc_scalar(node(d, pr->key));

		if (s && !strcmp(s, name))
			break;
	}
	return yerr_at(err, d, k, "duplicate key '%s' (first at line %d)", name,
		       ydoc_pos(node(d, pr->key)).line);
}

static int missing_keys(struct ydoc *d, yaml_node_t *n, const struct ykey *keys, uint64_t seen,
			struct yerr *err)
{
	int i;

	for (i = 0; keys[i].name; i++)
		if (keys[i].required && !(seen & (1ULL << i)))
			return yerr_at(err, d, n, "missing required key '%s'", keys[i].name);
	return 0;
}

/* ydoc_map() - walk mapping n with a table of handlers ended by a NULL name; see ydoc.h. */
int ydoc_map(struct ydoc *d, yaml_node_t *n, const struct ykey *keys, void *obj, struct yerr *err)
{
	yaml_node_pair_t *pr;
	uint64_t seen = 0;
	int i;

	for (i = 0; keys[i].name; i++)
		if (i == YDOC_KEYS_MAX)
			return yerr_at(err, d, n, "internal error: key table too long");
	if (n->type != YAML_MAPPING_NODE)
		return yerr_at(err, d, n, "expected a mapping, found %s", ydoc_kind(n));
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node(d, pr->key);
		const char *name = ydoc_scalar(k);

		if (!name)
			return yerr_at(err, d, k, "mapping key must be a scalar, found %s",
				       ydoc_kind(k));
		i = key_index(keys, name);
		if (i < 0)
			return yerr_at(err, d, k, "unknown key '%s'", name);
		if (seen & (1ULL << i))
			return dup_key(d, n, pr, name, err);
		seen |= 1ULL << i;
		if (keys[i].fn(d, node(d, pr->value), obj, err))
			return -1;
	}
	return missing_keys(d, n, keys, seen, err);
}

/* ydoc_seq() - call fn for each item of a sequence node, with its index. */
int ydoc_seq(struct ydoc *d, yaml_node_t *n, yseq_fn fn, void *obj, struct yerr *err)
{
	yaml_node_item_t *it;

	if (n->type != YAML_SEQUENCE_NODE)
		return yerr_at(err, d, n, "expected a sequence, found %s", ydoc_kind(n));
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++)
		if (fn(d, node(d, *it), (size_t)(it - n->data.sequence.items.start), obj, err))
			return -1;
	return 0;
}

/* ydoc_seq_len() - number of items, or -1 if n is not a sequence. */
long ydoc_seq_len(const yaml_node_t *n)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return -1;
	return (long)(n->data.sequence.items.top - n->data.sequence.items.start);
}

#define QUOTE_MAX 68             /* 64 characters, "...", NUL */

/* A bad value, cut short and made printable, for quoting in a message. */
static const char *quote(const char *s, char q[QUOTE_MAX])
{
	size_t i;

	for (i = 0; s[i] && i < QUOTE_MAX - 4; i++)
		q[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	strcpy(q + i, s[i] ? "..." : "");
	return q;
}

/* "invalid <what> '<value>'<hint>" at n; always returns -1. */
static int bad_value(struct ydoc *d, yaml_node_t *n, struct yerr *err, const char *what,
		     const char *hint)
{
	char q[QUOTE_MAX];

	return yerr_at(err, d, n, "invalid %s '%s'%s", what, quote(ydoc_scalar(n), q), hint);
}

/* ydoc_str() - copy the scalar into buf (cap bytes with the NUL). */
int ydoc_str(struct ydoc *d, yaml_node_t *n, char *buf, size_t cap, struct yerr *err)
{
	const char *s = scalar_text(d, n, err);
	char q[QUOTE_MAX];

	if (!s)
		return -1;
	if (n->data.scalar.length >= cap)
		return yerr_at(err, d, n, "value '%s' too long (at most %zu characters)",
			       quote(s, q), cap - 1);
	memcpy(buf, s, n->data.scalar.length + 1);
	return 0;
}

/* ydoc_u32() - a decimal within [min, max]. */
int ydoc_u32(struct ydoc *d, yaml_node_t *n, uint32_t min, uint32_t max, uint32_t *v,
	     struct yerr *err)
{
	const char *s = scalar_text(d, n, err);
	char hint[32];

	if (!s)
		return -1;
	if (addr_parse_u32(s, min, max, v)) {
		snprintf(hint, sizeof(hint), " (expected %u..%u)", min, max);
		return bad_value(d, n, err, "number", hint);
	}
	return 0;
}

/* ydoc_bool() - "true" or "false" only: YAML 1.1's yes/no/on/off are typo magnets. */
int ydoc_bool(struct ydoc *d, yaml_node_t *n, bool *v, struct yerr *err)
{
	const char *s = scalar_text(d, n, err);

	if (!s)
		return -1;
	if (strcmp(s, "true") && strcmp(s, "false"))
		return bad_value(d, n, err, "boolean", " (expected true or false)");
	*v = s[0] == 't';
	return 0;
}

/* ydoc_ip4() - a dotted-quad IPv4 address. */
int ydoc_ip4(struct ydoc *d, yaml_node_t *n, uint32_t *addr, struct yerr *err)
{
	const char *s = scalar_text(d, n, err);

	if (!s)
		return -1;
	if (addr_parse_ip4(s, addr))
		return bad_value(d, n, err, "IPv4 address", "");
	return 0;
}

/* ydoc_ip4_port() - "a.b.c.d:port", port 1..65535. */
int ydoc_ip4_port(struct ydoc *d, yaml_node_t *n, uint32_t *addr, uint16_t *port,
		  struct yerr *err)
{
	const char *s = scalar_text(d, n, err);

	if (!s)
		return -1;
	if (addr_parse_ip4_port(s, addr, port))
		return bad_value(d, n, err, "address", " (expected a.b.c.d:port, port 1..65535)");
	return 0;
}

/* ydoc_port() - a port 0..65535. */
int ydoc_port(struct ydoc *d, yaml_node_t *n, uint16_t *port, struct yerr *err)
{
	const char *s = scalar_text(d, n, err);

	if (!s)
		return -1;
	if (addr_parse_port(s, port))
		return bad_value(d, n, err, "port", " (expected 0..65535)");
	return 0;
}

/* ydoc_range() - "lo-hi" or "port" within 1..65535, lo <= hi. */
int ydoc_range(struct ydoc *d, yaml_node_t *n, uint16_t *lo, uint16_t *hi, struct yerr *err)
{
	const char *s = scalar_text(d, n, err);

	if (!s)
		return -1;
	if (addr_parse_range(s, lo, hi))
		return bad_value(d, n, err, "port range",
				 " (expected lo-hi or one port, 1..65535, lo <= hi)");
	return 0;
}

/* ydoc_mac() - "xx:xx:xx:xx:xx:xx". */
int ydoc_mac(struct ydoc *d, yaml_node_t *n, uint8_t mac[6], struct yerr *err)
{
	const char *s = scalar_text(d, n, err);

	if (!s)
		return -1;
	if (addr_parse_mac(s, mac))
		return bad_value(d, n, err, "MAC address", "");
	return 0;
}

/* ydoc_proto() - tcp, udp, icmp, or any when allow_any. */
int ydoc_proto(struct ydoc *d, yaml_node_t *n, bool allow_any, uint8_t *proto, struct yerr *err)
{
	const char *s = scalar_text(d, n, err);
	uint8_t p;

	if (!s)
		return -1;
	if (addr_parse_proto(s, &p) || (p == PROTO_ANY && !allow_any))
		return bad_value(d, n, err, "protocol", allow_any ?
				 " (expected tcp, udp, icmp or any)" : " (expected tcp, udp or icmp)");
	*proto = p;
	return 0;
}
