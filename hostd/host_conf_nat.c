// SPDX-License-Identifier: MIT
/* host_conf_nat.c - hostd configuration keys of NAT behaviour: filtering, mapping_log. */
#include <string.h>

#include "host_conf_internal.h"

#define MAPLOG_RATE_MAX 1000000u

static const char *const filtering_names[] = {
	[HOST_FILTER_EIF] = "endpoint-independent",
	[HOST_FILTER_ADF] = "address-dependent",
};

/* host_conf_filtering_name() - "endpoint-independent" or "address-dependent". */
const char *host_conf_filtering_name(uint8_t filtering)
{
	return filtering_names[filtering == HOST_FILTER_ADF];
}

/* host_conf_filtering() - the "filtering" key into c->filtering; 0, or -1 with err set. */
int host_conf_filtering(struct ydoc *d, yaml_node_t *v, struct host_conf *c, struct yerr *err)
{
	char buf[32];

	if (ydoc_str(d, v, buf, sizeof(buf), err))
		return -1;
	for (uint8_t i = 0; i < sizeof(filtering_names) / sizeof(filtering_names[0]); i++) {
		if (!strcmp(buf, filtering_names[i])) {
			c->filtering = i;
			return 0;
		}
	}
	return yerr_at(err, d, v, "invalid filtering '%s' (expected endpoint-independent or "
		       "address-dependent)", buf);
}

static int ml_path(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	struct host_maplog *m = o;

	if (ydoc_str(d, v, m->path, sizeof(m->path), err))
		return -1;
	if (m->path[0] != '/')
		return yerr_at(err, d, v, "invalid mapping log path '%s' (an absolute path)",
			       m->path);
	for (const char *p = m->path; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			return yerr_at(err, d, v, "invalid mapping log path (control character)");
	return 0;
}

static int ml_rate(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return ydoc_u32(d, v, 1, MAPLOG_RATE_MAX, &((struct host_maplog *)o)->rate, err);
}

static int ml_destination(struct ydoc *d, yaml_node_t *v, void *o, struct yerr *err)
{
	return ydoc_bool(d, v, &((struct host_maplog *)o)->destination, err);
}

static const struct ykey maplog_keys[] = {
	{ "path", ml_path, true },
	{ "rate", ml_rate, false },
	{ "destination", ml_destination, false },
	{ NULL, NULL, false },
};

/* host_conf_maplog() - the "mapping_log" mapping into c->maplog; 0, or -1 with err set. */
int host_conf_maplog(struct ydoc *d, yaml_node_t *v, struct host_conf *c, struct yerr *err)
{
	return ydoc_map(d, v, maplog_keys, &c->maplog, err);
}
