// SPDX-License-Identifier: MIT
/* test_cursor.c - unit tests for the bounds-checked cursor. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "cursor.h"

static const uint8_t data[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08 };

/* The cursor must be exactly where it was. */
#define ck_unchanged(c, p0, len0) do { \
	ck_assert_ptr_eq((c)->p, (p0)); \
	ck_assert_uint_eq((c)->len, (len0)); \
} while (0)

START_TEST(test_values_big_endian)
{
	struct cursor c;
	uint8_t u8;
	uint16_t u16;
	uint32_t u24, u32;

	cur_init(&c, data, sizeof(data));
	ck_assert_uint_eq(cur_left(&c), 8);
	ck_assert_int_eq(cur_get_u8(&c, &u8), 0);
	ck_assert_uint_eq(u8, 0x01);
	ck_assert_int_eq(cur_get_u16(&c, &u16), 0);
	ck_assert_uint_eq(u16, 0x0203);
	ck_assert_int_eq(cur_get_u24(&c, &u24), 0);
	ck_assert_uint_eq(u24, 0x040506);
	ck_assert_uint_eq(cur_left(&c), 2);
	cur_init(&c, data, sizeof(data));
	ck_assert_int_eq(cur_get_u32(&c, &u32), 0);
	ck_assert_uint_eq(u32, 0x01020304);
	ck_assert_int_eq(cur_get_u32(&c, &u32), 0);
	ck_assert_uint_eq(u32, 0x05060708);
	ck_assert_uint_eq(cur_left(&c), 0);
}
END_TEST

/* Every getter, asked for one byte more than is left, fails and consumes nothing. */
START_TEST(test_short_leaves_cursor)
{
	const uint8_t *ptr = NULL;
	struct cursor c, sub;
	uint8_t u8, out[8];
	uint16_t u16;
	uint32_t u32;
	size_t left;

	for (left = 0; left <= 3; left++) {
		const uint8_t *p0 = data + sizeof(data) - left;

		cur_init(&c, p0, left);
		if (left < 1) {
			ck_assert_int_eq(cur_get_u8(&c, &u8), -1);
			ck_unchanged(&c, p0, left);
		}
		if (left < 2) {
			ck_assert_int_eq(cur_get_u16(&c, &u16), -1);
			ck_unchanged(&c, p0, left);
		}
		if (left < 3) {
			ck_assert_int_eq(cur_get_u24(&c, &u32), -1);
			ck_unchanged(&c, p0, left);
		}
		ck_assert_int_eq(cur_get_u32(&c, &u32), -1);
		ck_unchanged(&c, p0, left);
		ck_assert_int_eq(cur_get_bytes(&c, out, left + 1), -1);
		ck_unchanged(&c, p0, left);
		ck_assert_int_eq(cur_skip(&c, left + 1), -1);
		ck_unchanged(&c, p0, left);
		ck_assert_int_eq(cur_get_ptr(&c, &ptr, left + 1), -1);
		ck_unchanged(&c, p0, left);
		ck_assert_ptr_null(ptr);
		ck_assert_int_eq(cur_sub(&c, &sub, left + 1), -1);
		ck_unchanged(&c, p0, left);
		ck_assert_int_eq(cur_peek_u8(&c, left, &u8), -1);
		ck_assert_int_eq(cur_peek_u16(&c, left ? left - 1 : 0, &u16), -1);
		ck_unchanged(&c, p0, left);
	}
}
END_TEST

/* Huge lengths and offsets must not wrap around into a "fits". */
START_TEST(test_huge_sizes)
{
	struct cursor c, sub;
	uint8_t u8;
	uint16_t u16;

	cur_init(&c, data, sizeof(data));
	ck_assert_int_eq(cur_skip(&c, SIZE_MAX), -1);
	ck_assert_int_eq(cur_sub(&c, &sub, SIZE_MAX), -1);
	ck_assert_int_eq(cur_peek_u8(&c, SIZE_MAX, &u8), -1);
	ck_assert_int_eq(cur_peek_u16(&c, SIZE_MAX, &u16), -1);
	ck_assert_int_eq(cur_peek_u16(&c, SIZE_MAX - 1, &u16), -1);
	ck_unchanged(&c, data, sizeof(data));
}
END_TEST

START_TEST(test_bytes_ptr_skip)
{
	const uint8_t *ptr;
	struct cursor c;
	uint8_t out[3];

	cur_init(&c, data, sizeof(data));
	ck_assert_int_eq(cur_get_bytes(&c, out, 3), 0);
	ck_assert_mem_eq(out, data, 3);
	ck_assert_int_eq(cur_skip(&c, 2), 0);
	ck_assert_int_eq(cur_get_ptr(&c, &ptr, 3), 0);
	ck_assert_ptr_eq(ptr, data + 5);
	ck_assert_uint_eq(cur_left(&c), 0);
	/* Zero-length reads succeed even at the end. */
	ck_assert_int_eq(cur_skip(&c, 0), 0);
	ck_assert_int_eq(cur_get_bytes(&c, out, 0), 0);
}
END_TEST

/* A sub-cursor cannot reach past its cut, and the parent skips the cut. */
START_TEST(test_sub)
{
	struct cursor c, sub;
	uint32_t u32;
	uint16_t u16;
	uint8_t u8;

	cur_init(&c, data, sizeof(data));
	ck_assert_int_eq(cur_sub(&c, &sub, 3), 0);
	ck_assert_uint_eq(cur_left(&sub), 3);
	ck_assert_uint_eq(cur_left(&c), 5);
	ck_assert_int_eq(cur_get_u32(&sub, &u32), -1);
	ck_assert_int_eq(cur_get_u16(&sub, &u16), 0);
	ck_assert_uint_eq(u16, 0x0102);
	ck_assert_int_eq(cur_get_u16(&sub, &u16), -1);
	ck_assert_int_eq(cur_get_u8(&sub, &u8), 0);
	ck_assert_uint_eq(u8, 0x03);
	ck_assert_int_eq(cur_get_u8(&sub, &u8), -1);
	ck_assert_int_eq(cur_get_u8(&c, &u8), 0);
	ck_assert_uint_eq(u8, 0x04);
}
END_TEST

START_TEST(test_peek)
{
	struct cursor c;
	uint16_t u16;
	uint8_t u8;

	cur_init(&c, data, sizeof(data));
	ck_assert_int_eq(cur_peek_u8(&c, 7, &u8), 0);
	ck_assert_uint_eq(u8, 0x08);
	ck_assert_int_eq(cur_peek_u8(&c, 8, &u8), -1);
	ck_assert_int_eq(cur_peek_u16(&c, 6, &u16), 0);
	ck_assert_uint_eq(u16, 0x0708);
	ck_assert_int_eq(cur_peek_u16(&c, 7, &u16), -1);
	ck_unchanged(&c, data, sizeof(data));
}
END_TEST

START_TEST(test_null_buffer)
{
	struct cursor c;
	uint8_t u8;

	cur_init(&c, NULL, 100);
	ck_assert_uint_eq(cur_left(&c), 0);
	ck_assert_int_eq(cur_get_u8(&c, &u8), -1);
	ck_assert_int_eq(cur_skip(&c, 0), 0);
}
END_TEST

static Suite *cursor_suite(void)
{
	Suite *s = suite_create("cursor");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_values_big_endian);
	tcase_add_test(tc, test_short_leaves_cursor);
	tcase_add_test(tc, test_huge_sizes);
	tcase_add_test(tc, test_bytes_ptr_skip);
	tcase_add_test(tc, test_sub);
	tcase_add_test(tc, test_peek);
	tcase_add_test(tc, test_null_buffer);
	suite_add_tcase(s, tc);
	return s;
}

/* main() - run the cursor suite; the exit status is nonzero if any check failed. */
int main(void)
{
	SRunner *sr = srunner_create(cursor_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
