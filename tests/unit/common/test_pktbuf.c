// SPDX-License-Identifier: MIT
/* test_pktbuf.c - unit tests for the packet buffer pool and headroom push/pull/room. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "pktbuf.h"

START_TEST(pool_get_put)
{
	struct pktpool pp;
	struct pktbuf *b[4];

	ck_assert_int_eq(pktpool_init(&pp, 4), 0);
	ck_assert_uint_eq(pp.n, 4);
	ck_assert_uint_eq(pp.nfree, 4);
	for (int i = 0; i < 4; i++) {
		b[i] = pktpool_get(&pp);
		ck_assert_ptr_nonnull(b[i]);
		/* Every buffer is one of the pool's, distinct from the others. */
		ck_assert(b[i] >= pp.bufs && b[i] < pp.bufs + 4);
		for (int j = 0; j < i; j++)
			ck_assert_ptr_ne(b[i], b[j]);
		ck_assert_ptr_eq(b[i]->data, b[i]->buf + PKTBUF_HEADROOM);
		ck_assert_uint_eq(b[i]->len, 0);
	}
	ck_assert_uint_eq(pp.nfree, 0);
	/* Exhausted: NULL, again and again, without touching the count. */
	ck_assert_ptr_null(pktpool_get(&pp));
	ck_assert_ptr_null(pktpool_get(&pp));
	ck_assert_uint_eq(pp.nfree, 0);

	pktpool_put(&pp, b[2]);
	ck_assert_uint_eq(pp.nfree, 1);
	ck_assert_ptr_eq(pktpool_get(&pp), b[2]);
	ck_assert_ptr_null(pktpool_get(&pp));
	for (int i = 0; i < 4; i++)
		pktpool_put(&pp, b[i]);
	ck_assert_uint_eq(pp.nfree, 4);
	pktpool_destroy(&pp);
	ck_assert_ptr_null(pp.bufs);
	ck_assert_ptr_null(pp.free);
	ck_assert_uint_eq(pp.n, 0);
	ck_assert_uint_eq(pp.nfree, 0);
}
END_TEST

/* A buffer that comes back dirty is handed out reset. */
START_TEST(pool_get_resets)
{
	struct pktpool pp;
	struct pktbuf *b;

	ck_assert_int_eq(pktpool_init(&pp, 1), 0);
	b = pktpool_get(&pp);
	ck_assert_ptr_nonnull(b);
	b->data += 10;
	b->len = 99;
	b->peer = 0xc6120001u;
	b->peer_port = 6081;
	b->out = 7;
	pktpool_put(&pp, b);
	b = pktpool_get(&pp);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_eq(b->data, b->buf + PKTBUF_HEADROOM);
	ck_assert_uint_eq(b->len, 0);
	ck_assert_uint_eq(b->peer, 0);
	ck_assert_uint_eq(b->peer_port, 0);
	ck_assert_uint_eq(b->out, 0);
	pktpool_destroy(&pp);
}
END_TEST

/* An empty pool is legal and always empty; destroy twice is harmless. */
START_TEST(pool_empty)
{
	struct pktpool pp;

	ck_assert_int_eq(pktpool_init(&pp, 0), 0);
	ck_assert_ptr_null(pktpool_get(&pp));
	pktpool_destroy(&pp);
	pktpool_destroy(&pp);
}
END_TEST

START_TEST(push_pull)
{
	static struct pktbuf b;
	uint8_t *p;

	pktbuf_reset(&b);
	ck_assert_uint_eq(pktbuf_room(&b), PKTBUF_MTU);
	memcpy(b.data, "payload", 7);
	b.len = 7;

	p = pktbuf_push(&b, 8);
	ck_assert_ptr_eq(p, b.buf + PKTBUF_HEADROOM - 8);
	ck_assert_ptr_eq(b.data, p);
	ck_assert_uint_eq(b.len, 15);
	ck_assert_uint_eq(pktbuf_room(&b), PKTBUF_MTU + 8);
	ck_assert_int_eq(memcmp(b.data + 8, "payload", 7), 0);

	p = pktbuf_pull(&b, 8);
	ck_assert_ptr_eq(p, b.buf + PKTBUF_HEADROOM);
	ck_assert_uint_eq(b.len, 7);
	ck_assert_int_eq(memcmp(p, "payload", 7), 0);

	/* Pull the whole packet: empty, data just past it. */
	p = pktbuf_pull(&b, 7);
	ck_assert_ptr_eq(p, b.buf + PKTBUF_HEADROOM + 7);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(pktbuf_room(&b), PKTBUF_MTU - 7);
	/* Pulling 0 from an empty packet is fine. */
	ck_assert_ptr_eq(pktbuf_pull(&b, 0), b.data);
}
END_TEST

START_TEST(push_bounds)
{
	static struct pktbuf b;
	uint8_t *before;

	pktbuf_reset(&b);
	b.len = 100;
	/* One byte more than the headroom: refused, buffer untouched. */
	ck_assert_ptr_null(pktbuf_push(&b, PKTBUF_HEADROOM + 1));
	ck_assert_ptr_eq(b.data, b.buf + PKTBUF_HEADROOM);
	ck_assert_uint_eq(b.len, 100);
	ck_assert_ptr_null(pktbuf_push(&b, (size_t)-1));
	ck_assert_ptr_null(pktbuf_push(&b, (size_t)1 << 40));
	ck_assert_uint_eq(b.len, 100);

	/* Exactly the headroom fits, then nothing more. */
	ck_assert_ptr_eq(pktbuf_push(&b, PKTBUF_HEADROOM), b.buf);
	ck_assert_uint_eq(b.len, 100 + PKTBUF_HEADROOM);
	ck_assert_uint_eq(pktbuf_room(&b), PKTBUF_SIZE);
	before = b.data;
	ck_assert_ptr_null(pktbuf_push(&b, 1));
	ck_assert_ptr_eq(b.data, before);
	ck_assert_uint_eq(b.len, 100 + PKTBUF_HEADROOM);
	ck_assert_ptr_eq(pktbuf_push(&b, 0), b.buf);

	/* Stepwise: 128 pushes of one byte, then the 129th fails. */
	pktbuf_reset(&b);
	for (int i = 0; i < PKTBUF_HEADROOM; i++)
		ck_assert_ptr_nonnull(pktbuf_push(&b, 1));
	ck_assert_ptr_null(pktbuf_push(&b, 1));
	ck_assert_uint_eq(b.len, PKTBUF_HEADROOM);
}
END_TEST

START_TEST(pull_bounds)
{
	static struct pktbuf b;

	pktbuf_reset(&b);
	b.len = 20;
	ck_assert_ptr_null(pktbuf_pull(&b, 21));
	ck_assert_ptr_eq(b.data, b.buf + PKTBUF_HEADROOM);
	ck_assert_uint_eq(b.len, 20);
	ck_assert_ptr_null(pktbuf_pull(&b, (size_t)-1));
	ck_assert_ptr_null(pktbuf_pull(&b, ((size_t)1 << 32) + 1));
	ck_assert_uint_eq(b.len, 20);
	ck_assert_ptr_eq(pktbuf_pull(&b, 20), b.buf + PKTBUF_HEADROOM + 20);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_ptr_null(pktbuf_pull(&b, 1));
	ck_assert_uint_eq(b.len, 0);

	pktbuf_reset(&b);
	ck_assert_ptr_null(pktbuf_pull(&b, 1));
	ck_assert_ptr_eq(b.data, b.buf + PKTBUF_HEADROOM);
}
END_TEST

START_TEST(room)
{
	static struct pktbuf b;

	pktbuf_reset(&b);
	ck_assert_uint_eq(pktbuf_room(&b), PKTBUF_SIZE - PKTBUF_HEADROOM);
	ck_assert_uint_eq(PKTBUF_MTU, 1920);
	/* Room is measured from data to the end, whatever the length. */
	b.len = 1500;
	ck_assert_uint_eq(pktbuf_room(&b), PKTBUF_MTU);
	ck_assert_ptr_nonnull(pktbuf_push(&b, 50));
	ck_assert_uint_eq(pktbuf_room(&b), PKTBUF_MTU + 50);
	ck_assert_ptr_nonnull(pktbuf_pull(&b, 1000));
	ck_assert_uint_eq(pktbuf_room(&b), PKTBUF_MTU + 50 - 1000);
}
END_TEST

/* Lent data is read where it lies; the first push copies it home, room for lent is its length. */
START_TEST(lent_own)
{
	static struct pktbuf b;
	static uint8_t outside[PKTBUF_MTU + 1];
	uint8_t *p;

	memcpy(outside, "0123456789", 10);
	pktbuf_reset(&b);
	b.data = outside;
	b.len = 10;
	b.lent = 1;
	ck_assert_uint_eq(pktbuf_room(&b), 10);
	ck_assert_ptr_eq(pktbuf_pull(&b, 2), outside + 2);
	ck_assert_uint_eq(b.lent, 1);
	p = pktbuf_push(&b, 4);
	ck_assert_ptr_eq(p, b.buf + PKTBUF_HEADROOM - 4);
	ck_assert_uint_eq(b.lent, 0);
	ck_assert_uint_eq(b.len, 12);
	ck_assert_int_eq(memcmp(b.data + 4, "23456789", 8), 0);
	ck_assert_int_eq(memcmp(outside, "0123456789", 10), 0);  /* the lender's copy untouched */
	ck_assert_int_eq(pktbuf_own(&b), 0);                     /* owned already: nothing to do */
	ck_assert_ptr_eq(b.data, p);

	/* Owning copies to the headroom whatever was pulled; reset forgets a loan. */
	pktbuf_reset(&b);
	b.data = outside + 3;
	b.len = 5;
	b.lent = 1;
	ck_assert_int_eq(pktbuf_own(&b), 0);
	ck_assert_ptr_eq(b.data, b.buf + PKTBUF_HEADROOM);
	ck_assert_int_eq(memcmp(b.data, "34567", 5), 0);
	b.lent = 1;
	pktbuf_reset(&b);
	ck_assert_uint_eq(b.lent, 0);
	ck_assert_ptr_eq(b.data, b.buf + PKTBUF_HEADROOM);

	/* Too long to own: refused, and so is a push; the loan stands. */
	b.data = outside;
	b.len = PKTBUF_MTU + 1;
	b.lent = 1;
	ck_assert_int_eq(pktbuf_own(&b), -1);
	ck_assert_ptr_null(pktbuf_push(&b, 1));
	ck_assert_ptr_eq(b.data, outside);
	ck_assert_uint_eq(b.len, PKTBUF_MTU + 1);
	b.len = PKTBUF_MTU;
	ck_assert_ptr_eq(pktbuf_push(&b, PKTBUF_HEADROOM), b.buf);
	ck_assert_uint_eq(b.len, PKTBUF_SIZE);
}
END_TEST

static Suite *pktbuf_suite(void)
{
	Suite *s = suite_create("pktbuf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, pool_get_put);
	tcase_add_test(tc, pool_get_resets);
	tcase_add_test(tc, pool_empty);
	tcase_add_test(tc, push_pull);
	tcase_add_test(tc, push_bounds);
	tcase_add_test(tc, pull_bounds);
	tcase_add_test(tc, room);
	tcase_add_test(tc, lent_own);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pktbuf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
