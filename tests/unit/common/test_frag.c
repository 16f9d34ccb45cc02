// SPDX-License-Identifier: MIT
/* test_frag.c - the fragment steering cache: learn, lookup, hold, release, bounds. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "frag.h"

static struct frag_key key(uint16_t id)
{
	return (struct frag_key){ .src = 0xC0000201u, .dst = 0xCB00710Au, .ctx = 0, .id = id,
				  .proto = 17 };
}

START_TEST(learn_lookup_expire)
{
	struct frag_cache *fc = frag_new(64, 4, 1000);
	struct frag_key k = key(7), other = key(8);
	uint64_t v = 0;

	ck_assert_ptr_nonnull(fc);
	ck_assert(!frag_lookup(fc, &k, 100, &v));
	frag_learn(fc, &k, 42, 100);
	ck_assert(frag_lookup(fc, &k, 500, &v));
	ck_assert_uint_eq(v, 42);
	ck_assert(!frag_lookup(fc, &other, 500, &v));
	other = k;
	other.ctx = 1;                       /* same datagram, other path: a different entry */
	ck_assert(!frag_lookup(fc, &other, 500, &v));
	ck_assert_uint_eq(frag_used(fc, 500), 1);
	ck_assert(!frag_lookup(fc, &k, 1101, &v));   /* timed out */
	ck_assert_uint_eq(frag_used(fc, 1101), 0);
	frag_learn(fc, &k, 43, 0xFFFFFF00u);         /* clock wrap */
	ck_assert(frag_lookup(fc, &k, 0x100, &v));
	ck_assert_uint_eq(v, 43);
	ck_assert_uint_eq(frag_stats(fc)->learned, 2);
	ck_assert_uint_eq(frag_stats(fc)->hits, 2);
	frag_free(fc);
}
END_TEST

START_TEST(hold_and_release)
{
	struct frag_cache *fc = frag_new(64, 2, 1000);
	struct frag_key k = key(9), k2 = key(10);
	struct pktbuf b, *r;

	pktbuf_reset(&b);
	memcpy(b.data, "fragment", 8);
	b.len = 8;
	b.peer = 77;
	b.out = 5;
	ck_assert(frag_hold(fc, &k, &b, 10));
	ck_assert(frag_hold(fc, &k, &b, 10));
	ck_assert(!frag_hold(fc, &k2, &b, 10));       /* hold area of 2 is full */
	ck_assert_uint_eq(frag_stats(fc)->hold_full, 1);
	ck_assert_uint_eq(frag_held(fc), 2);
	ck_assert_ptr_null(frag_release(fc, &k2));
	r = frag_release(fc, &k);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->len, 8);
	ck_assert_mem_eq(r->data, "fragment", 8);
	ck_assert_uint_eq(r->peer, 77);
	ck_assert_uint_eq(r->out, 5);
	ck_assert_ptr_ne(r, &b);                      /* a copy, not the caller's buffer */
	frag_put(fc, r);
	ck_assert_ptr_nonnull(r = frag_release(fc, &k));
	frag_put(fc, r);
	ck_assert_ptr_null(frag_release(fc, &k));
	ck_assert_uint_eq(frag_held(fc), 0);
	/* A held fragment whose first never comes times out and frees its buffer. */
	ck_assert(frag_hold(fc, &k2, &b, 100));
	frag_expire(fc, 1101);
	ck_assert_uint_eq(frag_held(fc), 0);
	ck_assert_uint_eq(frag_stats(fc)->hold_timeout, 1);
	ck_assert(frag_hold(fc, &k2, &b, 1200));
	frag_learn(fc, &k, 1, 1200);
	frag_clear(fc);
	ck_assert_uint_eq(frag_held(fc), 0);
	ck_assert_uint_eq(frag_used(fc, 1200), 0);
	ck_assert(frag_hold(fc, &k2, &b, 1200));
	ck_assert(frag_hold(fc, &k2, &b, 1200));
	b.len = PKTBUF_MTU + 1;
	frag_expire(fc, 5000);
	ck_assert(!frag_hold(fc, &k2, &b, 5000));      /* larger than a buffer */
	frag_free(fc);
}
END_TEST

START_TEST(flood_is_bounded)
{
	struct frag_cache *fc = frag_new(256, 8, 2000);
	struct frag_key k;
	uint64_t v;
	uint32_t found = 0;

	/* 100,000 first fragments into 256 slots: old ones are evicted, none leak. */
	for (uint32_t i = 0; i < 100000; i++) {
		k = key((uint16_t)i);
		k.src += i >> 16;
		frag_learn(fc, &k, i, 10);
	}
	ck_assert_uint_le(frag_used(fc, 10), 256);
	ck_assert_uint_gt(frag_stats(fc)->evicted, 90000);
	/* The newest datagrams are still steerable. */
	for (uint32_t i = 100000 - 16; i < 100000; i++) {
		k = key((uint16_t)i);
		k.src += i >> 16;
		found += frag_lookup(fc, &k, 11, &v) && v == i;
	}
	ck_assert_uint_ge(found, 12);
	frag_free(fc);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("frag");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, learn_lookup_expire);
	tcase_add_test(tc, hold_and_release);
	tcase_add_test(tc, flood_is_bounded);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
