// SPDX-License-Identifier: MIT
/* render.c - generic text rendering of spatctl replies: tables and key: value lines. */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "render.h"

#define RENDER_MAX_COLS 16

static const char *render_cell(const struct json *v)
{
	if (!v)
		return "";
	switch (v->type) {
	case JSON_NULL:
		return "-";
	case JSON_ARR:
		return v->nkids ? "[...]" : "[]";
	case JSON_OBJ:
		return "{...}";
	default:
		return v->text;
	}
}

static void render_header(const char *key, FILE *out)
{
	for (; *key; key++)
		fputc(*key == '_' ? ' ' : toupper((unsigned char)*key), out);
}

/* An array of objects: columns from the first row's keys, widths from every row. */
static void render_table(const struct json *arr, FILE *out)
{
	const struct json *first = arr->kids[0];
	size_t ncol = first->nkids < RENDER_MAX_COLS ? first->nkids : RENDER_MAX_COLS;
	size_t w[RENDER_MAX_COLS];

	for (size_t c = 0; c < ncol; c++) {
		w[c] = strlen(first->kids[c]->key);
		for (size_t r = 0; r < arr->nkids; r++) {
			size_t n = strlen(render_cell(json_get(arr->kids[r], first->kids[c]->key)));

			w[c] = n > w[c] ? n : w[c];
		}
	}
	for (size_t c = 0; c < ncol; c++) {
		render_header(first->kids[c]->key, out);
		fprintf(out, "%*s", c + 1 < ncol ? (int)(w[c] - strlen(first->kids[c]->key) + 2) : 0, "");
	}
	fputc('\n', out);
	for (size_t r = 0; r < arr->nkids; r++) {
		for (size_t c = 0; c < ncol; c++) {
			const char *v = render_cell(json_get(arr->kids[r], first->kids[c]->key));

			bool last = c + 1 == ncol;

			fprintf(out, "%-*s%s", last ? 0 : (int)w[c], v, last ? "" : "  ");
		}
		fputc('\n', out);
	}
}

static bool render_is_table(const struct json *v)
{
	return v->type == JSON_ARR && v->nkids && v->kids[0]->type == JSON_OBJ &&
	       v->kids[0]->nkids;
}

/* Scalars and small objects as aligned "key: value" lines, indented by depth. */
static void render_pairs(const struct json *obj, int indent, FILE *out)
{
	size_t w = 0;

	for (size_t i = 0; i < obj->nkids; i++)
		if (obj->kids[i]->type != JSON_OBJ && !render_is_table(obj->kids[i]))
			w = strlen(obj->kids[i]->key) > w ? strlen(obj->kids[i]->key) : w;
	for (size_t i = 0; i < obj->nkids; i++) {
		const struct json *v = obj->kids[i];

		if (v->type == JSON_OBJ) {
			fprintf(out, "%*s%s:\n", indent, "", v->key);
			render_pairs(v, indent + 2, out);
		} else if (render_is_table(v)) {
			fputc('\n', out);
			render_table(v, out);
		} else {
			bool none = v->type == JSON_ARR && v->nkids == 0;

			fprintf(out, "%*s%s:%*s %s\n", indent, "", v->key,
				(int)(w - strlen(v->key)), "", none ? "(none)" : render_cell(v));
		}
	}
}

/* render() - print a reply for a person. */
void render(const struct json *j, FILE *out)
{
	if (j->type == JSON_OBJ)
		render_pairs(j, 0, out);
	else if (render_is_table(j))
		render_table(j, out);
	else
		fprintf(out, "%s\n", render_cell(j));
}
