// SPDX-License-Identifier: MIT
/* test_probe.c - unit tests for the Geneve OAM keepalive encoding. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "geneve.h"
#include "pktbuf.h"
#include "probe.h"

/* Decode a heap copy of exactly len bytes so that ASan sees any overread. */
static int decode_exact(const uint8_t *buf, size_t len, struct probe *p)
{
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, buf, len);
	r = probe_decode(copy, len, p);
	free(copy);
	return r;
}

START_TEST(test_bytes)
{
	static const uint8_t want[PROBE_LEN] = {
		0x03, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  /* 3 option words, O bit */
		0xFF, 0xF0, 0x01, 0x02,                          /* class, type 1, 2 words */
		0x01, 0x02, 0x03, 0x04, 0xAA, 0xBB, 0xCC, 0xDD,  /* seq, stamp */
	};
	uint8_t buf[PROBE_LEN];
	struct geneve_hdr h;

	probe_encode(buf, PROBE_REQUEST, 0x01020304, 0xAABBCCDD);
	ck_assert_mem_eq(buf, want, sizeof(want));
	/* A plain Geneve parser sees a control packet with no payload. */
	ck_assert_int_eq(geneve_decode(buf, sizeof(buf), &h), GENEVE_OK);
	ck_assert(h.oam);
	ck_assert_uint_eq(h.hlen, PROBE_LEN);
}
END_TEST

START_TEST(test_roundtrip)
{
	uint8_t buf[PROBE_LEN];
	struct probe p;

	probe_encode(buf, PROBE_REPLY, 7, 123456);
	ck_assert_int_eq(decode_exact(buf, sizeof(buf), &p), 0);
	ck_assert_int_eq(p.kind, PROBE_REPLY);
	ck_assert_uint_eq(p.seq, 7);
	ck_assert_uint_eq(p.stamp_ms, 123456);
}
END_TEST

/* Every prefix is refused, as are data packets and foreign options. */
START_TEST(test_refused)
{
	uint8_t buf[PROBE_LEN], bad[PROBE_LEN];
	struct probe p;

	probe_encode(buf, PROBE_REQUEST, 1, 2);
	for (size_t n = 0; n < sizeof(buf); n++)
		ck_assert_int_eq(decode_exact(buf, n, &p), -1);
	memcpy(bad, buf, sizeof(buf));
	bad[1] = 0;                             /* O bit clear: data, not a probe */
	ck_assert_int_eq(decode_exact(bad, sizeof(bad), &p), -1);
	memcpy(bad, buf, sizeof(buf));
	bad[9] = 0xF1;                          /* another option class */
	ck_assert_int_eq(decode_exact(bad, sizeof(bad), &p), -1);
	memcpy(bad, buf, sizeof(buf));
	bad[10] = 3;                            /* unknown type of ours */
	ck_assert_int_eq(decode_exact(bad, sizeof(bad), &p), -1);
	memcpy(bad, buf, sizeof(buf));
	bad[10] = 0x81;                         /* critical: geneve_decode refuses it */
	ck_assert_int_eq(decode_exact(bad, sizeof(bad), &p), -1);
}
END_TEST

/* Our option found after another, non-critical one. */
START_TEST(test_after_other_option)
{
	static const uint8_t buf[] = {
		0x04, 0x80, 0, 0, 0, 0, 0, 0,           /* 4 option words, O bit */
		0x01, 0x02, 0x03, 0x00,                 /* someone else's empty option */
		0xFF, 0xF0, 0x01, 0x02, 0, 0, 0, 9, 0, 0, 0, 10,
	};
	struct probe p;

	ck_assert_int_eq(decode_exact(buf, sizeof(buf), &p), 0);
	ck_assert_uint_eq(p.seq, 9);
	ck_assert_uint_eq(p.stamp_ms, 10);
}
END_TEST

START_TEST(test_build)
{
	struct pktbuf *b = calloc(1, sizeof(*b));
	struct probe p;

	ck_assert_ptr_nonnull(b);
	pktbuf_reset(b);
	b->len = 100;                           /* leftovers of a previous packet go */
	ck_assert_int_eq(probe_build(b, PROBE_REPLY, 5, 6), 0);
	ck_assert_uint_eq(b->len, PROBE_LEN);
	ck_assert_ptr_eq(b->data, b->buf + PKTBUF_HEADROOM - PROBE_LEN);
	ck_assert_int_eq(probe_decode(b->data, b->len, &p), 0);
	ck_assert_int_eq(p.kind, PROBE_REPLY);
	free(b);
}
END_TEST

static Suite *probe_suite(void)
{
	Suite *s = suite_create("probe");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_bytes);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_after_other_option);
	tcase_add_test(tc, test_build);
	suite_add_tcase(s, tc);
	return s;
}

/* main() - run the probe suite; the exit status is nonzero if any check failed. */
int main(void)
{
	SRunner *sr = srunner_create(probe_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
