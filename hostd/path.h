/* SPDX-License-Identifier: MIT */
/* path.h - hostd's per-packet work: tunnel -> VM tap, VM tap -> tunnel, ARP. */
#ifndef SPAT_PATH_H
#define SPAT_PATH_H

#include <stdint.h>

#include "ctr.h"
#include "flow.h"
#include "host_conf.h"
#include "pktbuf.h"
#include "reject.h"
#include "tunmtu.h"

/* Counters of hostd; the X-macro keeps the enum and the name table in step. */
#define HOST_COUNTERS(C, D)                                                                \
	C(RX_GNV_PKTS, "tunnel_rx_packets_total", "Geneve packets received from edges.")    \
	C(RX_GNV_BYTES, "tunnel_rx_bytes_total", "Geneve bytes received from edges.")       \
	C(TX_GNV_PKTS, "tunnel_tx_packets_total", "Geneve packets sent to edges.")          \
	C(TX_GNV_BYTES, "tunnel_tx_bytes_total", "Geneve bytes sent to edges.")             \
	C(TX_GSO_SENDS, "tunnel_tx_gso_sends_total", "UDP_SEGMENT sends to edges (udpgso.h).") \
	C(TX_GSO_PKTS, "tunnel_tx_gso_packets_total", "Geneve packets sent in them.")       \
	C(TX_GSO_FALLBACKS, "tunnel_tx_gso_fallbacks_total", "UDP_SEGMENT sends refused, tried raw.") \
	C(RX_VM_PKTS, "vm_rx_packets_total", "Frames read from VM taps.")                   \
	C(RX_VM_BYTES, "vm_rx_bytes_total", "Bytes read from VM taps.")                     \
	C(RX_VM_TSO, "vm_rx_tso_total", "TCP super-frames (TSO) read from VM taps, split.") \
	C(RX_VM_TSO_FOLLOW, "vm_rx_tso_follow_total", "Segments of a TSO frame translated as its first was.") \
	C(TX_VM_PKTS, "vm_tx_packets_total", "Frames written to VM taps.")                  \
	C(TX_VM_BYTES, "vm_tx_bytes_total", "Bytes written to VM taps.")                    \
	C(TX_VM_GSO, "vm_tx_gso_total", "Runs of one TCP flow written to a tap as one GSO frame.") \
	C(ARP_REPLIES, "arp_replies_total", "ARP replies sent for the gateway address.")    \
	C(MAP_CREATED, "mappings_created_total", "Dynamic NAT mappings created.")           \
	C(MAP_EXPIRED, "mappings_expired_total", "NAT mappings removed on idle timeout.")   \
	C(FRAG_HELD, "fragments_held_total", "Fragments held until their first arrived.")   \
	C(FRAG_STEERED, "fragments_steered_total", "Later fragments translated like their first.") \
	C(RELOADS, "reloads_total", "Successful configuration reloads.")                    \
	C(REJECTS_SENT, "icmp_rejects_sent_total", "ICMP 3/13 sent to a VM refused a port.") \
	C(REJECTS_LIMITED, "icmp_rejects_limited_total", "ICMP 3/13 not sent: rate limit.") \
	C(RELOAD_FAILS, "reload_failures_total", "Rejected configuration reloads.")         \
	C(PROBES_SENT, "edge_probes_sent_total", "Keepalive probes sent to edges.")         \
	C(PROBE_REPLIES, "edge_probe_replies_total", "Keepalive replies received from edges.") \
	C(EDGE_DOWNS, "edge_down_events_total", "Edges taken out of use: no reply in time.") \
	C(EDGE_UPS, "edge_up_events_total", "Edges back in use after a reply.")              \
	C(MAPLOG_LOGGED, "mapping_log_events_total", "Mapping log events written.")         \
	C(MAPLOG_SUPPRESSED, "mapping_log_suppressed_total", "Mapping log events over the rate.") \
	C(MAPLOG_LOST, "mapping_log_lost_total", "Mapping log events lost to a failed write.") \
	C(ICMPERR_IN, "icmp_errors_in_total", "ICMP errors translated for a VM.")           \
	C(ICMPERR_OUT, "icmp_errors_out_total", "ICMP errors from a VM translated outbound.") \
	C(FRAG_NEEDED, "icmp_frag_needed_total", "ICMP fragmentation-needed sent to VMs for DF packets too big for the tunnel.") \
	C(FRAG_MADE, "fragmented_packets_total", "VM packets too big for the tunnel sent as fragments.") \
	C(MSS_CLAMPED, "mss_clamped_total", "TCP SYNs whose MSS option was lowered.")      \
	C(MSS_BAD, "mss_bad_options_total", "TCP SYNs with malformed options, passed unchanged.") \
	C(LOOP_WAITS, "loop_waits_total", "Event loop turns that waited in epoll_wait.")     \
	C(LOOP_POLLS, "loop_polls_total", "Event loop turns that polled instead (busy_poll).") \
	D(DROP_UNKNOWN_EDGE, "unknown_edge", "Tunnel packet from an unknown sender.")       \
	D(DROP_TRUNCATED, "truncated", "Datagram larger than a packet buffer.")             \
	D(DROP_RX_NOBUF, "tunnel_no_buffer", "Received tunnel datagrams with no buffer free.") \
	D(DROP_GNV_MALFORMED, "geneve_malformed", "Malformed Geneve header.")               \
	D(DROP_GNV_CRITICAL, "geneve_critical", "Unknown critical Geneve option.")          \
	D(DROP_GNV_OAM, "geneve_oam", "Geneve control (O bit) packet.")                     \
	D(DROP_GNV_PROTO, "geneve_proto", "Geneve payload not IPv4.")                       \
	D(DROP_INNER_MALFORMED, "inner_malformed", "Malformed IPv4 packet in a tunnel.")    \
	D(DROP_NO_MAPPING, "no_mapping", "Inbound packet matches no mapping.")              \
	D(DROP_UNSUPPORTED, "unsupported", "Nothing to translate it by (fragment, other ICMP).") \
	D(DROP_NO_POOL, "no_pool", "VM's tenant has no public pool on this host.")          \
	D(DROP_PORTS_FULL, "ports_full", "No free public port or ICMP id.")                 \
	D(DROP_TABLE_FULL, "table_full", "Conntrack table full.")                           \
	D(DROP_VM_QUOTA, "vm_quota", "The VM holds its maximum of mappings already.")       \
	D(DROP_FILTERED, "filtered", "Inbound from an address the VM never sent to (filtering).") \
	D(DROP_VM_MALFORMED, "vm_malformed", "Malformed frame or IPv4 packet from a VM.")   \
	D(DROP_VM_OFFLOAD, "vm_offload", "Offloaded frame from a VM tap that cannot be split.") \
	D(DROP_VM_ETHERTYPE, "vm_ethertype", "Frame from a VM neither IPv4 nor ARP.")       \
	D(DROP_VM_SPOOF_MAC, "vm_spoofed_mac", "Frame from a VM with a foreign source MAC.") \
	D(DROP_VM_SPOOF_IP, "vm_spoofed_ip", "Packet from a VM with a foreign source IPv4.") \
	D(DROP_VM_NOT_GW, "vm_not_gateway", "IPv4 frame not sent to the gateway MAC.")      \
	D(DROP_VM_TO_GW, "vm_to_gateway", "IPv4 packet addressed to the gateway itself.")   \
	D(DROP_ARP_IGNORED, "arp_ignored", "ARP that is not a request for the gateway.")    \
	D(DROP_TX_TUNNEL, "tunnel_tx_error", "Tunnel send failed.")                         \
	D(DROP_TX_VM, "vm_tx_error", "Write to a VM tap failed.")                           \
	D(DROP_HEADROOM, "headroom", "No headroom to encapsulate (internal).")                \
	D(DROP_FRAG_FULL, "fragment_hold_full", "Fragment before its first; hold area full.") \
	D(DROP_FRAG_TIMEOUT, "fragment_timeout", "Held fragment whose first never came.")   \
	D(DROP_ICMPERR_MALFORMED, "icmp_error_malformed",                                   \
	  "ICMP error whose embedded packet is truncated or has no ports.")                 \
	D(DROP_ICMPERR_MISMATCH, "icmp_error_mismatch",                                     \
	  "ICMP error whose embedded endpoint is not the error's own address.")             \
	D(DROP_ICMPERR_CSUM, "icmp_error_checksum", "ICMP error whose ICMP or embedded IPv4 checksum fails.") \
	D(DROP_TOO_BIG_SILENT, "too_big_no_icmp", "DF packet too big; no ICMP allowed about it.") \
	D(DROP_TOO_BIG_RATE, "too_big_rate_limited", "DF packet too big; ICMP rate limit reached.") \
	D(DROP_FRAG_BAD, "fragment_bad_header", "Packet too big with a header that cannot be cut.") \
	D(DROP_FRAG_NOBUF, "fragment_no_buffer", "Packet too big; no buffer for its fragments.")

#define HOST_CTR_ENUM(id, name, help) HC_##id,
enum host_ctr { HOST_COUNTERS(HOST_CTR_ENUM, HOST_CTR_ENUM) HC__N };
#undef HOST_CTR_ENUM

extern const struct ctr_def host_ctr_defs[HC__N];

/* Where a packet goes after a decision.  For PATH_TO_VM, pktbuf.out is the VM index. */
enum path_out { PATH_DROP = 0, PATH_TO_VM, PATH_TO_EDGE, PATH_HELD };

/* Fragment translation: decisions kept this long, and this many fragments held. */
#define PATH_FRAG_ENTRIES 4096
#define PATH_FRAG_HOLD 64
#define PATH_FRAG_MS 2000
_Static_assert(PATH_FRAG_HOLD <= BURST_MAX, "released fragments go out in one burst");

struct frag_cache;
struct edges;

struct udpgso;

/*
 * The decision for the first segment of a TSO frame from a VM (vnet.c),
 * kept for the rest of that frame: the same flow, so the same translation
 * and edge, without parsing and looking each up again.  Cleared at every
 * path_tick(): a frame is handed out within one callback.
 */
struct path_tso {
	uint32_t frame;              /* pktbuf.frame of the first; 0: none kept */
	uint32_t vm;
	uint32_t len;                /* the first's IPv4 length: no later one is longer */
	uint8_t flags;               /* its TCP flags, less PSH and CWR */
	struct pkt_ip4 pi;           /* its parse, before translation */
	struct flow_result res;
	uint32_t edge;               /* outer destination, source port */
	uint16_t sport;
};

struct path {
	const struct host_conf *conf;
	struct edges *edges;         /* NULL: every configured edge in use */
	const struct udpgso *gso;    /* outer source ports; NULL: from the flow hash alone */
	struct flowtab *ft;
	struct frag_cache *frags;    /* NULL: only 1:1 fragments pass */
	uint32_t now_ms;             /* set by path_tick() before each burst */
	/* Held fragments whose first came in this burst, translated and ready. */
	struct pktbuf *rel[PATH_FRAG_HOLD];
	enum path_out rel_out[PATH_FRAG_HOLD];
	unsigned nrel;
	struct reject_limit rej;     /* ICMP 3/13 to VMs refused a port */
	struct tunmtu mtu;           /* tunnel room; fragments cut this burst (mtu.frag[]) */
	uint16_t mss_max;            /* clamp SYNs' MSS to this; 0: off */
	struct path_tso tso;
	uint64_t ctr[HC__N];
};

/*
 * path_prefetch_vm(), path_prefetch_tunnel() - before a burst from VM
 * vm_idx's tap, or from the tunnel, is decided packet by packet: start
 * loading the conntrack index slots its TCP and UDP packets will look up,
 * so that their cache misses overlap (ct_prefetch_priv()).  Hints only;
 * any bytes are safe.
 */
void path_prefetch_vm(const struct path *p, uint32_t vm_idx, struct pktbuf *const *b, unsigned n);
void path_prefetch_tunnel(const struct path *p, struct pktbuf *const *b, unsigned n);
/* path_tick() - start of a burst: note the time, drop held fragments too old (counted). */
void path_tick(struct path *p, uint32_t now_ms);
/* path_put_released() - give back the p->rel[] buffers once they were sent. */
void path_put_released(struct path *p);

/*
 * path_from_tunnel() - b holds a UDP payload from b->peer.  Checks the
 * sender, decapsulates, translates the destination and prepends the
 * Ethernet header for the VM: PATH_TO_VM.  An edge's keepalive reply is
 * handed to p->edges and counted (PATH_DROP, not a drop).  Otherwise
 * counts a drop.
 */
enum path_out path_from_tunnel(struct path *p, struct pktbuf *b, uint32_t now);
/*
 * path_from_vm() - b holds a frame read from VM vm's tap.  ARP requests
 * for the gateway are answered in place (PATH_TO_VM).  IPv4 from the VM's
 * own MAC and address is translated and encapsulated for an edge
 * (PATH_TO_EDGE).  Otherwise counts a drop.
 */
enum path_out path_from_vm(struct path *p, uint32_t vm, struct pktbuf *b, uint32_t now);

#endif
