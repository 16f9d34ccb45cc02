/* SPDX-License-Identifier: MIT */
/* host_conf.h - hostd configuration: parsed from YAML into plain data, then checked. */
#ifndef SPAT_HOST_CONF_H
#define SPAT_HOST_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <stdio.h>

#include "ydoc.h"

/* All addresses and ports in host byte order. */

struct host_edge {
	uint32_t addr;
	struct ypos pos;
};

/*
 * A port block: this host's slice of a shared public address, for one
 * tenant's PAT.  A tenant may have several (same address with disjoint
 * ranges, or other addresses); together they are its pool.
 */
struct host_pool {
	uint32_t vni;
	uint32_t addr;
	uint16_t lo, hi;         /* ports and ICMP ids this host owns */
	struct ypos pos;
};

struct host_vm {
	char name[64];
	char tap[IFNAMSIZ];
	char netns[128];         /* "" when the tap is in hostd's namespace */
	uint32_t vni;
	uint32_t addr;
	uint8_t mac[6];
	uint32_t gateway;        /* address hostd answers ARP for */
	uint32_t public_addr;    /* 1:1 public address, 0 if none (set from one_to_one) */
	struct ypos pos;
	struct ypos o2o_pos;     /* of its one_to_one item, for checks on public_addr */
};

/* Static port forward: pub:pub_port/proto -> vms[vm]:vm_port. */
struct host_fwd {
	uint8_t proto;           /* tcp or udp */
	uint32_t pub;
	uint16_t pub_port;
	uint32_t vm;             /* index into vms */
	uint16_t vm_port;
	struct ypos pos;
};

struct host_timeouts {
	uint32_t udp, tcp_est, tcp_trans, icmp;   /* seconds */
};

/* Which inbound packets a dynamic mapping accepts (RFC 4787 REQ-8, RFC 5382 REQ-3). */
enum host_filtering {
	HOST_FILTER_EIF = 0,     /* endpoint-independent: from anyone (the default) */
	HOST_FILTER_ADF,         /* address-dependent: from addresses the VM has sent to */
};

/* The optional mapping log (RFC 6888 s4, RFC 7422); off when path is "". */
struct host_maplog {
	char path[108];          /* file the events are appended to */
	uint32_t rate;           /* events per second at most, default 1000 */
	bool destination;        /* add the destination of the packet that made the mapping */
};

/* tcp_mss_clamp: off, auto (tunnel MTU - 36 - 40), or a number of at least HOST_MSS_MIN. */
#define HOST_MSS_OFF 0
#define HOST_MSS_AUTO 1
#define HOST_MSS_MIN 88
#define HOST_MTU_MIN 576
#define HOST_MTU_MAX 9216

struct host_conf {
	char file[256];
	char name[64];
	uint32_t local;          /* fabric address: listen on it, tunnel source */
	uint16_t port;           /* Geneve port, default 6081 */
	uint8_t gw_mac[6];       /* MAC hostd uses as the VMs' gateway */
	char control[108];
	char user[32];           /* drop to this user after start-up; default "nobody" */
	char state_file[108];    /* conntrack state, kept across restarts */
	char metrics[64];
	uint32_t batch;
	uint32_t busy_poll;      /* microseconds of polling after traffic (evloop.h); 0: off */
	uint32_t max_entries;    /* conntrack capacity, default 262144 */
	uint32_t vm_quota;       /* dynamic mappings per VM, default 4096; 0 (not from YAML): none */
	uint32_t port_reuse_delay;   /* seconds before a freed public port is reused; default 120 */
	uint32_t tunnel_mtu;     /* fabric MTU toward the edges; 0: auto, from the listen interface */
	uint32_t icmp_rate;      /* ICMP "fragmentation needed" per second, default 100; 0: none */
	uint32_t mss_clamp;      /* HOST_MSS_OFF, HOST_MSS_AUTO or the MSS itself */
	struct host_timeouts timeout;   /* defaults 300, 7440, 240, 60 */
	uint32_t probe_interval_ms;     /* edge keepalive period, default 200; 0: no probing */
	uint32_t probe_down_ms;         /* silent this long: edge out of use; default 800 */
	uint8_t filtering;       /* enum host_filtering */
	struct host_maplog maplog;
	struct host_edge *edges;
	size_t nedges;
	struct host_pool *pools;
	size_t npools;
	struct host_vm *vms;
	size_t nvms;
	struct host_fwd *fwds;
	size_t nfwds;
};

/*
 * host_conf_parse() - parse YAML in buf into *c (zeroed first); name is used
 * in messages.  Returns 0, or -1 with err as "name:line:col: message".
 * Checks: unique VM names and (vni, address) pairs, unique taps per netns;
 * port blocks of one address disjoint (a VNI may have several); every
 * forward names a VM and an address:port inside one of its tenant's
 * blocks, no two forwards share a public port; every VM has a block for
 * its VNI or a 1:1 address; 1:1 addresses unique and not a pool address.
 * On failure *c is freed already.
 */
int host_conf_parse(struct host_conf *c, const char *name, const char *buf, size_t len,
		    struct yerr *err);
int host_conf_load(struct host_conf *c, const char *path, struct yerr *err);
void host_conf_free(struct host_conf *c);
/* host_conf_print() - canonical YAML (for -n -v and round trips). */
void host_conf_print(const struct host_conf *c, FILE *f);
/* host_conf_equal() - same settings in a and b; file names and positions aside. */
bool host_conf_equal(const struct host_conf *a, const struct host_conf *b);
/* host_conf_pool() - the first port block of a VNI, or NULL. */
const struct host_pool *host_conf_pool(const struct host_conf *c, uint32_t vni);
/* host_conf_edge() - index of the edge with that address, or -1. */
long host_conf_edge(const struct host_conf *c, uint32_t addr);

#endif
