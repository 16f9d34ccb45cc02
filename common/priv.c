// SPDX-License-Identifier: MIT
/* priv.c - privilege drop in named stages: user and capabilities, then NO_NEW_PRIVS and seccomp. */
/*
 * Theory of operation
 *
 * A daemon opens everything that needs root first (devices, raw sockets,
 * the control socket), then calls priv_drop() and priv_seccomp(), in that
 * order, right before its event loop runs, as passt's isolate_*() stages
 * do.  priv_drop() clears the bounding set while it still holds
 * CAP_SETPCAP, switches groups, gid and uid with PR_SET_KEEPCAPS set so
 * that the permitted set survives the uid change, then cuts the permitted
 * and effective sets down to what the daemon asked for.  priv_seccomp()
 * comes last because a filter that allows neither setuid nor capset would
 * stop the first stage.  Every step either succeeds or ends the process:
 * a daemon that could not drop must not run (smcroute's "continuing as
 * root" is what this avoids).
 *
 * Why libcap and not capset(2): the raw interface takes versioned structs
 * (v3: two 32-bit words per set) and says nothing about how many
 * capabilities the running kernel knows, which clearing the bounding set
 * needs; libcap negotiates the version, knows cap_max_bits(), names
 * capabilities in messages (cap_to_name) and lets the unit test compare a
 * child's sets with cap_get_proc().  It is one small library on every
 * distribution (Debian: libcap2), already pulled in by libsystemd.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#ifdef SPAT_SANITIZE
#include <sanitizer/common_interface_defs.h>
#endif
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "log.h"
#include "priv.h"

/*
 * Valgrind runs the program on a synthetic CPU and cannot apply a seccomp
 * filter (libseccomp finds no seccomp() under it).  RUNNING_ON_VALGRIND is
 * a no-op instruction sequence on a real CPU: it cannot be set from outside.
 */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define PRIV_VALGRIND() (RUNNING_ON_VALGRIND)
#endif
#endif
#ifndef PRIV_VALGRIND
#define PRIV_VALGRIND() 0
#endif

/* A capability's name for messages ("cap_net_admin"), or its number. */
static const char *priv_cap_name(cap_value_t c, char *buf, size_t size)
{
	char *name = cap_to_name(c);

	if (name)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "capability %d", (int)c);
	cap_free(name);
	return buf;
}

static bool priv_kept(cap_value_t c, const int *keep, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (keep[i] == c)
			return true;
	return false;
}

/* Every capability the kernel knows and we do not keep leaves the bounding set. */
static void priv_bound(const int *keep, size_t n)
{
	char name[32];

	for (cap_value_t c = 0; c < (cap_value_t)cap_max_bits(); c++) {
		if (priv_kept(c, keep, n) || cap_get_bound(c) != 1)
			continue;
		if (cap_drop_bound(c) < 0)
			fatal("cannot drop %s from the capability bounding set (needs CAP_SETPCAP)",
			      priv_cap_name(c, name, sizeof(name)));
	}
}

/* Groups, gid and uid become the user's; the permitted set stays (PR_SET_KEEPCAPS). */
static void priv_user(const char *user, uid_t uid, gid_t gid)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		fatal("cannot keep capabilities across the uid change (PR_SET_KEEPCAPS)");
	if (setgroups(1, &gid) < 0)
		fatal("user %s: cannot set groups to gid %u", user, (unsigned)gid);
	if (setresgid(gid, gid, gid) < 0)
		fatal("user %s: cannot set gid %u", user, (unsigned)gid);
	if (setresuid(uid, uid, uid) < 0)
		fatal("user %s: cannot set uid %u", user, (unsigned)uid);
	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0)
		fatal("user %s: cannot read back uid and gid", user);
	if (ru != uid || eu != uid || su != uid || rg != gid || eg != gid || sg != gid)
		fatalx("user %s: uid or gid did not change", user);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		fatal("PR_SET_KEEPCAPS");
}

/*
 * Permitted and effective become the kept capabilities, inheritable (and
 * with it ambient) empty.  strict: a kept capability we do not hold is
 * fatal; otherwise it is logged and left out.
 */
static void priv_caps(const int *keep, size_t n, bool strict)
{
	cap_t cur = cap_get_proc(), want = cap_init();
	cap_flag_value_t v;
	char name[32];

	if (!cur || !want)
		fatal("cannot read capabilities");
	for (size_t i = 0; i < n; i++) {
		const cap_value_t c = keep[i];

		priv_cap_name(c, name, sizeof(name));
		if (cap_get_flag(cur, c, CAP_PERMITTED, &v) < 0)
			fatal("capability %s", name);
		if (v != CAP_SET) {
			if (strict)
				fatalx("cannot keep %s: not permitted "
				       "(missing from the capability bounding set?)", name);
			log_info("%s is not permitted: not kept", name);
			continue;
		}
		if (cap_set_flag(want, CAP_PERMITTED, 1, &c, CAP_SET) < 0 ||
		    cap_set_flag(want, CAP_EFFECTIVE, 1, &c, CAP_SET) < 0)
			fatal("capability %s", name);
	}
	if (cap_set_proc(want) < 0)
		fatal("cannot set capabilities");
	cap_free(cur);
	cur = cap_get_proc();
	if (!cur || cap_compare(cur, want) != 0)
		fatalx("capabilities did not change as asked");
	cap_free(cur);
	cap_free(want);
}

static void priv_log(const char *user)
{
	cap_t cur = cap_get_proc();
	char *text = cur ? cap_to_text(cur, NULL) : NULL;

	/* cap_to_text() writes "=" for the empty set. */
	log_info("running as %s (uid %u, gid %u), capabilities %s", user, (unsigned)getuid(),
		 (unsigned)getgid(), text && strcmp(text, "=") ? text : "none");
	cap_free(text);
	cap_free(cur);
}

/* priv_drop() - become user, keep only keep_caps; fatal on any failure. */
void priv_drop(const char *user, const int *keep_caps, size_t ncaps)
{
	const struct passwd *pw;
	uid_t uid;
	gid_t gid;

	errno = 0;
	pw = getpwnam(user);
	if (!pw) {
		if (errno && errno != ENOENT && errno != ESRCH && errno != EBADF && errno != EPERM)
			fatal("cannot look up user %s", user);
		fatalx("user %s does not exist", user);
	}
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (geteuid() != 0) {
		log_info("not started as root: staying uid %u, no user to switch to",
			 (unsigned)geteuid());
		priv_caps(keep_caps, ncaps, false);
		return;
	}
	if (uid == 0)
		log_warnx("user %s is uid 0: root-owned files stay writable", user);
	priv_bound(keep_caps, ncaps);
	priv_user(user, uid, gid);
#ifdef SPAT_SANITIZE
	/*
	 * The uid change made us non-dumpable: LeakSanitizer's check at exit,
	 * which ptrace()s the process from a helper, would fail.  Test builds
	 * only; a production daemon stays non-dumpable.
	 */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
		fatal("PR_SET_DUMPABLE");
#endif
	priv_caps(keep_caps, ncaps, true);
	priv_log(user);
}

#ifdef SPAT_SANITIZE
/*
 * Test builds: what the sanitizers' run-time calls to print a report and to
 * check for leaks at exit, on top of the daemon's list.  LeakSanitizer
 * clones a tracer task that ptrace()s every thread and reads /proc/self;
 * reports read /proc/self/maps and the binary's symbols; abort_on_error
 * ends with abort().
 */
static const struct priv_syscall priv_san_calls[] = {
	PRIV_SYSCALL(open),
	PRIV_SYSCALL(openat),
	PRIV_SYSCALL(read),
	PRIV_SYSCALL(pread64),
	PRIV_SYSCALL(write),
	PRIV_SYSCALL(close),
	PRIV_SYSCALL(lseek),
	PRIV_SYSCALL(fstat),
	PRIV_SYSCALL(newfstatat),
	PRIV_SYSCALL(stat),
	PRIV_SYSCALL(readlink),
	PRIV_SYSCALL(readlinkat),
	PRIV_SYSCALL(getdents),
	PRIV_SYSCALL(getdents64),
	PRIV_SYSCALL(fcntl),
	PRIV_SYSCALL_ARG(ioctl, 1, TCGETS),
	PRIV_SYSCALL(mmap),
	PRIV_SYSCALL(munmap),
	PRIV_SYSCALL(mprotect),
	PRIV_SYSCALL(madvise),
	PRIV_SYSCALL(mremap),
	PRIV_SYSCALL(clone),
	PRIV_SYSCALL(ptrace),
	PRIV_SYSCALL(wait4),
	PRIV_SYSCALL(prctl),
	PRIV_SYSCALL(sched_yield),
	PRIV_SYSCALL(futex),
	PRIV_SYSCALL(getppid),
	PRIV_SYSCALL(getpid),
	PRIV_SYSCALL(gettid),
	PRIV_SYSCALL(sigaltstack),
	PRIV_SYSCALL(rt_sigaction),
	PRIV_SYSCALL(rt_sigprocmask),
	PRIV_SYSCALL(tgkill),
	PRIV_SYSCALL(kill),
	PRIV_SYSCALL(exit),
	PRIV_SYSCALL(exit_group),
};
#define PRIV_SAN_N (sizeof(priv_san_calls) / sizeof(priv_san_calls[0]))

/*
 * Symbolize one address before the filter goes on: clang's run-time starts
 * llvm-symbolizer now (fork, exec: never allowed later) and keeps it for
 * every later report; gcc's reads the binary's symbols.
 */
static void priv_san_warm(void)
{
	char buf[256];

	__sanitizer_symbolize_pc(__builtin_return_address(0), "%p %F %L", buf, sizeof(buf));
}
#else
#define priv_san_calls NULL
#define PRIV_SAN_N 0
static void priv_san_warm(void)
{
}
#endif

static void priv_allow(scmp_filter_ctx ctx, const struct priv_syscall *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int rc;

		if (c[i].arg < 0)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, c[i].nr, 0);
		else
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, c[i].nr, 1,
					      SCMP_CMP((unsigned)c[i].arg, SCMP_CMP_MASKED_EQ,
						       0xffffffffULL, c[i].val));
		if (rc < 0) {
			char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, c[i].nr);

			fatalx("seccomp: cannot allow %s: %s", name ? name : "?", strerror(-rc));
		}
	}
}

/* priv_seccomp() - NO_NEW_PRIVS, then a kill-by-default filter allowing only calls. */
void priv_seccomp(const struct priv_syscall *calls, size_t n)
{
	scmp_filter_ctx ctx;
	int rc;

	priv_san_warm();
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		fatal("cannot set NO_NEW_PRIVS");
	if (PRIV_VALGRIND()) {
		log_warnx("seccomp: running under valgrind, which cannot apply a filter: "
			  "NONE INSTALLED");
		return;
	}
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		fatalx("seccomp: cannot set up a filter (kernel or libseccomp too old?)");
	priv_allow(ctx, calls, n);
	priv_allow(ctx, priv_san_calls, PRIV_SAN_N);
	rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0)
		fatalx("seccomp: cannot install the filter: %s", strerror(-rc));
	log_info("seccomp: %zu rules allowed; any other system call kills the process", n);
	if (PRIV_SAN_N)
		log_info("seccomp: sanitizer build: %zu more for its run-time", (size_t)PRIV_SAN_N);
}
