// SPDX-License-Identifier: MIT
/* test_priv.c - unit tests for the privilege drop and the seccomp filter, each in a child. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "priv.h"

static char child_err[4096];     /* what the last child wrote to stderr */

/* True (after a note) when the test needs root and we are not. */
static int not_root(const char *test)
{
	if (geteuid() == 0)
		return 0;
	printf("test_priv: %s needs root: skipped\n", test);
	return 1;
}

/*
 * Run fn in a child with stderr on a pipe; return its wait status.  fn's
 * return value becomes the child's exit code (0 for all good, else the
 * number of the check that failed), through _exit: no atexit handler runs
 * under a seccomp filter that would not allow it.
 */
static int in_child(int (*fn)(void))
{
	int p[2], status;
	ssize_t n, len = 0;
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], 2);
		_exit(fn());
	}
	close(p[1]);
	while ((n = read(p[0], child_err + len, sizeof(child_err) - 1 - (size_t)len)) > 0)
		len += n;
	child_err[len] = 0;
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

static void expect_exit(int status, int code)
{
	ck_assert_msg(WIFEXITED(status), "child killed by signal %d; stderr: %s",
		      WIFSIGNALED(status) ? WTERMSIG(status) : 0, child_err);
	ck_assert_msg(WEXITSTATUS(status) == code, "child exit %d, want %d; stderr: %s",
		      WEXITSTATUS(status), code, child_err);
}

/* 0 when the process's capability sets are exactly text ("=" for none). */
static int caps_are(const char *text)
{
	cap_t cur = cap_get_proc(), want = cap_from_text(text);
	int same = cur && want && cap_compare(cur, want) == 0;

	cap_free(cur);
	cap_free(want);
	return !same;
}

/* Bounding set holds exactly keep (n entries): 0, or 1 + the first capability that differs. */
static int bound_is(const cap_value_t *keep, size_t n)
{
	for (cap_value_t c = 0; c < (cap_value_t)cap_max_bits(); c++) {
		int want = 0;

		for (size_t i = 0; i < n; i++)
			want |= keep[i] == c;
		if (cap_get_bound(c) != want)
			return 1 + c;
	}
	return 0;
}

/* uid, gid and groups are nobody's alone: 0, or the check that failed. */
static int is_nobody(void)
{
	const struct passwd *pw = getpwnam("nobody");
	uid_t r, e, s;
	gid_t rg, eg, sg, groups[4];

	if (!pw)
		return 10;
	if (getresuid(&r, &e, &s) || r != pw->pw_uid || e != pw->pw_uid || s != pw->pw_uid)
		return 11;
	if (getresgid(&rg, &eg, &sg) || rg != pw->pw_gid || eg != pw->pw_gid || sg != pw->pw_gid)
		return 12;
	if (getgroups(4, groups) != 1 || groups[0] != pw->pw_gid)
		return 13;
	return 0;
}

static int drop_keep_net_admin(void)
{
	static const int keep[] = { CAP_NET_ADMIN };
	static const cap_value_t bound[] = { CAP_NET_ADMIN };
	int r;

	priv_drop("nobody", keep, 1);
	if ((r = is_nobody()))
		return r;
	if (caps_are("cap_net_admin=ep"))
		return 20;
	if (bound_is(bound, 1))
		return 21;
	if (cap_get_ambient(CAP_NET_ADMIN) > 0)
		return 22;
	/* Gone for good: root cannot be had back. */
	if (setuid(0) == 0 || seteuid(0) == 0)
		return 23;
	return 0;
}

START_TEST(drop_to_nobody_keeping_one)
{
	if (not_root("drop_to_nobody_keeping_one"))
		return;
	expect_exit(in_child(drop_keep_net_admin), 0);
	ck_assert_msg(strstr(child_err, "running as nobody") &&
		      strstr(child_err, "cap_net_admin=ep"), "log: %s", child_err);
}
END_TEST

static int drop_keep_nothing(void)
{
	int r;

	priv_drop("nobody", NULL, 0);
	if ((r = is_nobody()))
		return r;
	if (caps_are("="))
		return 20;
	if (bound_is(NULL, 0))
		return 21;
	return 0;
}

START_TEST(drop_to_nobody_keeping_nothing)
{
	if (not_root("drop_to_nobody_keeping_nothing"))
		return;
	expect_exit(in_child(drop_keep_nothing), 0);
	ck_assert_msg(strstr(child_err, "capabilities none"), "log: %s", child_err);
}
END_TEST

static int drop_unknown_user(void)
{
	priv_drop("spat-no-such-user", NULL, 0);
	return 0;
}

START_TEST(unknown_user_is_fatal)
{
	expect_exit(in_child(drop_unknown_user), 1);
	ck_assert_msg(strstr(child_err, "user spat-no-such-user does not exist"), "stderr: %s",
		      child_err);
}
END_TEST

/* Root, but without CAP_SETUID and CAP_SETGID: the drop must fail, not go on. */
static int drop_without_setuid(void)
{
	cap_t c = cap_get_proc();
	const cap_value_t gone[] = { CAP_SETUID, CAP_SETGID };

	if (!c || cap_set_flag(c, CAP_EFFECTIVE, 2, gone, CAP_CLEAR) ||
	    cap_set_flag(c, CAP_PERMITTED, 2, gone, CAP_CLEAR) || cap_set_proc(c))
		return 30;
	cap_free(c);
	priv_drop("nobody", NULL, 0);
	return 0;
}

START_TEST(drop_fails_closed)
{
	if (not_root("drop_fails_closed"))
		return;
	expect_exit(in_child(drop_without_setuid), 1);
	ck_assert_msg(strstr(child_err, "user nobody: cannot set groups"), "stderr: %s", child_err);
}
END_TEST

/* Asked to keep a capability it does not have: fatal, not quietly less. */
static int drop_keep_missing(void)
{
	static const int keep[] = { CAP_NET_ADMIN };
	cap_t c = cap_get_proc();
	const cap_value_t gone = CAP_NET_ADMIN;

	if (!c || cap_set_flag(c, CAP_EFFECTIVE, 1, &gone, CAP_CLEAR) ||
	    cap_set_flag(c, CAP_PERMITTED, 1, &gone, CAP_CLEAR) || cap_set_proc(c))
		return 30;
	cap_free(c);
	priv_drop("nobody", keep, 1);
	return 0;
}

START_TEST(keep_missing_is_fatal)
{
	if (not_root("keep_missing_is_fatal"))
		return;
	expect_exit(in_child(drop_keep_missing), 1);
	ck_assert_msg(strstr(child_err, "cannot keep cap_net_admin"), "stderr: %s", child_err);
}
END_TEST

/* Not root: no user switch (logged), capabilities none, NO_NEW_PRIVS and seccomp still. */
static int as_user(void)
{
	static const struct priv_syscall calls[] = {
		PRIV_SYSCALL(write), PRIV_SYSCALL(prctl), PRIV_SYSCALL(getuid),
		PRIV_SYSCALL(exit_group),
	};
	const struct passwd *pw = getpwnam("nobody");

	if (!pw || setgroups(1, &pw->pw_gid) || setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid))
		return 30;
	priv_drop("nobody", NULL, 0);
	if (getuid() != pw->pw_uid || caps_are("="))
		return 31;
	priv_seccomp(calls, sizeof(calls) / sizeof(calls[0]));
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return 32;
	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 2)
		return 33;
	return 0;
}

START_TEST(not_root_still_filters)
{
	if (not_root("not_root_still_filters"))
		return;
	expect_exit(in_child(as_user), 0);
	ck_assert_msg(strstr(child_err, "not started as root"), "stderr: %s", child_err);
}
END_TEST

static const struct priv_syscall small_list[] = {
	PRIV_SYSCALL(write),
	PRIV_SYSCALL(exit_group),
	PRIV_SYSCALL(getppid),
	PRIV_SYSCALL(close),
	PRIV_SYSCALL_ARG(socket, 0, AF_UNIX),
	PRIV_SYSCALL_ARG(ioctl, 1, FIONREAD),
};
#define SMALL_N (sizeof(small_list) / sizeof(small_list[0]))

static int filter_allows(void)
{
	int fd, n = -1;

	priv_seccomp(small_list, SMALL_N);
	if (syscall(SYS_getppid) <= 0)
		return 40;
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0 || ioctl(fd, FIONREAD, &n) || n != 0)
		return 41;
	close(fd);
	return 0;
}

static int filter_kills_call(void)
{
	priv_seccomp(small_list, SMALL_N);
	syscall(SYS_getcwd, child_err, sizeof(child_err));
	return 50;
}

static int filter_kills_arg(void)
{
	priv_seccomp(small_list, SMALL_N);
	socket(AF_INET, SOCK_DGRAM, 0);
	return 51;
}

static int filter_kills_ioctl(void)
{
	int fd, on = 1;

	priv_seccomp(small_list, SMALL_N);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ioctl(fd, FIONBIO, &on);
	return 52;
}

static void expect_sigsys(int status)
{
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS,
		      "child not killed by SIGSYS (status %#x); stderr: %s", status, child_err);
}

START_TEST(seccomp_allows_the_list)
{
	expect_exit(in_child(filter_allows), 0);
	ck_assert_msg(strstr(child_err, "seccomp: 6 rules"), "stderr: %s", child_err);
}
END_TEST

START_TEST(seccomp_kills_other_calls)
{
	expect_sigsys(in_child(filter_kills_call));
}
END_TEST

START_TEST(seccomp_checks_arguments)
{
	expect_sigsys(in_child(filter_kills_arg));
	expect_sigsys(in_child(filter_kills_ioctl));
}
END_TEST

#ifdef SPAT_SANITIZE
#include <sanitizer/lsan_interface.h>

void *volatile san_sink;

/* As a daemon: dropped to nobody (when root), filtered, then a leak and a check. */
static int san_leak(void)
{
	if (geteuid() == 0)
		priv_drop("nobody", NULL, 0);
	priv_seccomp(small_list, SMALL_N);
	san_sink = malloc(77);
	san_sink = NULL;
	return __lsan_do_recoverable_leak_check() ? 0 : 60;
}

/* Test builds: LeakSanitizer still works under the filter, as the nobody user. */
START_TEST(sanitizer_leak_check_survives)
{
	const char *opts = getenv("ASAN_OPTIONS");

	if (opts && strstr(opts, "detect_leaks=0")) {
		printf("test_priv: leak detection is off: skipped\n");
		return;
	}
	expect_exit(in_child(san_leak), 0);
	ck_assert_msg(strstr(child_err, "LeakSanitizer: detected memory leaks") &&
		      strstr(child_err, "77 byte(s)"), "stderr: %s", child_err);
}
END_TEST

static int san_overflow(void)
{
	char *volatile p;

	if (geteuid() == 0)
		priv_drop("nobody", NULL, 0);
	priv_seccomp(small_list, SMALL_N);
	p = malloc(8);
	p[8] = 1;
	return 61;
}

/* Test builds: an AddressSanitizer report gets written in full, and the run ends. */
START_TEST(sanitizer_report_survives)
{
	int status = in_child(san_overflow);

	ck_assert_msg(!WIFSIGNALED(status) || WTERMSIG(status) == SIGABRT,
		      "child killed by signal %d; stderr: %s", WTERMSIG(status), child_err);
	ck_assert_msg(strstr(child_err, "AddressSanitizer: heap-buffer-overflow") &&
		      strstr(child_err, "san_overflow") && strstr(child_err, "SUMMARY:"),
		      "stderr: %s", child_err);
}
END_TEST
#endif

static Suite *priv_suite(void)
{
	Suite *s = suite_create("priv");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, drop_to_nobody_keeping_one);
	tcase_add_test(tc, drop_to_nobody_keeping_nothing);
	tcase_add_test(tc, unknown_user_is_fatal);
	tcase_add_test(tc, drop_fails_closed);
	tcase_add_test(tc, keep_missing_is_fatal);
	tcase_add_test(tc, not_root_still_filters);
	tcase_add_test(tc, seccomp_allows_the_list);
	tcase_add_test(tc, seccomp_kills_other_calls);
	tcase_add_test(tc, seccomp_checks_arguments);
#ifdef SPAT_SANITIZE
	tcase_add_test(tc, sanitizer_leak_check_survives);
	tcase_add_test(tc, sanitizer_report_survives);
#endif
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(priv_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
