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

/* Attach to or create the device in the current namespace, and set it up. */
static int tun_attach(const char *name, enum tun_kind kind)
{
	struct ifreq ifr;
	int fd, s, err;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = (short)((kind == TUN_TAP ? IFF_TAP : IFF_TUN) | IFF_NO_PI);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		goto fail;
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
	int self, other, fd, err;

	/* The kernel would truncate a long name and attach to some other device. */
	if (strlen(name) >= IFNAMSIZ)
		return -ENAMETOOLONG;
	if (!netns || !*netns)
		return tun_attach(name, kind);
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
	fd = tun_attach(name, kind);
	/* Failing to return would leave every later socket in the wrong netns. */
	if (setns(self, CLONE_NEWNET) < 0)
		fatal("cannot return to own network namespace");
	close(other);
	close(self);
	return fd;
}
