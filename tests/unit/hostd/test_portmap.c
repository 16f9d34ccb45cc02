// SPDX-License-Identifier: MIT
/* test_portmap.c - unit tests for the public port bitmap of hostd. */
#include <check.h>
#include <stdlib.h>

#include "portmap.h"

START_TEST(test_init_bounds)
{
	struct portmap pm;

	ck_assert_int_eq(portmap_init(&pm, 0, 10), -1);
	ck_assert_int_eq(portmap_init(&pm, 20, 10), -1);
	ck_assert_int_eq(portmap_init(&pm, 10, 10), 0);
	ck_assert_uint_eq(pm.used, 0);
	ck_assert(!portmap_is_used(&pm, 10));
	ck_assert_uint_eq(portmap_alloc(&pm, 0, 12345), 10);
	ck_assert_uint_eq(portmap_alloc(&pm, 0, 12345), 0);
	portmap_destroy(&pm);
}
END_TEST

START_TEST(test_take_release)
{
	struct portmap pm;

	ck_assert_int_eq(portmap_init(&pm, 1000, 1099), 0);
	ck_assert_int_eq(portmap_take(&pm, 999), -1);
	ck_assert_int_eq(portmap_take(&pm, 1100), -1);
	ck_assert_int_eq(portmap_take(&pm, 1000), 0);
	ck_assert_int_eq(portmap_take(&pm, 1000), -1);
	ck_assert_int_eq(portmap_take(&pm, 1099), 0);
	ck_assert(portmap_is_used(&pm, 1000));
	ck_assert(portmap_is_used(&pm, 1099));
	ck_assert(!portmap_is_used(&pm, 1050));
	ck_assert(!portmap_is_used(&pm, 1100));
	ck_assert_uint_eq(pm.used, 2);
	portmap_release(&pm, 1000);
	portmap_release(&pm, 1000);     /* already free: no-op */
	portmap_release(&pm, 5);        /* outside: no-op */
	ck_assert_uint_eq(pm.used, 1);
	ck_assert(!portmap_is_used(&pm, 1000));
	ck_assert_int_eq(portmap_take(&pm, 1000), 0);
	portmap_destroy(&pm);
}
END_TEST

START_TEST(test_preservation)
{
	struct portmap pm;
	uint16_t p;

	ck_assert_int_eq(portmap_init(&pm, 1024, 32767), 0);
	ck_assert_uint_eq(portmap_alloc(&pm, 5000, 777), 5000);
	ck_assert(portmap_is_used(&pm, 5000));
	/* Taken now: another port, still inside the range. */
	p = portmap_alloc(&pm, 5000, 777);

	ck_assert_uint_ne(p, 5000);
	ck_assert_uint_ge(p, 1024);
	ck_assert_uint_le(p, 32767);
	/* Outside the range: never preserved. */
	p = portmap_alloc(&pm, 80, 1);
	ck_assert_uint_ge(p, 1024);
	ck_assert_uint_eq(pm.used, 3);
	portmap_destroy(&pm);
}
END_TEST

START_TEST(test_random_start)
{
	struct portmap pm;

	ck_assert_int_eq(portmap_init(&pm, 1024, 32767), 0);
	/* The start is rnd modulo the range size: 100 -> port 1124. */
	ck_assert_uint_eq(portmap_alloc(&pm, 0, 100), 1124);
	ck_assert_uint_eq(portmap_alloc(&pm, 0, 100), 1125);
	ck_assert_uint_eq(portmap_alloc(&pm, 0, 100 + 31744), 1126);
	portmap_destroy(&pm);
}
END_TEST

START_TEST(test_wraparound)
{
	struct portmap pm;
	uint16_t p;

	ck_assert_int_eq(portmap_init(&pm, 100, 299), 0);
	for (p = 290; p <= 299; p++)
		ck_assert_int_eq(portmap_take(&pm, p), 0);
	/* Start at 295 (rnd 195): 295..299 are used, so the scan wraps to 100. */
	ck_assert_uint_eq(portmap_alloc(&pm, 0, 195), 100);
	ck_assert_uint_eq(portmap_alloc(&pm, 0, 195), 101);
	portmap_release(&pm, 299);
	ck_assert_uint_eq(portmap_alloc(&pm, 0, 195), 299);
	portmap_destroy(&pm);
}
END_TEST

START_TEST(test_exhaustion)
{
	struct portmap pm;
	uint32_t i, seen = 0;
	uint16_t p;

	ck_assert_int_eq(portmap_init(&pm, 1000, 1129), 0);  /* 130 ports: a partial word */
	for (i = 0; i < 130; i++) {
		p = portmap_alloc(&pm, 0, i * 2654435761u);
		ck_assert_uint_ge(p, 1000);
		ck_assert_uint_le(p, 1129);
		seen++;
	}
	ck_assert_uint_eq(seen, 130);
	ck_assert_uint_eq(pm.used, 130);
	ck_assert_uint_eq(portmap_alloc(&pm, 0, 7), 0);
	ck_assert_uint_eq(portmap_alloc(&pm, 1050, 7), 0);
	portmap_release(&pm, 1077);
	ck_assert_uint_eq(portmap_alloc(&pm, 0, 3), 1077);
	ck_assert_uint_eq(portmap_alloc(&pm, 0, 3), 0);
	portmap_destroy(&pm);
}
END_TEST

START_TEST(test_full_range_fast)
{
	struct portmap pm;
	uint32_t i;
	uint16_t p;

	/* The whole 16-bit range: every port exactly once, then 0. */
	ck_assert_int_eq(portmap_init(&pm, 1, 65535), 0);
	for (i = 0; i < 65535; i++) {
		p = portmap_alloc(&pm, 0, i * 2654435761u);
		ck_assert_uint_ne(p, 0);
	}
	ck_assert_uint_eq(pm.used, 65535);
	for (i = 1; i <= 65535; i++)
		ck_assert(portmap_is_used(&pm, (uint16_t)i));
	ck_assert_uint_eq(portmap_alloc(&pm, 0, 1), 0);
	portmap_release(&pm, 65535);
	ck_assert_uint_eq(portmap_alloc(&pm, 0, 0), 65535);
	portmap_destroy(&pm);
}
END_TEST

START_TEST(test_reuse_delay_generations)
{
	struct portmap pm;

	ck_assert_int_eq(portmap_init(&pm, 1000, 1003), 0);
	ck_assert_int_eq(portmap_take(&pm, 1000), 0);
	ck_assert_int_eq(portmap_take(&pm, 1001), 0);
	portmap_retire(&pm, 1000);
	ck_assert_uint_eq(pm.used, 1);
	ck_assert_uint_eq(pm.cooling, 1);
	ck_assert_uint_eq(portmap_free(&pm), 2);
	ck_assert(portmap_is_used(&pm, 1000));      /* cannot be taken while cooling */
	ck_assert_int_eq(portmap_take(&pm, 1000), -1);
	ck_assert_int_eq(portmap_cool_age(&pm, 1000), 0);
	ck_assert_int_eq(portmap_cool_age(&pm, 1001), -1);
	/* release() of a cooling port does nothing: only rotations free it. */
	portmap_release(&pm, 1000);
	ck_assert_uint_eq(pm.cooling, 1);
	for (int r = 1; r < PORTMAP_GENS; r++) {
		portmap_rotate(&pm);
		ck_assert_int_eq(portmap_cool_age(&pm, 1000), r);
		ck_assert(portmap_is_used(&pm, 1000));
	}
	portmap_rotate(&pm);
	ck_assert(!portmap_is_used(&pm, 1000));
	ck_assert_uint_eq(pm.cooling, 0);
	ck_assert_uint_eq(portmap_free(&pm), 3);
	ck_assert_int_eq(portmap_take(&pm, 1000), 0);
	/* A port can be put into the delay at a given age (a reload carries it over). */
	ck_assert_int_eq(portmap_cool(&pm, 1002, PORTMAP_GENS - 1), 0);
	ck_assert_int_eq(portmap_cool(&pm, 1002, 0), -1);   /* not free */
	ck_assert_int_eq(portmap_cool(&pm, 1003, PORTMAP_GENS), -1);
	ck_assert_int_eq(portmap_cool(&pm, 999, 0), -1);
	portmap_rotate(&pm);
	ck_assert(!portmap_is_used(&pm, 1002));
	/* Retiring a free port is a no-op. */
	portmap_retire(&pm, 1003);
	ck_assert_uint_eq(pm.cooling, 0);
	portmap_destroy(&pm);
}
END_TEST

START_TEST(test_random_parity)
{
	struct portmap pm;
	uint64_t r = 0x1234567890abcdefULL;
	uint32_t n;

	/* An odd first port: parity is of the port number, not of the bit index. */
	ck_assert_int_eq(portmap_init(&pm, 1001, 1200), 0);
	for (n = 0; n < 100; n++) {
		uint16_t p = portmap_alloc_random(&pm, 0, r);

		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		ck_assert_uint_ne(p, 0);
		ck_assert_uint_eq(p % 2, 0);
	}
	/* The 100 even ports are gone: no even port, odd ones remain. */
	ck_assert_uint_eq(portmap_alloc_random(&pm, 0, r), 0);
	ck_assert_uint_eq(portmap_alloc_random(&pm, 1, r) % 2, 1);
	ck_assert_uint_ne(portmap_alloc_random(&pm, -1, r), 0);
	ck_assert_uint_eq(pm.used, 102);
	portmap_destroy(&pm);
}
END_TEST

START_TEST(test_random_spread)
{
	struct portmap pm;
	uint64_t r = 42;
	uint32_t low = 0;

	/* Ports are spread over the range, not packed from a start (RFC 6056). */
	ck_assert_int_eq(portmap_init(&pm, 1024, 65535), 0);
	for (int i = 0; i < 1000; i++) {
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		if (portmap_alloc_random(&pm, -1, r) < 1024 + 32256)
			low++;
	}
	ck_assert_uint_gt(low, 400);
	ck_assert_uint_lt(low, 600);
	portmap_destroy(&pm);
}
END_TEST

static Suite *portmap_suite(void)
{
	Suite *s = suite_create("portmap");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_init_bounds);
	tcase_add_test(tc, test_take_release);
	tcase_add_test(tc, test_preservation);
	tcase_add_test(tc, test_random_start);
	tcase_add_test(tc, test_wraparound);
	tcase_add_test(tc, test_exhaustion);
	tcase_add_test(tc, test_full_range_fast);
	tcase_add_test(tc, test_reuse_delay_generations);
	tcase_add_test(tc, test_random_parity);
	tcase_add_test(tc, test_random_spread);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(portmap_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
