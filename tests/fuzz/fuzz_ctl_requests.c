// SPDX-License-Identifier: MIT
/* fuzz_ctl_requests.c - control-socket requests into edged's and hostd's handlers. */
#include <event2/buffer.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "edged.h"
#include "hostd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct edged e;
static struct hostd h;

static void fuzz_init(void)
{
	struct yerr err;

	if (edge_conf_load(&e.conf, SPAT_SOURCE_DIR "/etc/edged.yaml", &err) < 0 ||
	    host_conf_load(&h.conf, SPAT_SOURCE_DIR "/etc/hostd-a.yaml", &err) < 0)
		abort();
	e.rules = rules_build(&e.conf);
	h.conf.max_entries = 1024;
	if (!e.rules || flow_init(&h.ft, &h.conf, 1) < 0)
		abort();
	e.relay.conf = &e.conf;
	e.relay.rules = e.rules;
	h.path.conf = &h.conf;
	h.path.ft = &h.ft;
}

/*
 * The first byte picks the daemon; the rest is one request line, split into
 * words as ctl.c does (without its length limit, to reach the handlers with
 * anything).  Replies go to an evbuffer that is then drained.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[CTL_MAX_LINE + 1], *argv[CTL_MAX_ARGS];
	struct evbuffer *out;
	int argc = 0;

	if (!e.rules)
		fuzz_init();
	if (size < 2 || size - 1 > CTL_MAX_LINE)
		return 0;
	memcpy(line, data + 1, size - 1);
	line[size - 1] = 0;
	for (char *t = strtok(line, " \t\r\n"); t && argc < CTL_MAX_ARGS; t = strtok(NULL, " \t\r\n"))
		argv[argc++] = t;
	if (!argc || !(out = evbuffer_new()))
		return 0;
	if (data[0] & 1)
		host_ctl_request(&h, argc, argv, out);
	else
		edge_ctl_request(&e, argc, argv, out);
	if (data[0] & 2)
		(data[0] & 1 ? host_ctl_metrics : edge_ctl_metrics)(data[0] & 1 ? (void *)&h : &e, out);
	evbuffer_free(out);
	return 0;
}
