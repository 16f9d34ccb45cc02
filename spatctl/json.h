/* SPDX-License-Identifier: MIT */
/* json.h - a small JSON reader for spatctl: the daemons' replies into a tree. */
#ifndef SPATCTL_JSON_H
#define SPATCTL_JSON_H

#include <stddef.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ };

/*
 * A node.  Strings and numbers keep their text (numbers unparsed: spatctl
 * only prints them).  Arrays and objects hold children in order; an
 * object's children carry their key.
 */
struct json {
	enum json_type type;
	char *key;               /* member name inside an object, else NULL */
	char *text;              /* JSON_STR (unescaped), JSON_NUM, JSON_BOOL ("true"/"false") */
	struct json **kids;
	size_t nkids;
};

#define JSON_MAX_DEPTH 32

/*
 * json_parse() - parse len bytes of text into a tree; trailing white space
 * is allowed, anything else after the value is an error.  Returns NULL on a
 * syntax error, nesting deeper than JSON_MAX_DEPTH or ENOMEM.
 */
struct json *json_parse(const char *text, size_t len);
void json_free(struct json *j);
/* json_get() - member key of object j, or NULL. */
const struct json *json_get(const struct json *j, const char *key);

#endif
