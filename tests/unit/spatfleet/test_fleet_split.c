// SPDX-License-Identifier: MIT
/* test_fleet_split.c - unit tests of the block split: determinism, coverage, stability, merges. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet_conf.h"
#include "fleet_split.h"

/*
 * The test pool: 203.0.113.1-2, ports 1024-1279 (256 ports), blocks of 16:
 * 16 blocks an address, 32 in all; 4 blocks a host, so room for 8 hosts.
 */
#define ADDR1 0xcb007101u        /* 203.0.113.1 */
#define NPORTS 256

/* A fleet of the hosts whose slots are set in mask (bit i: slot i), in slot order. */
static char *fleet_text(unsigned mask, const char *layout, unsigned blocks)
{
	char *s = malloc(8192);
	size_t len = 0;
	unsigned i;

	ck_assert_ptr_nonnull(s);
	len += (size_t)snprintf(s, 8192, "edges: [{name: e1, address: 198.18.0.1}]\n"
				"pools:\n  - {name: p, vni: 7, public: 203.0.113.1-203.0.113.2, "
				"ports: 1024-1279, block_size: 16, blocks_per_host: %u, layout: %s}\n"
				"hosts:\n", blocks, layout);
	for (i = 0; i < 32; i++)
		if (mask & (1u << i))
			len += (size_t)snprintf(s + len, 8192 - len, "  - {name: h%u, address: "
						"198.18.1.%u, slot: %u}\n", i, i + 1, i);
	return s;
}

static void load(struct fleet_conf *c, unsigned mask, const char *layout, unsigned blocks)
{
	char *s = fleet_text(mask, layout, blocks);
	struct yerr err;

	ck_assert_msg(fleet_conf_parse(c, "t.yaml", s, strlen(s), &err) == 0, "%s", err.msg);
	free(s);
}

/* Blocks of the fleet, sorted by address and port. */
static size_t split(unsigned mask, const char *layout, unsigned blocks, struct fleet_block **b,
		    struct fleet_conf *c)
{
	long n;

	load(c, mask, layout, blocks);
	n = fleet_split(c, b);
	ck_assert_int_ge(n, 0);
	return (size_t)n;
}

START_TEST(pool_size)
{
	struct fleet_conf c;

	load(&c, 1, "striped", 4);
	ck_assert_uint_eq(c.pools[0].naddrs, 2);
	ck_assert_uint_eq(c.pools[0].per_addr, 16);
	ck_assert_uint_eq(c.pools[0].slots, 8);
	fleet_conf_free(&c);
	load(&c, 1, "striped", 5);       /* 32 / 5: 6 hosts, 2 blocks never used */
	ck_assert_uint_eq(c.pools[0].slots, 6);
	fleet_conf_free(&c);
}
END_TEST

/* With every slot taken, the blocks tile the pool: no overlap, no gap, each once. */
static void full_cover(const char *layout)
{
	static unsigned char seen[2][NPORTS];
	struct fleet_block *b;
	struct fleet_conf c;
	size_t n, i, a;
	unsigned p;

	memset(seen, 0, sizeof(seen));
	n = split(0xff, layout, 4, &b, &c);
	ck_assert_uint_eq(n, 32);
	for (i = 0; i < n; i++) {
		a = b[i].pub - ADDR1;
		ck_assert_uint_lt(a, 2);
		ck_assert_uint_eq(b[i].hi - b[i].lo + 1, 16);
		ck_assert_uint_eq((b[i].lo - 1024) % 16, 0);
		ck_assert_uint_eq(b[i].vni, 7);
		if (i && b[i].pub == b[i - 1].pub)
			ck_assert_uint_gt(b[i].lo, b[i - 1].hi);
		for (p = b[i].lo; p <= b[i].hi; p++)
			seen[a][p - 1024]++;
	}
	for (a = 0; a < 2; a++)
		for (p = 0; p < NPORTS; p++)
			ck_assert_uint_eq(seen[a][p], 1);
	free(b);
	fleet_conf_free(&c);
}

START_TEST(covers_striped)
{
	full_cover("striped");
}
END_TEST

START_TEST(covers_contiguous)
{
	full_cover("contiguous");
}
END_TEST

/* Striped: block k of slot s is pool block k * 8 + s, 16 to an address. */
START_TEST(striped_formula)
{
	struct fleet_conf c;
	uint32_t pub;
	uint16_t lo, hi;

	load(&c, 1, "striped", 4);
	fleet_block_of(&c.pools[0], 3, 0, &pub, &lo, &hi);
	ck_assert_uint_eq(pub, ADDR1);
	ck_assert_uint_eq(lo, 1024 + 3 * 16);
	ck_assert_uint_eq(hi, 1024 + 4 * 16 - 1);
	fleet_block_of(&c.pools[0], 3, 2, &pub, &lo, &hi);   /* block 19: address 2, block 3 */
	ck_assert_uint_eq(pub, ADDR1 + 1);
	ck_assert_uint_eq(lo, 1024 + 3 * 16);
	fleet_conf_free(&c);
	load(&c, 1, "contiguous", 4);
	fleet_block_of(&c.pools[0], 3, 2, &pub, &lo, &hi);   /* block 14 */
	ck_assert_uint_eq(pub, ADDR1);
	ck_assert_uint_eq(lo, 1024 + 14 * 16);
	fleet_conf_free(&c);
}
END_TEST

/* The blocks of the host in slot `slot`, as text, for comparing fleets. */
static void host_blocks(unsigned mask, const char *layout, unsigned slot, char *out, size_t cap)
{
	struct fleet_block *b;
	struct fleet_conf c;
	size_t n, i, len = 0, h;

	n = split(mask, layout, 4, &b, &c);
	for (h = 0; h < c.nhosts && c.hosts[h].slot != slot; h++)
		;
	ck_assert_uint_lt(h, c.nhosts);
	out[0] = '\0';
	for (i = 0; i < n; i++)
		if (b[i].host == h)
			len += (size_t)snprintf(out + len, cap - len, "%x:%u-%u ", b[i].pub, b[i].lo,
						b[i].hi);
	free(b);
	fleet_conf_free(&c);
}

/* Adding or removing hosts moves no other host's blocks, in either layout. */
static void stable(const char *layout)
{
	static const unsigned fleets[] = { 0x01, 0x81, 0xff, 0x7f, 0xfe, 0xa5, 0x5b };
	char ref[512], got[512];
	unsigned s, f;

	for (s = 0; s < 8; s++) {
		host_blocks(0xff, layout, s, ref, sizeof(ref));
		for (f = 0; f < sizeof(fleets) / sizeof(fleets[0]); f++) {
			if (!(fleets[f] & (1u << s)))
				continue;
			host_blocks(fleets[f], layout, s, got, sizeof(got));
			ck_assert_str_eq(got, ref);
		}
	}
}

START_TEST(stable_striped)
{
	stable("striped");
}
END_TEST

START_TEST(stable_contiguous)
{
	stable("contiguous");
}
END_TEST

/* Same input, same output; and host order in the file does not matter. */
START_TEST(deterministic)
{
	const char *a = "edges: [{name: e1, address: 198.18.0.1}]\n"
			"pools: [{name: p, vni: 7, public: [203.0.113.1, 203.0.113.2], "
			"ports: 1024-1279, block_size: 16, blocks_per_host: 4}]\n"
			"hosts: [{name: x, address: 198.18.1.1, slot: 5},"
			" {name: y, address: 198.18.1.2, slot: 2}]\n";
	const char *b = "edges: [{name: e1, address: 198.18.0.1}]\n"
			"pools: [{name: p, vni: 7, public: [203.0.113.1, 203.0.113.2], "
			"ports: 1024-1279, block_size: 16, blocks_per_host: 4}]\n"
			"hosts: [{name: y, address: 198.18.1.2, slot: 2},"
			" {name: x, address: 198.18.1.1, slot: 5}]\n";
	struct fleet_conf ca, cb;
	struct fleet_block *ba, *bb;
	struct yerr err;
	long na, nb, i;

	ck_assert_int_eq(fleet_conf_parse(&ca, "a", a, strlen(a), &err), 0);
	ck_assert_int_eq(fleet_conf_parse(&cb, "b", b, strlen(b), &err), 0);
	na = fleet_split(&ca, &ba);
	nb = fleet_split(&cb, &bb);
	ck_assert_int_eq(na, 8);
	ck_assert_int_eq(nb, 8);
	for (i = 0; i < na; i++) {
		ck_assert_uint_eq(ba[i].pub, bb[i].pub);
		ck_assert_uint_eq(ba[i].lo, bb[i].lo);
		ck_assert_str_eq(ca.hosts[ba[i].host].name, cb.hosts[bb[i].host].name);
	}
	free(ba);
	free(bb);
	fleet_conf_free(&ca);
	fleet_conf_free(&cb);
}
END_TEST

/* Contiguous blocks of one host merge (not across addresses); striped ones do not. */
START_TEST(merging)
{
	struct fleet_block *b;
	struct fleet_conf c;
	size_t n, m;

	n = split(0xff, "contiguous", 4, &b, &c);
	m = fleet_merge(b, n);
	ck_assert_uint_eq(m, 8);                 /* one rule per host */
	ck_assert_uint_eq(b[0].lo, 1024);
	ck_assert_uint_eq(b[0].hi, 1024 + 64 - 1);
	free(b);
	fleet_conf_free(&c);

	n = split(0xff, "striped", 4, &b, &c);
	ck_assert_uint_eq(fleet_merge(b, n), n);
	free(b);
	fleet_conf_free(&c);

	/* 3 blocks a host: slot 5 has blocks 15, 16, 17, across the two addresses. */
	n = split(1u << 5, "contiguous", 3, &b, &c);
	ck_assert_uint_eq(n, 3);
	m = fleet_merge(b, n);
	ck_assert_uint_eq(m, 2);
	ck_assert_uint_eq(b[0].pub, ADDR1);
	ck_assert_uint_eq(b[0].lo, 1024 + 15 * 16);
	ck_assert_uint_eq(b[1].pub, ADDR1 + 1);
	ck_assert_uint_eq(b[1].lo, 1024);
	ck_assert_uint_eq(b[1].hi, 1024 + 32 - 1);
	free(b);
	fleet_conf_free(&c);
}
END_TEST

/* Neighbouring blocks of two hosts, or of two VNIs, stay apart. */
START_TEST(merge_keeps_owners)
{
	struct fleet_block b[] = {
		{ ADDR1, 1, 10, 7, 0, 0 }, { ADDR1, 11, 20, 7, 1, 0 }, { ADDR1, 21, 30, 8, 1, 0 },
		{ ADDR1, 31, 40, 8, 1, 0 }, { ADDR1, 42, 50, 8, 1, 0 }, { ADDR1 + 1, 51, 60, 8, 1, 0 },
	};

	ck_assert_uint_eq(fleet_merge(b, 6), 5);
	ck_assert_uint_eq(b[2].lo, 21);
	ck_assert_uint_eq(b[2].hi, 40);
	ck_assert_uint_eq(b[3].lo, 42);
}
END_TEST

static Suite *fleet_split_suite(void)
{
	Suite *s = suite_create("fleet_split");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, pool_size);
	tcase_add_test(tc, covers_striped);
	tcase_add_test(tc, covers_contiguous);
	tcase_add_test(tc, striped_formula);
	tcase_add_test(tc, stable_striped);
	tcase_add_test(tc, stable_contiguous);
	tcase_add_test(tc, deterministic);
	tcase_add_test(tc, merging);
	tcase_add_test(tc, merge_keeps_owners);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(fleet_split_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
