// SPDX-License-Identifier: MIT
/* fuzz_spatctl_json.c - spatctl's JSON reader and renderer on arbitrary replies. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "json.h"
#include "render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parse, and render what parses to a sink, as spatctl would print it. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	struct json *j;

	if (!sink && !(sink = fopen("/dev/null", "w")))
		abort();
	j = json_parse((const char *)data, size);
	if (j)
		render(j, sink);
	json_free(j);
	return 0;
}
