/* SPDX-License-Identifier: MIT */
/* edge_sandbox.h - what edged keeps once it runs: no capability, a seccomp allowlist. */
#ifndef SPAT_EDGE_SANDBOX_H
#define SPAT_EDGE_SANDBOX_H

#include <stddef.h>

#include "priv.h"

/*
 * edge_sandbox() - once the TUN, the sockets, the control socket and the
 * metrics listener are open: become user with no capability left, then
 * NO_NEW_PRIVS and the seccomp allowlist.  Exits (logged) on any failure.
 */
void edge_sandbox(const char *user);

#endif
