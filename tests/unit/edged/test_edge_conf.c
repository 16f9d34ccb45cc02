// SPDX-License-Identifier: MIT
/* test_edge_conf.c - unit tests for the edged config: schema, errors, checks, round trip. */
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "edge_conf.h"

static struct edge_conf conf;
static struct yerr err;

static int parse(const char *text)
{
	edge_conf_free(&conf);
	memset(&err, 0, sizeof(err));
	return edge_conf_parse(&conf, "t.yaml", text, strlen(text), &err);
}

static void teardown(void)
{
	edge_conf_free(&conf);
}

static uint32_t ip(const char *s)
{
	uint32_t a = 0;

	ck_assert_int_eq(addr_parse_ip4(s, &a), 0);
	return a;
}

/* Lines 1-4: listen and one host. */
#define HEAD "listen: 198.18.0.1\n"                                                   \
	     "hosts:\n"                                                                \
	     "  - name: host-a\n"                                                      \
	     "    address: 198.18.0.11\n"
/* Lines 5-10 after HEAD: the rule at line 6, column 5. */
#define RULE1 "rules:\n"                                                               \
	      "  - public: 203.0.113.10\n"                                             \
	      "    proto: any\n"                                                       \
	      "    ports: 1024-2047\n"                                                 \
	      "    host: host-a\n"                                                     \
	      "    vni: 100\n"

START_TEST(minimal_defaults)
{
	ck_assert_int_eq(parse(HEAD RULE1), 0);
	ck_assert_str_eq(conf.file, "t.yaml");
	ck_assert_str_eq(conf.name, "edged");
	ck_assert_str_eq(conf.tun, "spat0");
	ck_assert_uint_eq(conf.local, ip("198.18.0.1"));
	ck_assert_uint_eq(conf.port, 6081);
	ck_assert_str_eq(conf.control, "/run/spat/edged.sock");
	ck_assert_str_eq(conf.metrics, "");
	ck_assert_uint_eq(conf.batch, 128);
	ck_assert_uint_eq(conf.busy_poll, 0);
	ck_assert_uint_eq(conf.nhosts, 1);
	ck_assert_uint_eq(conf.nrules, 1);
	ck_assert_str_eq(conf.hosts[0].name, "host-a");
	ck_assert_int_eq(conf.hosts[0].pos.line, 3);
	ck_assert_int_eq(conf.hosts[0].pos.col, 5);
	ck_assert_uint_eq(conf.rules[0].pub, ip("203.0.113.10"));
	ck_assert(!conf.rules[0].whole);
	ck_assert_uint_eq(conf.rules[0].proto, PROTO_ANY);
	ck_assert_uint_eq(conf.rules[0].lo, 1024);
	ck_assert_uint_eq(conf.rules[0].hi, 2047);
	ck_assert_uint_eq(conf.rules[0].host, 0);
	ck_assert_uint_eq(conf.rules[0].vni, 100);
	ck_assert_int_eq(conf.rules[0].pos.line, 6);
	ck_assert_int_eq(conf.rules[0].pos.col, 5);
}
END_TEST

/* Hosts may follow rules; a single port and a proto default work; rules that only touch. */
START_TEST(order_and_forms)
{
	ck_assert_int_eq(parse("rules:\n"
			       "  - {public: 203.0.113.10, ports: 80, proto: tcp, host: b, vni: 7}\n"
			       "  - {public: 203.0.113.10, ports: 80, proto: udp, host: a, vni: 7}\n"
			       "  - {public: 203.0.113.10, ports: 81-90, host: a, vni: 7}\n"
			       "  - {public: 203.0.113.10, ports: 79, proto: icmp, host: a, vni: 7}\n"
			       "  - {public: 203.0.113.11, host: b, vni: 16777215}\n"
			       "hosts: [{name: a, address: 198.18.0.11}, {name: b, address: 198.18.0.12}]\n"
			       "listen: 198.18.0.1\nport: \"4789\"\ncontrol: ''\nbatch: 1\nbusy_poll: 1000000\n"
			       "metrics: 127.0.0.1:9750\nname: e_1.x\ntun: tun-9\n"), 0);
	ck_assert_uint_eq(conf.rules[0].host, 1);
	ck_assert_uint_eq(conf.rules[1].host, 0);
	ck_assert_uint_eq(conf.rules[0].lo, 80);
	ck_assert_uint_eq(conf.rules[0].hi, 80);
	ck_assert_uint_eq(conf.rules[0].proto, IPPROTO_TCP);
	ck_assert_uint_eq(conf.rules[2].proto, PROTO_ANY);
	ck_assert(conf.rules[4].whole);
	ck_assert_uint_eq(conf.rules[4].vni, 16777215);
	ck_assert_uint_eq(conf.port, 4789);
	ck_assert_str_eq(conf.control, "");
	ck_assert_uint_eq(conf.batch, 1);
	ck_assert_uint_eq(conf.busy_poll, 1000000);
	ck_assert_str_eq(conf.metrics, "127.0.0.1:9750");
	ck_assert_str_eq(conf.name, "e_1.x");
	ck_assert_str_eq(conf.tun, "tun-9");
	ck_assert_int_eq(edge_conf_host(&conf, ip("198.18.0.12")), 1);
	ck_assert_int_eq(edge_conf_host(&conf, ip("198.18.0.11")), 0);
	ck_assert_int_eq(edge_conf_host(&conf, ip("198.18.0.13")), -1);
}
END_TEST

static const struct {
	const char *text, *want;
} bad[] = {
	/* syntax error */
	{ "listen: 198.18.0.1\nhosts: [\n", "t.yaml:3:1: did not find expected node content" },
	{ "", "t.yaml:1:1: empty configuration" },
	/* bad address */
	{ "listen: 198.18.0.300\n", "t.yaml:1:9: invalid IPv4 address '198.18.0.300'" },
	{ "listen: 0.0.0.0\n", "t.yaml:1:9: invalid address '0.0.0.0' (expected a unicast" },
	{ HEAD "rules:\n  - public: 203.0.113.10.5\n",
	  "t.yaml:6:13: invalid IPv4 address '203.0.113.10.5'" },
	{ HEAD "rules:\n  - public: 224.0.0.1\n", "t.yaml:6:13: invalid address '224.0.0.1'" },
	/* unknown key: named, nothing else listed */
	{ "lisen: 198.18.0.1\n", "t.yaml:1:1: unknown key 'lisen'" },
	{ HEAD "rules:\n  - public: 203.0.113.10\n    prot: tcp\n", "t.yaml:7:5: unknown key 'prot'" },
	{ HEAD "  - name: host-b\n    addr: 198.18.0.12\n", "t.yaml:6:5: unknown key 'addr'" },
	/* duplicate key */
	{ HEAD RULE1 "    vni: 101\n", "t.yaml:11:5: duplicate key 'vni' (first at line 10)" },
	{ HEAD RULE1 "listen: 198.18.0.2\n", "t.yaml:11:1: duplicate key 'listen' (first at line 1)" },
	/* missing required key, at the mapping */
	{ "name: e\n", "t.yaml:1:1: missing required key 'listen'" },
	{ HEAD, "t.yaml:1:1: missing required key 'rules'" },
	{ HEAD "rules:\n  - public: 203.0.113.10\n    host: host-a\n",
	  "t.yaml:6:5: missing required key 'vni'" },
	{ "listen: 198.18.0.1\nhosts:\n  - address: 198.18.0.11\n" RULE1,
	  "t.yaml:3:5: missing required key 'name'" },
	/* ranges and ports */
	{ HEAD "rules:\n  - public: 203.0.113.10\n    ports: 500-100\n",
	  "t.yaml:7:12: invalid port range '500-100'" },
	{ HEAD "rules:\n  - public: 203.0.113.10\n    ports: 0\n", "t.yaml:7:12: invalid port range '0'" },
	{ HEAD "rules:\n  - public: 203.0.113.10\n    ports: 0-100\n",
	  "t.yaml:7:12: invalid port range '0-100'" },
	{ HEAD "rules:\n  - public: 203.0.113.10\n    ports: 1-65536\n",
	  "t.yaml:7:12: invalid port range '1-65536'" },
	{ "port: 0\n", "t.yaml:1:7: invalid number '0' (expected 1..65535)" },
	{ "port: 65536\n", "t.yaml:1:7: invalid number '65536' (expected 1..65535)" },
	/* vni and batch */
	{ HEAD "rules:\n  - public: 203.0.113.10\n    vni: 0\n",
	  "t.yaml:7:10: invalid number '0' (expected 1..16777215)" },
	{ HEAD "rules:\n  - public: 203.0.113.10\n    vni: 16777216\n",
	  "t.yaml:7:10: invalid number '16777216' (expected 1..16777215)" },
	{ "batch: 129\n", "t.yaml:1:8: invalid number '129' (expected 1..128)" },
	{ "batch: 0\n", "t.yaml:1:8: invalid number '0' (expected 1..128)" },
	{ "batch: -1\n", "t.yaml:1:8: invalid number '-1' (expected 1..128)" },
	{ "busy_poll: 1000001\n", "t.yaml:1:12: invalid number '1000001' (expected 0..1000000)" },
	{ "busy_poll: yes\n", "t.yaml:1:12: invalid number 'yes' (expected 0..1000000)" },
	/* protocols */
	{ HEAD "rules:\n  - public: 203.0.113.10\n    proto: gre\n",
	  "t.yaml:7:12: invalid protocol 'gre' (expected tcp, udp, icmp or any)" },
	{ HEAD "rules:\n  - public: 203.0.113.10\n    proto: tcp\n    host: host-a\n    vni: 1\n",
	  "t.yaml:7:12: proto 'tcp' needs 'ports'" },
	/* references and uniqueness */
	{ HEAD "rules:\n  - public: 203.0.113.10\n    ports: 80\n    host: host-c\n    vni: 1\n",
	  "t.yaml:6:5: unknown host 'host-c'" },
	{ HEAD "  - name: host-a\n    address: 198.18.0.12\n" RULE1,
	  "t.yaml:5:5: duplicate host name 'host-a' (first at line 3)" },
	{ HEAD "  - name: host-b\n    address: 198.18.0.11\n" RULE1,
	  "t.yaml:5:5: duplicate host address 198.18.0.11 (also host 'host-a' at line 3)" },
	/* overlap */
	{ HEAD RULE1 "  - public: 203.0.113.10\n    proto: tcp\n    ports: 2047-3000\n"
		     "    host: host-a\n    vni: 100\n",
	  "t.yaml:11:5: rule 203.0.113.10 tcp 2047-3000 overlaps rule at line 6 "
	  "(203.0.113.10 any 1024-2047)" },
	{ HEAD RULE1 "  - public: 203.0.113.10\n    host: host-a\n    vni: 100\n",
	  "t.yaml:11:5: rule 203.0.113.10 (whole address) overlaps rule at line 6" },
	{ HEAD "rules:\n  - {public: 203.0.113.10, host: host-a, vni: 5}\n"
		     "  - {public: 203.0.113.10, proto: icmp, ports: 9, host: host-a, vni: 5}\n",
	  "t.yaml:7:5: rule 203.0.113.10 icmp 9-9 overlaps rule at line 6 "
	  "(203.0.113.10 (whole address))" },
	{ HEAD "rules:\n  - {public: 203.0.113.10, ports: 1-100, proto: udp, host: host-a, vni: 5}\n"
		     "  - {public: 203.0.113.10, ports: 10-20, proto: udp, host: host-a, vni: 6}\n"
		     "  - {public: 203.0.113.10, ports: 50, proto: udp, host: host-a, vni: 6}\n",
	  "t.yaml:7:5: rule 203.0.113.10 udp 10-20 overlaps rule at line 6" },
	/* wrong types */
	{ "listen: [198.18.0.1]\n", "t.yaml:1:9: expected a scalar, found a sequence" },
	{ "listen: 198.18.0.1\nhosts: host-a\n", "t.yaml:2:8: expected a sequence, found a scalar" },
	{ "listen: 198.18.0.1\nhosts: []\n", "t.yaml:2:8: 'hosts' must not be empty" },
	{ HEAD "rules:\n  - 203.0.113.10\n", "t.yaml:6:5: expected a mapping, found a scalar" },
	{ HEAD "rules:\n  - public: 203.0.113.10\n    host: {name: host-a}\n",
	  "t.yaml:7:11: expected a scalar, found a mapping" },
	{ "- listen\n", "t.yaml:1:1: expected a mapping, found a sequence" },
	/* names and strings */
	{ "name: edge 1\n", "t.yaml:1:7: invalid name 'edge 1'" },
	{ "tun: a/b\n", "t.yaml:1:6: invalid interface name 'a/b'" },
	{ "tun: spat0123456789ab\n", "t.yaml:1:6: value 'spat0123456789ab' too long (at most 15" },
	{ "control: \"/run/a\\tb\"\n", "t.yaml:1:10: invalid character 0x09" },
	{ "metrics: 127.0.0.1\n", "t.yaml:1:10: invalid address '127.0.0.1' (expected a.b.c.d:port" },
};

START_TEST(malformed)
{
	ck_assert_int_eq(parse(bad[_i].text), -1);
	ck_assert_msg(strstr(err.msg, bad[_i].want), "case %d: got \"%s\", want \"%s\"", _i,
		      err.msg, bad[_i].want);
	ck_assert_ptr_null(conf.hosts);
	ck_assert_ptr_null(conf.rules);
}
END_TEST

static void check_lab(const struct edge_conf *c)
{
	static const struct {
		const char *pub;
		bool whole;
		uint16_t lo, hi;
		uint32_t host, vni;
	} want[] = {
		{ "203.0.113.10", false, 1024, 32767, 0, 100 },
		{ "203.0.113.10", false, 32768, 65535, 1, 100 },
		{ "203.0.113.11", false, 1024, 32767, 0, 200 },
		{ "203.0.113.11", false, 32768, 65535, 1, 200 },
		{ "203.0.113.20", true, 0, 65535, 1, 200 },
	};
	size_t i;

	ck_assert_str_eq(c->name, "edge1");
	ck_assert_str_eq(c->tun, "spat0");
	ck_assert_uint_eq(c->local, ip("198.18.0.1"));
	ck_assert_uint_eq(c->port, 6081);
	ck_assert_str_eq(c->metrics, "127.0.0.1:9750");
	ck_assert_uint_eq(c->batch, 128);
	ck_assert_uint_eq(c->nhosts, 2);
	ck_assert_str_eq(c->hosts[0].name, "host-a");
	ck_assert_uint_eq(c->hosts[0].addr, ip("198.18.0.11"));
	ck_assert_str_eq(c->hosts[1].name, "host-b");
	ck_assert_uint_eq(c->hosts[1].addr, ip("198.18.0.12"));
	ck_assert_uint_eq(c->nrules, 5);
	for (i = 0; i < 5; i++) {
		ck_assert_uint_eq(c->rules[i].pub, ip(want[i].pub));
		ck_assert_int_eq(c->rules[i].whole, want[i].whole);
		ck_assert_uint_eq(c->rules[i].proto, PROTO_ANY);
		ck_assert_uint_eq(c->rules[i].lo, want[i].lo);
		ck_assert_uint_eq(c->rules[i].hi, want[i].hi);
		ck_assert_uint_eq(c->rules[i].host, want[i].host);
		ck_assert_uint_eq(c->rules[i].vni, want[i].vni);
	}
}

START_TEST(example_file)
{
	ck_assert_msg(edge_conf_load(&conf, SPAT_SOURCE_DIR "/etc/edged.yaml", &err) == 0, "%s",
		      err.msg);
	ck_assert_str_eq(conf.file, SPAT_SOURCE_DIR "/etc/edged.yaml");
	check_lab(&conf);
}
END_TEST

START_TEST(load_missing)
{
	ck_assert_int_eq(edge_conf_load(&conf, "/nonexistent/edged.yaml", &err), -1);
	ck_assert_str_eq(err.msg, "/nonexistent/edged.yaml: cannot open: No such file or directory");
}
END_TEST

static void assert_same(const struct edge_conf *a, const struct edge_conf *b)
{
	size_t i;

	ck_assert_str_eq(a->name, b->name);
	ck_assert_str_eq(a->tun, b->tun);
	ck_assert_uint_eq(a->local, b->local);
	ck_assert_uint_eq(a->port, b->port);
	ck_assert_str_eq(a->control, b->control);
	ck_assert_str_eq(a->metrics, b->metrics);
	ck_assert_uint_eq(a->batch, b->batch);
	ck_assert_uint_eq(a->busy_poll, b->busy_poll);
	ck_assert_uint_eq(a->nhosts, b->nhosts);
	ck_assert_uint_eq(a->nrules, b->nrules);
	for (i = 0; i < a->nhosts; i++) {
		ck_assert_str_eq(a->hosts[i].name, b->hosts[i].name);
		ck_assert_uint_eq(a->hosts[i].addr, b->hosts[i].addr);
	}
	for (i = 0; i < a->nrules; i++) {
		const struct edge_rule *x = &a->rules[i], *y = &b->rules[i];

		ck_assert(x->pub == y->pub && x->whole == y->whole && x->proto == y->proto);
		ck_assert(x->lo == y->lo && x->hi == y->hi && x->host == y->host);
		ck_assert_uint_eq(x->vni, y->vni);
	}
}

/* Print, parse the output, compare; printing that again gives the same text. */
static void round_trip(const struct edge_conf *c)
{
	struct edge_conf again;
	char *text = NULL, *text2 = NULL;
	size_t len = 0, len2 = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	edge_conf_print(c, f);
	fclose(f);
	ck_assert_msg(edge_conf_parse(&again, "printed", text, len, &err) == 0, "%s\n%s", err.msg,
		      text);
	assert_same(c, &again);
	f = open_memstream(&text2, &len2);
	edge_conf_print(&again, f);
	fclose(f);
	ck_assert_str_eq(text, text2);
	edge_conf_free(&again);
	free(text);
	free(text2);
}

START_TEST(print_round_trip)
{
	ck_assert_int_eq(edge_conf_load(&conf, SPAT_SOURCE_DIR "/etc/edged.yaml", &err), 0);
	round_trip(&conf);
	ck_assert_int_eq(parse(HEAD "control: \"/tmp/a \\\"q\\\" \\\\ #x: y\"\ntun: \"#t\"\n"
				    "name: '-'\nport: 1\nbatch: 3\n"
				    "rules:\n  - {public: 203.0.113.10, proto: udp, ports: 53,"
				    " host: host-a, vni: 1}\n"
				    "  - {public: 203.0.113.10, proto: icmp, ports: 53-54,"
				    " host: host-a, vni: 2}\n"
				    "  - {public: 203.0.113.1, host: host-a, vni: 3}\n"), 0);
	ck_assert_str_eq(conf.control, "/tmp/a \"q\" \\ #x: y");
	ck_assert_str_eq(conf.name, "-");
	round_trip(&conf);
}
END_TEST

/* 100,000 rules (16 addresses x 6250 ranges) parse and check in well under a second. */
static char *big_config(size_t naddr, size_t nper, bool clash)
{
	size_t cap = naddr * nper * 100 + 4096, len = 0, a, i;
	char *s = malloc(cap);

	ck_assert_ptr_nonnull(s);
	len += (size_t)snprintf(s, cap, "%srules:\n", HEAD);
	for (i = 0; i < nper; i++)
		for (a = 0; a < naddr; a++)
			len += (size_t)snprintf(s + len, cap - len,
						"  - {public: 203.0.113.%zu, proto: %s, ports: %zu-%zu,"
						" host: host-a, vni: %zu}\n", a + 1,
						i % 2 ? "tcp" : "any", i * 10 + 1, i * 10 + 9, i + 1);
	if (clash)
		len += (size_t)snprintf(s + len, cap - len, "  - {public: 203.0.113.%zu, proto: udp,"
					" ports: 25009-25011, host: host-a, vni: 1}\n", naddr);
	return s;
}

START_TEST(big)
{
	char *s = big_config(16, 6250, false);
	clock_t t0 = clock();

	ck_assert_msg(parse(s) == 0, "%s", err.msg);
	ck_assert_uint_eq(conf.nrules, 100000);
	ck_assert_msg(clock() - t0 < 20 * CLOCKS_PER_SEC, "too slow");
	free(s);
	s = big_config(16, 6250, true);
	ck_assert_int_eq(parse(s), -1);
	ck_assert_str_eq(err.msg, "t.yaml:100006:5: rule 203.0.113.16 udp 25009-25011 overlaps "
				  "rule at line 40021 (203.0.113.16 any 25001-25009)");
	free(s);
}
END_TEST

static Suite *edge_conf_suite(void)
{
	Suite *s = suite_create("edge_conf");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, minimal_defaults);
	tcase_add_test(tc, order_and_forms);
	tcase_add_loop_test(tc, malformed, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, example_file);
	tcase_add_test(tc, load_missing);
	tcase_add_test(tc, print_round_trip);
	tcase_add_test(tc, big);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(edge_conf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
