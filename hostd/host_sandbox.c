// SPDX-License-Identifier: MIT
/* host_sandbox.c - what hostd keeps once it runs: the tap capabilities, a seccomp allowlist. */
/*
 * hostd needs root to start: CAP_NET_ADMIN to attach the taps and bring
 * them up, CAP_SYS_ADMIN for setns(2) into a VM's network namespace,
 * CAP_NET_RAW for the raw socket that sends the tunnel.  A reload may add
 * VMs, whose taps it then opens the same way, so it keeps CAP_NET_ADMIN
 * (TUNSETIFF, SIOCSIFFLAGS) and CAP_SYS_ADMIN (setns); the raw socket is
 * open already, so CAP_NET_RAW goes.  No CAP_DAC_* either: the files it
 * opens at run time must be open to the user as they are.  The
 * configuration must be readable by it, /dev/net/tun readable and writable
 * (udev makes it 0666; a stricter mode is logged at start), and
 * /run/netns/NAME is: the kernel shows it as 0444 whatever its mount
 * point's mode.
 *
 * Its seccomp allowlist is priv_daemon_seccomp()'s (what common/ needs
 * once running) plus the calls below, seen under strace -f through the
 * integration suite's reloads that keep, add and remove taps.  Anything
 * else kills the process with SIGSYS; the kernel logs the call's number.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/if_tun.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "host_sandbox.h"
#include "log.h"

const int host_caps[] = { CAP_NET_ADMIN, CAP_SYS_ADMIN };
const size_t host_ncaps = sizeof(host_caps) / sizeof(host_caps[0]);

const struct priv_syscall host_syscalls[] = {
	/* Reload: seed the new flow table. */
	PRIV_SYSCALL(getrandom),
	/*
	 * Reload, a new VM's tap (tun_open_vnet()): /proc/thread-self/ns/net and
	 * /run/netns/NAME (read-only, above), setns() there and back,
	 * /dev/net/tun, and an AF_INET socket to bring the link up.
	 */
	PRIV_SYSCALL_ARG(setns, 1, CLONE_NEWNET),
	PRIV_SYSCALL_ARG(openat, 2, O_RDWR | O_NONBLOCK | O_CLOEXEC),
	PRIV_SYSCALL_ARG(ioctl, 1, TUNSETIFF),
	/* Its virtio-net header and offloads (tun_open_vnet()), or clearing them. */
	PRIV_SYSCALL_ARG(ioctl, 1, TUNSETVNETHDRSZ),
	PRIV_SYSCALL_ARG(ioctl, 1, TUNSETOFFLOAD),
	PRIV_SYSCALL_ARG(socket, 0, AF_INET),
	PRIV_SYSCALL_ARG(ioctl, 1, SIOCGIFFLAGS),
	PRIV_SYSCALL_ARG(ioctl, 1, SIOCSIFFLAGS),
	/*
	 * Reload, the new conntrack table in the spare state file (state.c,
	 * opened and locked before the drop): sized, reserved, mapped.
	 */
	PRIV_SYSCALL(ftruncate),
	PRIV_SYSCALL(fallocate),
};
const size_t host_nsyscalls = sizeof(host_syscalls) / sizeof(host_syscalls[0]);

/* host_sandbox() - drop to user keeping host_caps, then the allowlist. */
void host_sandbox(const char *user)
{
	priv_drop(user, host_caps, host_ncaps);
	/* No CAP_DAC_OVERRIDE: say now what a reload would find out later. */
	if (access("/dev/net/tun", R_OK | W_OK) < 0)
		log_warnx("cannot open /dev/net/tun as %s (%s): a reload cannot add VMs; "
			  "udev makes it mode 0666", user, strerror(errno));
	priv_daemon_seccomp(host_syscalls, host_nsyscalls);
}
