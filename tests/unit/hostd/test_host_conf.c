// SPDX-License-Identifier: MIT
/* test_host_conf.c - unit tests for hostd's YAML configuration: lab files, errors, round trips. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_conf.h"
#include "pkt.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

/* A valid config; line numbers of the cases below count from its first line. */
#define BASE \
	"listen: 198.18.0.11\n"                 /* 1 */ \
	"edges:\n"                              /* 2 */ \
	"  - address: 198.18.0.1\n"             /* 3 */ \
	"pools:\n"                              /* 4 */ \
	"  - vni: 100\n"                        /* 5 */ \
	"    public: 203.0.113.10\n"            /* 6 */ \
	"    ports: 1024-32767\n"               /* 7 */ \
	"vms:\n"                                /* 8 */ \
	"  - name: vm-a1\n"                     /* 9 */ \
	"    vni: 100\n"                        /* 10 */ \
	"    tap: eth0\n"                       /* 11 */ \
	"    address: 198.19.0.11\n"            /* 12 */ \
	"    mac: 02:5a:00:00:0a:01\n"          /* 13 */ \
	"    gateway: 198.19.0.1\n"             /* 14 */

/* A second VM starting at line 15 (after BASE). */
#define VM2(name, vni, tap, addr) \
	"  - name: " name "\n"                  /* 15 */ \
	"    vni: " vni "\n"                    /* 16 */ \
	"    tap: " tap "\n"                    /* 17 */ \
	"    address: " addr "\n"               /* 18 */ \
	"    mac: 02:5a:00:00:0a:02\n"          /* 19 */ \
	"    gateway: 198.19.0.1\n"             /* 20 */

/* One forward starting at line 15 (after BASE). */
#define FWD(pub, proto, vm, port) \
	"forwards:\n"                           /* 15 */ \
	"  - public: " pub "\n"                 /* 16 */ \
	"    proto: " proto "\n"                /* 17 */ \
	"    vm: " vm "\n"                      /* 18 */ \
	"    port: " port "\n"                  /* 19 */

static int parse(struct host_conf *c, const char *text, struct yerr *err)
{
	memset(err, 0, sizeof(*err));
	return host_conf_parse(c, "t.yaml", text, strlen(text), err);
}

struct bad_case {
	const char *text;
	const char *msg;        /* expected substring of the error, with position */
};

static const struct bad_case bad_cases[] = {
	{ BASE "colour: blue\n", "t.yaml:15:1: unknown key 'colour'" },
	{ "listen: 198.18.0.11\nedges: [ { address: 198.18.0.1 } ]\nlisten: 198.18.0.12\n",
	  "t.yaml:3:1: duplicate key 'listen' (first at line 1)" },
	{ "edges: [ { address: 198.18.0.1 } ]\n", "t.yaml:1:1: missing required key 'listen'" },
	{ "listen: 198.18.0.11\nedges: []\n", "t.yaml:2:8: edges: at least one edge is required" },
	{ "listen: 198.18.0.11\nedges:\n", "t.yaml:2:7: expected a sequence, found a scalar" },
	{ "listen: 198.18.0.256\nedges: [ { address: 198.18.0.1 } ]\n",
	  "t.yaml:1:9: invalid IPv4 address '198.18.0.256'" },
	{ "listen: 0.0.0.0\nedges: [ { address: 198.18.0.1 } ]\n",
	  "t.yaml:1:9: invalid address '0.0.0.0' (not a unicast address)" },
	{ "listen: [198.18.0.11\nedges: []\n", "t.yaml:2:6: did not find expected ',' or ']'" },
	{ "listen: 198.18.0.11\n  edges: []\n", "t.yaml:2:8: mapping values are not allowed" },
	{ "", "t.yaml:1:1: empty configuration" },
	{ BASE "batch: 129\n", "t.yaml:15:8: invalid number '129' (expected 1..128)" },
	{ BASE "busy_poll: 1000001\n", "t.yaml:15:12: invalid number '1000001' (expected 0..1000000)" },
	{ BASE "busy_poll: -5\n", "t.yaml:15:12: invalid number '-5' (expected 0..1000000)" },
	{ BASE "max_entries: 0\n", "t.yaml:15:14: invalid number '0' (expected 1..16777216)" },
	{ BASE "port: 6081x\n", "t.yaml:15:7: invalid number '6081x' (expected 1..65535)" },
	{ BASE "metrics: localhost:9750\n",
	  "t.yaml:15:10: invalid metrics address 'localhost:9750'" },
	{ BASE "gateway_mac: 01:00:5e:00:00:01\n",
	  "t.yaml:15:14: invalid MAC address '01:00:5e:00:00:01' (not a unicast address)" },
	{ BASE "timeouts: { udp: 0 }\n", "t.yaml:15:18: invalid number '0' (expected 1..86400)" },
	{ BASE "timeouts: { icmp: 86401 }\n",
	  "t.yaml:15:19: invalid number '86401' (expected 1..86400)" },
	{ BASE "timeouts: { tcp: 60 }\n", "t.yaml:15:13: unknown key 'tcp'" },
	{ BASE "timeouts: 60\n", "t.yaml:15:11: expected a mapping, found a scalar" },
	{ BASE "edge_probe: { interval: 200, down_after: 399 }\n",
	  "t.yaml:15:13: edge_probe: down_after (399 ms) must be at least twice the interval "
	  "(200 ms)" },
	{ BASE "edge_probe: { interval: 600001 }\n",
	  "t.yaml:15:25: invalid number '600001' (expected 0..600000)" },
	{ BASE "edge_probe: { down_after: 0 }\n",
	  "t.yaml:15:27: invalid number '0' (expected 1..600000)" },
	{ BASE "edge_probe: { every: 1 }\n", "t.yaml:15:15: unknown key 'every'" },
	/* VMs */
	{ BASE "  - name: vm-b\n    vni: 100\n    tap: eth1\n    address: 198.19.0.12\n"
	  "    mac: 02:5a:00:00:0a\n    gateway: 198.19.0.1\n",
	  "t.yaml:19:10: invalid MAC address '02:5a:00:00:0a'" },
	{ BASE "  - name: vm-b\n    vni: 100\n    tap: eth1\n    address: 198.19.0.12\n",
	  "t.yaml:15:5: missing required key 'mac'" },
	{ BASE "  - name: vm-b\n    vni: 16777216\n",
	  "t.yaml:16:10: invalid number '16777216' (expected 1..16777215)" },
	{ BASE "  - name: vm-b\n    vni: 0\n",
	  "t.yaml:16:10: invalid number '0' (expected 1..16777215)" },
	{ "state_file: run/x.state\n", "t.yaml:1:13: invalid state file (an absolute path) 'run/x.state'" },
	{ "user: 'a b'\n", "t.yaml:1:7: invalid user 'a b'" },
	{ BASE VM2("vm-a1", "100", "eth1", "198.19.0.12"),
	  "t.yaml:15:5: duplicate VM name 'vm-a1' (first at line 9)" },
	{ BASE VM2("vm-a2", "100", "eth1", "198.19.0.11"),
	  "t.yaml:15:5: VM 'vm-a2': address 198.19.0.11 already used in VNI 100 by VM 'vm-a1'" },
	{ BASE VM2("vm-a2", "100", "eth0", "198.19.0.12"),
	  "t.yaml:15:5: VM 'vm-a2': tap 'eth0' already used in netns '' by VM 'vm-a1'" },
	{ BASE VM2("vm-a2", "100", "eth0123456789abcdef", "198.19.0.12"),
	  "t.yaml:17:10: value 'eth0123456789abcdef' too long (at most 15 characters)" },
	{ BASE VM2("vm-a2", "100", "\"eth 1\"", "198.19.0.12"),
	  "t.yaml:17:10: invalid interface name 'eth 1'" },
	{ BASE VM2("vm-c", "300", "eth1", "198.19.0.12"),
	  "t.yaml:15:5: VM 'vm-c': no pool for VNI 300 and no 1:1 address" },
	/* pools */
	{ "listen: 198.18.0.11\nedges: [ { address: 198.18.0.1 } ]\npools:\n"
	  "  - { vni: 100, public: 203.0.113.10, ports: 1024-32767 }\n"
	  "  - { vni: 200, public: 203.0.113.10, ports: 30000-40000 }\n",
	  "t.yaml:5:5: pool 203.0.113.10 ports 30000-40000 overlap ports 1024-32767 (line 4)" },
	{ "listen: 198.18.0.11\nedges: [ { address: 198.18.0.1 } ]\npools:\n"
	  "  - { vni: 100, public: 203.0.113.10, ports: 1024-2047 }\n"
	  "  - { vni: 100, public: 203.0.113.10, ports: 2047-3000 }\n",
	  "t.yaml:5:5: pool 203.0.113.10 ports 2047-3000 overlap ports 1024-2047 (line 4)" },
	{ "listen: 198.18.0.11\nedges: [ { address: 198.18.0.1 } ]\npools:\n"
	  "  - { vni: 100, public: 203.0.113.10, ports: 32767-1024 }\n",
	  "t.yaml:4:46: invalid port range '32767-1024'" },
	{ "listen: 198.18.0.11\nedges: [ { address: 198.18.0.1 }, { address: 198.18.0.1 } ]\n",
	  "t.yaml:2:35: duplicate edge 198.18.0.1 (first at line 2)" },
	/* forwards */
	{ BASE FWD("203.0.113.10:8080", "tcp", "vm-zz", "80"), "t.yaml:18:9: unknown VM 'vm-zz'" },
	{ BASE FWD("203.0.113.10:80", "tcp", "vm-a1", "80"),
	  "t.yaml:16:5: forward port 80 outside the ports of VNI 100 on 203.0.113.10" },
	{ BASE FWD("203.0.113.11:8080", "tcp", "vm-a1", "80"),
	  "t.yaml:16:5: forward address 203.0.113.11 is not a pool address of VNI 100" },
	{ BASE FWD("203.0.113.10:8080", "icmp", "vm-a1", "80"),
	  "t.yaml:17:12: invalid protocol 'icmp' (forwards are tcp or udp)" },
	{ BASE FWD("203.0.113.10:8080", "tcp", "vm-a1", "0"),
	  "t.yaml:19:11: invalid number '0' (expected 1..65535)" },
	{ BASE FWD("203.0.113.10", "tcp", "vm-a1", "80"),
	  "t.yaml:16:13: invalid address '203.0.113.10' (expected a.b.c.d:port" },
	{ BASE FWD("203.0.113.10:8080", "tcp", "vm-a1", "80")
	  "  - { public: 203.0.113.10:8080, proto: tcp, vm: vm-a1, port: 81 }\n",
	  "t.yaml:20:5: duplicate forward of 203.0.113.10:8080/tcp (first at line 16)" },
	{ BASE FWD("203.0.113.10:8080", "tcp", "vm-a1", "80")
	  "  - { public: 203.0.113.10:8081, proto: tcp, vm: vm-a1, port: 80 }\n",
	  "t.yaml:20:5: VM 'vm-a1' port 80/tcp is already forwarded (line 16)" },
	{ BASE FWD("203.0.113.10:8080", "tcp", "vm-a1", "80")
	  "one_to_one: [ { public: 203.0.113.20, vm: vm-a1 } ]\n",
	  "t.yaml:16:5: forward to VM 'vm-a1', which has a 1:1 address" },
	/* one_to_one */
	{ BASE "one_to_one: [ { public: 203.0.113.10, vm: vm-a1 } ]\n",
	  "t.yaml:15:15: 1:1 address 203.0.113.10 is a pool address (line 5)" },
	{ BASE VM2("vm-b", "200", "eth1", "198.19.0.12")
	  "one_to_one:\n  - { public: 203.0.113.20, vm: vm-a1 }\n"
	  "  - { public: 203.0.113.20, vm: vm-b }\n",
	  "t.yaml:23:5: 1:1 address 203.0.113.20 already used by VM 'vm-a1' (line 22)" },
	{ BASE "one_to_one:\n  - { public: 203.0.113.20, vm: vm-a1 }\n"
	  "  - { public: 203.0.113.21, vm: vm-a1 }\n",
	  "t.yaml:17:33: VM 'vm-a1' already has a 1:1 address (line 16)" },
	{ BASE "one_to_one: [ { public: 203.0.113.20, vm: nobody } ]\n",
	  "t.yaml:15:43: unknown VM 'nobody'" },
};

START_TEST(test_bad_config)
{
	const struct bad_case *bc = &bad_cases[_i];
	struct host_conf c;
	struct yerr err;

	ck_assert_int_eq(parse(&c, bc->text, &err), -1);
	ck_assert_msg(strstr(err.msg, bc->msg), "case %d: got \"%s\", want \"%s\"", _i, err.msg,
		      bc->msg);
	/* On failure the config is freed and zeroed already. */
	ck_assert_ptr_null(c.vms);
	ck_assert_ptr_null(c.edges);
}
END_TEST

START_TEST(test_minimal_defaults)
{
	struct host_conf c;
	struct yerr err;
	static const uint8_t gw[6] = { 0x02, 0x5a, 0, 0, 0, 1 };

	ck_assert_int_eq(parse(&c, BASE, &err), 0);
	ck_assert_str_eq(c.file, "t.yaml");
	ck_assert_str_eq(c.name, "");
	ck_assert_uint_eq(c.local, IP(198, 18, 0, 11));
	ck_assert_uint_eq(c.port, 6081);
	ck_assert_mem_eq(c.gw_mac, gw, 6);
	ck_assert_str_eq(c.control, "/run/spat/hostd.sock");
	ck_assert_str_eq(c.metrics, "");
	ck_assert_uint_eq(c.batch, 128);
	ck_assert_uint_eq(c.busy_poll, 0);
	ck_assert_uint_eq(c.max_entries, 262144);
	ck_assert_uint_eq(c.timeout.udp, 300);
	ck_assert_uint_eq(c.timeout.tcp_est, 7440);
	ck_assert_uint_eq(c.timeout.tcp_trans, 240);
	ck_assert_uint_eq(c.timeout.icmp, 60);
	ck_assert_uint_eq(c.probe_interval_ms, 200);
	ck_assert_uint_eq(c.probe_down_ms, 800);
	ck_assert_uint_eq(c.nfwds, 0);
	ck_assert_str_eq(c.vms[0].netns, "");
	ck_assert_uint_eq(c.vms[0].public_addr, 0);
	ck_assert_int_eq(c.vms[0].pos.line, 9);
	ck_assert_int_eq(c.vms[0].pos.col, 5);
	host_conf_free(&c);
	host_conf_free(&c);     /* twice is harmless */
}
END_TEST

/* Two tenants may share an address, and a tap name in different namespaces. */
START_TEST(test_shared_address_and_tap)
{
	struct host_conf c;
	struct yerr err;
	const char *text = BASE VM2("vm-a2", "200", "eth0", "198.19.0.11")
		"    netns: spat-vm-a2\n"
		"pools_are_above: 1\n";

	ck_assert_int_eq(parse(&c, text, &err), -1);   /* unknown key: the config is strict */
	text = "listen: 198.18.0.11\nedges: [ { address: 198.18.0.1 } ]\npools:\n"
	       "  - { vni: 100, public: 203.0.113.10, ports: 1024-32767 }\n"
	       "  - { vni: 200, public: 203.0.113.10, ports: 32768-40000 }\nvms:\n"
	       "  - { name: a, vni: 100, tap: eth0, netns: ns-a, address: 198.19.0.11,"
	       " mac: 02:5a:00:00:0a:01, gateway: 198.19.0.1 }\n"
	       "  - { name: b, vni: 200, tap: eth0, netns: ns-b, address: 198.19.0.11,"
	       " mac: 02:5a:00:00:0a:02, gateway: 198.19.0.1 }\n";
	ck_assert_msg(parse(&c, text, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(c.nvms, 2);
	ck_assert_ptr_eq(host_conf_pool(&c, 200), &c.pools[1]);
	ck_assert_ptr_null(host_conf_pool(&c, 300));
	host_conf_free(&c);
}
END_TEST

static void load_lab(struct host_conf *c, const char *file)
{
	char path[512];
	struct yerr err;

	snprintf(path, sizeof(path), "%s/etc/%s", SPAT_SOURCE_DIR, file);
	ck_assert_msg(host_conf_load(c, path, &err) == 0, "%s", err.msg);
}

START_TEST(test_lab_host_a)
{
	static const uint8_t mac_a2[6] = { 0x02, 0x5a, 0, 0, 0x0a, 0x02 };
	struct host_conf c;

	load_lab(&c, "hostd-a.yaml");
	ck_assert_str_eq(c.name, "host-a");
	ck_assert_uint_eq(c.local, IP(198, 18, 0, 11));
	ck_assert_str_eq(c.metrics, "127.0.0.1:9750");
	ck_assert_uint_eq(c.nedges, 1);
	ck_assert_int_eq(host_conf_edge(&c, IP(198, 18, 0, 1)), 0);
	ck_assert_int_eq(host_conf_edge(&c, IP(198, 18, 0, 2)), -1);
	ck_assert_uint_eq(c.npools, 2);
	ck_assert_uint_eq(host_conf_pool(&c, 100)->addr, IP(203, 0, 113, 10));
	ck_assert_uint_eq(host_conf_pool(&c, 200)->addr, IP(203, 0, 113, 11));
	ck_assert_uint_eq(host_conf_pool(&c, 100)->lo, 1024);
	ck_assert_uint_eq(host_conf_pool(&c, 200)->hi, 32767);
	ck_assert_uint_eq(c.nvms, 2);
	ck_assert_str_eq(c.vms[0].name, "vm-a1");
	ck_assert_str_eq(c.vms[1].name, "vm-a2");
	ck_assert_str_eq(c.vms[1].tap, "eth0");
	ck_assert_str_eq(c.vms[1].netns, "spat-vm-a2");
	ck_assert_uint_eq(c.vms[1].vni, 200);
	ck_assert_uint_eq(c.vms[0].addr, c.vms[1].addr);
	ck_assert_uint_eq(c.vms[1].gateway, IP(198, 19, 0, 1));
	ck_assert_mem_eq(c.vms[1].mac, mac_a2, 6);
	ck_assert_uint_eq(c.nfwds, 2);
	ck_assert_uint_eq(c.fwds[0].pub, IP(203, 0, 113, 10));
	ck_assert_uint_eq(c.fwds[0].pub_port, 8080);
	ck_assert_uint_eq(c.fwds[0].proto, PROTO_TCP);
	ck_assert_uint_eq(c.fwds[0].vm, 0);
	ck_assert_uint_eq(c.fwds[0].vm_port, 80);
	ck_assert_uint_eq(c.fwds[1].pub, IP(203, 0, 113, 11));
	ck_assert_uint_eq(c.fwds[1].vm, 1);
	host_conf_free(&c);
}
END_TEST

START_TEST(test_lab_host_b)
{
	struct host_conf c;

	load_lab(&c, "hostd-b.yaml");
	ck_assert_str_eq(c.name, "host-b");
	ck_assert_uint_eq(c.local, IP(198, 18, 0, 12));
	ck_assert_uint_eq(host_conf_pool(&c, 100)->lo, 32768);
	ck_assert_uint_eq(host_conf_pool(&c, 100)->hi, 65535);
	ck_assert_uint_eq(host_conf_pool(&c, 200)->addr, IP(203, 0, 113, 11));
	ck_assert_str_eq(c.vms[0].name, "vm-b1");
	ck_assert_str_eq(c.vms[0].netns, "spat-vm-b1");
	ck_assert_uint_eq(c.vms[0].addr, IP(198, 19, 0, 21));
	ck_assert_uint_eq(c.vms[0].public_addr, 0);
	ck_assert_str_eq(c.vms[1].name, "vm-b2");
	ck_assert_uint_eq(c.vms[1].addr, IP(198, 19, 0, 22));
	ck_assert_uint_eq(c.vms[1].public_addr, IP(203, 0, 113, 20));
	ck_assert_uint_eq(c.nfwds, 1);
	ck_assert_uint_eq(c.fwds[0].proto, PROTO_UDP);
	ck_assert_uint_eq(c.fwds[0].pub_port, 40053);
	ck_assert_uint_eq(c.fwds[0].vm, 0);
	ck_assert_uint_eq(c.fwds[0].vm_port, 53);
	host_conf_free(&c);
}
END_TEST

/* Print c, parse the output, and require the same config; returns the printed text. */
static char *round_trip(const struct host_conf *c)
{
	struct host_conf c2;
	struct yerr err;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	host_conf_print(c, f);
	fclose(f);
	ck_assert_msg(host_conf_parse(&c2, "printed", text, len, &err) == 0, "%s\n%s", err.msg,
		      text);
	ck_assert_msg(host_conf_equal(c, &c2), "differs after printing:\n%s", text);
	host_conf_free(&c2);
	return text;
}

START_TEST(test_round_trip_lab)
{
	const char *files[] = { "hostd-a.yaml", "hostd-b.yaml" };
	struct host_conf c;
	char *text;
	size_t i;

	for (i = 0; i < 2; i++) {
		load_lab(&c, files[i]);
		text = round_trip(&c);
		ck_assert_ptr_nonnull(strstr(text, "  - public: 203.0.113."));
		free(text);
		host_conf_free(&c);
	}
}
END_TEST

START_TEST(test_round_trip_quoting)
{
	struct host_conf c, other;
	struct yerr err;
	char *text;
	const char *src = "name: \"host: #1 \\\"q\\\" \\\\ \\t \\u00e9 \\u2028 \\U0001F600\"\n"
			  "listen: 198.18.0.11\n"
			  "control: '-/tmp/x y'\n"
			  "metrics: \"\"\n"
			  "batch: 1\nbusy_poll: 250\nmax_entries: 16777216\nport: 1\n"
			  "timeouts: { udp: 1, tcp_established: 86400, tcp_transitory: 2, icmp: 3 }\n"
			  "edge_probe: { interval: 0, down_after: 5 }\n"
			  "edges: [ { address: 198.18.0.1 }, { address: 198.18.0.2 } ]\n"
			  "vms:\n"
			  "  - { name: 'true', vni: 1, tap: '-', address: 198.19.0.2,"
			  " mac: 02:AB:cd:00:00:01, gateway: 198.19.0.1, netns: 'a:b' }\n"
			  "one_to_one: [ { public: 203.0.113.20, vm: 'true' } ]\n";

	ck_assert_msg(parse(&c, src, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(c.name, "host: #1 \"q\" \\ \t \xc3\xa9 \xe2\x80\xa8 \xf0\x9f\x98\x80");
	ck_assert_str_eq(c.vms[0].name, "true");
	ck_assert_uint_eq(c.busy_poll, 250);
	text = round_trip(&c);
	free(text);
	/* host_conf_equal() can tell configs apart. */
	ck_assert_int_eq(parse(&other, BASE, &err), 0);
	ck_assert(!host_conf_equal(&c, &other));
	ck_assert(host_conf_equal(&other, &other));
	host_conf_free(&other);
	host_conf_free(&c);
}
END_TEST

START_TEST(test_load_missing_file)
{
	struct host_conf c;
	struct yerr err;

	ck_assert_int_eq(host_conf_load(&c, "/nonexistent/hostd.yaml", &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/hostd.yaml: cannot open"));
}
END_TEST

static Suite *host_conf_suite(void)
{
	Suite *s = suite_create("host_conf");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_bad_config, 0, sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, test_minimal_defaults);
	tcase_add_test(tc, test_shared_address_and_tap);
	tcase_add_test(tc, test_lab_host_a);
	tcase_add_test(tc, test_lab_host_b);
	tcase_add_test(tc, test_round_trip_lab);
	tcase_add_test(tc, test_round_trip_quoting);
	tcase_add_test(tc, test_load_missing_file);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(host_conf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
