// SPDX-License-Identifier: MIT
/* fuzz_spatfleet_conf.c - libFuzzer target: spatfleet input parse, split, merge and writers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet_conf.h"
#include "fleet_emit.h"
#include "fleet_split.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Sorted blocks never overlap; merging keeps them sorted and disjoint. */
static void check_disjoint(const struct fleet_block *b, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (b[i].pub == b[i - 1].pub && b[i].lo <= b[i - 1].hi)
			__builtin_trap();
}

/* LLVMFuzzerTestOneInput() - parse data as a fleet and run everything spatfleet would. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct fleet_block *b;
	struct fleet_conf c;
	struct yerr err;
	size_t i, m;
	long n;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	if (fleet_conf_parse(&c, "fuzz.yaml", (const char *)data, size, &err))
		return 0;
	n = fleet_split(&c, &b);
	if (n < 0) {
		fleet_conf_free(&c);
		return 0;
	}
	check_disjoint(b, (size_t)n);
	if (devnull)
		fleet_emit_map(&c, b, (size_t)n, devnull);
	m = fleet_merge(b, (size_t)n);
	check_disjoint(b, m);
	if (devnull) {
		for (i = 0; i < c.nedges; i++)
			fleet_emit_edge(&c, i, b, m, devnull);
		fleet_by_host(b, m);
		for (i = 0; i < c.nhosts && i < 64; i++)
			fleet_emit_host(&c, i, b, m, devnull);
	}
	free(b);
	fleet_conf_free(&c);
	return 0;
}
