// SPDX-License-Identifier: MIT
/* test_csum.c - unit tests for the RFC 1071 checksum and RFC 1624 updates. */
#include <arpa/inet.h>
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"

/* TCP SYN 192.0.2.1:40000 -> 203.0.113.10:8080, checksums computed independently. */
static const uint8_t syn[40] = {
	0x45, 0x00, 0x00, 0x28, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x2a, 0x90,
	0xc0, 0x00, 0x02, 0x01, 0xcb, 0x00, 0x71, 0x0a, 0x9c, 0x40, 0x1f, 0x90,
	0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x00, 0x50, 0x02, 0xfa, 0xf0,
	0xf7, 0x0e, 0x00, 0x00,
};

static uint32_t rng_state = 0x2545F491;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* Plain RFC 1071 over big-endian words, host-order result: the reference. */
static uint16_t ref_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint16_t wire16(uint16_t host)
{
	return htons(host);
}

START_TEST(test_rfc1071_example)
{
	/* RFC 1071 s3: these words sum to ddf2, so the checksum is 220d. */
	static const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	ck_assert_uint_eq(csum_fold(csum_partial(b, sizeof(b), 0)), wire16(0x220d));
}
END_TEST

START_TEST(test_known_packet)
{
	uint32_t src, dst, sum;

	/* A header with a correct checksum sums to zero. */
	ck_assert_uint_eq(csum_fold(csum_partial(syn, 20, 0)), 0);
	memcpy(&src, syn + 12, 4);
	memcpy(&dst, syn + 16, 4);
	sum = csum_ip4_pseudo(src, dst, 6, htons(20));
	ck_assert_uint_eq(csum_fold(csum_partial(syn + 20, 20, sum)), 0);
}
END_TEST

/* Random lengths (odd too) at random alignments against the reference. */
START_TEST(test_partial_random)
{
	uint8_t buf[140];
	int iter;

	for (iter = 0; iter < 2000; iter++) {
		size_t off = rng() % 4, len = rng() % 129, i;
		uint16_t got;

		for (i = 0; i < sizeof(buf); i++)
			buf[i] = (uint8_t)rng();
		got = csum_fold(csum_partial(buf + off, len, 0));
		ck_assert_uint_eq(ntohs(got), ref_csum(buf + off, len));
	}
}
END_TEST

/* A partial sum carries over to the next even-sized chunk. */
START_TEST(test_partial_chain)
{
	uint8_t buf[64];
	size_t i, split;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(0xF0 + i * 7);
	for (split = 0; split <= sizeof(buf); split += 2) {
		uint32_t s = csum_partial(buf, split, 0);

		s = csum_partial(buf + split, sizeof(buf) - split, s);
		ck_assert_uint_eq(csum_fold(s), csum_fold(csum_partial(buf, sizeof(buf), 0)));
	}
}
END_TEST

START_TEST(test_fold)
{
	ck_assert_uint_eq(csum_fold(0), 0xFFFF);
	ck_assert_uint_eq(csum_fold(0xFFFF), 0);
	ck_assert_uint_eq(csum_fold(0x1FFFE), 0);           /* carry then carry again */
	ck_assert_uint_eq(csum_fold(0xFFFFFFFF), 0);
	ck_assert_uint_eq(csum_fold(0x00010000), 0xFFFE);
}
END_TEST

START_TEST(test_pseudo)
{
	uint8_t ph[12] = { 192, 0, 2, 1, 203, 0, 113, 10, 0, 17, 0x05, 0xdc };
	uint32_t src, dst;

	memcpy(&src, ph, 4);
	memcpy(&dst, ph + 4, 4);
	ck_assert_uint_eq(csum_fold(csum_ip4_pseudo(src, dst, 17, htons(1500))),
			  csum_fold(csum_partial(ph, sizeof(ph), 0)));
}
END_TEST

START_TEST(test_rfc1624_example)
{
	/* RFC 1624 s4: eqn. 3 gives 0000 where eqn. 2 wrongly gives ffff. */
	ck_assert_uint_eq(csum_replace16(wire16(0xdd2f), wire16(0x5555), wire16(0x3285)),
			  wire16(0x0000));
}
END_TEST

/* Change a word or a 32-bit field of random data: incremental == full. */
START_TEST(test_replace_random)
{
	uint8_t buf[64];
	int iter;

	for (iter = 0; iter < 2000; iter++) {
		size_t i, pos = 2 * (rng() % 29) + 2;     /* checksum lives at 0..1 */
		uint16_t check, w16_old, w16_new;
		uint32_t w32_old, w32_new;

		for (i = 0; i < sizeof(buf); i++)
			buf[i] = (uint8_t)rng();
		memset(buf, 0, 2);
		check = csum_fold(csum_partial(buf, sizeof(buf), 0));
		if (iter & 1) {
			memcpy(&w16_old, buf + pos, 2);
			w16_new = (uint16_t)rng();
			memcpy(buf + pos, &w16_new, 2);
			check = csum_replace16(check, w16_old, w16_new);
		} else {
			memcpy(&w32_old, buf + pos, 4);
			w32_new = rng();
			memcpy(buf + pos, &w32_new, 4);
			check = csum_replace32(check, w32_old, w32_new);
		}
		ck_assert_uint_eq(check, csum_fold(csum_partial(buf, sizeof(buf), 0)));
	}
}
END_TEST

/* Rewriting the SYN's destination to 198.19.0.11: the IP checksum still verifies. */
START_TEST(test_replace32_packet)
{
	uint8_t p[40];
	uint32_t old_a, new_a = htonl(0xC613000B);
	uint16_t check;

	memcpy(p, syn, sizeof(p));
	memcpy(&old_a, p + 16, 4);
	memcpy(&check, p + 10, 2);
	check = csum_replace32(check, old_a, new_a);
	memcpy(p + 16, &new_a, 4);
	memcpy(p + 10, &check, 2);
	ck_assert_uint_eq(csum_fold(csum_partial(p, 20, 0)), 0);
	ck_assert_uint_ne(check, 0x902a);  /* it did change */
}
END_TEST

static Suite *csum_suite(void)
{
	Suite *s = suite_create("csum");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_rfc1071_example);
	tcase_add_test(tc, test_known_packet);
	tcase_add_test(tc, test_partial_random);
	tcase_add_test(tc, test_partial_chain);
	tcase_add_test(tc, test_fold);
	tcase_add_test(tc, test_pseudo);
	tcase_add_test(tc, test_rfc1624_example);
	tcase_add_test(tc, test_replace_random);
	tcase_add_test(tc, test_replace32_packet);
	suite_add_tcase(s, tc);
	return s;
}

/* main() - run the csum suite; the exit status is nonzero if any check failed. */
int main(void)
{
	SRunner *sr = srunner_create(csum_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
