#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make_seeds_paths.py - write the seed corpora of fuzz_edged_relay and fuzz_hostd_path."""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
from craft import ip4_udp, mac  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def tcp_syn(src, sport, dst, dport):
    """A TCP SYN; checksums need not verify for a seed (the parser does not check them)."""
    s, d = bytes(map(int, src.split("."))), bytes(map(int, dst.split(".")))
    tcp = struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4, 0x02, 64240, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 1, 0, 64, 6, 0, s, d)
    return ip + tcp


def fragment(src, dst, ident, offset8, more, payload):
    """An IPv4 UDP fragment: offset in 8-byte units; the first carries the UDP header."""
    s, d = bytes(map(int, src.split("."))), bytes(map(int, dst.split(".")))
    frag = (0x2000 if more else 0) | offset8
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, 64, 17, 0, s, d) + payload


def tso_frame(frame, src, sport, dst, dport, paylen, mss, flags=0x18):
    """A virtio-net header asking for TCP segmentation (native byte order, as a tap
    or TUN without TUNSETVNETLE gives it) and the frame to split: Ethernet/IPv4/TCP,
    or bare IPv4/TCP when frame is empty (a TUN)."""
    s, d = bytes(map(int, src.split("."))), bytes(map(int, dst.split(".")))
    tcp = struct.pack("!HHIIBBHHH", sport, dport, 1000, 1, 5 << 4, flags, 64240, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40 + paylen, 1, 0x4000, 64, 6, 0, s, d)
    # flags NEEDS_CSUM, gso TCPV4, hdr_len, gso_size, csum_start, csum_offset
    l2 = len(frame)
    vh = struct.pack("=BBHHHH", 1, 1, l2 + 40, mss, l2 + 20, 16)
    return vh + frame + ip + tcp + bytes(i & 0xFF for i in range(paylen))


def geneve(vni, inner, flags=0):
    return struct.pack("!BBHI", 0, flags, 0x0800, vni << 8) + inner


def probe(kind, seq, stamp):
    """spat's Geneve OAM keepalive (common/probe.h): O bit, one option of class 0xFFF0."""
    return struct.pack("!BBHIHBBII", 3, 0x80, 0, 0, 0xFFF0, kind, 2, seq, stamp)


def arp_request(sha, spa, tpa):
    body = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + mac(sha) + bytes(map(int, spa.split(".")))
    body += b"\0" * 6 + bytes(map(int, tpa.split(".")))
    return mac("ff:ff:ff:ff:ff:ff") + mac(sha) + struct.pack("!H", 0x0806) + body


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def write_icmp_errors(frame):
    """ICMP errors both ways: from the Internet about a VM's packet, from a VM about one it got."""
    sys.path.insert(0, HERE)
    from make_seeds_common import icmp, tcp_syn as syn  # noqa: E402

    def a(text):
        return bytes(map(int, text.split(".")))

    router, pub, client, vm = a("192.0.2.254"), a("203.0.113.10"), a("192.0.2.1"), a("198.19.0.11")
    unused = b"\0\0\0\0"
    back = ip4_udp("203.0.113.10", 20000, "192.0.2.1", 7000, b"x")
    err_in = icmp(router, pub, 3, 3, unused, back[:28])
    err_out = icmp(pub, client, 3, 3, unused, syn(client, pub, 40000, 8080))
    err_vm = icmp(vm, client, 3, 3, unused, syn(client, vm, 40000, 80))
    write("fuzz_edged_relay", "tun-icmp-error", b"\x00" + err_in)
    write("fuzz_edged_relay", "tunnel-icmp-error", b"\x80" + geneve(100, err_out))
    write("fuzz_edged_relay", "tunnel-icmp-error-hairpin",
          b"\x80" + geneve(100, icmp(pub, pub, 3, 3, unused, syn(pub, pub, 40000, 8080))))
    write("fuzz_hostd_path", "tunnel-icmp-error", b"\x80" + geneve(100, err_in))
    write("fuzz_hostd_path", "vm-icmp-error", b"\x00" + frame + err_vm)


def main():
    write("fuzz_edged_relay", "tun-tcp-forward", b"\x00" + tcp_syn("192.0.2.1", 40000, "203.0.113.10", 8080))
    write("fuzz_edged_relay", "tun-tso-forward", b"\x10" + tso_frame(b"", "192.0.2.1", 40000, "203.0.113.10", 8080, 3000, 1000))
    write("fuzz_edged_relay", "tun-udp-hostb", b"\x00" + ip4_udp("192.0.2.1", 53, "203.0.113.10", 40053, b"q"))
    write("fuzz_edged_relay", "tunnel-out", b"\x80" + geneve(100, ip4_udp("203.0.113.10", 20000, "192.0.2.1", 7000, b"x")))
    write("fuzz_edged_relay", "tunnel-hairpin", b"\x80" + geneve(100, ip4_udp("203.0.113.10", 20000, "203.0.113.10", 40053, b"x")))
    write("fuzz_edged_relay", "tunnel-spoof", b"\x80" + geneve(100, ip4_udp("203.0.113.10", 40000, "192.0.2.1", 7000, b"x")))
    udp_first = struct.pack("!HHHH", 9, 40053, 1000, 0) + b"a" * 16
    write("fuzz_edged_relay", "tun-frag-first", b"\x00" + fragment("192.0.2.1", "203.0.113.10", 77, 0, True, udp_first))
    write("fuzz_edged_relay", "tun-frag-later", b"\x00" + fragment("192.0.2.1", "203.0.113.10", 77, 3, False, b"b" * 24))
    back_first = struct.pack("!HHHH", 20000, 7000, 1000, 0) + b"a" * 16
    write("fuzz_edged_relay", "tunnel-frag-first", b"\x80" + geneve(100, fragment("203.0.113.10", "192.0.2.1", 78, 0, True, back_first)))
    write("fuzz_edged_relay", "tunnel-frag-later", b"\x80" + geneve(100, fragment("203.0.113.10", "192.0.2.1", 78, 3, False, b"b" * 24)))
    write("fuzz_edged_relay", "tunnel-probe", b"\x80" + probe(1, 1, 1000))
    write("fuzz_hostd_path", "tunnel-probe-reply", b"\x80" + probe(2, 0, 1000))
    write("fuzz_hostd_path", "tunnel-forward", b"\x80" + geneve(100, tcp_syn("192.0.2.1", 40000, "203.0.113.10", 8080)))
    gw, a1 = "02:5a:00:00:00:01", "02:5a:00:00:0a:01"
    frame = mac(gw) + mac(a1) + struct.pack("!H", 0x0800)
    write("fuzz_hostd_path", "vm-udp-out", b"\x00" + frame + ip4_udp("198.19.0.11", 5555, "192.0.2.1", 7000, b"x"))
    write("fuzz_hostd_path", "vm-tcp-out", b"\x00" + frame + tcp_syn("198.19.0.11", 5556, "192.0.2.1", 7001))
    write_icmp_errors(frame)
    # Bit 4: a TSO frame, split; its later segments take the first's decision.
    write("fuzz_hostd_path", "vm-tso", b"\x10" + tso_frame(frame, "198.19.0.11", 5557, "192.0.2.1", 7002, 3000, 1000))
    write("fuzz_hostd_path", "vm-tso-fin", b"\x10" + tso_frame(frame, "198.19.0.11", 5557, "192.0.2.1", 7002, 2500, 1000, 0x19))
    write("fuzz_hostd_path", "vm-arp", b"\x00" + arp_request(a1, "198.19.0.11", "198.19.0.1"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
