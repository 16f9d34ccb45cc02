// SPDX-License-Identifier: MIT
/* test_host_conf_ports.c - hostd config of port blocks and the reuse delay: accepted and refused. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_conf.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

/* Two blocks of VNI 100 on one address and one on another; lines count from 1. */
#define HEAD \
	"listen: 198.18.0.11\n"                                         /* 1 */ \
	"edges: [ { address: 198.18.0.1 } ]\n"                          /* 2 */ \
	"pools:\n"                                                      /* 3 */ \
	"  - { vni: 100, public: 203.0.113.10, ports: 1024-2047 }\n"    /* 4 */ \
	"  - { vni: 100, public: 203.0.113.10, ports: 4096-5119 }\n"    /* 5 */ \
	"  - { vni: 100, public: 203.0.113.11, ports: 1024-2047 }\n"    /* 6 */ \
	"vms:\n"                                                        /* 7 */ \
	"  - { name: vm, vni: 100, tap: t0, address: 198.19.0.11,"      \
	" mac: 02:5a:00:00:0a:01, gateway: 198.19.0.1 }\n"              /* 8 */

static int parse(struct host_conf *c, const char *text, struct yerr *err)
{
	memset(err, 0, sizeof(*err));
	return host_conf_parse(c, "t.yaml", text, strlen(text), err);
}

struct bad_case {
	const char *text;
	const char *msg;         /* the whole message */
};

static const struct bad_case bad_cases[] = {
	{ HEAD "port_reuse_delay: -1\n",
	  "t.yaml:9:19: invalid number '-1' (expected 0..86400)" },
	{ HEAD "port_reuse_delay: 86401\n",
	  "t.yaml:9:19: invalid number '86401' (expected 0..86400)" },
	{ HEAD "port_reuse_delay: 2m\n",
	  "t.yaml:9:19: invalid number '2m' (expected 0..86400)" },
	{ "listen: 198.18.0.11\nedges: [ { address: 198.18.0.1 } ]\npools:\n"
	  "  - { vni: 100, public: 203.0.113.10, ports: 1024-2047 }\n"
	  "  - { vni: 100, public: 203.0.113.10, ports: 1500-1600 }\n",
	  "t.yaml:5:5: pool 203.0.113.10 ports 1500-1600 overlap ports 1024-2047 (line 4)" },
	{ "listen: 198.18.0.11\nedges: [ { address: 198.18.0.1 } ]\npools:\n"
	  "  - { vni: 100, public: 203.0.113.10, ports: 1024-2047 }\n"
	  "  - { vni: 200, public: 203.0.113.10, ports: 2047-2047 }\n",
	  "t.yaml:5:5: pool 203.0.113.10 ports 2047-2047 overlap ports 1024-2047 (line 4)" },
	{ HEAD "forwards: [ { public: '203.0.113.10:3000', proto: tcp, vm: vm, port: 80 } ]\n",
	  "t.yaml:9:13: forward port 3000 outside the ports of VNI 100 on 203.0.113.10" },
	{ HEAD "forwards: [ { public: '203.0.113.12:1024', proto: tcp, vm: vm, port: 80 } ]\n",
	  "t.yaml:9:13: forward address 203.0.113.12 is not a pool address of VNI 100" },
};

START_TEST(test_bad)
{
	const struct bad_case *bc = &bad_cases[_i];
	struct host_conf c;
	struct yerr err;

	ck_assert_int_eq(parse(&c, bc->text, &err), -1);
	ck_assert_msg(!strcmp(err.msg, bc->msg), "case %d: got \"%s\", want \"%s\"", _i, err.msg,
		      bc->msg);
}
END_TEST

START_TEST(test_blocks_and_delay)
{
	struct host_conf c, c2;
	struct yerr err;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	ck_assert_msg(parse(&c, HEAD "forwards: [ { public: '203.0.113.11:2000', proto: udp,"
			    " vm: vm, port: 53 }, { public: '203.0.113.10:5000', proto: tcp,"
			    " vm: vm, port: 80 } ]\n", &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(c.npools, 3);
	ck_assert_uint_eq(c.port_reuse_delay, 120);     /* the default */
	ck_assert_uint_eq(c.pools[1].lo, 4096);
	ck_assert_uint_eq(c.pools[2].addr, IP(203, 0, 113, 11));
	ck_assert_ptr_eq(host_conf_pool(&c, 100), &c.pools[0]);
	host_conf_free(&c);
	ck_assert_msg(parse(&c, HEAD "port_reuse_delay: 0\n", &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(c.port_reuse_delay, 0);
	host_conf_free(&c);
	/* The printed config reads back the same, delay included. */
	ck_assert_msg(parse(&c, HEAD "port_reuse_delay: 7\n", &err) == 0, "%s", err.msg);
	f = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(f);
	host_conf_print(&c, f);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(text, "port_reuse_delay: 7\n"));
	ck_assert_msg(host_conf_parse(&c2, "printed", text, len, &err) == 0, "%s", err.msg);
	ck_assert(host_conf_equal(&c, &c2));
	c2.port_reuse_delay = 8;
	ck_assert(!host_conf_equal(&c, &c2));
	host_conf_free(&c2);
	host_conf_free(&c);
	free(text);
}
END_TEST

static Suite *host_conf_ports_suite(void)
{
	Suite *s = suite_create("host_conf_ports");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, test_blocks_and_delay);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(host_conf_ports_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
