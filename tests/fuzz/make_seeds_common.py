#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make_seeds_common.py - write the seed corpora of fuzz_common_pkt, _geneve and _icmperr.

Run once from anywhere; it rewrites tests/fuzz/corpus/fuzz_common_{pkt,geneve,icmperr}/.
Addresses come from the documentation and benchmark ranges only (DESIGN.md s5).
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT = bytes([192, 0, 2, 1])
PUBLIC = bytes([203, 0, 113, 10])
VM = bytes([198, 19, 0, 11])


def csum(b):
    """RFC 1071 checksum of b."""
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(proto, src, dst, l4, frag=0, tot_len=None):
    """IPv4 header (checksummed) followed by l4."""
    tot = 20 + len(l4) if tot_len is None else tot_len
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tot, 0x1234, frag, 64, proto, 0, src, dst)
    return hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:] + l4


def with_l4_csum(proto, src, dst, l4, off):
    """l4 with its checksum at off computed over the pseudo header."""
    pseudo = src + dst + struct.pack("!BBH", 0, proto, len(l4))
    return l4[:off] + struct.pack("!H", csum(pseudo + l4)) + l4[off + 2:]


def tcp_syn(src, dst, sport, dport):
    opts = bytes([2, 4, 0x05, 0xB4])  # MSS 1460: doff 6
    l4 = struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 6 << 4, 0x02, 64240, 0, 0) + opts
    return ip4(6, src, dst, with_l4_csum(6, src, dst, l4, 16))


def udp(src, dst, sport, dport, payload, zero_csum=False):
    l4 = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    if not zero_csum:
        l4 = with_l4_csum(17, src, dst, l4, 6)
    return ip4(17, src, dst, l4)


def icmp(src, dst, typ, code, rest, payload):
    l4 = struct.pack("!BBH", typ, code, 0) + rest + payload
    return ip4(1, src, dst, l4[:2] + struct.pack("!H", csum(l4)) + l4[4:])


def echo(src, dst, typ, ident, seq):
    return icmp(src, dst, typ, 0, struct.pack("!HH", ident, seq), b"spat-ping-payload")


def pkt_seeds():
    dns = udp(VM, CLIENT, 53, 40053, b"\x12\x34\x81\x80" + b"\0" * 8)
    seeds = {
        "tcp_syn": tcp_syn(CLIENT, PUBLIC, 40000, 8080),
        "udp_dns": dns,
        "udp_nocsum": udp(CLIENT, PUBLIC, 5353, 40053, b"hello", zero_csum=True),
        "icmp_echo": echo(VM, CLIENT, 8, 0x4242, 1),
        "icmp_echoreply": echo(CLIENT, PUBLIC, 0, 2000, 1),
        "icmp_unreach": icmp(CLIENT, PUBLIC, 3, 3, b"\0\0\0\0", dns[:28]),
        "padded": tcp_syn(CLIENT, PUBLIC, 40001, 8080) + b"\0" * 6,
    }
    # A 40-byte UDP datagram in two fragments: 24 bytes (MF), then the rest at offset 3.
    big = udp(CLIENT, PUBLIC, 40000, 40053, bytes(range(32)))[20:]
    seeds["frag_first"] = ip4(17, CLIENT, PUBLIC, big[:24], frag=0x2000)
    seeds["frag_later"] = ip4(17, CLIENT, PUBLIC, big[24:], frag=3)
    return seeds


def icmperr_seeds():
    """ICMP errors about a VM's packets as they come back: whole, cut to 8 bytes, odd ones."""
    router = bytes([192, 0, 2, 254])
    dns = udp(PUBLIC, CLIENT, 20000, 53, b"\x12\x34\x01\x00" + b"\0" * 8)
    syn = tcp_syn(PUBLIC, CLIENT, 20001, 443)
    ping = echo(PUBLIC, CLIENT, 8, 0x1234, 7)
    opts = bytearray(udp(PUBLIC, CLIENT, 20002, 53, b"q"))
    opts = bytes([0x46]) + bytes(opts[1:2]) + struct.pack("!H", len(opts) + 4) + bytes(opts[4:20]) \
        + b"\x01\x01\x01\x00" + bytes(opts[20:])
    unused = b"\0\0\0\0"
    return {
        "unreach_udp_whole": icmp(router, PUBLIC, 3, 3, unused, dns),
        "unreach_udp_8": icmp(router, PUBLIC, 3, 3, unused, dns[:28]),
        "unreach_udp_nocsum": icmp(router, PUBLIC, 3, 3, unused,
                                   udp(PUBLIC, CLIENT, 20003, 53, b"x", zero_csum=True)),
        "timxceed_tcp_8": icmp(router, PUBLIC, 11, 0, unused, syn[:28]),
        "timxceed_tcp_whole": icmp(router, PUBLIC, 11, 0, unused, syn),
        "unreach_echo": icmp(router, PUBLIC, 3, 1, unused, ping),
        "paramprob_options": icmp(router, PUBLIC, 12, 0, b"\x14\0\0\0", opts),
        "fragneeded_tcp": icmp(router, PUBLIC, 3, 4, struct.pack("!HH", 0, 1400), syn[:48]),
        "unreach_gre": icmp(router, PUBLIC, 3, 2, unused, ip4(47, PUBLIC, CLIENT, b"\0" * 8)),
        "unreach_truncated": icmp(router, PUBLIC, 3, 3, unused, dns[:27]),
    }


def geneve(vni, proto, payload, opts=b"", oam=False, crit=False):
    assert len(opts) % 4 == 0
    flags = (0x80 if oam else 0) | (0x40 if crit else 0)
    return struct.pack("!BBH", len(opts) // 4, flags, proto) + struct.pack("!I", vni << 8) \
        + opts + payload


def geneve_seeds():
    inner = tcp_syn(CLIENT, PUBLIC, 40000, 8080)
    opt = struct.pack("!HBB", 0xFFF0, 0x01, 1) + b"\xde\xad\xbe\xef"
    return {
        "plain": geneve(100, 0x0800, inner),
        "options": geneve(200, 0x0800, echo(VM, CLIENT, 8, 7, 1),
                          opts=opt + struct.pack("!HBB", 0x0102, 0x7F, 0)),
        "critical": geneve(100, 0x0800, inner, opts=struct.pack("!HBB", 0xFFF0, 0x81, 0),
                           crit=True),
        "oam": geneve(100, 0x0800, b"", oam=True),
        "ipv6": geneve(100, 0x86DD, b"\x60" + b"\0" * 39),
    }


def write(name, seeds):
    d = os.path.join(HERE, "corpus", name)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        os.remove(os.path.join(d, f))
    for seed, data in seeds.items():
        with open(os.path.join(d, seed), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    write("fuzz_common_pkt", pkt_seeds())
    write("fuzz_common_geneve", geneve_seeds())
    write("fuzz_common_icmperr", icmperr_seeds())
