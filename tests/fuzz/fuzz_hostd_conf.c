// SPDX-License-Identifier: MIT
/* fuzz_hostd_conf.c - hostd YAML config: parse, build the flow table, print and re-parse. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "flow.h"
#include "host_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The canonical form must parse back to the same config. */
static void check_round_trip(const struct host_conf *c)
{
	struct host_conf c2;
	struct yerr err;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	host_conf_print(c, f);
	fclose(f);
	if (host_conf_parse(&c2, "printed", text, len, &err) < 0) {
		fprintf(stderr, "printed config does not parse: %s\n%s", err.msg, text);
		abort();
	}
	if (!host_conf_equal(c, &c2)) {
		fprintf(stderr, "printed config differs:\n%s", text);
		abort();
	}
	host_conf_free(&c2);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct host_conf c;
	struct flowtab ft;
	struct yerr err;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	if (host_conf_parse(&c, "fuzz", (const char *)data, size, &err) < 0)
		return 0;
	if (c.max_entries > 1024)
		c.max_entries = 1024;   /* keep each run cheap; tiny tables are valid too */
	if (flow_init(&ft, &c, 1) == 0)
		flow_destroy(&ft);
	if (devnull)
		host_conf_print(&c, devnull);
	check_round_trip(&c);
	host_conf_free(&c);
	return 0;
}
