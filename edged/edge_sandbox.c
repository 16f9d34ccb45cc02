// SPDX-License-Identifier: MIT
/* edge_sandbox.c - what edged keeps once it runs: no capability, a seccomp allowlist. */
/*
 * edged needs root only to start: CAP_NET_ADMIN to attach the TUN device,
 * CAP_NET_RAW for the raw socket that sends the tunnel.  Once both are open
 * it reads and writes file descriptors it already holds, and a reload
 * builds rules in memory from the configuration file (which the user must
 * be able to read): no capability is kept.
 *
 * The allowlist below is what the running daemon was seen to call under
 * strace -f through the whole integration suite (packets both ways,
 * reloads good and bad, control requests, metrics scrapes, signals, exit),
 * plus what reading the code and its libraries shows on paths the suite
 * does not take (sd_notify, the watchdog, abort()).  Anything else kills
 * the process with SIGSYS; the kernel logs the call's number.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "edge_sandbox.h"

const struct priv_syscall edge_syscalls[] = {
	/* Packets: TUN reads and writes, Geneve bursts in and out. */
	PRIV_SYSCALL(read),
	PRIV_SYSCALL(write),
	PRIV_SYSCALL(recvmmsg),
	PRIV_SYSCALL(sendmmsg),
	/* libevent's epoll loop, its signal pipe, bufferevents and evhttp. */
	PRIV_SYSCALL(epoll_wait),
	PRIV_SYSCALL(epoll_pwait),
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
	/* malloc. */
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
const size_t edge_nsyscalls = sizeof(edge_syscalls) / sizeof(edge_syscalls[0]);

/* edge_sandbox() - drop to user with no capability, then the allowlist. */
void edge_sandbox(const char *user)
{
	priv_drop(user, NULL, 0);
	priv_seccomp(edge_syscalls, edge_nsyscalls);
}
