/* SPDX-License-Identifier: MIT */
/* host_conf_internal.h - declarations shared by the host_conf*.c files only. */
#ifndef SPAT_HOST_CONF_INTERNAL_H
#define SPAT_HOST_CONF_INTERNAL_H

#include "host_conf.h"

/* host_conf_check() - the checks across items of a parsed config; 0, or -1 with err set. */
int host_conf_check(const struct host_conf *c, struct yerr *err);

/* host_conf_filtering() - the "filtering" key into c->filtering; 0, or -1 with err set. */
int host_conf_filtering(struct ydoc *d, yaml_node_t *v, struct host_conf *c, struct yerr *err);
/* host_conf_maplog() - the "mapping_log" mapping into c->maplog; 0, or -1 with err set. */
int host_conf_maplog(struct ydoc *d, yaml_node_t *v, struct host_conf *c, struct yerr *err);
/* host_conf_filtering_name() - "endpoint-independent" or "address-dependent". */
const char *host_conf_filtering_name(uint8_t filtering);

#endif
