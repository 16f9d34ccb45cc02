// SPDX-License-Identifier: MIT
/* test_edges.c - edge keepalive state and the per-flow edge pick, on a fake clock. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "edges.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define E1 IP(198, 18, 0, 1)
#define E2 IP(198, 18, 0, 2)
#define E3 IP(198, 18, 0, 3)

static struct host_edge conf_edges[3] = { { .addr = E1 }, { .addr = E2 }, { .addr = E3 } };

static void setup(struct edges *es, size_t n, uint32_t interval, uint32_t down, uint32_t now)
{
	struct host_conf c = { .edges = conf_edges, .nedges = n, .probe_interval_ms = interval,
			       .probe_down_ms = down };

	ck_assert_int_eq(edges_init(es, &c, now), 0);
}

/* One probe round at now: every edge but the silent one answers at once. */
static void round_at(struct edges *es, uint32_t now, uint32_t silent)
{
	edges_tick(es, now);
	for (size_t i = 0; i < es->n; i++) {
		struct probe p = { .kind = PROBE_REPLY, .seq = edges_sent(es, i), .stamp_ms = now };

		if (es->e[i].addr != silent)
			edges_reply(es, es->e[i].addr, &p, now + 1);
	}
}

START_TEST(test_all_up_at_start)
{
	struct edges es;

	setup(&es, 3, 200, 800, 1000);
	ck_assert_uint_eq(es.nlive, 3);
	for (uint32_t h = 0; h < 30; h++)
		ck_assert_uint_eq(edges_pick(&es, h), conf_edges[h % 3].addr);
	edges_free(&es);
	edges_free(&es);        /* twice is harmless */
}
END_TEST

/*
 * The promise: a dead edge is out of use within one second.  With
 * the defaults (probe every 200 ms, down after 800 ms of silence) the tick
 * that notices comes at most 1000 ms after the last reply.
 */
START_TEST(test_down_within_a_second)
{
	struct edges es;
	uint32_t t, died = 0, out = 0;

	setup(&es, 2, 200, 800, 0);
	for (t = 200; t <= 5000; t += 200) {
		round_at(&es, t, t > 1000 ? E2 : 0);
		if (t > 1000 && !died)
			died = t - 199;   /* the last reply came at 1001 */
		if (!es.e[1].up && !out)
			out = t;
	}
	ck_assert_uint_eq(died, 1001);
	ck_assert_uint_gt(out, 0);
	ck_assert_uint_le(out - 1001, 1000);
	ck_assert_uint_eq(es.e[1].downs, 1);
	ck_assert_uint_eq(es.nlive, 1);
	ck_assert(es.e[0].up);
	edges_free(&es);
}
END_TEST

START_TEST(test_one_lost_reply_is_not_death)
{
	struct edges es;

	setup(&es, 2, 200, 800, 0);
	round_at(&es, 200, 0);
	round_at(&es, 400, E2);   /* one reply lost */
	round_at(&es, 600, 0);
	round_at(&es, 800, E2);
	round_at(&es, 1000, E2);
	round_at(&es, 1200, E2);  /* 601 ms since the last reply: still in use */
	ck_assert(es.e[1].up);
	edges_free(&es);
}
END_TEST

/* A flow keeps its edge while it lives; flows of a dead edge go to live ones only. */
START_TEST(test_pick_moves_only_dead_edges_flows)
{
	struct edges es;
	uint32_t before[300];

	setup(&es, 3, 200, 800, 0);
	for (uint32_t h = 0; h < 300; h++)
		before[h] = edges_pick(&es, h * 2654435761u);
	for (uint32_t t = 200; t <= 2000; t += 200)
		round_at(&es, t, E2);
	ck_assert(!es.e[1].up);
	for (uint32_t h = 0; h < 300; h++) {
		uint32_t now = edges_pick(&es, h * 2654435761u);

		ck_assert_uint_ne(now, E2);
		if (before[h] != E2)
			ck_assert_uint_eq(now, before[h]);
	}
	/* Back with its next reply, and its flows with it. */
	round_at(&es, 2200, 0);
	ck_assert(es.e[1].up);
	ck_assert_uint_eq(es.nlive, 3);
	for (uint32_t h = 0; h < 300; h++)
		ck_assert_uint_eq(edges_pick(&es, h * 2654435761u), before[h]);
	edges_free(&es);
}
END_TEST

/* With every edge silent, the plain hash choice stands (sending beats dropping). */
START_TEST(test_all_down_falls_back)
{
	struct edges es;

	setup(&es, 2, 200, 800, 0);
	ck_assert_uint_eq(edges_tick(&es, 900), 2);
	ck_assert_uint_eq(es.nlive, 0);
	ck_assert_uint_eq(edges_pick(&es, 0), E1);
	ck_assert_uint_eq(edges_pick(&es, 1), E2);
	edges_free(&es);
}
END_TEST

START_TEST(test_bad_replies)
{
	struct edges es;
	struct probe p = { .kind = PROBE_REPLY };

	setup(&es, 2, 200, 800, 0);
	edges_tick(&es, 1000);
	ck_assert(!es.e[0].up);
	p.seq = edges_sent(&es, 0);
	ck_assert_int_eq(edges_reply(&es, E3, &p, 1001), -1);     /* not an edge */
	p.kind = PROBE_REQUEST;
	ck_assert_int_eq(edges_reply(&es, E1, &p, 1001), -1);     /* not a reply */
	p.kind = PROBE_REPLY;
	p.seq += 1;                                               /* never sent */
	ck_assert_int_eq(edges_reply(&es, E1, &p, 1001), -1);
	for (int i = 0; i < 100; i++)
		edges_sent(&es, 1);
	p.seq = 1;                                                /* too old */
	ck_assert_int_eq(edges_reply(&es, E1, &p, 1001), -1);
	ck_assert(!es.e[0].up);
	p.seq = es.seq;
	p.stamp_ms = 990;
	ck_assert_int_eq(edges_reply(&es, E1, &p, 1001), 1);
	ck_assert_uint_eq(es.e[0].rtt_ms, 11);
	ck_assert_int_eq(edges_reply(&es, E1, &p, 1002), 0);
	edges_free(&es);
}
END_TEST

START_TEST(test_probing_off)
{
	struct edges es;

	setup(&es, 2, 0, 800, 0);
	ck_assert_uint_eq(edges_tick(&es, 100000), 0);
	ck_assert_uint_eq(es.nlive, 2);
	edges_free(&es);
}
END_TEST

/* A reload keeps what it knew of edges that stay; new ones start in use. */
START_TEST(test_carry)
{
	struct edges old, nes;
	struct host_conf c = { .edges = conf_edges + 1, .nedges = 2, .probe_interval_ms = 200,
			       .probe_down_ms = 800 };

	setup(&old, 2, 200, 800, 0);
	edges_tick(&old, 900);                  /* both down */
	old.e[1].sent = 17;
	ck_assert_int_eq(edges_init(&nes, &c, 950), 0);  /* E2, E3 */
	edges_carry(&nes, &old);
	ck_assert(!nes.e[0].up);
	ck_assert_uint_eq(nes.e[0].sent, 17);
	ck_assert(nes.e[1].up);
	ck_assert_uint_eq(nes.nlive, 1);
	ck_assert_uint_eq(nes.live[0], 1);
	ck_assert_uint_eq(nes.seq, old.seq);
	edges_free(&nes);
	/* Probing turned off by the reload: every edge in use. */
	c.probe_interval_ms = 0;
	ck_assert_int_eq(edges_init(&nes, &c, 950), 0);
	edges_carry(&nes, &old);
	ck_assert_uint_eq(nes.nlive, 2);
	edges_free(&nes);
	edges_free(&old);
}
END_TEST

static Suite *edges_suite(void)
{
	Suite *s = suite_create("edges");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_all_up_at_start);
	tcase_add_test(tc, test_down_within_a_second);
	tcase_add_test(tc, test_one_lost_reply_is_not_death);
	tcase_add_test(tc, test_pick_moves_only_dead_edges_flows);
	tcase_add_test(tc, test_all_down_falls_back);
	tcase_add_test(tc, test_bad_replies);
	tcase_add_test(tc, test_probing_off);
	tcase_add_test(tc, test_carry);
	suite_add_tcase(s, tc);
	return s;
}

/* main() - run the edges suite; the exit status is nonzero if any check failed. */
int main(void)
{
	SRunner *sr = srunner_create(edges_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
