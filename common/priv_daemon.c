// SPDX-License-Identifier: MIT
/* priv_daemon.c - the seccomp allowlist every daemon built on common/ needs once it runs. */
/*
 * What the running daemons were seen to call under strace -f through the
 * whole integration suite (packets both ways, reloads good and bad,
 * control requests, metrics scrapes, signals, exit), plus what reading
 * the code and its libraries shows on paths the suite does not take
 * (sd_notify, the watchdog, abort()).  All of it comes from common/:
 * bursts and batched UDP I/O, the libevent loop with the control socket
 * and the metrics listener, configuration reading, sd_notify.  A daemon
 * adds the calls only it makes (hostd: opening taps on a reload).
 */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "log.h"
#include "priv.h"

static const struct priv_syscall priv_daemon_calls[] = {
	/* Packets: TUN/tap reads and writes, Geneve bursts in and out. */
	PRIV_SYSCALL(read),
	PRIV_SYSCALL(write),
	PRIV_SYSCALL(recvmmsg),
	PRIV_SYSCALL(sendmmsg),
	/* libevent's epoll loop, its signal pipe, bufferevents and evhttp. */
	PRIV_SYSCALL(epoll_wait),
	PRIV_SYSCALL(epoll_pwait),
	PRIV_SYSCALL(sched_yield),     /* between busy polls (evloop.c) */
	PRIV_SYSCALL(epoll_ctl),
	PRIV_SYSCALL(accept4),
	PRIV_SYSCALL(readv),
	PRIV_SYSCALL(writev),
	PRIV_SYSCALL(shutdown),
	PRIV_SYSCALL(close),
	PRIV_SYSCALL_ARG(ioctl, 1, FIONREAD),
	PRIV_SYSCALL(rt_sigaction),
	PRIV_SYSCALL(rt_sigprocmask),
	PRIV_SYSCALL(rt_sigreturn),
	/* Time: the vDSO, unless the clock source has none. */
	PRIV_SYSCALL(clock_gettime),
	PRIV_SYSCALL(gettimeofday),
	/* Reload: read the configuration; evhttp's Date: reads /etc/localtime once. */
	PRIV_SYSCALL_ARG(openat, 2, O_RDONLY | O_CLOEXEC),
	PRIV_SYSCALL(fstat),
	PRIV_SYSCALL(newfstatat),
	PRIV_SYSCALL(lseek),
	/* malloc; malloc_trim() after a large configuration. */
	PRIV_SYSCALL(brk),
	PRIV_SYSCALL(mmap),
	PRIV_SYSCALL(munmap),
	PRIV_SYSCALL(mremap),
	PRIV_SYSCALL(madvise),
	/* sd_notify(): a datagram from a fresh AF_UNIX socket. */
	PRIV_SYSCALL_ARG(socket, 0, AF_UNIX),
	PRIV_SYSCALL(getsockopt),
	PRIV_SYSCALL(setsockopt),
	PRIV_SYSCALL(connect),
	PRIV_SYSCALL(sendmsg),
	PRIV_SYSCALL(getuid),
	PRIV_SYSCALL(geteuid),
	PRIV_SYSCALL(getgid),
	PRIV_SYSCALL(getegid),
	/* Exit: the control socket's file (EACCES is fine), abort() as itself. */
	PRIV_SYSCALL(unlink),
	PRIV_SYSCALL(exit_group),
	PRIV_SYSCALL(getpid),
	PRIV_SYSCALL(gettid),
	PRIV_SYSCALL_ARG(tgkill, 2, SIGABRT),
};
#define PRIV_DAEMON_N (sizeof(priv_daemon_calls) / sizeof(priv_daemon_calls[0]))
#define PRIV_DAEMON_EXTRA_MAX 32

/* priv_daemon_seccomp() - priv_seccomp() with the common list and the daemon's own calls. */
void priv_daemon_seccomp(const struct priv_syscall *extra, size_t n)
{
	struct priv_syscall all[PRIV_DAEMON_N + PRIV_DAEMON_EXTRA_MAX];

	if (n > PRIV_DAEMON_EXTRA_MAX)
		fatalx("seccomp: %zu calls of the daemon's own; at most %d", n,
		       PRIV_DAEMON_EXTRA_MAX);
	memcpy(all, priv_daemon_calls, sizeof(priv_daemon_calls));
	if (n)
		memcpy(all + PRIV_DAEMON_N, extra, n * sizeof(*extra));
	priv_seccomp(all, PRIV_DAEMON_N + n);
}
