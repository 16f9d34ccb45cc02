// SPDX-License-Identifier: MIT
/* test_ydoc.c - unit tests for YAML loading, positioned errors, ydoc_map() and typed getters. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "ydoc.h"

static struct ydoc doc;
static struct yerr err;

static int load(const char *text)
{
	ydoc_free(&doc);
	memset(&err, 0, sizeof(err));
	return ydoc_load(&doc, "t.yaml", text, strlen(text), &err);
}

static void teardown(void)
{
	ydoc_free(&doc);
}

/* Assert that text fails to load with msg (exact). */
#define ck_load_fails(text, want)                                                   \
	do {                                                                        \
		ck_assert_int_eq(load(text), -1);                                   \
		ck_assert_str_eq(err.msg, want);                                    \
	} while (0)

/* Value node of key in the root mapping. */
static yaml_node_t *get(const char *key)
{
	yaml_node_t *root = ydoc_root(&doc);
	yaml_node_pair_t *p;

	for (p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++)
		if (!strcmp(ydoc_scalar(yaml_document_get_node(&doc.doc, p->key)), key))
			return yaml_document_get_node(&doc.doc, p->value);
	ck_abort_msg("no key %s", key);
	return NULL;
}

START_TEST(load_ok)
{
	yaml_node_t *root;

	ck_assert_int_eq(load("a: 1\nb: [x, y]\n"), 0);
	root = ydoc_root(&doc);
	ck_assert_ptr_nonnull(root);
	ck_assert_int_eq(root->type, YAML_MAPPING_NODE);
	ck_assert_str_eq(ydoc_scalar(get("a")), "1");
	ck_assert_ptr_null(ydoc_scalar(get("b")));
	ck_assert_int_eq(ydoc_seq_len(get("b")), 2);
	ck_assert_int_eq(ydoc_seq_len(get("a")), -1);
	ck_assert_int_eq(ydoc_pos(get("b")).line, 2);
	ck_assert_int_eq(ydoc_pos(get("b")).col, 4);
}
END_TEST

START_TEST(syntax_errors)
{
	ck_load_fails("a: 1\nb: [x, y\nc: 2\n",
		      "t.yaml:3:2: did not find expected ',' or ']' "
		      "(while parsing a flow sequence that started at line 2)");
	ck_load_fails("a: 1\n  b: 2\n",
		      "t.yaml:2:4: mapping values are not allowed in this context");
	ck_load_fails("a: 1\n- b\n",
		      "t.yaml:2:1: did not find expected key "
		      "(while parsing a block mapping that started at line 1)");
	ck_load_fails("a: *nope\n", "t.yaml:1:4: found undefined alias");
	ck_load_fails("a: \"x\n", "t.yaml:2:1: found unexpected end of stream "
		      "(while scanning a quoted scalar that started at line 1)");
	ck_load_fails("a: 1\n\tb: 2\n", "t.yaml:2:1: found a tab character that violates "
		      "indentation (while scanning a plain scalar that started at line 1)");
	ck_load_fails("a: 1\n@b: 2\n", "t.yaml:2:1: found character that cannot start any token "
		      "(while scanning for the next token that started at line 2)");
}
END_TEST

/* Reader errors give a byte offset; ydoc turns it into line:col. */
START_TEST(reader_errors)
{
	static const char bad_utf8[] = "a: 1\nb: x\xff\n";
	static const char ctrl[] = "a: 1\nbb: \x01\n";

	ck_assert_int_eq(ydoc_load(&doc, "t.yaml", bad_utf8, sizeof(bad_utf8) - 1, &err), -1);
	ck_assert_str_eq(err.msg, "t.yaml:2:5: invalid leading UTF-8 octet (character 0xff)");
	ck_assert_int_eq(ydoc_load(&doc, "t.yaml", ctrl, sizeof(ctrl) - 1, &err), -1);
	ck_assert_str_eq(err.msg, "t.yaml:2:5: control characters are not allowed "
				  "(character 0x1)");
	ck_assert_int_eq(ydoc_load(&doc, "t.yaml", "a: 1\0", 5, &err), -1);
	ck_assert_str_eq(err.msg, "t.yaml:1:5: control characters are not allowed "
				  "(character 0x0)");
}
END_TEST

START_TEST(empty_and_multi)
{
	ck_load_fails("", "t.yaml:1:1: empty configuration");
	ck_load_fails("# only a comment\n\n", "t.yaml:1:1: empty configuration");
	ck_load_fails("---\n", "t.yaml:1:1: empty configuration");
	ck_load_fails("a: 1\n---\nb: 2\n",
		      "t.yaml:2:1: more than one YAML document (only one is allowed)");
	ck_load_fails("a: 1\n---\nb: [\n",
		      "t.yaml:4:1: did not find expected node content "
		      "(while parsing a flow node that started at line 4)");
	ck_assert_int_eq(load("a: 1\n...\n"), 0);
	ck_assert_int_eq(load("---\na: 1\n"), 0);
}
END_TEST

/* A "billion laughs" document stays as small as its text: aliases share nodes. */
START_TEST(aliases)
{
	static const char laughs[] =
		"a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
		"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
		"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
		"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
		"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
		"f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
		"g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
		"h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
		"i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
	yaml_node_t *self;

	ck_assert_int_eq(load(laughs), 0);
	ck_assert_int_eq(ydoc_seq_len(get("i")), 9);
	ck_assert_int_lt(doc.doc.nodes.top - doc.doc.nodes.start, 64);
	ydoc_free(&doc);

	/* A sequence that contains itself: one-level walks still end. */
	ck_assert_int_eq(load("a: &s [x, *s]\n"), 0);
	self = get("a");
	ck_assert_int_eq(ydoc_seq_len(self), 2);
	ck_assert_ptr_eq(yaml_document_get_node(&doc.doc, self->data.sequence.items.start[1]),
			 self);
}
END_TEST

struct obj {
	char name[8];
	uint32_t n;
	int calls;
	char order[8];
};

static int k_name(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *e)
{
	struct obj *ob = o;

	ob->order[ob->calls++] = 'N';
	return ydoc_str(d, v, ob->name, sizeof(ob->name), e);
}

static int k_n(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *e)
{
	struct obj *ob = o;

	ob->order[ob->calls++] = 'n';
	return ydoc_u32(d, v, 1, 10, &ob->n, e);
}

static const struct ykey obj_keys[] = {
	{ "name", k_name, true },
	{ "n", k_n, false },
	{ NULL, NULL, false },
};

static int map_root(const char *text, struct obj *ob)
{
	memset(ob, 0, sizeof(*ob));
	if (load(text))
		return -2;
	return ydoc_map(&doc, ydoc_root(&doc), obj_keys, ob, &err);
}

START_TEST(map_ok)
{
	struct obj ob;

	ck_assert_int_eq(map_root("n: 3\nname: x\n", &ob), 0);
	ck_assert_str_eq(ob.name, "x");
	ck_assert_uint_eq(ob.n, 3);
	ck_assert_str_eq(ob.order, "nN");
	ydoc_free(&doc);
	ck_assert_int_eq(map_root("{name: y}", &ob), 0);
	ck_assert_str_eq(ob.name, "y");
	ck_assert_uint_eq(ob.n, 0);
}
END_TEST

START_TEST(map_errors)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "name: x\nnmae: y\n", "t.yaml:2:1: unknown key 'nmae'" },
		{ "name: x\nn: 1\nname: y\n", "t.yaml:3:1: duplicate key 'name' (first at line 1)" },
		{ "n: 1\n", "t.yaml:1:1: missing required key 'name'" },
		{ "- name\n", "t.yaml:1:1: expected a mapping, found a sequence" },
		{ "just text\n", "t.yaml:1:1: expected a mapping, found a scalar" },
		{ "name: x\n[a]: 1\n", "t.yaml:2:1: mapping key must be a scalar, found a sequence" },
		{ "name: x\nn: 11\n", "t.yaml:2:4: invalid number '11' (expected 1..10)" },
		{ "name: [x]\n", "t.yaml:1:7: expected a scalar, found a sequence" },
		{ "name: {a: 1}\n", "t.yaml:1:7: expected a scalar, found a mapping" },
		{ "name: 12345678\n", "t.yaml:1:7: value '12345678' too long (at most 7 characters)" },
		{ "name: \"a\\0b\"\n", "t.yaml:1:7: value contains a NUL character" },
		{ "n: \"7\\0x\"\nname: a\n", "t.yaml:1:4: value contains a NUL character" },
	};
	struct obj ob;

	ck_assert_int_eq(map_root(cases[_i].text, &ob), -1);
	ck_assert_str_eq(err.msg, cases[_i].msg);
}
END_TEST

static int item(struct ydoc *d, yaml_node_t *n, size_t idx, void *o, struct yerr *e)
{
	uint32_t *sum = o, v;

	if (ydoc_u32(d, n, 0, 100, &v, e))
		return -1;
	*sum += v * (uint32_t)(idx + 1);
	return 0;
}

START_TEST(seq)
{
	uint32_t sum = 0;

	ck_assert_int_eq(load("[1, 2, 3]"), 0);
	ck_assert_int_eq(ydoc_seq(&doc, ydoc_root(&doc), item, &sum, &err), 0);
	ck_assert_uint_eq(sum, 1 + 4 + 9);
	ydoc_free(&doc);
	ck_assert_int_eq(load("- 1\n- x\n"), 0);
	ck_assert_int_eq(ydoc_seq(&doc, ydoc_root(&doc), item, &sum, &err), -1);
	ck_assert_str_eq(err.msg, "t.yaml:2:3: invalid number 'x' (expected 0..100)");
	ydoc_free(&doc);
	ck_assert_int_eq(load("a: 1\n"), 0);
	ck_assert_int_eq(ydoc_seq(&doc, ydoc_root(&doc), item, &sum, &err), -1);
	ck_assert_str_eq(err.msg, "t.yaml:1:1: expected a sequence, found a mapping");
}
END_TEST

START_TEST(getters_ok)
{
	uint32_t a;
	uint16_t p, lo, hi;
	uint8_t mac[6], pr;
	bool b = false;
	char s[32];

	ck_assert_int_eq(load("ip: 198.18.0.1\nap: 127.0.0.1:9750\nport: 0\nr: 10-20\n"
			      "mac: 02:00:00:00:00:01\npr: udp\nany: any\nb: true\n"
			      "s: 'quoted: text'\nq: \"6081\"\n"), 0);
	ck_assert_int_eq(ydoc_ip4(&doc, get("ip"), &a, &err), 0);
	ck_assert_uint_eq(a, 0xc6120001u);
	ck_assert_int_eq(ydoc_ip4_port(&doc, get("ap"), &a, &p, &err), 0);
	ck_assert_uint_eq(a, 0x7f000001u);
	ck_assert_uint_eq(p, 9750);
	ck_assert_int_eq(ydoc_port(&doc, get("port"), &p, &err), 0);
	ck_assert_uint_eq(p, 0);
	ck_assert_int_eq(ydoc_port(&doc, get("q"), &p, &err), 0);
	ck_assert_uint_eq(p, 6081);
	ck_assert_int_eq(ydoc_range(&doc, get("r"), &lo, &hi, &err), 0);
	ck_assert_uint_eq(lo, 10);
	ck_assert_uint_eq(hi, 20);
	ck_assert_int_eq(ydoc_mac(&doc, get("mac"), mac, &err), 0);
	ck_assert_uint_eq(mac[5], 1);
	ck_assert_int_eq(ydoc_proto(&doc, get("pr"), false, &pr, &err), 0);
	ck_assert_uint_eq(pr, 17);
	ck_assert_int_eq(ydoc_proto(&doc, get("any"), true, &pr, &err), 0);
	ck_assert_uint_eq(pr, PROTO_ANY);
	ck_assert_int_eq(ydoc_bool(&doc, get("b"), &b, &err), 0);
	ck_assert(b);
	ck_assert_int_eq(ydoc_str(&doc, get("s"), s, sizeof(s), &err), 0);
	ck_assert_str_eq(s, "quoted: text");
}
END_TEST

START_TEST(getters_bad)
{
	uint32_t a;
	uint16_t p, lo, hi;
	uint8_t mac[6], pr;
	bool b;

	ck_assert_int_eq(load("ip: 198.18.0.300\nap: 198.18.0.1:0\nport: 65536\nr: 500-100\n"
			      "mac: 02:00:00:00:00\npr: any\nb: yes\nlong: '0123456789012345678901"
			      "23456789012345678901234567890123456789012345678901234567890123456789'\n"
			      "nl: \"1\\n2\"\nseq: [1]\n"), 0);
	ck_assert_int_eq(ydoc_ip4(&doc, get("ip"), &a, &err), -1);
	ck_assert_str_eq(err.msg, "t.yaml:1:5: invalid IPv4 address '198.18.0.300'");
	ck_assert_int_eq(ydoc_ip4_port(&doc, get("ap"), &a, &p, &err), -1);
	ck_assert_str_eq(err.msg, "t.yaml:2:5: invalid address '198.18.0.1:0' "
				  "(expected a.b.c.d:port, port 1..65535)");
	ck_assert_int_eq(ydoc_port(&doc, get("port"), &p, &err), -1);
	ck_assert_str_eq(err.msg, "t.yaml:3:7: invalid port '65536' (expected 0..65535)");
	ck_assert_int_eq(ydoc_range(&doc, get("r"), &lo, &hi, &err), -1);
	ck_assert_str_eq(err.msg, "t.yaml:4:4: invalid port range '500-100' "
				  "(expected lo-hi or one port, 1..65535, lo <= hi)");
	ck_assert_int_eq(ydoc_mac(&doc, get("mac"), mac, &err), -1);
	ck_assert_str_eq(err.msg, "t.yaml:5:6: invalid MAC address '02:00:00:00:00'");
	ck_assert_int_eq(ydoc_proto(&doc, get("pr"), false, &pr, &err), -1);
	ck_assert_str_eq(err.msg, "t.yaml:6:5: invalid protocol 'any' (expected tcp, udp or icmp)");
	ck_assert_int_eq(ydoc_proto(&doc, get("b"), true, &pr, &err), -1);
	ck_assert_str_eq(err.msg,
			 "t.yaml:7:4: invalid protocol 'yes' (expected tcp, udp, icmp or any)");
	ck_assert_int_eq(ydoc_bool(&doc, get("b"), &b, &err), -1);
	ck_assert_str_eq(err.msg, "t.yaml:7:4: invalid boolean 'yes' (expected true or false)");
	/* Long values are cut, control characters masked. */
	ck_assert_int_eq(ydoc_ip4(&doc, get("long"), &a, &err), -1);
	ck_assert_str_eq(err.msg, "t.yaml:8:7: invalid IPv4 address '012345678901234567890123456"
				  "7890123456789012345678901234567890123...'");
	ck_assert_int_eq(ydoc_u32(&doc, get("nl"), 0, 9, &a, &err), -1);
	ck_assert_str_eq(err.msg, "t.yaml:9:5: invalid number '1?2' (expected 0..9)");
	ck_assert_int_eq(ydoc_ip4(&doc, get("seq"), &a, &err), -1);
	ck_assert_str_eq(err.msg, "t.yaml:10:6: expected a scalar, found a sequence");
}
END_TEST

START_TEST(yerr_formats)
{
	struct ypos none = { 0, 0 }, pos = { 12, 11 };

	ck_assert_int_eq(yerr_pos(&err, "f.yaml", pos, "bad %s", "thing"), -1);
	ck_assert_str_eq(err.msg, "f.yaml:12:11: bad thing");
	ck_assert_int_eq(yerr_pos(&err, "f.yaml", none, "no position"), -1);
	ck_assert_str_eq(err.msg, "f.yaml: no position");
}
END_TEST

START_TEST(load_file)
{
	char path[] = "/tmp/test_ydoc_XXXXXX";
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "a: [1]\n", 7), 7);
	ck_assert_int_eq(ydoc_load_file(&doc, path, &err), 0);
	ck_assert_int_eq(ydoc_seq_len(get("a")), 1);
	ck_assert_ptr_eq(doc.name, path);
	ydoc_free(&doc);

	/* Exactly 16 MiB is read in full (libyaml then stops at the first NUL); one more byte is not. */
	ck_assert_int_eq(ftruncate(fd, 16 << 20), 0);
	ck_assert_int_eq(pwrite(fd, "a: 1\n#", 6, 0), 6);
	ck_assert_int_eq(ydoc_load_file(&doc, path, &err), -1);
	ck_assert_str_eq(err.msg + strlen(path),
			 ":3:1: control characters are not allowed (character 0x0)");
	ck_assert_int_eq(ftruncate(fd, (16 << 20) + 1), 0);
	ck_assert_int_eq(ydoc_load_file(&doc, path, &err), -1);
	ck_assert_str_eq(err.msg + strlen(path), ": file too large (limit 16 MiB)");
	close(fd);
	unlink(path);

	ck_assert_int_eq(ydoc_load_file(&doc, path, &err), -1);
	ck_assert_str_eq(err.msg + strlen(path), ": cannot open: No such file or directory");
	ck_assert_int_eq(ydoc_load_file(&doc, "/tmp", &err), -1);
	ck_assert_str_eq(err.msg, "/tmp: cannot read: Is a directory");
}
END_TEST

static Suite *ydoc_suite(void)
{
	Suite *s = suite_create("ydoc");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, load_ok);
	tcase_add_test(tc, syntax_errors);
	tcase_add_test(tc, reader_errors);
	tcase_add_test(tc, empty_and_multi);
	tcase_add_test(tc, aliases);
	tcase_add_test(tc, map_ok);
	tcase_add_loop_test(tc, map_errors, 0, 12);
	tcase_add_test(tc, seq);
	tcase_add_test(tc, getters_ok);
	tcase_add_test(tc, getters_bad);
	tcase_add_test(tc, yerr_formats);
	tcase_add_test(tc, load_file);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ydoc_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
