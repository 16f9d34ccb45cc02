// SPDX-License-Identifier: MIT
/* test_maplog.c - unit tests for the mapping log: format, rate bound, flushes, flow events. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flow.h"
#include "maplog.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static char path[64];
static uint64_t logged, suppressed, lost;
static const struct maplog_ctr ctr = { &logged, &suppressed, &lost };

static void setup(void)
{
	int fd;

	strcpy(path, "/tmp/spat-maplog.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	logged = suppressed = lost = 0;
}

static void teardown(void)
{
	unlink(path);
}

/* The whole file as a string (the caller frees). */
static char *slurp(void)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 20);
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static size_t lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static const struct ct_entry tcp_entry = {
	.vni = 100, .vm_addr = IP(198, 19, 0, 11), .vm_port = 40000, .pub_addr = IP(203, 0, 113, 10),
	.pub_port = 1234, .proto = 6,
};

START_TEST(test_format)
{
	struct maplog *m = maplog_open(path, 10, false, &ctr);
	char *s;

	ck_assert_ptr_nonnull(m);
	maplog_event(m, MAPLOG_CREATE, &tcp_entry, NULL, IP(192, 0, 2, 1), 80, 5);
	maplog_event(m, MAPLOG_DELETE, &tcp_entry, "expired", 0, 0, 5);
	/* Nothing is written before the flush: one write per burst. */
	s = slurp();
	ck_assert_str_eq(s, "");
	free(s);
	maplog_flush(m);
	s = slurp();
	ck_assert_uint_eq(lines(s), 2);
	/* 2026-11-26T14:30:00.123Z: a UTC time to the millisecond. */
	ck_assert_uint_eq(s[4], '-');
	ck_assert_uint_eq(s[10], 'T');
	ck_assert_uint_eq(s[23], 'Z');
	ck_assert_ptr_nonnull(strstr(s, "Z create tcp vni=100 vm=198.19.0.11:40000 "
				     "public=203.0.113.10:1234\n"));
	ck_assert_ptr_nonnull(strstr(s, "Z delete tcp vni=100 vm=198.19.0.11:40000 "
				     "public=203.0.113.10:1234 reason=expired\n"));
	/* No destination unless asked for. */
	ck_assert_ptr_null(strstr(s, "192.0.2.1"));
	free(s);
	ck_assert_uint_eq(logged, 2);
	maplog_close(m);
	maplog_close(NULL);
	maplog_event(NULL, MAPLOG_CREATE, &tcp_entry, NULL, 0, 0, 5);   /* log off: no-op */
	maplog_flush(NULL);
}
END_TEST

START_TEST(test_destination)
{
	struct maplog *m = maplog_open(path, 10, true, &ctr);
	char *s;

	maplog_event(m, MAPLOG_CREATE, &tcp_entry, NULL, IP(192, 0, 2, 1), 80, 5);
	maplog_close(m);        /* flushes */
	s = slurp();
	ck_assert_ptr_nonnull(strstr(s, " public=203.0.113.10:1234 dst=192.0.2.1:80\n"));
	free(s);
}
END_TEST

START_TEST(test_rate)
{
	struct maplog *m = maplog_open(path, 3, false, &ctr);
	char *s;

	for (int i = 0; i < 10; i++)
		maplog_event(m, MAPLOG_CREATE, &tcp_entry, NULL, 0, 0, 7);
	ck_assert_uint_eq(logged, 3);
	ck_assert_uint_eq(suppressed, 7);
	/* now 0: the current second, still used up. */
	maplog_event(m, MAPLOG_DELETE, &tcp_entry, "reload", 0, 0, 0);
	ck_assert_uint_eq(suppressed, 8);
	/* The next second starts afresh. */
	maplog_event(m, MAPLOG_DELETE, &tcp_entry, "expired", 0, 0, 8);
	ck_assert_uint_eq(logged, 4);
	maplog_flush(m);
	s = slurp();
	ck_assert_uint_eq(lines(s), 4);
	free(s);
	maplog_close(m);
}
END_TEST

/* More than a buffer between flushes: it is written early, nothing is lost or cut. */
START_TEST(test_full_buffer)
{
	struct maplog *m = maplog_open(path, 1000000, true, &ctr);
	char *s;

	for (int i = 0; i < 2000; i++)
		maplog_event(m, MAPLOG_CREATE, &tcp_entry, NULL, IP(192, 0, 2, 1), 80, 9);
	maplog_close(m);
	s = slurp();
	ck_assert_uint_eq(lines(s), 2000);
	ck_assert_uint_gt(strlen(s), MAPLOG_BUF);
	ck_assert_uint_eq(lost, 0);
	free(s);
}
END_TEST

START_TEST(test_write_error)
{
	struct maplog *m = maplog_open("/dev/full", 10, false, &ctr);

	ck_assert_ptr_nonnull(m);
	maplog_event(m, MAPLOG_CREATE, &tcp_entry, NULL, 0, 0, 1);
	maplog_event(m, MAPLOG_CREATE, &tcp_entry, NULL, 0, 0, 1);
	maplog_flush(m);
	ck_assert_uint_eq(lost, 2);
	maplog_close(m);
	ck_assert_ptr_null(maplog_open("/nonexistent/dir/x.log", 10, false, &ctr));
}
END_TEST

/* Through flow.c: a create on the first packet, a delete when the sweep expires it. */
START_TEST(test_flow_events)
{
	static struct host_pool pool = { .vni = 100, .addr = IP(203, 0, 113, 10), .lo = 1024,
					 .hi = 2047 };
	static struct host_vm vm = { .name = "vm-a1", .vni = 100, .addr = IP(198, 19, 0, 11) };
	struct host_conf conf = {
		.pools = &pool, .npools = 1, .vms = &vm, .nvms = 1, .max_entries = 64,
		.timeout = { .udp = 30, .tcp_est = 7440, .tcp_trans = 240, .icmp = 60 },
	};
	struct pkt_ip4 pi = {
		.src = vm.addr, .dst = IP(192, 0, 2, 1), .proto = 17, .sport = 1500, .dport = 53,
		.has_ports = true, .hlen = 20, .l3len = 40,
	};
	struct host_conf gone;
	struct flowtab ft, nft;
	struct flow_result r;
	struct maplog *m = maplog_open(path, 100, true, &ctr);
	uint32_t lost_n;
	char *s;

	ck_assert_int_eq(flow_init(&ft, &conf, 1), 0);
	ft.log = m;
	ck_assert_int_eq(flow_out(&ft, 0, &pi, 10, &r), FLOW_OK);
	ck_assert_int_eq(flow_out(&ft, 0, &pi, 11, &r), FLOW_OK);     /* no second create */
	ck_assert_uint_eq(flow_expire(&ft, 41, 100), 1);
	pi.sport = 1501;
	ck_assert_int_eq(flow_out(&ft, 0, &pi, 50, &r), FLOW_OK);
	/* A reload that cannot keep it (the VM is gone) logs its end too. */
	gone = conf;
	gone.nvms = 0;
	ck_assert_int_eq(flow_init(&nft, &gone, 1), 0);
	ck_assert_uint_eq(flow_migrate(&nft, &ft, &lost_n), 0);
	ck_assert_uint_eq(lost_n, 1);
	flow_destroy(&nft);
	flow_destroy(&ft);
	maplog_close(m);
	s = slurp();
	ck_assert_uint_eq(lines(s), 4);
	ck_assert_ptr_nonnull(strstr(s, " create udp vni=100 vm=198.19.0.11:1500 "
				     "public=203.0.113.10:1500 dst=192.0.2.1:53\n"));
	ck_assert_ptr_nonnull(strstr(s, " delete udp vni=100 vm=198.19.0.11:1500 "
				     "public=203.0.113.10:1500 reason=expired\n"));
	ck_assert_ptr_nonnull(strstr(s, " delete udp vni=100 vm=198.19.0.11:1501 "
				     "public=203.0.113.10:1501 reason=reload\n"));
	free(s);
}
END_TEST

static Suite *maplog_suite(void)
{
	Suite *s = suite_create("maplog");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_destination);
	tcase_add_test(tc, test_rate);
	tcase_add_test(tc, test_full_buffer);
	tcase_add_test(tc, test_write_error);
	tcase_add_test(tc, test_flow_events);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(maplog_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
