// SPDX-License-Identifier: MIT
/* test_ct.c - unit tests for the conntrack table of hostd. */
#include <check.h>
#include <stdlib.h>

#include "ct.h"
#include "pkt.h"

#define VM_NET 0xc6130000u      /* 198.19.0.0 */
#define PUB_NET 0xcb007100u     /* 203.0.113.0 */

static struct ct_entry mk(uint32_t vni, uint32_t vm_addr, uint16_t vm_port, uint32_t pub,
			  uint16_t pub_port, uint32_t expires)
{
	struct ct_entry e = {
		.vni = vni, .vm_addr = vm_addr, .vm_port = vm_port,
		.pub_addr = pub, .pub_port = pub_port, .proto = PROTO_TCP,
		.expires = expires, .vm = 3, .state = CT_S_NEW,
	};
	return e;
}

START_TEST(test_insert_find)
{
	struct ct *t = ct_new(16);
	struct ct_entry e = mk(100, VM_NET + 11, 4000, PUB_NET + 10, 5000, 60), *p, *q;

	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(ct_capacity(t), 16);
	ck_assert_uint_eq(ct_count(t), 0);
	p = ct_insert(t, &e);
	ck_assert_ptr_nonnull(p);
	ck_assert(p->flags & CT_F_USED);
	ck_assert_uint_eq(ct_count(t), 1);
	q = ct_find_priv(t, 100, PROTO_TCP, VM_NET + 11, 4000);
	ck_assert_ptr_eq(q, p);
	q = ct_find_pub(t, 100, PROTO_TCP, PUB_NET + 10, 5000);
	ck_assert_ptr_eq(q, p);
	ck_assert_uint_eq(q->vm, 3);
	ck_assert_uint_eq(q->expires, 60);
	/* Each part of the key matters. */
	ck_assert_ptr_null(ct_find_priv(t, 200, PROTO_TCP, VM_NET + 11, 4000));
	ck_assert_ptr_null(ct_find_priv(t, 100, PROTO_UDP, VM_NET + 11, 4000));
	ck_assert_ptr_null(ct_find_priv(t, 100, PROTO_TCP, VM_NET + 12, 4000));
	ck_assert_ptr_null(ct_find_priv(t, 100, PROTO_TCP, VM_NET + 11, 4001));
	ck_assert_ptr_null(ct_find_pub(t, 200, PROTO_TCP, PUB_NET + 10, 5000));
	ck_assert_ptr_null(ct_find_pub(t, 100, PROTO_UDP, PUB_NET + 10, 5000));
	ck_assert_ptr_null(ct_find_pub(t, 100, PROTO_TCP, PUB_NET + 11, 5000));
	ck_assert_ptr_null(ct_find_pub(t, 100, PROTO_TCP, PUB_NET + 10, 5001));
	/* The private key is not a public key. */
	ck_assert_ptr_null(ct_find_pub(t, 100, PROTO_TCP, VM_NET + 11, 4000));
	ct_free(t);
}
END_TEST

START_TEST(test_remove)
{
	struct ct *t = ct_new(4);
	struct ct_entry a = mk(100, VM_NET + 11, 4000, PUB_NET + 10, 5000, 60);
	struct ct_entry b = mk(100, VM_NET + 11, 4001, PUB_NET + 10, 5001, 60);
	struct ct_entry *pa, *pb;

	pa = ct_insert(t, &a);
	pb = ct_insert(t, &b);
	ck_assert_ptr_nonnull(pa);
	ck_assert_ptr_nonnull(pb);
	ct_remove(t, pa);
	ck_assert_uint_eq(ct_count(t), 1);
	ck_assert_ptr_null(ct_find_priv(t, 100, PROTO_TCP, VM_NET + 11, 4000));
	ck_assert_ptr_null(ct_find_pub(t, 100, PROTO_TCP, PUB_NET + 10, 5000));
	ck_assert_ptr_eq(ct_find_priv(t, 100, PROTO_TCP, VM_NET + 11, 4001), pb);
	ck_assert_ptr_eq(ct_find_pub(t, 100, PROTO_TCP, PUB_NET + 10, 5001), pb);
	/* The freed slot is usable again. */
	pa = ct_insert(t, &a);
	ck_assert_ptr_nonnull(pa);
	ck_assert_ptr_eq(ct_find_pub(t, 100, PROTO_TCP, PUB_NET + 10, 5000), pa);
	ct_remove(t, pb);
	ct_remove(t, pa);
	ck_assert_uint_eq(ct_count(t), 0);
	ct_free(t);
}
END_TEST

START_TEST(test_full)
{
	struct ct *t = ct_new(3);
	struct ct_entry e;
	uint16_t i;

	for (i = 0; i < 3; i++) {
		e = mk(100, VM_NET + 11, 4000 + i, PUB_NET + 10, 5000 + i, 60);
		ck_assert_ptr_nonnull(ct_insert(t, &e));
	}
	e = mk(100, VM_NET + 11, 4003, PUB_NET + 10, 5003, 60);
	ck_assert_ptr_null(ct_insert(t, &e));
	ck_assert_uint_eq(ct_count(t), 3);
	ct_remove(t, ct_find_priv(t, 100, PROTO_TCP, VM_NET + 11, 4001));
	ck_assert_ptr_nonnull(ct_insert(t, &e));
	ck_assert_ptr_null(ct_insert(t, &e));
	ct_free(t);
}
END_TEST

START_TEST(test_duplicates)
{
	struct ct *t = ct_new(8);
	struct ct_entry a = mk(100, VM_NET + 11, 4000, PUB_NET + 10, 5000, 60);
	struct ct_entry same_priv = mk(100, VM_NET + 11, 4000, PUB_NET + 10, 5001, 60);
	struct ct_entry same_pub = mk(100, VM_NET + 12, 4000, PUB_NET + 10, 5000, 60);
	struct ct_entry other_vni = mk(200, VM_NET + 11, 4000, PUB_NET + 10, 5000, 60);

	ck_assert_ptr_nonnull(ct_insert(t, &a));
	ck_assert_ptr_null(ct_insert(t, &same_priv));
	ck_assert_ptr_null(ct_insert(t, &same_pub));
	ck_assert_uint_eq(ct_count(t), 1);
	/* Another tenant may use the same addresses and ports. */
	ck_assert_ptr_nonnull(ct_insert(t, &other_vni));
	ck_assert_uint_eq(ct_find_priv(t, 200, PROTO_TCP, VM_NET + 11, 4000)->vni, 200);
	ck_assert_uint_eq(ct_find_priv(t, 100, PROTO_TCP, VM_NET + 11, 4000)->vni, 100);
	ct_free(t);
}
END_TEST

struct seen {
	uint32_t n;
	uint32_t port_sum;
};

static void count_cb(void *arg, const struct ct_entry *e)
{
	struct seen *s = arg;

	s->n++;
	s->port_sum += e->pub_port;
}

START_TEST(test_sweep)
{
	struct ct *t = ct_new(64);
	struct ct_entry e;
	struct seen s = { 0 };
	uint32_t i, removed = 0, calls = 0;

	/* 20 entries: even ones expire at 10, odd ones at 100, the last is static. */
	for (i = 0; i < 20; i++) {
		e = mk(100, VM_NET + 11, (uint16_t)(4000 + i), PUB_NET + 10, (uint16_t)(5000 + i),
		       i % 2 ? 100 : 10);
		if (i == 19)
			e.flags = CT_F_STATIC;
		ck_assert_ptr_nonnull(ct_insert(t, &e));
	}
	ck_assert_uint_eq(ct_sweep(t, 5, 1000, count_cb, &s), 0);
	/* A budget of 3 slots sees slots 0-2: two of the ten expired entries. */
	ck_assert_uint_eq(ct_sweep(t, 10, 3, count_cb, &s), 2);
	ct_free(t);

	t = ct_new(64);
	for (i = 0; i < 20; i++) {
		e = mk(100, VM_NET + 11, (uint16_t)(4000 + i), PUB_NET + 10, (uint16_t)(5000 + i),
		       i % 2 ? 100 : 10);
		if (i == 19)
			e.flags = CT_F_STATIC;
		ck_assert_ptr_nonnull(ct_insert(t, &e));
	}
	s = (struct seen){ 0 };
	while (removed < 10 && calls++ < 100)
		removed += ct_sweep(t, 10, 3, count_cb, &s);
	ck_assert_uint_eq(removed, 10);
	ck_assert_uint_eq(calls, 7);    /* 20 slots at 3 a call: the whole table in 7 calls */
	ck_assert_uint_eq(s.n, 10);
	ck_assert_uint_eq(s.port_sum, 5000 * 10 + (0 + 2 + 4 + 6 + 8 + 10 + 12 + 14 + 16 + 18));
	ck_assert_uint_eq(ct_count(t), 10);
	ck_assert_ptr_null(ct_find_priv(t, 100, PROTO_TCP, VM_NET + 11, 4000));
	ck_assert_ptr_nonnull(ct_find_priv(t, 100, PROTO_TCP, VM_NET + 11, 4001));
	/* Much later: all but the static entry go; no callback needed. */
	ck_assert_uint_eq(ct_sweep(t, 1000000, 1000, NULL, NULL), 9);
	ck_assert_uint_eq(ct_count(t), 1);
	ck_assert_ptr_nonnull(ct_find_pub(t, 100, PROTO_TCP, PUB_NET + 10, 5019));
	ck_assert_uint_eq(ct_sweep(t, 1000000, 0, NULL, NULL), 0);
	ct_free(t);
}
END_TEST

START_TEST(test_iter)
{
	struct ct *t = ct_new(32);
	struct ct_entry e, *p;
	uint32_t i, pos = 0, n = 0, sum = 0;

	ck_assert_ptr_null(ct_iter(t, &pos));
	for (i = 0; i < 10; i++) {
		e = mk(100, VM_NET + i, 4000, PUB_NET + 10, (uint16_t)(5000 + i), 60);
		ck_assert_ptr_nonnull(ct_insert(t, &e));
	}
	ct_remove(t, ct_find_pub(t, 100, PROTO_TCP, PUB_NET + 10, 5003));
	pos = 0;
	while ((p = ct_iter(t, &pos))) {
		n++;
		sum += p->pub_port - 5000u;
	}
	ck_assert_uint_eq(n, 9);
	ck_assert_uint_eq(sum, 45 - 3);
	ct_free(t);
}
END_TEST

static struct ct_entry big_entry(uint32_t i)
{
	/* Spread a million keys over tenants, VM addresses and ports. */
	return mk(i % 7 + 1, VM_NET + (i >> 12), (uint16_t)(i & 0xfff) + 1, PUB_NET + (i % 5),
		  (uint16_t)(i / 5 % 60000) + 1, i);
}

/* 1 if entry i is found both ways with its own data, 0 if absent both ways, -1 otherwise. */
static int big_check(struct ct *t, uint32_t i)
{
	struct ct_entry e = big_entry(i), *p, *q;

	p = ct_find_priv(t, e.vni, e.proto, e.vm_addr, e.vm_port);
	q = ct_find_pub(t, e.vni, e.proto, e.pub_addr, e.pub_port);
	if (!p && !q)
		return 0;
	return p == q && p->expires == i && p->pub_port == e.pub_port ? 1 : -1;
}

/* Per-entry ck_assert would dominate the run time (Check reports each one): count instead. */
START_TEST(test_million)
{
	const uint32_t n = 1000000;
	struct ct *t = ct_new(n);
	struct ct_entry e;
	uint32_t i, bad = 0;

	ck_assert_ptr_nonnull(t);
	for (i = 0; i < n; i++) {
		e = big_entry(i);
		bad += !ct_insert(t, &e);
	}
	ck_assert_uint_eq(bad, 0);
	ck_assert_uint_eq(ct_count(t), n);
	e = mk(99, VM_NET, 1, PUB_NET, 1, 0);
	ck_assert_ptr_null(ct_insert(t, &e));
	for (i = 0; i < n; i++)
		bad += big_check(t, i) != 1;
	ck_assert_uint_eq(bad, 0);
	/* Remove every other entry, then check both halves both ways. */
	for (i = 0; i < n; i += 2) {
		e = big_entry(i);
		ct_remove(t, ct_find_pub(t, e.vni, e.proto, e.pub_addr, e.pub_port));
	}
	ck_assert_uint_eq(ct_count(t), n / 2);
	for (i = 0; i < n; i++)
		bad += big_check(t, i) != (i % 2 ? 1 : 0);
	ck_assert_uint_eq(bad, 0);
	/* Refill the holes through the free list. */
	for (i = 0; i < n; i += 2) {
		e = big_entry(i);
		bad += !ct_insert(t, &e);
	}
	ck_assert_uint_eq(bad, 0);
	ck_assert_uint_eq(ct_count(t), n);
	for (i = 0; i < n; i++)
		bad += big_check(t, i) != 1;
	ck_assert_uint_eq(bad, 0);
	/* Entry i expires at i: a sweep at n / 2 removes 0..n/2. */
	ck_assert_uint_eq(ct_sweep(t, n / 2, n, NULL, NULL), n / 2 + 1);
	ck_assert_uint_eq(ct_count(t), n / 2 - 1);
	for (i = 0; i < n; i++)
		bad += big_check(t, i) != (i > n / 2 ? 1 : 0);
	ck_assert_uint_eq(bad, 0);
	ct_free(t);
}
END_TEST

/*
 * Random inserts and removes on a small, often full table (clusters wrap
 * around the index's end; removal shifts slots back), checked after every
 * step against a plain array of which keys are present.
 */
START_TEST(test_churn)
{
	enum { MAX = 48, KEYS = 96 };
	struct ct_entry *in[KEYS] = { 0 }, e;
	struct ct *t = ct_new(MAX);
	uint32_t n = 0, step, k, j;

	ck_assert_ptr_nonnull(t);
	srand(7);
	for (step = 0; step < 20000; step++) {
		k = (uint32_t)rand() % KEYS;
		if (in[k]) {
			ct_remove(t, in[k]);
			in[k] = NULL;
			n--;
		} else {
			e = mk(100, VM_NET + k % 7, (uint16_t)(1000 + k), PUB_NET + k % 3,
			       (uint16_t)(2000 + k * 3), 60);
			in[k] = ct_insert(t, &e);
			ck_assert_int_eq(in[k] != NULL, n < MAX);
			n += in[k] != NULL;
		}
		ck_assert_uint_eq(ct_count(t), n);
		for (j = 0; j < KEYS; j++) {
			ck_assert_ptr_eq(ct_find_priv(t, 100, PROTO_TCP, VM_NET + j % 7,
						      (uint16_t)(1000 + j)), in[j]);
			ck_assert_ptr_eq(ct_find_pub(t, 100, PROTO_TCP, PUB_NET + j % 3,
						     (uint16_t)(2000 + j * 3)), in[j]);
		}
	}
	ct_free(t);
}
END_TEST

START_TEST(test_bad_size)
{
	ck_assert_ptr_null(ct_new(0));
	ck_assert_uint_le(sizeof(struct ct_entry), 64);
}
END_TEST

static Suite *ct_suite(void)
{
	Suite *s = suite_create("ct");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_insert_find);
	tcase_add_test(tc, test_remove);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_duplicates);
	tcase_add_test(tc, test_sweep);
	tcase_add_test(tc, test_iter);
	tcase_add_test(tc, test_million);
	tcase_add_test(tc, test_bad_size);
	tcase_add_test(tc, test_churn);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ct_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
