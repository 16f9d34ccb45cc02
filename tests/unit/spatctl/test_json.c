// SPDX-License-Identifier: MIT
/* test_json.c - spatctl's JSON reader and its table rendering. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "render.h"

static struct json *parse(const char *s)
{
	return json_parse(s, strlen(s));
}

START_TEST(values)
{
	struct json *j = parse(" {\"a\": 1, \"b\": \"x\\ty\\u00e9\\\"\", \"c\": [true, false, null],"
			       " \"d\": {\"e\": -2.5e3}} \n");
	const struct json *c;

	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(j->type, JSON_OBJ);
	ck_assert_str_eq(json_get(j, "a")->text, "1");
	ck_assert_str_eq(json_get(j, "b")->text, "x\ty\xc3\xa9\"");
	c = json_get(j, "c");
	ck_assert_int_eq(c->type, JSON_ARR);
	ck_assert_uint_eq(c->nkids, 3);
	ck_assert_str_eq(c->kids[0]->text, "true");
	ck_assert_str_eq(c->kids[1]->text, "false");
	ck_assert_int_eq(c->kids[2]->type, JSON_NULL);
	ck_assert_str_eq(json_get(json_get(j, "d"), "e")->text, "-2.5e3");
	ck_assert_ptr_null(json_get(j, "zz"));
	ck_assert_ptr_null(json_get(c, "a"));
	json_free(j);
}
END_TEST

START_TEST(errors)
{
	static const char *const bad[] = {
		"", "{", "}", "[1,]", "{\"a\" 1}", "{\"a\": }", "{a: 1}", "\"abc", "\"\\x\"",
		"\"\\u12\"", "tru", "nul", "-", "{\"a\": 1} x", "[1 2]", "\"a\nb\"", "{\"a\":1,}",
	};
	char deep[200];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct json *j = parse(bad[i]);

		ck_assert_msg(j == NULL, "accepted '%s'", bad[i]);
	}
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = 0;
	ck_assert_ptr_null(parse(deep));          /* deeper than JSON_MAX_DEPTH */
	ck_assert_ptr_null(json_parse("[1]", 2)); /* length is respected, not the NUL */
}
END_TEST

static char *render_str(const char *s)
{
	struct json *j = parse(s);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(j);
	render(j, f);
	fclose(f);
	json_free(j);
	return buf;
}

START_TEST(render_table_and_pairs)
{
	char *s = render_str("{\"count\": 2, \"entries\": [{\"vni\": 100, \"vm\": \"vm-a1\"},"
			     " {\"vni\": 200, \"vm\": \"a-much-longer-name\"}], \"drops\": {\"x\": 1}}");

	ck_assert_str_eq(s, "count: 2\n"
			    "\n"
			    "VNI  VM\n"
			    "100  vm-a1\n"
			    "200  a-much-longer-name\n"
			    "drops:\n"
			    "  x: 1\n");
	free(s);
	s = render_str("{\"entries\": [], \"expires_in\": null}");
	ck_assert_str_eq(s, "entries:    (none)\nexpires_in: -\n");
	free(s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, values);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, render_table_and_pairs);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
