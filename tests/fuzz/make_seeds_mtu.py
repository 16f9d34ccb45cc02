#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make_seeds_mtu.py - write the seed corpus of fuzz_common_mtu.

Run once from anywhere; it rewrites tests/fuzz/corpus/fuzz_common_mtu/.  Each
seed is one byte of MTU ((mtu - 60) / 8), one byte of MSS limit (mss / 8) and
an IPv4 packet.  Addresses come from the documentation ranges only (DESIGN.md s5).
"""
import struct

from make_seeds_common import CLIENT, PUBLIC, VM, csum, ip4, udp, with_l4_csum, write

MTU_1464 = (1464 - 60) // 8
MSS_1424 = 1424 // 8


def tcp(src, dst, flags, opts, payload=b"", frag=0):
    """A TCP segment with options opts (padded to 4 bytes)."""
    opts += b"\0" * (-len(opts) % 4)
    l4 = struct.pack("!HHIIBBHHH", 40000, 80, 1, 0, (20 + len(opts)) // 4 << 4, flags,
                     64240, 0, 0) + opts + payload
    return ip4(6, src, dst, with_l4_csum(6, src, dst, l4, 16), frag=frag)


def with_options(pkt, opts):
    """pkt with IPv4 options opts (a multiple of 4) put into its header."""
    hlen = 20 + len(opts)
    hdr = bytes([0x40 | hlen // 4]) + pkt[1:2] + struct.pack("!H", len(pkt) + len(opts)) + \
        pkt[4:10] + b"\0\0" + pkt[12:20] + opts
    return hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:] + pkt[20:]


def seeds():
    big = bytes(i & 0xFF for i in range(1472))
    udp1500 = udp(CLIENT, PUBLIC, 5000, 53, big)
    return {
        "udp_1500": bytes([MTU_1464, MSS_1424]) + udp1500,
        "tcp_df_1500": bytes([MTU_1464, MSS_1424]) + tcp(CLIENT, PUBLIC, 0x10, b"", big[:1460],
                                                         frag=0x4000),
        "small_mtu": bytes([64, 67]) + udp1500,
        "syn_mss": bytes([MTU_1464, MSS_1424]) + tcp(VM, CLIENT, 0x02, bytes([2, 4, 5, 0xB4])),
        "syn_mss_odd": bytes([MTU_1464, MSS_1424]) +
        tcp(VM, CLIENT, 0x02, bytes([1, 3, 3, 7, 2, 4, 5, 0xB4, 4, 2])),
        "syn_bad_opt": bytes([MTU_1464, MSS_1424]) +
        tcp(VM, CLIENT, 0x02, bytes([2, 4, 5, 0xB4, 8, 1])),
        "ip_options": bytes([100, MSS_1424]) +
        with_options(udp1500, bytes([7, 7, 4, 0, 0, 0, 0, 1, 0x94, 4, 0, 0])),
        "fragment_again": bytes([100, MSS_1424]) +
        ip4(17, CLIENT, PUBLIC, big[:1400], frag=0x2000 | 185),
    }


if __name__ == "__main__":
    write("fuzz_common_mtu", seeds())
