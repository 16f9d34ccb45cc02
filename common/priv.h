/* SPDX-License-Identifier: MIT */
/* priv.h - give up privileges once devices and sockets are open: user, capabilities, seccomp. */
#ifndef SPAT_PRIV_H
#define SPAT_PRIV_H

#include <seccomp.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One entry of a seccomp allowlist: the system call nr, with any arguments
 * (arg < 0) or only when argument number arg equals val.  Several entries
 * for one call allow any of their values.  Arguments are compared on their
 * low 32 bits: every value we match (ioctl request, address family,
 * namespace type, open flags) is an int or unsigned int in the kernel.
 */
struct priv_syscall {
	int nr;
	int arg;
	uint64_t val;
};

/* PRIV_SYSCALL(read): allow a call; PRIV_SYSCALL_ARG(socket, 0, AF_UNIX): one value. */
#define PRIV_SYSCALL(name) { .nr = SCMP_SYS(name), .arg = -1, .val = 0 }
#define PRIV_SYSCALL_ARG(name, i, v) { .nr = SCMP_SYS(name), .arg = (i), .val = (v) }

/*
 * priv_drop() - stage one: become user and keep only the capabilities in
 * keep_caps (CAP_* values, ncaps of them; NULL and 0 for none).
 * @user:	name of the user to run as (its primary group, no other group)
 * @keep_caps:	capabilities to keep permitted and effective
 * @ncaps:	number of entries in keep_caps
 *
 * Started as root: every other capability leaves the bounding set (this
 * needs CAP_SETPCAP), the groups, gid and uid become the user's (this needs
 * CAP_SETGID and CAP_SETUID), and the permitted and effective sets become
 * exactly keep_caps, the inheritable and ambient sets empty.  Started as
 * another user: there is no user to switch to (logged); capabilities that
 * are not in keep_caps are dropped all the same.  Any failure is fatal:
 * the daemon never runs on with more than it asked for.
 */
void priv_drop(const char *user, const int *keep_caps, size_t ncaps);

/*
 * priv_seccomp() - stage two, last: set NO_NEW_PRIVS and install a seccomp
 * filter that allows only the calls listed and kills the whole process
 * (SIGSYS) on any other.  Builds with sanitizers (SPAT_SANITIZE) also allow
 * what their run-time needs to report errors and leaks.  Under valgrind,
 * which cannot apply a filter, none is installed (a warning says so).  Any
 * failure is fatal.
 * @calls:	the allowlist
 * @n:		number of entries
 */
void priv_seccomp(const struct priv_syscall *calls, size_t n);
/*
 * priv_daemon_seccomp() - priv_seccomp() for a daemon built on common/:
 * what common/ needs at run time (its event loop, bursts, control socket,
 * metrics, configuration reading, sd_notify, exit) plus extra, the calls
 * only that daemon makes (n of them, at most 32; NULL and 0 for none).
 */
void priv_daemon_seccomp(const struct priv_syscall *extra, size_t n);

#endif
