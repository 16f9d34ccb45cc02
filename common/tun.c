// SPDX-License-Identifier: MIT
/* tun.c - open TUN/TAP devices through /dev/net/tun, optionally in another netns. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "tun.h"
#include "vnet.h"

/*
 * Offer the kernel the offloads (TUN_F_*) on an fd attached with
 * IFF_VNET_HDR; 0, or -1 when this kernel or device refuses them.
 */
static int tun_offload(int fd, unsigned offloads)
{
	int hdr = VNET_HDR_LEN;

	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0)
		return -1;
	return ioctl(fd, TUNSETOFFLOAD, (unsigned long)offloads) < 0 ? -1 : 0;
}

/*
 * Attach to or create the device in the current namespace, and set it up.
 * With *vnet true, try IFF_VNET_HDR and the offloads first; *vnet says on
 * return whether they are on.  Without them the device's offloads are
 * cleared: a persistent device may keep those of an earlier attach, and
 * without the header the kernel could not tell us about a super-packet.
 */
static int tun_attach(const char *name, enum tun_kind kind, unsigned offloads, bool *vnet)
{
	struct ifreq ifr;
	int fd, s, err;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = (short)((kind == TUN_TAP ? IFF_TAP : IFF_TUN) | IFF_NO_PI);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (*vnet) {
		struct ifreq v = ifr;

		v.ifr_flags |= IFF_VNET_HDR;
		if (ioctl(fd, TUNSETIFF, &v) == 0 && tun_offload(fd, offloads) == 0)
			goto up;
		/* Refused: start again on a fresh fd without the header. */
		close(fd);
		*vnet = false;
		fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			return -errno;
	}
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		goto fail;
	(void)ioctl(fd, TUNSETOFFLOAD, 0UL);     /* best effort: older kernels lack it */
up:
	/* Bring the link up: a down tap or tun drops what we write to it. */
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		goto fail;
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) {
			err = errno;
			close(s);
			errno = err;
			goto fail;
		}
	}
	close(s);
	return fd;
fail:
	err = errno;
	close(fd);
	return -err;
}

static int tun_ns_open(const char *netns)
{
	char path[PATH_MAX];

	if (strchr(netns, '/'))
		snprintf(path, sizeof(path), "%s", netns);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", netns);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* tun_open() - attach to (or create) a TUN or TAP device, maybe inside netns. */
int tun_open(const char *name, enum tun_kind kind, const char *netns)
{
	bool vnet = false;

	return tun_open_vnet(name, kind, netns, 0, &vnet);
}

/* tun_open_vnet() - tun_open(), first trying IFF_VNET_HDR and offloads when *vnet. */
int tun_open_vnet(const char *name, enum tun_kind kind, const char *netns, unsigned offloads,
		  bool *vnet)
{
	int self, other, fd, err;

	/* The kernel would truncate a long name and attach to some other device. */
	if (strlen(name) >= IFNAMSIZ)
		return -ENAMETOOLONG;
	if (!netns || !*netns)
		return tun_attach(name, kind, offloads, vnet);
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	other = tun_ns_open(netns);
	if (other < 0) {
		err = errno;
		close(self);
		return -err;
	}
	if (setns(other, CLONE_NEWNET) < 0) {
		err = errno;
		close(other);
		close(self);
		return -err;
	}
	fd = tun_attach(name, kind, offloads, vnet);
	/* Failing to return would leave every later socket in the wrong netns. */
	if (setns(self, CLONE_NEWNET) < 0)
		fatal("cannot return to own network namespace");
	close(other);
	close(self);
	return fd;
}
