// SPDX-License-Identifier: MIT
/* test_fleet_conf.c - unit tests for spatfleet's input (errors with positions) and its writers. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet_conf.h"
#include "fleet_emit.h"
#include "fleet_split.h"

static struct fleet_conf conf;
static struct yerr err;

static int parse(const char *text)
{
	fleet_conf_free(&conf);
	memset(&err, 0, sizeof(err));
	return fleet_conf_parse(&conf, "t.yaml", text, strlen(text), &err);
}

static void teardown(void)
{
	fleet_conf_free(&conf);
}

/* Line 1: the edge; lines 2-3: the pool (16 addresses x 4 blocks of 16 ports, 2 a host). */
#define EDGES "edges: [{name: e1, address: 198.18.0.1}]\n"
#define POOL "pools:\n"                                                                \
	     "  - {name: p, vni: 100, public: 203.0.113.1-203.0.113.16, ports: 1024-1087, " \
	     "block_size: 16, blocks_per_host: 2}\n"
#define HOSTS "hosts:\n"                                                               \
	      "  - {name: a, address: 198.18.1.1, slot: 0}\n"                          \
	      "  - {name: b, address: 198.18.1.2, slot: 1}\n"

START_TEST(minimal)
{
	ck_assert_msg(parse(EDGES POOL HOSTS) == 0, "%s", err.msg);
	ck_assert_uint_eq(conf.nedges, 1);
	ck_assert_uint_eq(conf.npools, 1);
	ck_assert_uint_eq(conf.pools[0].naddrs, 16);
	ck_assert_uint_eq(conf.pools[0].slots, 32);
	ck_assert_int_eq(conf.pools[0].layout, FLEET_STRIPED);
	ck_assert_uint_eq(conf.nhosts, 2);
	ck_assert_ptr_null(conf.hostd);
	ck_assert_ptr_null(conf.hosts[0].hostd);
}
END_TEST

/* Lines 4-8: host a (slot 0: 203.0.113.1 and .9, ports 1024-1039) with VM v in VNI 100. */
#define VMS "hosts:\n"                                                                 \
	    "  - name: a\n"                                                             \
	    "    address: 198.18.1.1\n"                                                 \
	    "    slot: 0\n"                                                             \
	    "    hostd:\n"                                                              \
	    "      vms: [{name: v, vni: 100, tap: t, address: 198.19.0.11, "            \
	    "mac: '02:5a:00:00:0a:01', gateway: 198.19.0.1}]\n"

static const struct {
	const char *text, *msg;
} bad[] = {
	{ "", "t.yaml:1:1: empty configuration" },
	{ EDGES POOL, "t.yaml:1:1: missing required key 'hosts'" },
	{ EDGES POOL "hosts: []\n", "t.yaml:4:8: 'hosts' must not be empty" },
	{ EDGES POOL HOSTS "color: red\n", "t.yaml:7:1: unknown key 'color'" },
	{ EDGES POOL HOSTS "  - {name: a, address: 198.18.1.3, slot: 2}\n",
	  "t.yaml:7:5: duplicate host name 'a' (also host at line 5)" },
	{ EDGES POOL HOSTS "  - {name: c, address: 198.18.1.1, slot: 2}\n",
	  "t.yaml:7:5: duplicate address 198.18.1.1 (also host at line 5)" },
	{ EDGES POOL HOSTS "  - {name: c, address: 198.18.0.1, slot: 2}\n",
	  "t.yaml:7:5: duplicate address 198.18.0.1 (also edge at line 1)" },
	{ EDGES POOL HOSTS "  - {name: c, address: 198.18.1.3, slot: 1}\n",
	  "t.yaml:7:5: duplicate slot 1 (also host at line 6)" },
	{ "edges: [{name: e1, address: 198.18.0.1}, {name: e1, address: 198.18.0.2}]\n" POOL HOSTS,
	  "t.yaml:1:42: duplicate edge name 'e1' (also edge at line 1)" },
	{ EDGES POOL "  - {name: p, vni: 200, public: 203.0.113.20, block_size: 16, "
	  "blocks_per_host: 2}\n" HOSTS,
	  "t.yaml:4:5: duplicate pool name 'p' (also pool at line 3)" },
	{ EDGES POOL "  - {name: q, vni: 200, public: 203.0.113.16, ports: 1080-2000, "
	  "block_size: 16, blocks_per_host: 2}\n" HOSTS,
	  "t.yaml:4:5: pool 'q' overlaps pool 'p' (line 3) on 203.0.113.16 ports 1080-1087" },
	{ EDGES "pools: [{name: q, vni: 2, public: [203.0.113.1-203.0.113.3, 203.0.113.2], "
	  "block_size: 16, blocks_per_host: 2}]\n" HOSTS,
	  "t.yaml:2:9: pool 'q' lists address 203.0.113.2 twice" },
	{ EDGES "pools: [{name: q, vni: 2, public: 203.0.113.1, ports: 1024-1055, "
	  "block_size: 16, blocks_per_host: 3}]\n" HOSTS,
	  "t.yaml:2:9: pool 'q' is too small for one host: 1 addresses x 2 blocks of 16 ports "
	  "< 3 blocks_per_host" },
	{ EDGES POOL HOSTS "  - {name: c, address: 198.18.1.3, slot: 32}\n",
	  "t.yaml:7:5: host 'c' slot 32 does not fit pool 'p': room for 32 hosts, slots 0-31 "
	  "(16 addresses x 4 blocks of 16 ports / 2 blocks_per_host)" },
	{ EDGES "pools: [{name: q, vni: 2, public: 203.0.113.9-203.0.113.1, block_size: 16, "
	  "blocks_per_host: 2}]\n" HOSTS,
	  "t.yaml:2:35: invalid address range '203.0.113.9-203.0.113.1' (expected a.b.c.d or "
	  "a.b.c.d-e.f.g.h, first <= last)" },
	{ EDGES "pools: [{name: q, vni: 2, public: 224.0.0.1, block_size: 16, "
	  "blocks_per_host: 2}]\n" HOSTS,
	  "t.yaml:2:35: invalid address '224.0.0.1' (expected unicast addresses)" },
	{ EDGES "pools: [{name: q, vni: 2, public: [], block_size: 16, blocks_per_host: 2}]\n"
	  HOSTS, "t.yaml:2:35: 'public' must not be empty" },
	{ EDGES "pools: [{name: q, vni: 2, public: 203.0.113.1, block_size: 16, "
	  "blocks_per_host: 2, layout: spiral}]\n" HOSTS,
	  "t.yaml:2:92: invalid layout 'spiral' (expected striped or contiguous)" },
	{ EDGES "pools: [{name: q, vni: 0, public: 203.0.113.1, block_size: 16, "
	  "blocks_per_host: 2}]\n" HOSTS,
	  "t.yaml:2:24: invalid number '0' (expected 1..16777215)" },
	{ EDGES "pools: [{name: 'a b', vni: 1, public: 203.0.113.1, block_size: 16, "
	  "blocks_per_host: 2}]\n" HOSTS,
	  "t.yaml:2:16: invalid name 'a b' (expected letters, digits, '.', '_', '-')" },
	{ EDGES POOL HOSTS "hostd: {pools: []}\n", "t.yaml:7:9: 'pools' is written by spatfleet; "
	  "it cannot be set for hostd" },
	{ "edge: {rules: []}\n" EDGES POOL HOSTS, "t.yaml:1:8: 'rules' is written by spatfleet; "
	  "it cannot be set for edged" },
	{ EDGES POOL HOSTS "  - {name: c, address: 198.18.1.3, slot: 2, hostd: {listen: x}}\n",
	  "t.yaml:7:53: 'listen' is written by spatfleet; it cannot be set for hostd" },
	{ EDGES POOL HOSTS "hostd: [user]\n",
	  "t.yaml:7:8: expected a mapping of hostd keys, found a sequence" },
	{ EDGES POOL HOSTS "hostd: {user: a, user: b}\n", "t.yaml:7:18: duplicate key 'user'" },
	{ EDGES POOL HOSTS "hostd: {x: {[1]: 2}}\n",
	  "t.yaml:7:13: mapping key must be a scalar, found a sequence" },
	{ EDGES POOL HOSTS "hostd: {x: [[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]}\n",
	  "t.yaml:7:28: value nested too deeply (at most 16 levels)" },
	/* Aliases: a few lines that would expand to 75,000 nodes. */
	{ EDGES POOL VMS "      forwards: [{public: '203.0.113.1:1040', proto: tcp, vm: v, port: 80}]\n",
	  "t.yaml:10:27: forward 203.0.113.1:1040 is not in a block of host 'a' for VNI 100 "
	  "(see the block map)" },
	{ EDGES POOL VMS "      forwards: [{public: '203.0.113.1', proto: tcp, vm: v, port: 80}]\n",
	  "t.yaml:10:27: forward: invalid address '203.0.113.1' (expected a.b.c.d:port)" },
	{ EDGES POOL VMS "      forwards: [{public: '203.0.113.1:1030', proto: tcp, vm: w, port: 80}]\n",
	  "t.yaml:10:18: VM 'w' is not in the vms of host 'a'" },
	{ EDGES POOL VMS "      forwards: [80]\n",
	  "t.yaml:10:18: forward: expected a mapping, found a scalar" },
	{ EDGES POOL VMS "      one_to_one: [{public: 203.0.113.50}]\n",
	  "t.yaml:10:20: one_to_one: expected a scalar 'vm'" },
	{ EDGES POOL VMS "      one_to_one: [{public: 203.0.113.5, vm: v}]\n",
	  "t.yaml:10:20: 1:1 address 203.0.113.5 is a pool address" },
	{ EDGES POOL VMS "      one_to_one: [{public: 203.0.113.50, vm: v}]\n"
	  "  - {name: b, address: 198.18.1.2, slot: 1, hostd: {one_to_one: [{public: 203.0.113.50, "
	  "vm: v}]}}\n" "hostd: {vms: [{name: v, vni: 100}]}\n",
	  "t.yaml:11:66: 1:1 address 203.0.113.50 is also given at line 10" },
	{ EDGES POOL HOSTS "x0: &a [1, 1, 1, 1, 1, 1, 1, 1]\n",
	  "t.yaml:7:1: unknown key 'x0'" },
	{ EDGES POOL HOSTS "hostd:\n  a: &a [1, 1, 1, 1, 1, 1, 1, 1]\n  b: &b [*a, *a, *a, *a, *a, "
	  "*a, *a, *a]\n  c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\n  d: &d [*c, *c, *c, *c, *c, *c, "
	  "*c, *c]\n  e: &e [*d, *d, *d, *d, *d, *d, *d, *d]\n  f: [*e, *e]\n",
	  "t.yaml:8:3: value too large (at most 65536 nodes, aliases expanded)" },
};

START_TEST(malformed)
{
	ck_assert_int_eq(parse(bad[_i].text), -1);
	ck_assert_str_eq(err.msg, bad[_i].msg);
	ck_assert_ptr_null(conf.hosts);
}
END_TEST

static char *emit_host(size_t h)
{
	struct fleet_block *b;
	char *text = NULL;
	size_t len = 0;
	long n = fleet_split(&conf, &b);
	FILE *f = open_memstream(&text, &len);

	ck_assert_int_ge(n, 0);
	ck_assert_ptr_nonnull(f);
	n = (long)fleet_merge(b, (size_t)n);
	fleet_emit_host(&conf, h, b, (size_t)n, f);
	fclose(f);
	free(b);
	return text;
}

/* A host's own hostd keys replace the fleet's; the rest of the fleet's come first. */
START_TEST(host_overrides)
{
	char *t;

	ck_assert_msg(parse(EDGES POOL HOSTS "  - {name: c, address: 198.18.1.3, slot: 2, "
			    "hostd: {user: c-user, batch: 8}}\n"
			    "hostd: {user: nobody, max_entries: 1024}\n") == 0, "%s", err.msg);
	t = emit_host(2);
	ck_assert_msg(strstr(t, "\nname: c\nlisten: 198.18.1.3\nmax_entries: 1024\nuser: c-user\n"
			     "batch: 8\nedges:\n  - address: 198.18.0.1\npools:\n"
			     "  - { vni: 100, public: 203.0.113.1, ports: 1056-1071 }\n"
			     "  - { vni: 100, public: 203.0.113.9, ports: 1056-1071 }\n"), "%s", t);
	free(t);
	t = emit_host(0);
	ck_assert_msg(strstr(t, "\nuser: nobody\nmax_entries: 1024\nedges:"), "%s", t);
	free(t);
}
END_TEST

/* Pass-through values survive the trip: awkward scalars, nesting, empty collections. */
START_TEST(pass_through_round_trip)
{
	static const char *const want[] = { "x: y", "#z", "- a", "tab\there", "quote\"back\\",
					    "", "é", "02:5a:00:00:0a:01", "trailing:" };
	struct ydoc d;
	struct yerr e2;
	yaml_node_t *root, *v;
	yaml_node_pair_t *pr;
	char *t;
	size_t i, found = 0;

	ck_assert_msg(parse(EDGES POOL HOSTS "hostd:\n  odd: ['x: y', '#z', '- a', \"tab\\there\","
			    " 'quote\"back\\', '', 'é', 02:5a:00:00:0a:01, 'trailing:']\n"
			    "  vms: [{name: v, list: [[1, 2], {}], empty: []}]\n") == 0, "%s",
		      err.msg);
	t = emit_host(0);
	ck_assert_msg(ydoc_load(&d, "out", t, strlen(t), &e2) == 0, "%s\n%s", e2.msg, t);
	root = ydoc_root(&d);
	for (pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++) {
		if (strcmp(ydoc_scalar(yaml_document_get_node(&d.doc, pr->key)), "odd"))
			continue;
		v = yaml_document_get_node(&d.doc, pr->value);
		ck_assert_int_eq(ydoc_seq_len(v), 9);
		for (i = 0; i < 9; i++)
			ck_assert_str_eq(ydoc_scalar(yaml_document_get_node(
				&d.doc, v->data.sequence.items.start[i])), want[i]);
		found++;
	}
	ck_assert_uint_eq(found, 1);
	ck_assert_msg(strstr(t, "vms:\n  - name: v\n    list:\n      - - 1\n        - 2\n"
			     "      - {}\n    empty: []\n"), "%s", t);
	ydoc_free(&d);
	free(t);
}
END_TEST

/* A forward inside the host's blocks passes; a 1:1 address becomes a whole-address rule. */
START_TEST(o2o_and_forwards)
{
	char *t = NULL;
	size_t len = 0;
	FILE *f;

	ck_assert_msg(parse(EDGES POOL VMS "      forwards: [{public: '203.0.113.9:1039', proto: udp,"
			    " vm: v, port: 53}]\n      one_to_one: [{public: 203.0.113.50, vm: v}]\n")
		      == 0, "%s", err.msg);
	ck_assert_uint_eq(conf.no2o, 1);
	ck_assert_uint_eq(conf.o2o[0].pub, 0xcb007132u);
	ck_assert_uint_eq(conf.o2o[0].host, 0);
	ck_assert_uint_eq(conf.o2o[0].vni, 100);
	f = open_memstream(&t, &len);
	fleet_emit_edge(&conf, 0, NULL, 0, f);
	fclose(f);
	ck_assert_msg(strstr(t, "rules:\n  - { public: 203.0.113.50, host: a, vni: 100 }   # 1:1\n"),
		      "%s", t);
	free(t);
	f = open_memstream(&t, &len);
	fleet_emit_map(&conf, NULL, 0, f);
	fclose(f);
	ck_assert_str_eq(t, "public,ports,host,address,slot,vni,pool\n"
			 "203.0.113.50,all,a,198.18.1.1,0,100,one_to_one\n");
	free(t);
}
END_TEST

/* The edged config: every host, one rule per merged block; the map: one line per block. */
START_TEST(edge_and_map)
{
	struct fleet_block *b;
	char *t = NULL;
	size_t len = 0;
	long n;
	FILE *f;

	ck_assert_int_eq(parse("edge: {metrics: '127.0.0.1:9750'}\n" EDGES POOL HOSTS), 0);
	n = fleet_split(&conf, &b);
	ck_assert_int_eq(n, 4);
	f = open_memstream(&t, &len);
	fleet_emit_map(&conf, b, (size_t)n, f);
	fclose(f);
	ck_assert_str_eq(t, "public,ports,host,address,slot,vni,pool\n"
			 "203.0.113.1,1024-1039,a,198.18.1.1,0,100,p\n"
			 "203.0.113.1,1040-1055,b,198.18.1.2,1,100,p\n"
			 "203.0.113.9,1024-1039,a,198.18.1.1,0,100,p\n"
			 "203.0.113.9,1040-1055,b,198.18.1.2,1,100,p\n");
	free(t);
	f = open_memstream(&t, &len);
	fleet_emit_edge(&conf, 0, b, (size_t)n, f);
	fclose(f);
	ck_assert_msg(strstr(t, "\nname: e1\nlisten: 198.18.0.1\nmetrics: 127.0.0.1:9750\nhosts:\n"
			     "  - { name: a, address: 198.18.1.1 }\n"
			     "  - { name: b, address: 198.18.1.2 }\nrules:\n"
			     "  - { public: 203.0.113.1, ports: 1024-1039, host: a, vni: 100 }\n"),
		      "%s", t);
	free(t);
	free(b);
}
END_TEST

static Suite *fleet_conf_suite(void)
{
	Suite *s = suite_create("fleet_conf");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, minimal);
	tcase_add_loop_test(tc, malformed, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, host_overrides);
	tcase_add_test(tc, pass_through_round_trip);
	tcase_add_test(tc, edge_and_map);
	tcase_add_test(tc, o2o_and_forwards);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(fleet_conf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
