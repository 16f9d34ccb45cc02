/* SPDX-License-Identifier: MIT */
/* ifmtu.h - the MTU of the interface that holds an IPv4 address (for tunnel_mtu: auto). */
#ifndef SPAT_IFMTU_H
#define SPAT_IFMTU_H

#include <stdint.h>

/* ifmtu_of_addr() - MTU of the interface carrying addr (host order), or -errno. */
int ifmtu_of_addr(uint32_t addr);

#endif
