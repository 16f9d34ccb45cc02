// SPDX-License-Identifier: MIT
/* json.c - recursive-descent JSON reader with a depth limit, for spatctl. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

struct jp {
	const char *p, *end;
	int depth;
};

static struct json *jp_value(struct jp *s);

static void jp_ws(struct jp *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static bool jp_lit(struct jp *s, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n) != 0)
		return false;
	s->p += n;
	return true;
}

static struct json *jp_node(enum json_type t)
{
	struct json *j = calloc(1, sizeof(*j));

	if (j)
		j->type = t;
	return j;
}

static int jp_hex4(const char *p)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* Append code point cp as UTF-8 (surrogates are kept as they are: we only print). */
static size_t jp_utf8(char *o, int cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	o[0] = (char)(0xE0 | cp >> 12);
	o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[2] = (char)(0x80 | (cp & 0x3F));
	return 3;
}

/* A string literal at s->p (after the opening quote is checked), unescaped. */
static char *jp_string(struct jp *s)
{
	static const char esc_in[] = "\"\\/bfnrt", esc_out[] = "\"\\/\b\f\n\r\t";
	char *out, *o;

	if (s->p >= s->end || *s->p != '"')
		return NULL;
	s->p++;
	out = o = malloc((size_t)(s->end - s->p) * 3 + 1);   /* \uXXXX -> <= 3 bytes */
	if (!out)
		return NULL;
	while (s->p < s->end && *s->p != '"') {
		unsigned char c = (unsigned char)*s->p++;
		const char *e;
		int cp;

		if (c < 0x20)
			goto bad;
		if (c != '\\') {
			*o++ = (char)c;
			continue;
		}
		if (s->p >= s->end)
			goto bad;
		if (*s->p == 'u') {
			if (s->end - s->p < 5 || (cp = jp_hex4(s->p + 1)) < 0)
				goto bad;
			o += jp_utf8(o, cp);
			s->p += 5;
			continue;
		}
		e = strchr(esc_in, *s->p);
		if (!e || !*s->p)
			goto bad;
		*o++ = esc_out[e - esc_in];
		s->p++;
	}
	if (s->p >= s->end)
		goto bad;
	s->p++;
	*o = 0;
	return out;
bad:
	free(out);
	return NULL;
}

static struct json *jp_number(struct jp *s)
{
	const char *start = s->p;
	struct json *j;

	if (s->p < s->end && *s->p == '-')
		s->p++;
	while (s->p < s->end && strchr("0123456789.eE+-", *s->p) && *s->p)
		s->p++;
	if (s->p == start || (s->p == start + 1 && *start == '-'))
		return NULL;
	j = jp_node(JSON_NUM);
	if (j && !(j->text = strndup(start, (size_t)(s->p - start)))) {
		free(j);
		return NULL;
	}
	return j;
}

static int jp_add(struct json *parent, struct json *kid)
{
	struct json **k = realloc(parent->kids, (parent->nkids + 1) * sizeof(*k));

	if (!k)
		return -1;
	parent->kids = k;
	parent->kids[parent->nkids++] = kid;
	return 0;
}

/* Members of an array or object up to the closing bracket. */
static struct json *jp_container(struct jp *s, bool obj)
{
	struct json *j = jp_node(obj ? JSON_OBJ : JSON_ARR);
	char close = obj ? '}' : ']';

	if (!j || ++s->depth > JSON_MAX_DEPTH)
		goto bad;
	s->p++;
	jp_ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		s->depth--;
		return j;
	}
	for (;;) {
		char *key = NULL;
		struct json *kid;

		jp_ws(s);
		if (obj) {
			key = jp_string(s);
			jp_ws(s);
			if (!key || s->p >= s->end || *s->p++ != ':') {
				free(key);
				goto bad;
			}
		}
		kid = jp_value(s);
		if (!kid || jp_add(j, kid) < 0) {
			free(key);
			json_free(kid);
			goto bad;
		}
		kid->key = key;
		jp_ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == close) {
			s->p++;
			s->depth--;
			return j;
		}
		goto bad;
	}
bad:
	json_free(j);
	return NULL;
}

static struct json *jp_bool(const char *text)
{
	struct json *j = jp_node(JSON_BOOL);

	if (j && !(j->text = strdup(text))) {
		free(j);
		return NULL;
	}
	return j;
}

static struct json *jp_value(struct jp *s)
{
	struct json *j;

	jp_ws(s);
	if (s->p >= s->end)
		return NULL;
	switch (*s->p) {
	case '{':
		return jp_container(s, true);
	case '[':
		return jp_container(s, false);
	case '"':
		j = jp_node(JSON_STR);
		if (j && !(j->text = jp_string(s))) {
			free(j);
			return NULL;
		}
		return j;
	}
	if (jp_lit(s, "null"))
		return jp_node(JSON_NULL);
	if (jp_lit(s, "true"))
		return jp_bool("true");
	if (jp_lit(s, "false"))
		return jp_bool("false");
	return jp_number(s);
}

/* json_parse() - parse a whole JSON text into a tree, or NULL. */
struct json *json_parse(const char *text, size_t len)
{
	struct jp s = { .p = text, .end = text + len };
	struct json *j = jp_value(&s);

	jp_ws(&s);
	if (j && s.p != s.end) {
		json_free(j);
		return NULL;
	}
	return j;
}

/* json_free() - free a tree; NULL is fine. */
void json_free(struct json *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < j->nkids; i++)
		json_free(j->kids[i]);
	free(j->kids);
	free(j->key);
	free(j->text);
	free(j);
}

/* json_get() - member key of object j, or NULL. */
const struct json *json_get(const struct json *j, const char *key)
{
	if (!j || j->type != JSON_OBJ)
		return NULL;
	for (size_t i = 0; i < j->nkids; i++)
		if (j->kids[i]->key && strcmp(j->kids[i]->key, key) == 0)
			return j->kids[i];
	return NULL;
}
