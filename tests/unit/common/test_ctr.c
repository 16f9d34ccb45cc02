// SPDX-License-Identifier: MIT
/* test_ctr.c - unit tests for counter output in Prometheus text format and as JSON. */
#include <check.h>
#include <event2/buffer.h>
#include <stdlib.h>
#include <string.h>

#include "ctr.h"

enum { T_RX, T_DROP_A, T_TX, T_DROP_B, T__N };

static const struct ctr_def defs[T__N] = {
	[T_RX] = { "rx_packets_total", NULL, "Packets received." },
	[T_DROP_A] = { "drop_no_rule", "no_rule", "No rule matched." },
	[T_TX] = { "tx_bytes_total", NULL, "Bytes sent." },
	[T_DROP_B] = { "drop_bad_vni", "bad_vni", "Wrong VNI." },
};

/* The buffer's contents as a NUL-terminated string (freed by the caller). */
static char *drain(struct evbuffer *b)
{
	size_t n = evbuffer_get_length(b);
	char *s = malloc(n + 1);

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(evbuffer_remove(b, s, n), (int)n);
	s[n] = 0;
	return s;
}

START_TEST(prom_mixed)
{
	static const uint64_t vals[T__N] = { 12, 3, 18446744073709551615u, 0 };
	struct evbuffer *b = evbuffer_new();
	char *s;

	ck_assert_ptr_nonnull(b);
	ctr_prom(b, "spat_test", defs, vals, T__N);
	s = drain(b);
	ck_assert_str_eq(s,
			 "# HELP spat_test_rx_packets_total Packets received.\n"
			 "# TYPE spat_test_rx_packets_total counter\n"
			 "spat_test_rx_packets_total 12\n"
			 "# HELP spat_test_tx_bytes_total Bytes sent.\n"
			 "# TYPE spat_test_tx_bytes_total counter\n"
			 "spat_test_tx_bytes_total 18446744073709551615\n"
			 "# HELP spat_test_drops_total Packets dropped, by reason.\n"
			 "# TYPE spat_test_drops_total counter\n"
			 "spat_test_drops_total{reason=\"no_rule\"} 3\n"
			 "spat_test_drops_total{reason=\"bad_vni\"} 0\n");
	/* The drop defs' own names never appear: they share the drops metric. */
	ck_assert_ptr_null(strstr(s, "drop_no_rule"));
	ck_assert_ptr_null(strstr(s, "drop_bad_vni"));
	free(s);
	evbuffer_free(b);
}
END_TEST

/* Output is appended to what the buffer holds already. */
START_TEST(prom_appends)
{
	static const uint64_t vals[1] = { 5 };
	struct evbuffer *b = evbuffer_new();
	char *s;

	evbuffer_add_printf(b, "# before\n");
	ctr_prom(b, "p", defs, vals, 1);
	s = drain(b);
	ck_assert_str_eq(s, "# before\n# HELP p_rx_packets_total Packets received.\n"
			 "# TYPE p_rx_packets_total counter\np_rx_packets_total 5\n");
	free(s);
	evbuffer_free(b);
}
END_TEST

/* No drop counter: no drops metric at all. */
START_TEST(prom_no_drops)
{
	static const struct ctr_def d[2] = {
		{ "a_total", NULL, "A." }, { "b_total", NULL, "B." },
	};
	static const uint64_t vals[2] = { 1, 2 };
	struct evbuffer *b = evbuffer_new();
	char *s;

	ctr_prom(b, "x", d, vals, 2);
	s = drain(b);
	ck_assert_str_eq(s, "# HELP x_a_total A.\n# TYPE x_a_total counter\nx_a_total 1\n"
			 "# HELP x_b_total B.\n# TYPE x_b_total counter\nx_b_total 2\n");
	ck_assert_ptr_null(strstr(s, "drops"));
	free(s);
	evbuffer_free(b);
}
END_TEST

/* Only drop counters: just the labelled metric. */
START_TEST(prom_only_drops)
{
	static const uint64_t vals[1] = { 42 };
	struct evbuffer *b = evbuffer_new();
	char *s;

	ctr_prom(b, "e", defs + T_DROP_A, vals, 1);
	s = drain(b);
	ck_assert_str_eq(s, "# HELP e_drops_total Packets dropped, by reason.\n"
			 "# TYPE e_drops_total counter\n"
			 "e_drops_total{reason=\"no_rule\"} 42\n");
	free(s);
	evbuffer_free(b);
}
END_TEST

START_TEST(prom_empty)
{
	struct evbuffer *b = evbuffer_new();

	ctr_prom(b, "e", defs, NULL, 0);
	ck_assert_uint_eq(evbuffer_get_length(b), 0);
	evbuffer_free(b);
}
END_TEST

/*
 * ctr.h says drops are printed as "drop_<reason>"; ctr.c (and its callers:
 * tests/lab/lib.sh lab_counter looks the bare reason up) use a nested
 * "drops" object keyed by reason.  The test follows the implementation.
 */
START_TEST(json_mixed)
{
	static const uint64_t vals[T__N] = { 12, 3, 18446744073709551615u, 0 };
	struct evbuffer *b = evbuffer_new();
	char *s;

	ctr_json(b, defs, vals, T__N);
	s = drain(b);
	ck_assert_str_eq(s, "{\"rx_packets_total\": 12, \"tx_bytes_total\": 18446744073709551615, "
			 "\"drops\": {\"no_rule\": 3, \"bad_vni\": 0}}");
	free(s);
	evbuffer_free(b);
}
END_TEST

START_TEST(json_edges)
{
	static const struct ctr_def d[1] = { { "a_total", NULL, "A." } };
	static const uint64_t vals[1] = { 7 };
	struct evbuffer *b = evbuffer_new();
	char *s;

	ctr_json(b, d, vals, 1);
	s = drain(b);
	ck_assert_str_eq(s, "{\"a_total\": 7, \"drops\": {}}");
	free(s);

	ctr_json(b, defs + T_DROP_B, vals, 1);
	s = drain(b);
	ck_assert_str_eq(s, "{\"drops\": {\"bad_vni\": 7}}");
	free(s);

	ctr_json(b, defs, NULL, 0);
	s = drain(b);
	ck_assert_str_eq(s, "{\"drops\": {}}");
	free(s);
	evbuffer_free(b);
}
END_TEST

static Suite *ctr_suite(void)
{
	Suite *s = suite_create("ctr");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, prom_mixed);
	tcase_add_test(tc, prom_appends);
	tcase_add_test(tc, prom_no_drops);
	tcase_add_test(tc, prom_only_drops);
	tcase_add_test(tc, prom_empty);
	tcase_add_test(tc, json_mixed);
	tcase_add_test(tc, json_edges);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ctr_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
