/* SPDX-License-Identifier: MIT */
/* host_sandbox.h - what hostd keeps once it runs: the tap capabilities, a seccomp allowlist. */
#ifndef SPAT_HOST_SANDBOX_H
#define SPAT_HOST_SANDBOX_H

#include <stddef.h>

#include "priv.h"

/* host_caps - the capabilities hostd keeps; host_ncaps entries. */
extern const int host_caps[];
extern const size_t host_ncaps;
/* host_syscalls - hostd's own calls beyond priv_daemon_seccomp()'s; host_nsyscalls entries. */
extern const struct priv_syscall host_syscalls[];
extern const size_t host_nsyscalls;

/*
 * host_sandbox() - once the taps, the sockets, the control socket and the
 * metrics listener are open: become user keeping only host_caps, then
 * NO_NEW_PRIVS and the seccomp allowlist.  Exits (logged) on any failure.
 */
void host_sandbox(const char *user);

#endif
