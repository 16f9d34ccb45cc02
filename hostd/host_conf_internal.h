/* SPDX-License-Identifier: MIT */
/* host_conf_internal.h - declarations shared by the host_conf*.c files only. */
#ifndef SPAT_HOST_CONF_INTERNAL_H
#define SPAT_HOST_CONF_INTERNAL_H

#include "host_conf.h"

/* host_conf_check() - the checks across items of a parsed config; 0, or -1 with err set. */
int host_conf_check(const struct host_conf *c, struct yerr *err);

#endif
