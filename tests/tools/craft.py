#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""craft.py - send hand-built packets into the lab for tests that real clients cannot make.

  geneve: a Geneve datagram from a bound fabric address, carrying an IPv4/UDP
          packet with any inner source (a host forging another host's range,
          an unknown sender, a bad VNI).
  frame:  an Ethernet frame on a VM's interface with any source MAC and IPv4
          (a VM spoofing its identity).
  frags:  one UDP datagram cut into IPv4 fragments, sent in order or last
          first (out-of-order fragments through the NAT).
  flood:  many small packets with random ports (UDP, or TCP SYNs), bounded in
          count and time: a VM opening flows, or unsolicited SYNs.
  icmperr: an ICMP error about a UDP datagram (whole or cut to --keep bytes),
          optionally with a broken ICMP checksum or another embedded source.
Every send is bounded by --count.  Standard library only.
"""
import argparse
import random
import select
import socket
import struct
import sys
import time


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4_udp(src, sport, dst, dport, payload):
    udp_len = 8 + len(payload)
    tot = 20 + udp_len
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tot, 1, 0, 64, 17, 0, s, d)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    pseudo = s + d + struct.pack("!BBH", 0, 17, udp_len)
    udp = struct.pack("!HHHH", sport, dport, udp_len, 0) + payload
    c = csum(pseudo + udp) or 0xFFFF
    return ip + udp[:6] + struct.pack("!H", c) + udp[8:]


def cmd_geneve(a):
    inner = ip4_udp(a.inner_src, a.inner_sport, a.inner_dst, a.inner_dport, a.payload.encode())
    hdr = struct.pack("!BBHI", 0, 0x40 if a.oam else 0, 0x0800, a.vni << 8)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.bind, 0))
    for _ in range(a.count):
        s.sendto(hdr + inner, (a.dst, 6081))
    return 0


def cmd_frags(a):
    whole = ip4_udp(a.src, a.sport, a.dst, a.dport, b"f" * a.size)
    body = whole[20:]
    ident = a.ident
    chunks = [body[i:i + a.chunk] for i in range(0, len(body), a.chunk)]
    pkts = []
    s_, d_ = socket.inet_aton(a.src), socket.inet_aton(a.dst)
    for n, chunk in enumerate(chunks):
        more = 0x2000 if n + 1 < len(chunks) else 0
        off = (n * a.chunk) // 8
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(chunk), ident, more | off, 64, 17, 0,
                         s_, d_)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        pkts.append(ip + chunk)
    if a.reverse:
        pkts.reverse()
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    for p in pkts:
        s.sendto(p, (a.dst, 0))
    return 0


def tcp_syn(src, sport, dst, dport):
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4, 0x02, 64240, 0, 0)
    c = csum(s + d + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, s, d)
    return ip[:10] + struct.pack("!H", csum(ip)) + ip[12:] + tcp


def cmd_flood(a):
    rng = random.Random(a.seed)
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setblocking(False)
    deadline = time.monotonic() + a.seconds
    sent = 0
    for i in range(a.count):
        if (i & 1023) == 0 and time.monotonic() > deadline:
            break
        sport = a.sport if a.sport else rng.randrange(1024, 65536)
        dport = a.dport if a.dport else rng.randrange(1, 65536)
        pkt = (tcp_syn(a.src, sport, a.dst, dport) if a.proto == "syn"
               else ip4_udp(a.src, sport, a.dst, dport, b"x"))
        try:
            s.sendto(pkt, (a.dst, 0))
            sent += 1
        except BlockingIOError:
            select.select([], [s], [], 0.01)
    print(sent)
    return 0


def cmd_icmperr(a):
    emb = ip4_udp(a.emb_src, a.emb_sport, a.emb_dst, a.emb_dport, a.payload.encode())
    if a.keep is not None:
        emb = emb[:a.keep]
    icmp = struct.pack("!BBHI", a.type, a.code, 0, 0) + emb
    c = csum(icmp)
    if a.bad_csum:
        c ^= 0x0101
    icmp = icmp[:2] + struct.pack("!H", c) + icmp[4:]
    s_, d_ = socket.inet_aton(a.src), socket.inet_aton(a.dst)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 7, 0, 64, 1, 0, s_, d_)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    for _ in range(a.count):
        s.sendto(ip + icmp, (a.dst, 0))
    return 0


def mac(text):
    return bytes(int(x, 16) for x in text.split(":"))


def cmd_frame(a):
    pkt = ip4_udp(a.src_ip, a.sport, a.dst_ip, a.dport, a.payload.encode())
    eth = mac(a.dst_mac) + mac(a.src_mac) + struct.pack("!H", 0x0800)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.ifname, 0))
    for _ in range(a.count):
        s.send(eth + pkt)
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("geneve")
    g.add_argument("--bind", required=True)
    g.add_argument("--dst", required=True)
    g.add_argument("--vni", type=int, required=True)
    g.add_argument("--oam", action="store_true")
    g.add_argument("--inner-src", required=True)
    g.add_argument("--inner-sport", type=int, required=True)
    g.add_argument("--inner-dst", required=True)
    g.add_argument("--inner-dport", type=int, required=True)
    f = sub.add_parser("frame")
    f.add_argument("--ifname", default="eth0")
    f.add_argument("--src-mac", required=True)
    f.add_argument("--dst-mac", required=True)
    f.add_argument("--src-ip", required=True)
    f.add_argument("--dst-ip", required=True)
    f.add_argument("--sport", type=int, default=4000)
    f.add_argument("--dport", type=int, required=True)
    fr = sub.add_parser("frags")
    fr.add_argument("--src", required=True)
    fr.add_argument("--dst", required=True)
    fr.add_argument("--sport", type=int, required=True)
    fr.add_argument("--dport", type=int, required=True)
    fr.add_argument("--size", type=int, default=3000, choices=range(1, 60001), metavar="1..60000")
    fr.add_argument("--chunk", type=int, default=1480, choices=range(8, 1481, 8), metavar="8..1480")
    fr.add_argument("--ident", type=int, default=4242)
    fr.add_argument("--reverse", action="store_true")
    fl = sub.add_parser("flood")
    fl.add_argument("--src", required=True)
    fl.add_argument("--dst", required=True)
    fl.add_argument("--proto", choices=("udp", "syn"), default="udp")
    fl.add_argument("--sport", type=int, default=0, help="0: random per packet")
    fl.add_argument("--dport", type=int, default=0, help="0: random per packet")
    fl.add_argument("--count", type=int, required=True, choices=range(1, 1000001),
                    metavar="1..1000000")
    fl.add_argument("--seconds", type=float, default=30.0)
    fl.add_argument("--seed", type=int, default=1)
    ie = sub.add_parser("icmperr")
    ie.add_argument("--src", required=True)
    ie.add_argument("--dst", required=True)
    ie.add_argument("--type", type=int, default=3)
    ie.add_argument("--code", type=int, default=3)
    ie.add_argument("--emb-src", required=True)
    ie.add_argument("--emb-sport", type=int, required=True)
    ie.add_argument("--emb-dst", required=True)
    ie.add_argument("--emb-dport", type=int, required=True)
    ie.add_argument("--keep", type=int, help="embedded bytes to keep (default: all)")
    ie.add_argument("--bad-csum", action="store_true")
    for sp in (g, f, ie):
        sp.add_argument("--payload", default="spat-test")
        sp.add_argument("--count", type=int, default=5, choices=range(1, 1001), metavar="1..1000")
    a = p.parse_args()
    cmds = {"geneve": cmd_geneve, "frame": cmd_frame, "frags": cmd_frags, "flood": cmd_flood,
            "icmperr": cmd_icmperr}
    return cmds[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
