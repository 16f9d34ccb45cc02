/* SPDX-License-Identifier: MIT */
/* tun.h - open TUN/TAP devices (Linux /dev/net/tun), optionally in another netns. */
#ifndef SPAT_TUN_H
#define SPAT_TUN_H

#include <stdbool.h>

enum tun_kind { TUN_L3, TUN_TAP };

/*
 * tun_open() - attach to (or create) the device name of the given kind and
 * return a non-blocking fd, or -errno.  A persistent device made with
 * `ip tuntap add` is attached to as it is; otherwise the device is created
 * and lives as long as the fd.  When netns is non-NULL (a name under
 * /run/netns or a path), the device is opened inside that namespace and the
 * calling thread returns to its own namespace before tun_open() returns.
 * No packet information header (IFF_NO_PI).  The device is set up (IFF_UP).
 */
int tun_open(const char *name, enum tun_kind kind, const char *netns);
/*
 * tun_open_vnet() - as tun_open(), but when *vnet is true first try
 * IFF_VNET_HDR with the offloads given (TUNSETOFFLOAD: TUN_F_CSUM,
 * TUN_F_TSO4, ..., or 0 for none: then reads carry complete packets and
 * writes may still be GSO); if the kernel refuses, fall back to a plain
 * attach.  *vnet says which it got: when true, every read and write
 * carries a virtio-net header (vnet.h).
 */
int tun_open_vnet(const char *name, enum tun_kind kind, const char *netns, unsigned offloads,
		  bool *vnet);

#endif
