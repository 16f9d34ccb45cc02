// SPDX-License-Identifier: MIT
/* test_flow.c - unit tests for hostd's NAT decisions (flow_out, flow_in, expiry). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define PUB_A IP(203, 0, 113, 10)       /* pool of VNI 100 */
#define PUB_B IP(203, 0, 113, 11)       /* pool of VNI 200 */
#define PUB_1TO1 IP(203, 0, 113, 20)    /* vm-b2 */
#define VM_ADDR IP(198, 19, 0, 11)      /* vm-a1 and vm-a2: two tenants, one address */
#define REMOTE1 IP(192, 0, 2, 1)
#define REMOTE2 IP(198, 51, 100, 7)

enum { VM_A1, VM_A2, VM_B2, VM_C, NVMS };

static struct host_pool pools[2];
static struct host_vm vms[NVMS];
static struct host_fwd fwds[2];
static struct host_conf conf;
static struct flowtab ft;

/* The lab's host-a plus a 1:1 VM and a VM whose tenant has no pool. */
static void conf_setup(uint16_t lo, uint16_t hi, uint32_t max_entries)
{
	memset(&conf, 0, sizeof(conf));
	pools[0] = (struct host_pool){ .vni = 100, .addr = PUB_A, .lo = lo, .hi = hi };
	pools[1] = (struct host_pool){ .vni = 200, .addr = PUB_B, .lo = lo, .hi = hi };
	vms[VM_A1] = (struct host_vm){ .name = "vm-a1", .vni = 100, .addr = VM_ADDR };
	vms[VM_A2] = (struct host_vm){ .name = "vm-a2", .vni = 200, .addr = VM_ADDR };
	vms[VM_B2] = (struct host_vm){ .name = "vm-b2", .vni = 200, .addr = IP(198, 19, 0, 22),
				       .public_addr = PUB_1TO1 };
	vms[VM_C] = (struct host_vm){ .name = "vm-c", .vni = 300, .addr = IP(198, 19, 0, 33) };
	fwds[0] = (struct host_fwd){ .proto = PROTO_TCP, .pub = PUB_A, .pub_port = 8080,
				     .vm = VM_A1, .vm_port = 80 };
	fwds[1] = (struct host_fwd){ .proto = PROTO_TCP, .pub = PUB_B, .pub_port = 8080,
				     .vm = VM_A2, .vm_port = 80 };
	conf.pools = pools;
	conf.npools = 2;
	conf.vms = vms;
	conf.nvms = NVMS;
	conf.fwds = fwds;
	conf.nfwds = 2;
	conf.max_entries = max_entries;
	conf.timeout = (struct host_timeouts){ .udp = 300, .tcp_est = 7440, .tcp_trans = 240,
					       .icmp = 60 };
}

static void setup(void)
{
	conf_setup(1024, 32767, 1024);
	ck_assert_int_eq(flow_init(&ft, &conf, 42), 0);
}

static void teardown(void)
{
	flow_destroy(&ft);
}

static struct pkt_ip4 pkt(uint8_t proto, uint32_t src, uint16_t sport, uint32_t dst,
			  uint16_t dport, uint8_t tcp_flags)
{
	struct pkt_ip4 pi = {
		.src = src, .dst = dst, .proto = proto, .sport = sport, .dport = dport,
		.has_ports = true, .tcp_flags = tcp_flags, .hlen = 20, .l3len = 60,
	};
	return pi;
}

static struct pkt_ip4 echo(uint8_t type, uint32_t src, uint32_t dst, uint16_t id)
{
	struct pkt_ip4 pi = pkt(PROTO_ICMP, src, id, dst, id, 0);

	pi.icmp_type = type;
	return pi;
}

static enum flow_drop out(uint32_t vm, struct pkt_ip4 pi, uint32_t now, struct flow_result *r)
{
	return flow_out(&ft, vm, &pi, now, r);
}

static enum flow_drop in(uint32_t vni, struct pkt_ip4 pi, uint32_t now, struct flow_result *r)
{
	return flow_in(&ft, vni, &pi, now, r);
}

static struct ct_entry *entry(uint32_t vni, uint8_t proto, uint16_t vm_port)
{
	return ct_find_priv(ft.ct, vni, proto, VM_ADDR, vm_port);
}

START_TEST(test_out_creates_mapping)
{
	struct flow_result r;
	struct ct_entry *e;

	/* A port inside the range is preserved. */
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_TCP, VM_ADDR, 5000, REMOTE1, 443, TCPF_SYN), 0, &r),
			 FLOW_OK);
	ck_assert_uint_eq(r.addr, PUB_A);
	ck_assert_uint_eq(r.port, 5000);
	ck_assert_uint_eq(r.has_port, 1);
	ck_assert(portmap_is_used(&ft.pm[0][0], 5000));
	/* A port outside is replaced by one inside. */
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_UDP, VM_ADDR, 40000, REMOTE1, 53, 0), 0, &r),
			 FLOW_OK);
	ck_assert_uint_eq(r.addr, PUB_A);
	ck_assert_uint_ge(r.port, 1024);
	ck_assert_uint_le(r.port, 32767);
	ck_assert(portmap_is_used(&ft.pm[0][1], r.port));
	e = entry(100, PROTO_UDP, 40000);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->pub_port, r.port);
	ck_assert_uint_eq(e->state, CT_S_NEW);
	ck_assert_uint_eq(e->vm, VM_A1);
	ck_assert_uint_eq(ct_count(ft.ct), 2 + 2);     /* two static forwards */
}
END_TEST

START_TEST(test_endpoint_independent)
{
	struct flow_result r1, r2, r3;

	ck_assert_int_eq(out(VM_A1, pkt(PROTO_UDP, VM_ADDR, 40000, REMOTE1, 53, 0), 0, &r1),
			 FLOW_OK);
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_UDP, VM_ADDR, 40000, REMOTE2, 123, 0), 1, &r2),
			 FLOW_OK);
	ck_assert_uint_eq(r1.port, r2.port);
	ck_assert_uint_eq(r1.addr, r2.addr);
	/* Any remote may answer through the mapping. */
	ck_assert_int_eq(in(100, pkt(PROTO_UDP, REMOTE2, 9999, PUB_A, r1.port, 0), 2, &r3),
			 FLOW_OK);
	ck_assert_uint_eq(r3.vm, VM_A1);
	ck_assert_uint_eq(r3.addr, VM_ADDR);
	ck_assert_uint_eq(r3.port, 40000);
	ck_assert_uint_eq(r3.has_port, 1);
	ck_assert_uint_eq(ct_count(ft.ct), 2 + 1);
}
END_TEST

START_TEST(test_two_tenants)
{
	struct flow_result ra, rb, r;

	ck_assert_int_eq(out(VM_A1, pkt(PROTO_TCP, VM_ADDR, 5000, REMOTE1, 443, TCPF_SYN), 0, &ra),
			 FLOW_OK);
	ck_assert_int_eq(out(VM_A2, pkt(PROTO_TCP, VM_ADDR, 5000, REMOTE1, 443, TCPF_SYN), 0, &rb),
			 FLOW_OK);
	ck_assert_uint_eq(ra.addr, PUB_A);
	ck_assert_uint_eq(rb.addr, PUB_B);
	ck_assert_ptr_ne(entry(100, PROTO_TCP, 5000), entry(200, PROTO_TCP, 5000));
	ck_assert_int_eq(in(100, pkt(PROTO_TCP, REMOTE1, 443, PUB_A, ra.port, TCPF_ACK), 1, &r),
			 FLOW_OK);
	ck_assert_uint_eq(r.vm, VM_A1);
	ck_assert_int_eq(in(200, pkt(PROTO_TCP, REMOTE1, 443, PUB_B, rb.port, TCPF_ACK), 1, &r),
			 FLOW_OK);
	ck_assert_uint_eq(r.vm, VM_A2);
	/* The VNI is part of the key: tenant 200 cannot reach tenant 100's mapping. */
	ck_assert_int_eq(in(200, pkt(PROTO_TCP, REMOTE1, 443, PUB_A, ra.port, TCPF_ACK), 1, &r),
			 FLOW_DROP_NO_MAPPING);
}
END_TEST

START_TEST(test_static_forward)
{
	struct flow_result r;
	struct ct_entry *e;

	ck_assert(portmap_is_used(&ft.pm[0][0], 8080));
	ck_assert(portmap_is_used(&ft.pm[1][0], 8080));
	ck_assert_int_eq(in(100, pkt(PROTO_TCP, REMOTE1, 33000, PUB_A, 8080, TCPF_SYN), 5, &r),
			 FLOW_OK);
	ck_assert_uint_eq(r.vm, VM_A1);
	ck_assert_uint_eq(r.addr, VM_ADDR);
	ck_assert_uint_eq(r.port, 80);
	ck_assert_int_eq(in(200, pkt(PROTO_TCP, REMOTE1, 33000, PUB_B, 8080, TCPF_SYN), 5, &r),
			 FLOW_OK);
	ck_assert_uint_eq(r.vm, VM_A2);
	/* UDP to the same port is not forwarded. */
	ck_assert_int_eq(in(100, pkt(PROTO_UDP, REMOTE1, 33000, PUB_A, 8080, 0), 5, &r),
			 FLOW_DROP_NO_MAPPING);
	/* The reply leaves from the forward's public port. */
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_TCP, VM_ADDR, 80, REMOTE1, 33000,
					TCPF_SYN | TCPF_ACK), 6, &r), FLOW_OK);
	ck_assert_uint_eq(r.addr, PUB_A);
	ck_assert_uint_eq(r.port, 8080);
	/* A RST does not close it and it never expires. */
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_TCP, VM_ADDR, 80, REMOTE1, 33000, TCPF_RST), 7, &r),
			 FLOW_OK);
	e = entry(100, PROTO_TCP, 80);
	ck_assert_uint_eq(e->flags & CT_F_STATIC, CT_F_STATIC);
	ck_assert_uint_eq(e->state, CT_S_EST);
	ck_assert_uint_eq(flow_expire(&ft, 4000000000u, 100000), 0);
	ck_assert_ptr_eq(entry(100, PROTO_TCP, 80), e);
	/* A VM asking for the forward's port as its source gets another. */
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_TCP, VM_ADDR, 8080, REMOTE1, 443, TCPF_SYN), 8, &r),
			 FLOW_OK);
	ck_assert_uint_ne(r.port, 8080);
}
END_TEST

START_TEST(test_one_to_one)
{
	struct flow_result r;
	struct pkt_ip4 frag = pkt(PROTO_UDP, IP(198, 19, 0, 22), 0, REMOTE1, 0, 0);

	frag.has_ports = false;
	frag.is_frag = true;
	frag.frag_off = 1480;
	ck_assert_int_eq(out(VM_B2, pkt(PROTO_TCP, IP(198, 19, 0, 22), 5000, REMOTE1, 443,
					TCPF_SYN), 0, &r), FLOW_OK);
	ck_assert_uint_eq(r.addr, PUB_1TO1);
	ck_assert_uint_eq(r.has_port, 0);
	ck_assert_uint_eq(ct_count(ft.ct), 2);  /* no state */
	ck_assert_int_eq(out(VM_B2, frag, 0, &r), FLOW_OK);
	ck_assert_uint_eq(r.addr, PUB_1TO1);
	ck_assert_int_eq(out(VM_B2, pkt(47, IP(198, 19, 0, 22), 0, REMOTE1, 0, 0), 0, &r),
			 FLOW_OK);  /* GRE */
	/* Inbound: any protocol, fragments too; only in the VM's tenant. */
	frag.src = REMOTE1;
	frag.dst = PUB_1TO1;
	ck_assert_int_eq(in(200, frag, 0, &r), FLOW_OK);
	ck_assert_uint_eq(r.vm, VM_B2);
	ck_assert_uint_eq(r.addr, IP(198, 19, 0, 22));
	ck_assert_uint_eq(r.has_port, 0);
	ck_assert_int_eq(in(200, echo(ICMP_ECHO, REMOTE1, PUB_1TO1, 7), 0, &r), FLOW_OK);
	ck_assert_uint_eq(r.vm, VM_B2);
	ck_assert_int_eq(in(100, pkt(PROTO_TCP, REMOTE1, 1, PUB_1TO1, 22, TCPF_SYN), 0, &r),
			 FLOW_DROP_NO_MAPPING);
	ck_assert_uint_eq(ct_count(ft.ct), 2);
}
END_TEST

START_TEST(test_in_no_mapping)
{
	struct flow_result r;
	struct pkt_ip4 frag = pkt(PROTO_TCP, REMOTE1, 0, PUB_A, 0, 0);

	ck_assert_int_eq(in(100, pkt(PROTO_TCP, REMOTE1, 443, PUB_A, 5000, TCPF_SYN), 0, &r),
			 FLOW_DROP_NO_MAPPING);
	ck_assert_int_eq(in(100, pkt(PROTO_UDP, REMOTE1, 53, PUB_A, 5000, 0), 0, &r),
			 FLOW_DROP_NO_MAPPING);
	ck_assert_int_eq(in(100, echo(ICMP_ECHOREPLY, REMOTE1, PUB_A, 5000), 0, &r),
			 FLOW_DROP_NO_MAPPING);
	frag.has_ports = false;
	ck_assert_int_eq(in(100, frag, 0, &r), FLOW_DROP_UNSUPPORTED);
	ck_assert_int_eq(in(100, echo(ICMP_ECHO, REMOTE1, PUB_A, 5000), 0, &r),
			 FLOW_DROP_UNSUPPORTED);
	ck_assert_uint_eq(ct_count(ft.ct), 2);
}
END_TEST

START_TEST(test_out_unsupported_and_no_pool)
{
	struct flow_result r;
	struct pkt_ip4 frag = pkt(PROTO_UDP, VM_ADDR, 0, REMOTE1, 0, 0);

	frag.has_ports = false;
	ck_assert_int_eq(out(VM_A1, frag, 0, &r), FLOW_DROP_UNSUPPORTED);
	ck_assert_int_eq(out(VM_A1, pkt(47, VM_ADDR, 0, REMOTE1, 0, 0), 0, &r),
			 FLOW_DROP_UNSUPPORTED);
	ck_assert_int_eq(out(VM_A1, echo(ICMP_ECHOREPLY, VM_ADDR, REMOTE1, 9), 0, &r),
			 FLOW_DROP_UNSUPPORTED);
	ck_assert_int_eq(out(VM_C, pkt(PROTO_UDP, IP(198, 19, 0, 33), 5000, REMOTE1, 53, 0), 0,
			     &r), FLOW_DROP_NO_POOL);
	ck_assert_int_eq(out(NVMS, pkt(PROTO_UDP, VM_ADDR, 5000, REMOTE1, 53, 0), 0, &r),
			 FLOW_DROP_UNSUPPORTED);
	ck_assert_uint_eq(ct_count(ft.ct), 2);
}
END_TEST

START_TEST(test_icmp_echo)
{
	struct flow_result r, ri;
	struct ct_entry *e;

	ck_assert_int_eq(out(VM_A1, echo(ICMP_ECHO, VM_ADDR, REMOTE1, 7), 100, &r), FLOW_OK);
	ck_assert_uint_eq(r.addr, PUB_A);
	ck_assert_uint_ge(r.port, 1024);
	ck_assert(portmap_is_used(&ft.pm[0][2], r.port));
	ck_assert(!portmap_is_used(&ft.pm[0][1], r.port));
	e = entry(100, PROTO_ICMP, 7);
	ck_assert_uint_eq(e->expires, 160);
	ck_assert_int_eq(in(100, echo(ICMP_ECHOREPLY, REMOTE1, PUB_A, r.port), 101, &ri), FLOW_OK);
	ck_assert_uint_eq(ri.vm, VM_A1);
	ck_assert_uint_eq(ri.port, 7);
	ck_assert_uint_eq(e->expires, 160);
	ck_assert_uint_eq(flow_expire(&ft, 160, 1000), 1);
	ck_assert(!portmap_is_used(&ft.pm[0][2], r.port));
}
END_TEST

START_TEST(test_expiry_frees_port)
{
	struct flow_result r;
	uint32_t used = ft.pm[0][1].used;

	ck_assert_int_eq(out(VM_A1, pkt(PROTO_UDP, VM_ADDR, 5000, REMOTE1, 53, 0), 0, &r),
			 FLOW_OK);
	ck_assert_uint_eq(r.port, 5000);
	ck_assert_uint_eq(ft.pm[0][1].used, used + 1);
	/* Outbound refreshes: now 100 + 300. */
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_UDP, VM_ADDR, 5000, REMOTE1, 53, 0), 100, &r),
			 FLOW_OK);
	ck_assert_uint_eq(entry(100, PROTO_UDP, 5000)->expires, 400);
	/* Inbound does not. */
	ck_assert_int_eq(in(100, pkt(PROTO_UDP, REMOTE1, 53, PUB_A, 5000, 0), 200, &r), FLOW_OK);
	ck_assert_uint_eq(entry(100, PROTO_UDP, 5000)->expires, 400);
	ck_assert_uint_eq(entry(100, PROTO_UDP, 5000)->state, CT_S_EST);
	ck_assert_uint_eq(flow_expire(&ft, 399, 1000), 0);
	ck_assert(portmap_is_used(&ft.pm[0][1], 5000));
	ck_assert_uint_eq(flow_expire(&ft, 400, 1000), 1);
	ck_assert(!portmap_is_used(&ft.pm[0][1], 5000));
	ck_assert_uint_eq(ft.pm[0][1].used, used);
	ck_assert_ptr_null(entry(100, PROTO_UDP, 5000));
	ck_assert_int_eq(in(100, pkt(PROTO_UDP, REMOTE1, 53, PUB_A, 5000, 0), 401, &r),
			 FLOW_DROP_NO_MAPPING);
	ck_assert_uint_eq(ct_count(ft.ct), 2);
}
END_TEST

START_TEST(test_tcp_states)
{
	struct flow_result r;
	struct ct_entry *e;

	/* SYN out: syn_out, transitory timer. */
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_TCP, VM_ADDR, 5000, REMOTE1, 443, TCPF_SYN), 0, &r),
			 FLOW_OK);
	e = entry(100, PROTO_TCP, 5000);
	ck_assert_uint_eq(e->state, CT_S_SYN_OUT);
	ck_assert_uint_eq(e->expires, 240);
	/* SYN+ACK in: a SYN each way, established, timer set by the state change. */
	ck_assert_int_eq(in(100, pkt(PROTO_TCP, REMOTE1, 443, PUB_A, 5000, TCPF_SYN | TCPF_ACK),
			    10, &r), FLOW_OK);
	ck_assert_uint_eq(e->state, CT_S_EST);
	ck_assert_uint_eq(e->expires, 10 + 7440);
	/* More inbound traffic does not refresh; outbound does. */
	ck_assert_int_eq(in(100, pkt(PROTO_TCP, REMOTE1, 443, PUB_A, 5000, TCPF_ACK), 50, &r),
			 FLOW_OK);
	ck_assert_uint_eq(e->expires, 10 + 7440);
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_TCP, VM_ADDR, 5000, REMOTE1, 443, TCPF_ACK), 60, &r),
			 FLOW_OK);
	ck_assert_uint_eq(e->expires, 60 + 7440);
	/* FIN from the VM: half closed, still the established timer (RFC 6146). */
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_TCP, VM_ADDR, 5000, REMOTE1, 443,
					TCPF_FIN | TCPF_ACK), 70, &r), FLOW_OK);
	ck_assert_uint_eq(e->state, CT_S_FIN_OUT);
	ck_assert_uint_eq(e->expires, 70 + 7440);
	/* Then from outside: closing, transitory timer. */
	ck_assert_int_eq(in(100, pkt(PROTO_TCP, REMOTE1, 443, PUB_A, 5000, TCPF_FIN | TCPF_ACK),
			    80, &r), FLOW_OK);
	ck_assert_uint_eq(e->state, CT_S_CLOSING);
	ck_assert_uint_eq(e->expires, 80 + 240);
	/* The last ACK from the VM refreshes by the closing state. */
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_TCP, VM_ADDR, 5000, REMOTE1, 443, TCPF_ACK), 90, &r),
			 FLOW_OK);
	ck_assert_uint_eq(e->state, CT_S_CLOSING);
	ck_assert_uint_eq(e->expires, 90 + 240);
	ck_assert_uint_eq(flow_expire(&ft, 329, 1000), 0);
	ck_assert_uint_eq(flow_expire(&ft, 330, 1000), 1);
	ck_assert_ptr_null(entry(100, PROTO_TCP, 5000));
	ck_assert(!portmap_is_used(&ft.pm[0][0], 5000));
}
END_TEST

START_TEST(test_tcp_simultaneous_open)
{
	struct flow_result r;
	struct ct_entry *e;

	/* Both ends send a bare SYN; the peer's crosses ours. */
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_TCP, VM_ADDR, 5000, REMOTE1, 443, TCPF_SYN), 0, &r),
			 FLOW_OK);
	e = entry(100, PROTO_TCP, 5000);
	ck_assert_int_eq(in(100, pkt(PROTO_TCP, REMOTE1, 443, PUB_A, 5000, TCPF_SYN), 5, &r),
			 FLOW_OK);
	ck_assert_uint_eq(r.vm, VM_A1);
	ck_assert_uint_eq(r.port, 5000);
	ck_assert_uint_eq(e->state, CT_S_EST);
	ck_assert_uint_eq(e->expires, 5 + 7440);
	/* The SYN+ACKs that follow change nothing. */
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_TCP, VM_ADDR, 5000, REMOTE1, 443,
					TCPF_SYN | TCPF_ACK), 6, &r), FLOW_OK);
	ck_assert_uint_eq(e->state, CT_S_EST);
	ck_assert_uint_eq(e->expires, 6 + 7440);
}
END_TEST

START_TEST(test_tcp_rst_and_fin_order)
{
	struct flow_result r;
	struct ct_entry *e;

	/* RST from outside on an established mapping: transitory, not removed. */
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_TCP, VM_ADDR, 5001, REMOTE1, 443, TCPF_SYN), 0, &r),
			 FLOW_OK);
	e = entry(100, PROTO_TCP, 5001);
	in(100, pkt(PROTO_TCP, REMOTE1, 443, PUB_A, r.port, TCPF_SYN | TCPF_ACK), 1, &r);
	ck_assert_uint_eq(e->state, CT_S_EST);
	in(100, pkt(PROTO_TCP, REMOTE1, 443, PUB_A, 5001, TCPF_RST), 20, &r);
	ck_assert_uint_eq(e->state, CT_S_RST);
	ck_assert_uint_eq(e->expires, 20 + 240);
	ck_assert_uint_eq(flow_expire(&ft, 21, 1000), 0);
	ck_assert_ptr_nonnull(entry(100, PROTO_TCP, 5001));
	/* The connection goes on (the RST was forged): established again (RFC 7857 s2.2). */
	out(VM_A1, pkt(PROTO_TCP, VM_ADDR, 5001, REMOTE1, 443, TCPF_ACK), 25, &r);
	ck_assert_uint_eq(e->state, CT_S_EST);
	ck_assert_uint_eq(e->expires, 25 + 7440);
	/* RST again, then the VM opens again from the same port: a new connection. */
	in(100, pkt(PROTO_TCP, REMOTE1, 443, PUB_A, 5001, TCPF_RST | TCPF_ACK), 28, &r);
	ck_assert_uint_eq(e->state, CT_S_RST);
	out(VM_A1, pkt(PROTO_TCP, VM_ADDR, 5001, REMOTE1, 443, TCPF_SYN), 30, &r);
	ck_assert_uint_eq(e->state, CT_S_SYN_OUT);
	ck_assert_uint_eq(e->expires, 30 + 240);
	ck_assert_uint_eq(r.port, 5001);

	/* RST from the VM; the RST state expires on the transitory timer. */
	out(VM_A1, pkt(PROTO_TCP, VM_ADDR, 5002, REMOTE1, 443, TCPF_SYN), 0, &r);
	e = entry(100, PROTO_TCP, 5002);
	out(VM_A1, pkt(PROTO_TCP, VM_ADDR, 5002, REMOTE1, 443, TCPF_RST), 5, &r);
	ck_assert_uint_eq(e->state, CT_S_RST);
	ck_assert_uint_eq(e->expires, 5 + 240);

	/* FIN from outside first, then from the VM. */
	out(VM_A1, pkt(PROTO_TCP, VM_ADDR, 5003, REMOTE1, 443, TCPF_SYN), 0, &r);
	e = entry(100, PROTO_TCP, 5003);
	in(100, pkt(PROTO_TCP, REMOTE1, 443, PUB_A, 5003, TCPF_SYN | TCPF_ACK), 1, &r);
	in(100, pkt(PROTO_TCP, REMOTE1, 443, PUB_A, 5003, TCPF_FIN | TCPF_ACK), 2, &r);
	ck_assert_uint_eq(e->state, CT_S_FIN_IN);
	ck_assert_uint_eq(e->expires, 2 + 7440);
	out(VM_A1, pkt(PROTO_TCP, VM_ADDR, 5003, REMOTE1, 443, TCPF_FIN | TCPF_ACK), 3, &r);
	ck_assert_uint_eq(e->state, CT_S_CLOSING);
	ck_assert_uint_eq(e->expires, 3 + 240);
	/* Closing, then a new bare SYN from the VM on the same port. */
	out(VM_A1, pkt(PROTO_TCP, VM_ADDR, 5003, REMOTE1, 443, TCPF_SYN), 4, &r);
	ck_assert_uint_eq(e->state, CT_S_SYN_OUT);
}
END_TEST

START_TEST(test_tcp_midstream)
{
	struct flow_result r;
	struct ct_entry *e;

	/* A mapping made by an ACK (its state was lost): new, transitory, until answered. */
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_TCP, VM_ADDR, 5004, REMOTE1, 443, TCPF_ACK), 0, &r),
			 FLOW_OK);
	e = entry(100, PROTO_TCP, 5004);
	ck_assert_uint_eq(e->state, CT_S_NEW);
	ck_assert_uint_eq(e->expires, 240);
	in(100, pkt(PROTO_TCP, REMOTE1, 443, PUB_A, 5004, TCPF_ACK), 3, &r);
	ck_assert_uint_eq(e->state, CT_S_EST);
	ck_assert_uint_eq(e->expires, 3 + 7440);
}
END_TEST

/* Address-dependent filtering: the conf is switched before the traffic. */
START_TEST(test_filtering_address_dependent)
{
	struct flow_result r;
	struct ct_entry *e;

	conf.filtering = HOST_FILTER_ADF;
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_UDP, VM_ADDR, 5000, REMOTE1, 53, 0), 0, &r), FLOW_OK);
	e = entry(100, PROTO_UDP, 5000);
	/* From the address sent to, any port: accepted. */
	ck_assert_int_eq(in(100, pkt(PROTO_UDP, REMOTE1, 9999, PUB_A, 5000, 0), 1, &r), FLOW_OK);
	/* From another address: filtered, and the state does not move. */
	e->state = CT_S_NEW;
	ck_assert_int_eq(in(100, pkt(PROTO_UDP, REMOTE2, 53, PUB_A, 5000, 0), 2, &r),
			 FLOW_DROP_FILTERED);
	ck_assert_uint_eq(e->state, CT_S_NEW);
	/* Once the VM sent there, accepted. */
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_UDP, VM_ADDR, 5000, REMOTE2, 53, 0), 3, &r), FLOW_OK);
	ck_assert_int_eq(in(100, pkt(PROTO_UDP, REMOTE2, 53, PUB_A, 5000, 0), 4, &r), FLOW_OK);
	/* A TCP RST from a stranger cannot close a mapping. */
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_TCP, VM_ADDR, 6000, REMOTE1, 443, TCPF_SYN), 5, &r),
			 FLOW_OK);
	ck_assert_int_eq(in(100, pkt(PROTO_TCP, REMOTE2, 443, PUB_A, 6000, TCPF_RST), 6, &r),
			 FLOW_DROP_FILTERED);
	ck_assert_uint_eq(entry(100, PROTO_TCP, 6000)->state, CT_S_SYN_OUT);
	/* An unsolicited SYN to a mapping from a stranger: dropped silently (RFC 5382 REQ-4). */
	ck_assert_int_eq(in(100, pkt(PROTO_TCP, REMOTE2, 80, PUB_A, 6000, TCPF_SYN), 7, &r),
			 FLOW_DROP_FILTERED);
	/* Static forwards and 1:1 addresses are not filtered. */
	ck_assert_int_eq(in(100, pkt(PROTO_TCP, REMOTE2, 33000, PUB_A, 8080, TCPF_SYN), 8, &r),
			 FLOW_OK);
	ck_assert_int_eq(in(200, pkt(PROTO_TCP, REMOTE2, 1, PUB_1TO1, 22, TCPF_SYN), 8, &r),
			 FLOW_OK);
}
END_TEST

START_TEST(test_filtering_endpoint_independent)
{
	struct flow_result r;

	ck_assert_uint_eq(conf.filtering, HOST_FILTER_EIF);
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_UDP, VM_ADDR, 5000, REMOTE1, 53, 0), 0, &r), FLOW_OK);
	ck_assert_int_eq(in(100, pkt(PROTO_UDP, REMOTE2, 53, PUB_A, 5000, 0), 1, &r), FLOW_OK);
	ck_assert_uint_eq(r.vm, VM_A1);
}
END_TEST

/* The mapping remembers the last CT_PEERS addresses, oldest replaced first. */
START_TEST(test_filtering_peer_ring)
{
	struct flow_result r;
	uint32_t i;

	conf.filtering = HOST_FILTER_ADF;
	for (i = 0; i <= CT_PEERS; i++)
		ck_assert_int_eq(out(VM_A1, pkt(PROTO_UDP, VM_ADDR, 5000, IP(192, 0, 2, 100 + i),
						53, 0), i, &r), FLOW_OK);
	/* A repeat does not take a slot. */
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_UDP, VM_ADDR, 5000, IP(192, 0, 2, 100 + CT_PEERS),
					53, 0), 20, &r), FLOW_OK);
	ck_assert_int_eq(in(100, pkt(PROTO_UDP, IP(192, 0, 2, 100), 53, PUB_A, 5000, 0), 21, &r),
			 FLOW_DROP_FILTERED);
	for (i = 1; i <= CT_PEERS; i++)
		ck_assert_int_eq(in(100, pkt(PROTO_UDP, IP(192, 0, 2, 100 + i), 53, PUB_A, 5000, 0),
				    21, &r), FLOW_OK);
}
END_TEST

START_TEST(test_ports_exhausted)
{
	struct flow_result r;
	uint16_t p1, p2;

	flow_destroy(&ft);
	conf_setup(2000, 2001, 1024);
	conf.nfwds = 0;
	ck_assert_int_eq(flow_init(&ft, &conf, 7), 0);
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_UDP, VM_ADDR, 1, REMOTE1, 53, 0), 0, &r), FLOW_OK);
	p1 = r.port;
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_UDP, VM_ADDR, 2, REMOTE1, 53, 0), 0, &r), FLOW_OK);
	p2 = r.port;
	ck_assert_uint_ne(p1, p2);
	ck_assert_uint_ge(p1 < p2 ? p1 : p2, 2000);
	ck_assert_uint_le(p1 > p2 ? p1 : p2, 2001);
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_UDP, VM_ADDR, 3, REMOTE1, 53, 0), 0, &r),
			 FLOW_DROP_PORTS_FULL);
	ck_assert_uint_eq(ct_count(ft.ct), 2);
	/* Other protocols and tenants have their own ports. */
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_TCP, VM_ADDR, 3, REMOTE1, 53, TCPF_SYN), 0, &r),
			 FLOW_OK);
	ck_assert_int_eq(out(VM_A2, pkt(PROTO_UDP, VM_ADDR, 3, REMOTE1, 53, 0), 0, &r), FLOW_OK);
	/* Expiry makes room. */
	ck_assert_uint_eq(flow_expire(&ft, 300, 1000), 4);
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_UDP, VM_ADDR, 3, REMOTE1, 53, 0), 300, &r),
			 FLOW_OK);
}
END_TEST

START_TEST(test_table_full)
{
	struct flow_result r;
	uint32_t used;

	flow_destroy(&ft);
	conf_setup(1024, 32767, 4);     /* two static forwards + two mappings */
	ck_assert_int_eq(flow_init(&ft, &conf, 7), 0);
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_UDP, VM_ADDR, 5000, REMOTE1, 53, 0), 0, &r), FLOW_OK);
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_UDP, VM_ADDR, 5001, REMOTE1, 53, 0), 0, &r), FLOW_OK);
	used = ft.pm[0][1].used;
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_UDP, VM_ADDR, 5002, REMOTE1, 53, 0), 0, &r),
			 FLOW_DROP_TABLE_FULL);
	/* The port chosen for the failed mapping went back. */
	ck_assert_uint_eq(ft.pm[0][1].used, used);
	ck_assert(!portmap_is_used(&ft.pm[0][1], 5002));
	/* Existing mappings still work. */
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_UDP, VM_ADDR, 5001, REMOTE1, 53, 0), 0, &r), FLOW_OK);
	ck_assert_uint_eq(r.port, 5001);
}
END_TEST

START_TEST(test_init_too_small)
{
	flow_destroy(&ft);
	conf_setup(1024, 32767, 1);     /* room for one of the two forwards */
	ck_assert_int_eq(flow_init(&ft, &conf, 7), -1);
	ck_assert_ptr_null(ft.ct);
	ck_assert_ptr_null(ft.pm);
	conf_setup(1024, 32767, 2);
	ck_assert_int_eq(flow_init(&ft, &conf, 0), 0);
}
END_TEST

START_TEST(test_drop_str)
{
	ck_assert_str_eq(flow_drop_str(FLOW_DROP_NO_POOL), "no_pool");
	ck_assert_str_eq(flow_drop_str(FLOW_DROP_PORTS_FULL), "ports_full");
	ck_assert_str_eq(flow_drop_str(FLOW_DROP_TABLE_FULL), "table_full");
	ck_assert_str_eq(flow_drop_str(FLOW_DROP_NO_MAPPING), "no_mapping");
	ck_assert_str_eq(flow_drop_str(FLOW_DROP_UNSUPPORTED), "unsupported");
	ck_assert_str_eq(flow_drop_str(FLOW_DROP__N), "unknown");
}
END_TEST

/* Many 1:1 VMs: each found by its own address (the lookup is not a scan of VM 0 only). */
START_TEST(test_many_one_to_one)
{
	static struct host_vm many[300];
	static struct host_conf c = { .vms = many, .nvms = 300, .max_entries = 16,
				      .timeout = { 1, 1, 1, 1 } };
	struct flow_result r;
	struct pkt_ip4 pi;
	uint32_t i;

	flow_destroy(&ft);
	for (i = 0; i < 300; i++)
		many[i] = (struct host_vm){ .vni = 100 + i % 3, .addr = IP(198, 19, 1, 0) + i,
					    .public_addr = IP(198, 18, 4, 0) + (i * 7919) % 300 };
	ck_assert_int_eq(flow_init(&ft, &c, 1), 0);
	for (i = 0; i < 300; i++) {
		pi = pkt(PROTO_UDP, REMOTE1, 1, many[i].public_addr, 2, 0);
		ck_assert_int_eq(flow_in(&ft, many[i].vni, &pi, 0, &r), FLOW_OK);
		ck_assert_uint_eq(r.vm, i);
		ck_assert_uint_eq(r.addr, many[i].addr);
	}
}
END_TEST

/* A reload: live mappings move to the new table; what the new config rules out does not. */
START_TEST(test_migrate)
{
	static struct host_vm nvms[2];
	struct host_conf nc;
	struct flowtab nft;
	struct flow_result r;
	struct pkt_ip4 pi;
	uint32_t lost = 99;
	uint16_t pa1, pa1b;

	ck_assert_int_eq(out(VM_A1, pkt(PROTO_UDP, VM_ADDR, 5000, REMOTE1, 53, 0), 10, &r), FLOW_OK);
	pa1 = r.port;
	ck_assert(r.created);
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_UDP, VM_ADDR, 5001, REMOTE1, 53, 0), 10, &r), FLOW_OK);
	pa1b = r.port;
	ck_assert_int_eq(out(VM_A2, pkt(PROTO_UDP, VM_ADDR, 5000, REMOTE1, 53, 0), 10, &r), FLOW_OK);
	/* New config: vm-a2 gone, vm-a1 now second in the list, no forwards. */
	nc = conf;
	nvms[0] = (struct host_vm){ .name = "vm-new", .vni = 100, .addr = IP(198, 19, 0, 44) };
	nvms[1] = vms[VM_A1];
	nc.vms = nvms;
	nc.nvms = 2;
	nc.nfwds = 0;
	ck_assert_int_eq(flow_init(&nft, &nc, 7), 0);
	ck_assert_uint_eq(flow_migrate(&nft, &ft, &lost), 2);
	ck_assert_uint_eq(lost, 1);
	pi = pkt(PROTO_UDP, REMOTE1, 53, PUB_A, pa1, 0);
	ck_assert_int_eq(flow_in(&nft, 100, &pi, 11, &r), FLOW_OK);
	ck_assert_uint_eq(r.vm, 1);
	ck_assert_uint_eq(r.port, 5000);
	pi = pkt(PROTO_UDP, REMOTE1, 53, PUB_A, pa1b, 0);
	ck_assert_int_eq(flow_in(&nft, 100, &pi, 11, &r), FLOW_OK);
	ck_assert_uint_eq(r.port, 5001);
	/* The static forward was removed; its port is free again. */
	pi = pkt(PROTO_TCP, REMOTE1, 1, PUB_A, 8080, TCPF_SYN);
	ck_assert_int_eq(flow_in(&nft, 100, &pi, 11, &r), FLOW_DROP_NO_MAPPING);
	/* A moved mapping keeps its port: the same VM endpoint maps the same way. */
	pi = pkt(PROTO_UDP, VM_ADDR, 5000, REMOTE2, 9, 0);
	ck_assert_int_eq(flow_out(&nft, 1, &pi, 12, &r), FLOW_OK);
	ck_assert_uint_eq(r.port, pa1);
	ck_assert(!r.created);
	flow_destroy(&nft);
}
END_TEST

/* RFC 6888 REQ-4: a VM at its quota gets no more mappings; an expiry frees room. */
START_TEST(test_vm_quota)
{
	struct flow_result r;
	uint16_t port;

	conf.vm_quota = 3;
	for (port = 1000; port < 1003; port++)
		ck_assert_int_eq(out(VM_A1, pkt(PROTO_UDP, VM_ADDR, port, REMOTE1, 53, 0), 10, &r),
				 FLOW_OK);
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_UDP, VM_ADDR, 1003, REMOTE1, 53, 0), 10, &r),
			 FLOW_DROP_QUOTA);
	ck_assert_str_eq(flow_drop_str(FLOW_DROP_QUOTA), "vm_quota");
	/* Existing mappings still work, and other VMs are not affected. */
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_UDP, VM_ADDR, 1000, REMOTE2, 9, 0), 10, &r), FLOW_OK);
	ck_assert_int_eq(out(VM_A2, pkt(PROTO_UDP, VM_ADDR, 1003, REMOTE1, 53, 0), 10, &r), FLOW_OK);
	/* After the timeout the VM's mappings expire and it may map again. */
	flow_expire(&ft, 10 + 301, 100000);
	ck_assert_int_eq(out(VM_A1, pkt(PROTO_UDP, VM_ADDR, 1003, REMOTE1, 53, 0), 400, &r),
			 FLOW_OK);
	conf.vm_quota = 0;
}
END_TEST

static Suite *flow_suite(void)
{
	Suite *s = suite_create("flow");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_out_creates_mapping);
	tcase_add_test(tc, test_endpoint_independent);
	tcase_add_test(tc, test_two_tenants);
	tcase_add_test(tc, test_static_forward);
	tcase_add_test(tc, test_one_to_one);
	tcase_add_test(tc, test_in_no_mapping);
	tcase_add_test(tc, test_out_unsupported_and_no_pool);
	tcase_add_test(tc, test_icmp_echo);
	tcase_add_test(tc, test_expiry_frees_port);
	tcase_add_test(tc, test_tcp_states);
	tcase_add_test(tc, test_tcp_rst_and_fin_order);
	tcase_add_test(tc, test_tcp_simultaneous_open);
	tcase_add_test(tc, test_tcp_midstream);
	tcase_add_test(tc, test_filtering_address_dependent);
	tcase_add_test(tc, test_filtering_endpoint_independent);
	tcase_add_test(tc, test_filtering_peer_ring);
	tcase_add_test(tc, test_ports_exhausted);
	tcase_add_test(tc, test_table_full);
	tcase_add_test(tc, test_init_too_small);
	tcase_add_test(tc, test_drop_str);
	tcase_add_test(tc, test_many_one_to_one);
	tcase_add_test(tc, test_migrate);
	tcase_add_test(tc, test_vm_quota);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(flow_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
