/* SPDX-License-Identifier: MIT */
/* relay.h - edged's data path decisions: TUN -> host tunnel, tunnel -> TUN or hairpin. */
#ifndef SPAT_RELAY_H
#define SPAT_RELAY_H

#include <stdint.h>

#include "ctr.h"
#include "edge_conf.h"
#include "pktbuf.h"
#include "rules.h"
#include "tunmtu.h"

/* Counters of edged; the X-macro keeps the enum and the name table in step. */
#define EDGE_COUNTERS(C, D)                                                              \
	C(RX_TUN_PKTS, "tun_rx_packets_total", "Packets read from the TUN device.")       \
	C(RX_TUN_BYTES, "tun_rx_bytes_total", "Bytes read from the TUN device.")          \
	C(RX_TUN_TSO, "tun_rx_tso_total", "TCP super-packets (TSO) read from TUN, split.") \
	C(RX_TUN_TSO_FOLLOW, "tun_rx_tso_follow_total", "Segments of a super-packet steered as its first was.") \
	C(TX_TUN_PKTS, "tun_tx_packets_total", "Packets written to the TUN device.")      \
	C(TX_TUN_BYTES, "tun_tx_bytes_total", "Bytes written to the TUN device.")         \
	C(TX_TUN_GSO, "tun_tx_gso_total", "Runs of one TCP flow written to TUN as one GSO packet.") \
	C(RX_GNV_PKTS, "tunnel_rx_packets_total", "Geneve packets received from hosts.")  \
	C(RX_GNV_BYTES, "tunnel_rx_bytes_total", "Geneve bytes received from hosts.")     \
	C(TX_GNV_PKTS, "tunnel_tx_packets_total", "Geneve packets sent to hosts.")        \
	C(TX_GNV_BYTES, "tunnel_tx_bytes_total", "Geneve bytes sent to hosts.")           \
	C(TX_GSO_SENDS, "tunnel_tx_gso_sends_total", "UDP_SEGMENT sends to hosts (udpgso.h).") \
	C(TX_GSO_PKTS, "tunnel_tx_gso_packets_total", "Geneve packets sent in them.")     \
	C(TX_GSO_FALLBACKS, "tunnel_tx_gso_fallbacks_total", "UDP_SEGMENT sends refused, tried raw.") \
	C(HAIRPIN_PKTS, "hairpin_packets_total", "Packets from a host sent back to a host.") \
	C(RELOADS, "reloads_total", "Successful configuration reloads.")                  \
	C(FRAG_HELD, "fragments_held_total", "Fragments held until their first arrived.") \
	C(FRAG_STEERED, "fragments_steered_total", "Later fragments placed like their first.") \
	C(RELOAD_FAILS, "reload_failures_total", "Rejected configuration reloads.")       \
	C(PROBES_ANSWERED, "probes_answered_total", "Keepalive probes from hosts answered.") \
	C(ICMPERR_PKTS, "icmp_errors_total", "ICMP errors steered by their embedded packet.") \
	C(FRAG_NEEDED, "icmp_frag_needed_total", "ICMP fragmentation-needed sent for DF packets too big for the tunnel.") \
	C(FRAG_MADE, "fragmented_packets_total", "Packets too big for the tunnel sent as fragments.") \
	C(LOOP_WAITS, "loop_waits_total", "Event loop turns that waited in epoll_wait.")   \
	C(LOOP_POLLS, "loop_polls_total", "Event loop turns that polled instead (busy_poll).") \
	D(DROP_TUN_MALFORMED, "tun_malformed", "Malformed IPv4 packet from TUN.")         \
	D(DROP_TUN_NOT_IP4, "tun_not_ipv4", "Non-IPv4 packet from TUN.")                  \
	D(DROP_NO_RULE, "no_rule", "No forwarding rule for the destination.")             \
	D(DROP_FRAG_FULL, "fragment_hold_full", "Fragment before its first; hold area full.") \
	D(DROP_FRAG_TIMEOUT, "fragment_timeout", "Held fragment whose first never came.")  \
	D(DROP_NO_PORTS, "no_ports", "Packet without ports or echo id on a port rule.")   \
	D(DROP_UNKNOWN_HOST, "unknown_host", "Tunnel packet from an unknown sender.")     \
	D(DROP_TRUNCATED, "truncated", "Datagram larger than a packet buffer.")           \
	D(DROP_RX_NOBUF, "tunnel_no_buffer", "Received tunnel datagrams with no buffer free.") \
	D(DROP_GNV_MALFORMED, "geneve_malformed", "Malformed Geneve header.")             \
	D(DROP_GNV_CRITICAL, "geneve_critical", "Unknown critical Geneve option.")        \
	D(DROP_GNV_OAM, "geneve_oam", "Geneve control (O bit) packet.")                   \
	D(DROP_GNV_PROTO, "geneve_proto", "Geneve payload not IPv4.")                     \
	D(DROP_INNER_MALFORMED, "inner_malformed", "Malformed IPv4 packet in a tunnel.")  \
	D(DROP_SPOOFED, "spoofed_source", "Inner source not owned by the sending host.")  \
	D(DROP_VNI, "vni_mismatch", "Tunnel VNI differs from the rule's VNI.")            \
	D(DROP_TX_TUNNEL, "tunnel_tx_error", "Tunnel send failed.")                       \
	D(DROP_TX_TUN, "tun_tx_error", "TUN write failed.")                               \
	D(DROP_TUN_OFFLOAD, "tun_offload", "TUN read with a bad or unoffered offload, or its rest.") \
	D(DROP_HEADROOM, "headroom", "No headroom to encapsulate (internal).")            \
	D(DROP_ICMPERR_MALFORMED, "icmp_error_malformed",                                 \
	  "ICMP error whose embedded packet is truncated or has no ports.")               \
	D(DROP_ICMPERR_MISMATCH, "icmp_error_mismatch",                                   \
	  "ICMP error whose embedded endpoint is not the error's public address.") \
	D(DROP_TOO_BIG_SILENT, "too_big_no_icmp", "DF packet too big; no ICMP allowed about it.") \
	D(DROP_TOO_BIG_RATE, "too_big_rate_limited", "DF packet too big; ICMP rate limit reached.") \
	D(DROP_FRAG_BAD, "fragment_bad_header", "Packet too big with a header that cannot be cut.") \
	D(DROP_FRAG_NOBUF, "fragment_no_buffer", "Packet too big; no buffer for its fragments.")

#define EDGE_CTR_ENUM(id, name, help) EC_##id,
enum edge_ctr { EDGE_COUNTERS(EDGE_CTR_ENUM, EDGE_CTR_ENUM) EC__N };
#undef EDGE_CTR_ENUM

extern const struct ctr_def edge_ctr_defs[EC__N];

/* Where a packet goes after a decision; stored in pktbuf.out for released fragments. */
enum relay_out { RELAY_DROP = 0, RELAY_TO_HOST, RELAY_TO_TUN, RELAY_HELD };

/* Fragment steering: decisions kept this long, and this many fragments held. */
#define RELAY_FRAG_ENTRIES 4096
#define RELAY_FRAG_HOLD 64
#define RELAY_FRAG_MS 2000
_Static_assert(RELAY_FRAG_HOLD <= BURST_MAX, "released fragments go out in one burst");

struct frag_cache;
struct udpgso;

/*
 * The way the first segment of a TSO super-packet from the TUN went (vnet.c),
 * kept for its later segments: their headers are the first's but for
 * length, IP id, sequence number, flags and checksums, so the same rule
 * and outer port serve them without a parse and a lookup each.  Cleared at
 * every relay_tick(): a super-packet is handed out within one callback.
 */
struct relay_tso {
	uint32_t frame;              /* pktbuf.frame of the first; 0: none kept */
	uint32_t len;                /* its IPv4 length: no later segment is longer */
	const struct rule_target *t;
	uint16_t sport;              /* outer source port */
};

struct relay {
	const struct edge_conf *conf;
	const struct rules *rules;
	struct frag_cache *frags;    /* NULL: only whole-address fragments pass */
	const struct udpgso *gso;    /* outer source ports; NULL: from the flow hash alone */
	uint32_t now_ms;             /* set by the caller before each burst */
	/* Held fragments whose first came in this burst, ready (pktbuf.out says where). */
	struct pktbuf *rel[RELAY_FRAG_HOLD];
	unsigned nrel;
	struct tunmtu mtu;           /* tunnel room; fragments cut this burst (mtu.frag[]) */
	struct relay_tso tso;
	uint64_t ctr[EC__N];
};

/*
 * relay_tick() - start of a burst: note the time and drop held fragments
 * that waited too long (counted).
 */
void relay_tick(struct relay *r, uint32_t now_ms);
/* relay_put_released() - give back the r->rel[] buffers once they were sent. */
void relay_put_released(struct relay *r);

/*
 * relay_from_tun() - b holds an IP packet read from TUN.  On a match it is
 * wrapped in Geneve and outer IPv4/UDP for its host and RELAY_TO_HOST is
 * returned; otherwise the drop is counted and RELAY_DROP returned.  A later
 * fragment goes where its first went; one that comes before its first is
 * copied aside (RELAY_HELD) and shows up in r->rel once the first came.
 */
enum relay_out relay_from_tun(struct relay *r, struct pktbuf *b);
/*
 * relay_from_tunnel() - b holds a UDP payload from b->peer.  Checks the
 * sender and the inner source, then either strips the tunnel and returns
 * RELAY_TO_TUN, or re-wraps it for the host owning the destination
 * (hairpin) and returns RELAY_TO_HOST, or counts a drop.  A host's
 * keepalive probe becomes the reply to it, in place (RELAY_TO_HOST).
 */
enum relay_out relay_from_tunnel(struct relay *r, struct pktbuf *b);

#endif
