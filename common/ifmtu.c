// SPDX-License-Identifier: MIT
/* ifmtu.c - find the interface of an address with getifaddrs() and ask its MTU (start-up only). */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ifmtu.h"

/* ifmtu_of_addr() - SIOCGIFMTU on the interface whose IPv4 address is addr. */
int ifmtu_of_addr(uint32_t addr)
{
	struct ifaddrs *ifa, *i;
	struct ifreq ifr;
	int fd, ret = -ENODEV;

	if (getifaddrs(&ifa) < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	for (i = ifa; i; i = i->ifa_next) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)i->ifa_addr;

		if (sin && sin->sin_family == AF_INET && ntohl(sin->sin_addr.s_addr) == addr) {
			strncpy(ifr.ifr_name, i->ifa_name, IFNAMSIZ - 1);
			ret = 0;
			break;
		}
	}
	freeifaddrs(ifa);
	if (ret < 0)
		return ret;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = ioctl(fd, SIOCGIFMTU, &ifr) < 0 ? -errno : ifr.ifr_mtu;
	close(fd);
	return ret;
}
