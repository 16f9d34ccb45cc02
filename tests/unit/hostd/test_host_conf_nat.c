// SPDX-License-Identifier: MIT
/* test_host_conf_nat.c - unit tests for hostd's NAT behaviour keys: filtering, mapping_log. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_conf.h"

/* A valid config of 8 lines; the keys under test start at line 9. */
#define BASE \
	"listen: 198.18.0.11\n"                 /* 1 */ \
	"edges: [ { address: 198.18.0.1 } ]\n"  /* 2 */ \
	"pools: [ { vni: 100, public: 203.0.113.10, ports: 1024-32767 } ]\n" /* 3 */ \
	"vms:\n"                                /* 4 */ \
	"  - { name: vm-a1, vni: 100, tap: eth0, address: 198.19.0.11,\n" /* 5 */ \
	"      mac: 02:5a:00:00:0a:01, gateway: 198.19.0.1 }\n" /* 6 */ \
	"name: t\n"                             /* 7 */ \
	"batch: 8\n"                            /* 8 */

static int parse(struct host_conf *c, const char *text, struct yerr *err)
{
	memset(err, 0, sizeof(*err));
	return host_conf_parse(c, "t.yaml", text, strlen(text), err);
}

struct bad_case {
	const char *text;
	const char *msg;        /* the whole expected error */
};

static const struct bad_case bad_cases[] = {
	{ BASE "filtering: address-restricted\n",
	  "t.yaml:9:12: invalid filtering 'address-restricted' (expected endpoint-independent or "
	  "address-dependent)" },
	{ BASE "filtering: [ endpoint-independent ]\n",
	  "t.yaml:9:12: expected a scalar, found a sequence" },
	{ BASE "mapping_log: /var/log/spat.log\n",
	  "t.yaml:9:14: expected a mapping, found a scalar" },
	{ BASE "mapping_log: { rate: 10 }\n",
	  "t.yaml:9:14: missing required key 'path'" },
	{ BASE "mapping_log: { path: spat.log }\n",
	  "t.yaml:9:22: invalid mapping log path 'spat.log' (an absolute path)" },
	{ BASE "mapping_log: { path: /x, rate: 0 }\n",
	  "t.yaml:9:32: invalid number '0' (expected 1..1000000)" },
	{ BASE "mapping_log: { path: /x, rate: 1000001 }\n",
	  "t.yaml:9:32: invalid number '1000001' (expected 1..1000000)" },
	{ BASE "mapping_log: { path: /x, destination: yes }\n",
	  "t.yaml:9:39: invalid boolean 'yes' (expected true or false)" },
	{ BASE "mapping_log: { path: /x, colour: red }\n",
	  "t.yaml:9:26: unknown key 'colour'" },
	{ BASE "mapping_log: { path: \"/x\\ty\" }\n",
	  "t.yaml:9:22: invalid mapping log path (control character)" },
};

START_TEST(test_bad)
{
	const struct bad_case *bc = &bad_cases[_i];
	struct host_conf c;
	struct yerr err;

	ck_assert_int_eq(parse(&c, bc->text, &err), -1);
	ck_assert_msg(!strcmp(err.msg, bc->msg), "case %d: got \"%s\", want \"%s\"", _i, err.msg,
		      bc->msg);
}
END_TEST

START_TEST(test_defaults)
{
	struct host_conf c;
	struct yerr err;

	ck_assert_msg(parse(&c, BASE, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(c.filtering, HOST_FILTER_EIF);
	ck_assert_str_eq(c.maplog.path, "");
	ck_assert_uint_eq(c.maplog.rate, 1000);
	ck_assert(!c.maplog.destination);
	host_conf_free(&c);
}
END_TEST

/* Print c, parse the output, and require the same config; returns the printed text. */
static char *round_trip(const struct host_conf *c)
{
	struct host_conf c2;
	struct yerr err;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	host_conf_print(c, f);
	fclose(f);
	ck_assert_msg(host_conf_parse(&c2, "printed", text, len, &err) == 0, "%s\n%s", err.msg,
		      text);
	ck_assert_msg(host_conf_equal(c, &c2), "differs after printing:\n%s", text);
	host_conf_free(&c2);
	return text;
}

START_TEST(test_set_and_round_trip)
{
	struct host_conf c, d;
	struct yerr err;
	char *text;

	ck_assert_msg(parse(&c, BASE "filtering: address-dependent\n"
			    "mapping_log:\n  path: /var/log/spat/mappings.log\n  rate: 50\n"
			    "  destination: true\n", &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(c.filtering, HOST_FILTER_ADF);
	ck_assert_str_eq(c.maplog.path, "/var/log/spat/mappings.log");
	ck_assert_uint_eq(c.maplog.rate, 50);
	ck_assert(c.maplog.destination);
	text = round_trip(&c);
	ck_assert_ptr_nonnull(strstr(text, "filtering: address-dependent\n"));
	ck_assert_ptr_nonnull(strstr(text, "mapping_log:\n  path: /var/log/spat/mappings.log\n"
				     "  rate: 50\n  destination: true\n"));
	free(text);
	/* Each of the new keys tells configs apart. */
	ck_assert_int_eq(parse(&d, BASE "filtering: endpoint-independent\n", &err), 0);
	ck_assert(!host_conf_equal(&c, &d));
	text = round_trip(&d);
	ck_assert_ptr_nonnull(strstr(text, "filtering: endpoint-independent\n"));
	ck_assert_ptr_null(strstr(text, "mapping_log"));
	free(text);
	host_conf_free(&d);
	ck_assert_int_eq(parse(&d, BASE "filtering: address-dependent\n"
			       "mapping_log: { path: /var/log/spat/mappings.log, rate: 50 }\n", &err), 0);
	ck_assert(!host_conf_equal(&c, &d));
	host_conf_free(&d);
	host_conf_free(&c);
}
END_TEST

static Suite *host_conf_nat_suite(void)
{
	Suite *s = suite_create("host_conf_nat");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_bad, 0, (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_set_and_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(host_conf_nat_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
