// SPDX-License-Identifier: MIT
/* test_geneve.c - unit tests for Geneve header encode/decode and option walking. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "geneve.h"
#include "pktbuf.h"

/* Decode a heap copy of exactly len bytes so that ASan sees any overread. */
static enum geneve_err decode_exact(const uint8_t *buf, size_t len, struct geneve_hdr *h)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum geneve_err err;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, buf, len);
	err = geneve_decode(copy, len, h);
	free(copy);
	return err;
}

START_TEST(test_encode_bytes)
{
	static const uint8_t want[] = { 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x64, 0x00 };
	static const uint8_t want_oam[] = { 0x00, 0x80, 0x86, 0xDD, 0xAB, 0xCD, 0xEF, 0x00 };
	uint8_t buf[GENEVE_HLEN];

	memset(buf, 0xFF, sizeof(buf));
	geneve_encode(buf, 100, GENEVE_PT_IPV4, false);
	ck_assert_mem_eq(buf, want, sizeof(want));
	/* A VNI wider than 24 bits is cut, never spilled into the reserved byte. */
	geneve_encode(buf, 0xFFABCDEF, GENEVE_PT_IPV6, true);
	ck_assert_mem_eq(buf, want_oam, sizeof(want_oam));
}
END_TEST

START_TEST(test_roundtrip)
{
	uint8_t buf[GENEVE_HLEN + 20] = { 0 };
	struct geneve_hdr h;

	geneve_encode(buf, 0xABCDEF, GENEVE_PT_IPV4, false);
	ck_assert_int_eq(decode_exact(buf, sizeof(buf), &h), GENEVE_OK);
	ck_assert_uint_eq(h.vni, 0xABCDEF);
	ck_assert_uint_eq(h.proto, GENEVE_PT_IPV4);
	ck_assert(!h.oam);
	ck_assert(!h.critical);
	ck_assert_uint_eq(h.optlen, 0);
	ck_assert_uint_eq(h.hlen, GENEVE_HLEN);

	geneve_encode(buf, 200, GENEVE_PT_IPV4, true);
	ck_assert_int_eq(decode_exact(buf, GENEVE_HLEN, &h), GENEVE_OK);
	ck_assert(h.oam);
	ck_assert_uint_eq(h.vni, 200);
}
END_TEST

START_TEST(test_c_bit)
{
	uint8_t buf[GENEVE_HLEN];
	struct geneve_hdr h;

	geneve_encode(buf, 1, GENEVE_PT_IPV4, false);
	buf[1] = 0x40;
	ck_assert_int_eq(decode_exact(buf, sizeof(buf), &h), GENEVE_OK);
	ck_assert(h.critical);
	ck_assert(!h.oam);
}
END_TEST

START_TEST(test_short)
{
	uint8_t buf[GENEVE_HLEN];
	struct geneve_hdr h;
	size_t len;

	geneve_encode(buf, 1, GENEVE_PT_IPV4, false);
	for (len = 0; len < GENEVE_HLEN; len++)
		ck_assert_int_eq(decode_exact(buf, len, &h), GENEVE_ERR_SHORT);
	ck_assert_int_eq(geneve_decode(NULL, 0, &h), GENEVE_ERR_SHORT);
}
END_TEST

START_TEST(test_version)
{
	uint8_t buf[GENEVE_HLEN];
	struct geneve_hdr h;
	int v;

	for (v = 1; v < 4; v++) {
		geneve_encode(buf, 1, GENEVE_PT_IPV4, false);
		buf[0] = (uint8_t)(v << 6);
		ck_assert_int_eq(decode_exact(buf, sizeof(buf), &h), GENEVE_ERR_VERSION);
	}
}
END_TEST

/* Two unknown, non-critical options (one empty) are skipped. */
START_TEST(test_options_skipped)
{
	static const uint8_t pkt[] = {
		0x03, 0x00, 0x08, 0x00, 0x00, 0x00, 0x64, 0x00,
		0xFF, 0xF0, 0x01, 0x01, 0xDE, 0xAD, 0xBE, 0xEF,   /* 4 bytes of data */
		0x01, 0x02, 0x7F, 0x00,                           /* empty option */
		0x45,                                             /* payload */
	};
	struct geneve_hdr h;

	ck_assert_int_eq(decode_exact(pkt, sizeof(pkt), &h), GENEVE_OK);
	ck_assert_uint_eq(h.optlen, 12);
	ck_assert_uint_eq(h.hlen, 20);
	ck_assert_uint_eq(h.vni, 100);
	ck_assert_uint_eq(pkt[h.hlen], 0x45);
	/* Exactly the header and options, no payload, is still a header. */
	ck_assert_int_eq(decode_exact(pkt, 20, &h), GENEVE_OK);
	/* Options cut short by the packet. */
	ck_assert_int_eq(decode_exact(pkt, 19, &h), GENEVE_ERR_SHORT);
	ck_assert_int_eq(decode_exact(pkt, 9, &h), GENEVE_ERR_SHORT);
}
END_TEST

START_TEST(test_critical_rejected)
{
	uint8_t pkt[] = {
		0x03, 0x00, 0x08, 0x00, 0x00, 0x00, 0x64, 0x00,
		0xFF, 0xF0, 0x01, 0x01, 0xDE, 0xAD, 0xBE, 0xEF,
		0x01, 0x02, 0x80, 0x00,                           /* critical, type 0 */
	};
	struct geneve_hdr h;

	ck_assert_int_eq(decode_exact(pkt, sizeof(pkt), &h), GENEVE_ERR_CRITICAL);
	pkt[18] = 0xFF;
	ck_assert_int_eq(decode_exact(pkt, sizeof(pkt), &h), GENEVE_ERR_CRITICAL);
	pkt[18] = 0x7F;
	ck_assert_int_eq(decode_exact(pkt, sizeof(pkt), &h), GENEVE_OK);
	pkt[10] = 0x81;                                           /* first one critical */
	ck_assert_int_eq(decode_exact(pkt, sizeof(pkt), &h), GENEVE_ERR_CRITICAL);
}
END_TEST

/* An option whose length runs past the option area, even into the payload. */
START_TEST(test_option_overrun)
{
	uint8_t pkt[] = {
		0x02, 0x00, 0x08, 0x00, 0x00, 0x00, 0x64, 0x00,
		0xFF, 0xF0, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00,   /* claims 8 bytes, has 4 */
		0x45, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00,   /* payload */
	};
	struct geneve_hdr h;

	ck_assert_int_eq(decode_exact(pkt, sizeof(pkt), &h), GENEVE_ERR_OPTION);
	pkt[11] = 0x1F;                                           /* 124 bytes */
	ck_assert_int_eq(decode_exact(pkt, sizeof(pkt), &h), GENEVE_ERR_OPTION);
	pkt[11] = 0xE1;                                           /* reserved bits ignored */
	ck_assert_int_eq(decode_exact(pkt, sizeof(pkt), &h), GENEVE_OK);
	/* Option area of one word holds a 4-byte option header and no more. */
	pkt[0] = 0x01;
	pkt[11] = 0x01;
	ck_assert_int_eq(decode_exact(pkt, sizeof(pkt), &h), GENEVE_ERR_OPTION);
	pkt[11] = 0x00;
	ck_assert_int_eq(decode_exact(pkt, sizeof(pkt), &h), GENEVE_OK);
	ck_assert_uint_eq(h.hlen, 12);
}
END_TEST

START_TEST(test_max_optlen)
{
	uint8_t pkt[GENEVE_HLEN + 63 * 4] = { 0x3F, 0x00, 0x08, 0x00 };
	struct geneve_hdr h;

	/* 63 empty options of class 0, type 0; then the last one turns critical. */
	ck_assert_int_eq(decode_exact(pkt, sizeof(pkt), &h), GENEVE_OK);
	ck_assert_uint_eq(h.optlen, 252);
	ck_assert_uint_eq(h.hlen, 260);
	pkt[GENEVE_HLEN + 62 * 4 + 2] = 0x80;
	ck_assert_int_eq(decode_exact(pkt, sizeof(pkt), &h), GENEVE_ERR_CRITICAL);
}
END_TEST

START_TEST(test_err_str)
{
	ck_assert_str_eq(geneve_err_str(GENEVE_OK), "ok");
	ck_assert_str_eq(geneve_err_str(GENEVE_ERR_CRITICAL), "critical");
	ck_assert_str_eq(geneve_err_str(GENEVE_ERR_OPTION), "option");
	ck_assert_str_ne(geneve_err_str(GENEVE_ERR_SHORT), geneve_err_str(GENEVE_ERR_VERSION));
	ck_assert_str_eq(geneve_err_str((enum geneve_err)42), "unknown");
}
END_TEST

/* geneve_strip(): only well-formed IPv4 data is pulled; each other case has its verdict. */
START_TEST(strip_verdicts)
{
	struct pktbuf b;
	uint32_t vni = 0;

	pktbuf_reset(&b);
	geneve_encode(b.data, 4242, GENEVE_PT_IPV4, false);
	memcpy(b.data + GENEVE_HLEN, "\x45", 1);
	b.len = GENEVE_HLEN + 1;
	ck_assert_int_eq(geneve_strip(&b, &vni), GENEVE_DATA);
	ck_assert_uint_eq(vni, 4242);
	ck_assert_uint_eq(b.len, 1);
	ck_assert_uint_eq(b.data[0], 0x45);
	pktbuf_reset(&b);
	geneve_encode(b.data, 1, GENEVE_PT_IPV4, true);
	b.len = GENEVE_HLEN;
	ck_assert_int_eq(geneve_strip(&b, &vni), GENEVE_CONTROL);
	ck_assert_uint_eq(b.len, GENEVE_HLEN);        /* untouched */
	geneve_encode(b.data, 1, GENEVE_PT_IPV6, false);
	ck_assert_int_eq(geneve_strip(&b, &vni), GENEVE_NOT_IPV4);
	b.len = 3;
	ck_assert_int_eq(geneve_strip(&b, &vni), GENEVE_BAD);
	/* One critical option of 4 bytes: opt len 1 word, class, type 0x80, len 0. */
	pktbuf_reset(&b);
	geneve_encode(b.data, 1, GENEVE_PT_IPV4, false);
	b.data[0] = 1;
	memcpy(b.data + GENEVE_HLEN, "\xff\xf0\x80\x00", 4);
	b.len = GENEVE_HLEN + 4;
	ck_assert_int_eq(geneve_strip(&b, &vni), GENEVE_BAD_CRITICAL);
}
END_TEST

static Suite *geneve_suite(void)
{
	Suite *s = suite_create("geneve");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_encode_bytes);
	tcase_add_test(tc, strip_verdicts);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_c_bit);
	tcase_add_test(tc, test_short);
	tcase_add_test(tc, test_version);
	tcase_add_test(tc, test_options_skipped);
	tcase_add_test(tc, test_critical_rejected);
	tcase_add_test(tc, test_option_overrun);
	tcase_add_test(tc, test_max_optlen);
	tcase_add_test(tc, test_err_str);
	suite_add_tcase(s, tc);
	return s;
}

/* main() - run the geneve suite; the exit status is nonzero if any check failed. */
int main(void)
{
	SRunner *sr = srunner_create(geneve_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
