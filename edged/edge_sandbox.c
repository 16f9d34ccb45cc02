// SPDX-License-Identifier: MIT
/* edge_sandbox.c - what edged keeps once it runs: no capability, a seccomp allowlist. */
/*
 * edged needs root only to start: CAP_NET_ADMIN to attach the TUN device,
 * CAP_NET_RAW for the raw socket that sends the tunnel.  Once both are open
 * it reads and writes file descriptors it already holds, and a reload
 * builds rules in memory from the configuration file (which the user must
 * be able to read): no capability is kept.
 *
 * Its seccomp allowlist is priv_daemon_seccomp()'s: what common/ needs
 * once running (packets, the event loop, control and metrics, reading the
 * configuration, sd_notify); edged makes no other call.  Anything else
 * kills the process with SIGSYS; the kernel logs the call's number.
 */
#include "edge_sandbox.h"

/* edge_sandbox() - drop to user with no capability, then the allowlist. */
void edge_sandbox(const char *user)
{
	priv_drop(user, NULL, 0);
	priv_daemon_seccomp(NULL, 0);
}
