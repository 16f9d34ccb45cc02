// SPDX-License-Identifier: MIT
/* fuzz_edged_conf.c - libFuzzer target: edged config parse, rule table, print round trip. */
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge_conf.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The config is valid, so rules do not overlap: each rule's borders find that rule. */
static void probe_rules(const struct edge_conf *c, const struct rules *r)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, 47 };
	const struct rule_target *t;
	const struct edge_rule *ru;
	size_t i, p;

	for (i = 0; i < c->nrules && i < 64; i++) {
		ru = &c->rules[i];
		for (p = 0; p < sizeof(protos); p++) {
			bool covered = ru->whole || (p < 3 && (!ru->proto || ru->proto == protos[p]));

			t = rules_lookup(r, ru->pub, protos[p], ru->lo);
			if (covered && (!t || t->host != ru->host || t->vni != ru->vni))
				__builtin_trap();
			t = rules_lookup(r, ru->pub, protos[p], ru->hi);
			if (covered && (!t || t->host != ru->host || t->vni != ru->vni))
				__builtin_trap();
			rules_lookup(r, ru->pub + 1, protos[p], ru->lo);
		}
		if (!rules_has_addr(r, ru->pub))
			__builtin_trap();
	}
}

static char *print(const struct edge_conf *c, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	if (!f)
		return NULL;
	edge_conf_print(c, f);
	fclose(f);
	return text;
}

/* The canonical form must parse back and print the same text again. */
static void check_round_trip(const struct edge_conf *c)
{
	struct edge_conf c2;
	struct yerr err;
	char *t1, *t2;
	size_t l1 = 0, l2 = 0;

	t1 = print(c, &l1);
	if (!t1)
		return;
	if (edge_conf_parse(&c2, "printed", t1, l1, &err)) {
		fprintf(stderr, "printed config does not parse: %s\n%s", err.msg, t1);
		abort();
	}
	t2 = print(&c2, &l2);
	if (t2 && (l1 != l2 || memcmp(t1, t2, l1))) {
		fprintf(stderr, "printed config differs:\n%s\n---\n%s", t1, t2);
		abort();
	}
	edge_conf_free(&c2);
	free(t1);
	free(t2);
}

/* LLVMFuzzerTestOneInput() - parse data as an edged config and exercise what uses it. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct edge_conf c;
	struct rules *r;
	struct yerr err;

	if (edge_conf_parse(&c, "fuzz.yaml", (const char *)data, size, &err))
		return 0;
	r = rules_build(&c);
	if (r) {
		probe_rules(&c, r);
		rules_free(r);
	}
	check_round_trip(&c);
	edge_conf_free(&c);
	return 0;
}
