// SPDX-License-Identifier: MIT
/* test_log.c - unit tests for leveled logging: levels, strerror variants, journald prefixes. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static FILE *cap;
static int saved_fd = -1;
static char out[4096];

/* Send stderr to a temporary file until cap_end(). */
static void cap_start(void)
{
	fflush(stderr);
	cap = tmpfile();
	ck_assert_ptr_nonnull(cap);
	saved_fd = dup(2);
	ck_assert_int_ge(saved_fd, 0);
	ck_assert_int_eq(dup2(fileno(cap), 2), 2);
}

/* Restore stderr; what was written is in out. */
static const char *cap_end(void)
{
	size_t n;

	fflush(stderr);
	ck_assert_int_eq(dup2(saved_fd, 2), 2);
	close(saved_fd);
	saved_fd = -1;
	rewind(cap);
	n = fread(out, 1, sizeof(out) - 1, cap);
	out[n] = 0;
	fclose(cap);
	cap = NULL;
	return out;
}

START_TEST(defaults)
{
	/* Before log_init(): info and up. */
	ck_assert(log_enabled(LOG_LVL_ERR));
	ck_assert(log_enabled(LOG_LVL_INFO));
	ck_assert(!log_enabled(LOG_LVL_DEBUG));
	unsetenv("JOURNAL_STREAM");
	cap_start();
	log_info("hello %d", 1);
	log_debug("hidden");
	ck_assert_str_eq(cap_end(), "spat: hello 1\n");
}
END_TEST

START_TEST(levels)
{
	unsetenv("JOURNAL_STREAM");
	log_init("t", LOG_LVL_WARN);
	ck_assert(log_enabled(LOG_LVL_ERR));
	ck_assert(log_enabled(LOG_LVL_WARN));
	ck_assert(!log_enabled(LOG_LVL_INFO));
	ck_assert(!log_enabled(LOG_LVL_DEBUG));

	cap_start();
	log_errx("e");
	log_warnx("w");
	log_info("i");
	log_debug("d");
	ck_assert_str_eq(cap_end(), "t: e\nt: w\n");

	log_set_level(LOG_LVL_DEBUG);
	ck_assert(log_enabled(LOG_LVL_DEBUG));
	ck_assert(log_enabled(LOG_LVL_INFO));
	cap_start();
	log_info("i");
	log_debug("d");
	ck_assert_str_eq(cap_end(), "t: i\nt: d\n");

	log_set_level(LOG_LVL_ERR);
	ck_assert(log_enabled(LOG_LVL_ERR));
	ck_assert(!log_enabled(LOG_LVL_WARN));
	cap_start();
	errno = EIO;
	log_warn("w");
	log_warnx("w");
	log_err("e");
	ck_assert_str_eq(cap_end(), "t: e: Input/output error\n");
}
END_TEST

START_TEST(strerror_variants)
{
	char want[256];

	unsetenv("JOURNAL_STREAM");
	log_init("prog", LOG_LVL_INFO);
	cap_start();
	errno = ENOENT;
	log_warn("open %s", "/x");
	/* errno survives logging. */
	ck_assert_int_eq(errno, ENOENT);
	log_warnx("open %s", "/x");
	ck_assert_int_eq(errno, ENOENT);
	errno = EACCES;
	log_err("bind %d", 7);
	log_errx("bind %d", 7);
	log_info("info %s", "ok");
	ck_assert_int_eq(errno, EACCES);
	snprintf(want, sizeof(want), "prog: open /x: %s\nprog: open /x\nprog: bind 7: %s\n"
		 "prog: bind 7\nprog: info ok\n", strerror(ENOENT), strerror(EACCES));
	ck_assert_str_eq(cap_end(), want);
}
END_TEST

START_TEST(journal_prefixes)
{
	setenv("JOURNAL_STREAM", "8:12345", 1);
	log_init("j", LOG_LVL_DEBUG);
	cap_start();
	errno = EPERM;
	log_err("a");
	log_errx("b");
	log_warn("c");
	log_warnx("d");
	log_info("e");
	log_debug("f");
	ck_assert_str_eq(cap_end(), "<3>j: a: Operation not permitted\n<3>j: b\n"
			 "<4>j: c: Operation not permitted\n<4>j: d\n<6>j: e\n<7>j: f\n");

	/* The environment is read by log_init() only. */
	unsetenv("JOURNAL_STREAM");
	cap_start();
	log_warnx("still");
	ck_assert_str_eq(cap_end(), "<4>j: still\n");
	log_init("j", LOG_LVL_DEBUG);
	cap_start();
	log_warnx("plain");
	ck_assert_str_eq(cap_end(), "j: plain\n");
}
END_TEST

/* A very long message is cut, not overflowed: one line of bounded length. */
START_TEST(long_message)
{
	static char big[3000];
	const char *s;

	unsetenv("JOURNAL_STREAM");
	log_init("t", LOG_LVL_INFO);
	memset(big, 'z', sizeof(big) - 1);
	cap_start();
	log_warnx("%s", big);
	s = cap_end();
	ck_assert_uint_eq(strlen(s), strlen("t: ") + 1023 + 1);
	ck_assert_int_eq(strncmp(s, "t: zzz", 6), 0);
	ck_assert_int_eq(s[strlen(s) - 1], '\n');
	ck_assert_ptr_eq(strchr(s, '\n'), s + strlen(s) - 1);
}
END_TEST

START_TEST(fatal_exits)
{
	log_init("t", LOG_LVL_INFO);
	cap_start();
	errno = ENOENT;
	fatal("gone");
}
END_TEST

START_TEST(fatalx_exits)
{
	log_init("t", LOG_LVL_ERR);
	cap_start();
	fatalx("gone");
}
END_TEST

static Suite *log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, defaults);
	tcase_add_test(tc, levels);
	tcase_add_test(tc, strerror_variants);
	tcase_add_test(tc, journal_prefixes);
	tcase_add_test(tc, long_message);
	tcase_add_exit_test(tc, fatal_exits, 1);
	tcase_add_exit_test(tc, fatalx_exits, 1);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(log_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
