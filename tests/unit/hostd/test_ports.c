// SPDX-License-Identifier: MIT
/* test_ports.c - hostd's port allocation: multi-block pools, parity, preservation, reuse delay. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define PUB_A IP(203, 0, 113, 10)
#define PUB_B IP(203, 0, 113, 11)
#define VM1 IP(198, 19, 0, 11)
#define VM2 IP(198, 19, 0, 12)
#define REMOTE IP(192, 0, 2, 1)

#define MAXBLK 64

static struct host_pool pools[MAXBLK + 1];
static struct host_vm vms[2];
static struct host_fwd fwds[1];
static struct host_conf conf;
static struct flowtab ft;

/* Two VMs of VNI 100 and no blocks yet; add_block() adds them. */
static void conf_reset(uint32_t delay)
{
	memset(&conf, 0, sizeof(conf));
	memset(pools, 0, sizeof(pools));
	vms[0] = (struct host_vm){ .name = "vm1", .vni = 100, .addr = VM1 };
	vms[1] = (struct host_vm){ .name = "vm2", .vni = 100, .addr = VM2 };
	conf.pools = pools;
	conf.vms = vms;
	conf.nvms = 2;
	conf.fwds = fwds;
	conf.max_entries = 1 << 16;
	conf.port_reuse_delay = delay;
	conf.timeout = (struct host_timeouts){ .udp = 30, .tcp_est = 7440, .tcp_trans = 240,
					       .icmp = 60 };
}

static void add_block(uint32_t vni, uint32_t addr, uint16_t lo, uint16_t hi)
{
	pools[conf.npools++] = (struct host_pool){ .vni = vni, .addr = addr, .lo = lo, .hi = hi };
}

static void init(void)
{
	ck_assert_int_eq(flow_init(&ft, &conf, 42), 0);
}

static void teardown(void)
{
	flow_destroy(&ft);
}

static enum flow_drop udp_out(uint32_t vm, uint16_t sport, uint32_t now, struct flow_result *r)
{
	struct pkt_ip4 pi = {
		.src = vms[vm].addr, .dst = REMOTE, .proto = PROTO_UDP, .sport = sport,
		.dport = 53, .has_ports = true, .hlen = 20, .l3len = 60,
	};

	return flow_out(&ft, vm, &pi, now, r);
}

/* The block index of addr:port, or -1. */
static int block_of(uint32_t addr, uint16_t port)
{
	for (size_t i = 0; i < conf.npools; i++)
		if (pools[i].addr == addr && port >= pools[i].lo && port <= pools[i].hi)
			return (int)i;
	return -1;
}

/* Preservation: the VM's port on whichever block holds it, else a random one of its parity. */
START_TEST(test_multi_block_preserve_and_parity)
{
	struct flow_result r;

	conf_reset(0);
	add_block(100, PUB_A, 2000, 2015);
	add_block(200, PUB_A, 2016, 2031);      /* another tenant between */
	add_block(100, PUB_A, 3000, 3015);
	init();
	ck_assert_int_eq(udp_out(0, 3005, 0, &r), FLOW_OK);
	ck_assert_uint_eq(r.port, 3005);        /* preserved on the second block */
	ck_assert_uint_eq(r.addr, PUB_A);
	ck_assert_int_eq(udp_out(0, 2003, 0, &r), FLOW_OK);
	ck_assert_uint_eq(r.port, 2003);
	/* 2003 is taken now: vm2's port 2003 gets another odd port of VNI 100's blocks. */
	ck_assert_int_eq(udp_out(1, 2003, 0, &r), FLOW_OK);
	ck_assert_uint_ne(r.port, 2003);
	ck_assert_uint_eq(r.port % 2, 1);
	ck_assert_int_ne(block_of(PUB_A, r.port), 1);
	ck_assert_int_ge(block_of(PUB_A, r.port), 0);
	/* Outside every block (VNI 200's port too): random, parity kept, never the other tenant's. */
	for (uint16_t sp = 40000; sp < 40020; sp++) {
		ck_assert_int_eq(udp_out(sp % 2, sp, 0, &r), FLOW_OK);
		ck_assert_uint_eq(r.port % 2, sp % 2);
		ck_assert_int_ne(block_of(PUB_A, r.port), 1);
	}
	ck_assert_int_eq(udp_out(0, 2020, 0, &r), FLOW_OK);
	ck_assert_int_ne(block_of(PUB_A, r.port), 1);
}
END_TEST

/* When no port of the parity is left, any port does; then the range is exhausted. */
START_TEST(test_parity_fallback_and_exhaustion)
{
	struct flow_result r;
	uint32_t n = 0;

	conf_reset(0);
	add_block(100, PUB_A, 2000, 2003);
	add_block(100, PUB_B, 5000, 5003);
	init();
	/* Eight even source ports outside the blocks: four even public ports, then odd ones. */
	for (uint16_t sp = 100; sp < 116; sp += 2) {
		ck_assert_int_eq(udp_out(0, sp, 0, &r), FLOW_OK);
		if (r.port % 2 == 0)
			n++;
	}
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(udp_out(0, 200, 0, &r), FLOW_DROP_PORTS_FULL);
	ck_assert_int_eq(udp_out(1, 201, 0, &r), FLOW_DROP_PORTS_FULL);
	/* Never an eviction: every mapping is still there. */
	ck_assert_uint_eq(ct_count(ft.ct), 8);
	ck_assert_uint_eq(ft.pm[0][1].used + ft.pm[1][1].used, 8);
}
END_TEST

/* Paired pooling: a VM's mappings share one public address while it has ports there. */
START_TEST(test_paired_address)
{
	struct flow_result r;
	uint32_t first;

	conf_reset(0);
	add_block(100, PUB_A, 2000, 2999);
	add_block(100, PUB_B, 2000, 2999);
	init();
	ck_assert_int_eq(udp_out(0, 40000, 0, &r), FLOW_OK);
	first = r.addr;
	for (uint16_t sp = 40001; sp < 40100; sp++) {
		ck_assert_int_eq(udp_out(0, sp, 0, &r), FLOW_OK);
		ck_assert_uint_eq(r.addr, first);
	}
}
END_TEST

/* A freed port rests port_reuse_delay seconds (fake clock), then is free again. */
START_TEST(test_reuse_delay)
{
	struct flow_result r;
	uint32_t t;

	conf_reset(9);                          /* rotations every 3 s: held 9..12 s */
	add_block(100, PUB_A, 2000, 2001);
	init();
	ck_assert_int_eq(udp_out(0, 2000, 0, &r), FLOW_OK);
	ck_assert_int_eq(udp_out(0, 2001, 0, &r), FLOW_OK);
	/* Both expire at 30; the ports cool, they are not free. */
	for (t = 0; t <= 30; t++)
		flow_expire(&ft, t, 100);
	ck_assert_uint_eq(ct_count(ft.ct), 0);
	ck_assert_uint_eq(ft.pm[0][1].cooling, 2);
	ck_assert_int_eq(udp_out(1, 2000, 30, &r), FLOW_DROP_PORTS_FULL);
	/* Still held 9 s after the expiry, at every second. */
	for (t = 31; t < 39; t++) {
		flow_expire(&ft, t, 100);
		ck_assert_int_eq(udp_out(1, 2000, t, &r), FLOW_DROP_PORTS_FULL);
	}
	/* Free within 12 s (+1 for the tick). */
	for (t = 39; t <= 43 && ft.pm[0][1].cooling; t++)
		flow_expire(&ft, t, 100);
	ck_assert_uint_eq(ft.pm[0][1].cooling, 0);
	ck_assert_int_eq(udp_out(1, 2000, t, &r), FLOW_OK);
	ck_assert_uint_eq(r.port, 2000);
}
END_TEST

/* Delay 0: a freed port is reusable at once. */
START_TEST(test_reuse_delay_zero)
{
	struct flow_result r;

	conf_reset(0);
	add_block(100, PUB_A, 2000, 2000);
	init();
	ck_assert_int_eq(udp_out(0, 2000, 0, &r), FLOW_OK);
	ck_assert_uint_eq(flow_expire(&ft, 30, 100), 1);
	ck_assert_uint_eq(ft.pm[0][1].cooling, 0);
	ck_assert_int_eq(udp_out(1, 2000, 30, &r), FLOW_OK);
}
END_TEST

/*
 * A reload keeps mappings whose block still exists (in any block of the
 * tenant), drops the others, and keeps the reuse delay of cooling ports and
 * of the dropped mappings' ports.
 */
START_TEST(test_reload_keeps_blocks_and_delay)
{
	static struct host_pool npools[3];
	static struct host_conf nc;     /* the table outlives this function (teardown) */
	struct flowtab nft;
	struct flow_result r;
	struct pkt_ip4 pi;
	uint32_t lost = 0;

	conf_reset(30);
	add_block(100, PUB_A, 2000, 2009);
	add_block(100, PUB_A, 3000, 3009);
	init();
	ck_assert_int_eq(udp_out(0, 2001, 0, &r), FLOW_OK);     /* kept: block stays */
	ck_assert_int_eq(udp_out(0, 3001, 0, &r), FLOW_OK);     /* dropped: block goes */
	ck_assert_int_eq(udp_out(1, 2002, 0, &r), FLOW_OK);     /* expires: cools */
	pi = (struct pkt_ip4){ .src = VM1, .dst = REMOTE, .proto = PROTO_UDP, .sport = 2001,
			       .dport = 53, .has_ports = true, .hlen = 20, .l3len = 60 };
	ck_assert_int_eq(flow_out(&ft, 0, &pi, 20, &r), FLOW_OK);       /* refresh 2001 */
	pi.sport = 3001;
	ck_assert_int_eq(flow_out(&ft, 0, &pi, 20, &r), FLOW_OK);
	ck_assert_uint_eq(flow_expire(&ft, 30, 100), 1);
	ck_assert_int_eq(portmap_cool_age(&ft.pm[0][1], 2002), 0);
	/* New config: the first block stays, the second is replaced by one on 3005-3020. */
	nc = conf;
	npools[0] = pools[0];
	npools[1] = (struct host_pool){ .vni = 100, .addr = PUB_A, .lo = 3005, .hi = 3020 };
	nc.pools = npools;
	nc.npools = 2;
	ck_assert_int_eq(flow_init(&nft, &nc, 7), 0);
	ck_assert_uint_eq(flow_migrate(&nft, &ft, &lost), 1);
	ck_assert_uint_eq(lost, 1);
	ck_assert_int_eq(portmap_cool_age(&nft.pm[0][1], 2002), 0);  /* delay kept */
	ck_assert_int_eq(portmap_cool_age(&nft.pm[0][1], 2001), -1); /* live mapping */
	ck_assert(portmap_is_used(&nft.pm[0][1], 2001));
	ck_assert_uint_eq(nft.cool_last, ft.cool_last);
	flow_destroy(&ft);
	ft = nft;
	/* 2002 stays held until its delay (30..40 s after 30) is over. */
	for (uint32_t t = 31; t < 60; t++) {
		flow_expire(&ft, t, 100);
		ck_assert(portmap_is_used(&ft.pm[0][1], 2002));
	}
	for (uint32_t t = 60; t <= 71; t++)
		flow_expire(&ft, t, 100);
	ck_assert(!portmap_is_used(&ft.pm[0][1], 2002));
}
END_TEST

/* A static forward may sit in any block of its tenant. */
START_TEST(test_forward_in_second_block)
{
	struct flow_result r;
	struct pkt_ip4 pi = { .src = REMOTE, .dst = PUB_B, .proto = PROTO_TCP, .sport = 1,
			      .dport = 7001, .has_ports = true, .tcp_flags = TCPF_SYN,
			      .hlen = 20, .l3len = 60 };

	conf_reset(0);
	add_block(100, PUB_A, 2000, 2009);
	add_block(100, PUB_B, 7000, 7009);
	fwds[0] = (struct host_fwd){ .proto = PROTO_TCP, .pub = PUB_B, .pub_port = 7001, .vm = 1,
				     .vm_port = 80 };
	conf.nfwds = 1;
	init();
	ck_assert(portmap_is_used(&ft.pm[1][0], 7001));
	ck_assert_int_eq(flow_in(&ft, 100, &pi, 0, &r), FLOW_OK);
	ck_assert_uint_eq(r.vm, 1);
	ck_assert_uint_eq(r.port, 80);
}
END_TEST

/* 64 blocks of 16 ports on 16 addresses (the fleet's shape): every port, then full. */
START_TEST(test_64_blocks)
{
	struct flow_result r;
	uint32_t n;
	uint32_t tenant_blocks;

	conf_reset(120);
	for (int i = 0; i < MAXBLK; i++)
		add_block(100, IP(203, 0, 113, 10 + i % 16), (uint16_t)(1024 + 16 * (i / 16) * 64),
			  (uint16_t)(1024 + 16 * (i / 16) * 64 + 15));
	init();
	ck_assert_ptr_nonnull(flow_tenant_blocks(&ft, 100, &tenant_blocks));
	ck_assert_uint_eq(tenant_blocks, MAXBLK);
	for (n = 0; n < MAXBLK * 16; n++) {
		ck_assert_int_eq(udp_out(n % 2, (uint16_t)(10000 + n), 0, &r), FLOW_OK);
		ck_assert_int_ge(block_of(r.addr, r.port), 0);
	}
	ck_assert_int_eq(udp_out(0, 9999, 0, &r), FLOW_DROP_PORTS_FULL);
	ck_assert_uint_eq(ct_count(ft.ct), MAXBLK * 16);
}
END_TEST

static Suite *ports_suite(void)
{
	Suite *s = suite_create("ports");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_multi_block_preserve_and_parity);
	tcase_add_test(tc, test_parity_fallback_and_exhaustion);
	tcase_add_test(tc, test_paired_address);
	tcase_add_test(tc, test_reuse_delay);
	tcase_add_test(tc, test_reuse_delay_zero);
	tcase_add_test(tc, test_reload_keeps_blocks_and_delay);
	tcase_add_test(tc, test_forward_in_second_block);
	tcase_add_test(tc, test_64_blocks);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ports_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
