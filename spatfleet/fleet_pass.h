/* SPDX-License-Identifier: MIT */
/* fleet_pass.h - what spatfleet reads in passed-through hostd keys: 1:1 addresses, forwards. */
#ifndef SPAT_FLEET_PASS_H
#define SPAT_FLEET_PASS_H

#include "fleet_conf.h"

/*
 * fleet_pass_check() - for each host's effective hostd keys (its own, else
 * the fleet's): every one_to_one item must name a VM of its `vms`, and gives
 * a whole-address edge rule (c->o2o: the address, the host, the VM's VNI);
 * 1:1 addresses must be unique across the fleet and outside every pool; and
 * every forward's public address:port must lie in one of the host's blocks
 * of its VM's VNI.  c's pools must be sized (fleet_pool_size()).  Returns 0,
 * or -1 with err at the offending item.  Items it cannot read (not a mapping,
 * a missing key, a malformed value) are errors here too, with the position.
 */
int fleet_pass_check(struct fleet_conf *c, struct yerr *err);

#endif
