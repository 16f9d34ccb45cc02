// SPDX-License-Identifier: MIT
/* test_tun.c - unit tests for opening TUN/TAP devices, here and in another network namespace. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tun.h"

static char nsname[32];          /* "spat-ut-<pid>", made by the unchecked fixture */
static int ns_made;

/* True (after a note) when this host cannot run the test: not root or no /dev/net/tun. */
static int unavailable(void)
{
	int fd;

	if (geteuid() != 0) {
		printf("test_tun: needs root: skipped\n");
		return 1;
	}
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		printf("test_tun: /dev/net/tun: %s: skipped\n", strerror(errno));
		return 1;
	}
	close(fd);
	return 0;
}

static void ns_setup(void)
{
	char cmd[96];

	snprintf(nsname, sizeof(nsname), "spat-ut-%d", (int)getpid());
	if (geteuid() != 0 || access("/dev/net/tun", F_OK) != 0)
		return;
	snprintf(cmd, sizeof(cmd), "ip netns add %s", nsname);
	ns_made = system(cmd) == 0;
}

static void ns_teardown(void)
{
	char cmd[96];

	if (!ns_made)
		return;
	snprintf(cmd, sizeof(cmd), "ip netns del %s", nsname);
	if (system(cmd) != 0)
		fprintf(stderr, "test_tun: could not remove netns %s\n", nsname);
	ns_made = 0;
}

/* The inode of the calling thread's network namespace. */
static ino_t netns_ino(void)
{
	struct stat st;

	ck_assert_int_eq(stat("/proc/thread-self/ns/net", &st), 0);
	return st.st_ino;
}

/* Flags of the link name in netns ns (NULL: ours); -errno on failure. */
static int link_flags(const char *ns, const char *name, short *flags)
{
	struct ifreq ifr;
	int self = -1, other = -1, s, ret = 0;

	if (ns) {
		char path[64];

		snprintf(path, sizeof(path), "/run/netns/%s", ns);
		self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		other = open(path, O_RDONLY | O_CLOEXEC);
		ck_assert_int_ge(self, 0);
		ck_assert_int_ge(other, 0);
		ck_assert_int_eq(setns(other, CLONE_NEWNET), 0);
	}
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		ret = -errno;
	else
		*flags = ifr.ifr_flags;
	if (s >= 0)
		close(s);
	if (ns) {
		ck_assert_int_eq(setns(self, CLONE_NEWNET), 0);
		close(self);
		close(other);
	}
	return ret;
}

/* The device behind fd is name, of the kind given by kflag, without PI. */
static void check_dev(int fd, const char *name, short kflag)
{
	struct ifreq ifr;
	int fl;

	fl = fcntl(fd, F_GETFL);
	ck_assert_int_ne(fl, -1);
	ck_assert_msg(fl & O_NONBLOCK, "fd is blocking");
	ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	memset(&ifr, 0, sizeof(ifr));
	ck_assert_int_eq(ioctl(fd, TUNGETIFF, &ifr), 0);
	ck_assert_str_eq(ifr.ifr_name, name);
	ck_assert_int_eq(ifr.ifr_flags & (IFF_TUN | IFF_TAP), kflag);
	ck_assert(ifr.ifr_flags & IFF_NO_PI);
}

START_TEST(tun_here)
{
	char name[IFNAMSIZ];
	short flags = 0;
	ino_t ino;
	int fd;

	if (unavailable())
		return;
	snprintf(name, sizeof(name), "sptun%d", (int)getpid());
	ino = netns_ino();
	fd = tun_open(name, TUN_L3, NULL);
	ck_assert_msg(fd >= 0, "tun_open: %s", strerror(-fd));
	check_dev(fd, name, IFF_TUN);
	ck_assert_int_eq(link_flags(NULL, name, &flags), 0);
	ck_assert_msg(flags & IFF_UP, "link is down");
	ck_assert_uint_eq(netns_ino(), ino);
	/* Not persistent: it goes with the fd. */
	close(fd);
	ck_assert_uint_eq(if_nametoindex(name), 0);

	/* An empty netns name means here, too. */
	snprintf(name, sizeof(name), "sptap%d", (int)getpid());
	fd = tun_open(name, TUN_TAP, "");
	ck_assert_msg(fd >= 0, "tun_open: %s", strerror(-fd));
	check_dev(fd, name, IFF_TAP);
	ck_assert_int_eq(link_flags(NULL, name, &flags), 0);
	ck_assert(flags & IFF_UP);
	close(fd);
}
END_TEST

/* A device made with `ip tuntap add` is attached to, set up, and outlives the fd. */
START_TEST(tun_persistent)
{
	char name[IFNAMSIZ], cmd[96];
	short before = 0, flags = 0;
	int fd, rc_before, rc = -1, exists;

	if (unavailable())
		return;
	snprintf(name, sizeof(name), "sppers%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "ip tuntap add dev %s mode tap", name);
	ck_assert_int_eq(system(cmd), 0);
	/* Check only after the device is deleted again, so a failure leaves nothing. */
	rc_before = link_flags(NULL, name, &before);
	fd = tun_open(name, TUN_TAP, NULL);
	if (fd >= 0) {
		check_dev(fd, name, IFF_TAP);
		rc = link_flags(NULL, name, &flags);
		close(fd);
	}
	exists = if_nametoindex(name) != 0;
	snprintf(cmd, sizeof(cmd), "ip tuntap del dev %s mode tap", name);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(rc_before, 0);
	ck_assert(!(before & IFF_UP));
	ck_assert_msg(fd >= 0, "tun_open: %s", strerror(-fd));
	ck_assert_int_eq(rc, 0);
	ck_assert_msg(flags & IFF_UP, "link is down");
	ck_assert_msg(exists, "persistent device gone with the fd");
}
END_TEST

/* Opening a device of the wrong kind over an existing one fails cleanly. */
START_TEST(tun_wrong_kind)
{
	char name[IFNAMSIZ];
	int fd, fd2;

	if (unavailable())
		return;
	snprintf(name, sizeof(name), "spkind%d", (int)getpid());
	fd = tun_open(name, TUN_L3, NULL);
	ck_assert_msg(fd >= 0, "tun_open: %s", strerror(-fd));
	fd2 = tun_open(name, TUN_TAP, NULL);
	ck_assert_int_lt(fd2, 0);
	ck_assert_int_eq(fd2, -EINVAL);
	close(fd);
}
END_TEST

START_TEST(tap_in_netns)
{
	char name[IFNAMSIZ], path[64];
	short flags = 0;
	ino_t ino;
	int fd, fd2;

	if (unavailable())
		return;
	ck_assert_msg(ns_made, "could not create netns %s", nsname);
	snprintf(name, sizeof(name), "spnsap%d", (int)getpid());
	ino = netns_ino();
	fd = tun_open(name, TUN_TAP, nsname);
	ck_assert_msg(fd >= 0, "tun_open: %s", strerror(-fd));
	/* Back home, and the device lives over there, up, not here. */
	ck_assert_uint_eq(netns_ino(), ino);
	check_dev(fd, name, IFF_TAP);
	ck_assert_uint_eq(if_nametoindex(name), 0);
	ck_assert_int_eq(link_flags(nsname, name, &flags), 0);
	ck_assert_msg(flags & IFF_UP, "link is down");

	/* A path names a namespace too. */
	snprintf(name, sizeof(name), "spnstn%d", (int)getpid());
	snprintf(path, sizeof(path), "/run/netns/%s", nsname);
	fd2 = tun_open(name, TUN_L3, path);
	ck_assert_msg(fd2 >= 0, "tun_open: %s", strerror(-fd2));
	ck_assert_uint_eq(netns_ino(), ino);
	check_dev(fd2, name, IFF_TUN);
	ck_assert_int_eq(link_flags(nsname, name, &flags), 0);
	ck_assert(flags & IFF_UP);
	close(fd2);
	close(fd);
}
END_TEST

START_TEST(netns_missing)
{
	char name[IFNAMSIZ], ns[64];
	ino_t ino;

	if (unavailable())
		return;
	snprintf(name, sizeof(name), "spmiss%d", (int)getpid());
	snprintf(ns, sizeof(ns), "spat-ut-none-%d", (int)getpid());
	ino = netns_ino();
	ck_assert_int_eq(tun_open(name, TUN_TAP, ns), -ENOENT);
	ck_assert_int_eq(tun_open(name, TUN_TAP, "/run/netns/spat-ut-none/x"), -ENOENT);
	ck_assert_uint_eq(netns_ino(), ino);
	ck_assert_uint_eq(if_nametoindex(name), 0);
	/* A file that is no namespace. */
	ck_assert_int_eq(tun_open(name, TUN_TAP, "/dev/null"), -EINVAL);
	ck_assert_uint_eq(netns_ino(), ino);
}
END_TEST

/* Bad device names fail with -errno and create nothing, here or in a netns. */
START_TEST(bad_names)
{
	char longname[64];
	ino_t ino;
	int fd;

	if (unavailable())
		return;
	ck_assert_msg(ns_made, "could not create netns %s", nsname);
	ino = netns_ino();
	ck_assert_int_eq(tun_open("bad/name", TUN_L3, NULL), -EINVAL);
	ck_assert_int_eq(tun_open("bad name", TUN_TAP, nsname), -EINVAL);
	ck_assert_uint_eq(netns_ino(), ino);

	/*
	 * Longer than IFNAMSIZ - 1: must fail, not open a device under the
	 * first 15 characters of the name.
	 * BUG (common/tun.c tun_attach(): snprintf into ifr_name truncates
	 * silently): tun_open() creates/attaches "spattoolong<pid>" cut to 15
	 * characters and returns a valid fd.  This assertion fails until fixed.
	 */
	snprintf(longname, sizeof(longname), "spattoolong%dxxxxxxxxxxxxxxxx", (int)getpid());
	fd = tun_open(longname, TUN_L3, NULL);
	if (fd >= 0)
		close(fd);
	ck_assert_msg(fd < 0, "tun_open(\"%s\") opened a device with a truncated name", longname);
	ck_assert_uint_eq(netns_ino(), ino);
}
END_TEST

static Suite *tun_suite(void)
{
	Suite *s = suite_create("tun");
	TCase *tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, ns_setup, ns_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, tun_here);
	tcase_add_test(tc, tun_persistent);
	tcase_add_test(tc, tun_wrong_kind);
	tcase_add_test(tc, tap_in_netns);
	tcase_add_test(tc, netns_missing);
	tcase_add_test(tc, bad_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(tun_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
