#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""icmp_probe.py - see ICMP errors the way applications do, for the lab's ICMP error tests.

  udp-refused:   connect()ed UDP socket sends, recv() must fail with ECONNREFUSED
                 (the kernel matched a port unreachable to the socket by its
                 embedded header); prints "refused" or "no-error".
  udp-ttl:       send with a small TTL and IP_RECVERR; prints the ICMP error the
                 socket's error queue got ("icmp type=11 code=0 from=ADDR") or "none".
  serve-refused: wait for one datagram, connect() to its sender, send back until
                 recv() fails with ECONNREFUSED; prints "refused ADDR:PORT" or "no-error".
  catch:         raw ICMP socket: the first ICMP error that arrives, with every
                 checksum verified from scratch (outer IPv4, ICMP, embedded IPv4,
                 embedded UDP/TCP when whole) and the embedded endpoints.
Every wait is bounded (--tries, --timeout).  Standard library only.
"""
import argparse
import errno
import select
import socket
import struct
import sys
import time

IP_RECVERR = 11


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def udp_socket(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if a.sport:
        s.bind(("0.0.0.0", a.sport))
    return s


def cmd_udp_refused(a):
    s = udp_socket(a)
    s.connect((a.dst, a.port))
    s.settimeout(a.timeout)
    for _ in range(a.tries):
        try:
            s.send(b"icmp-probe")
            s.recv(2048)
        except ConnectionRefusedError:
            print("refused")
            return 0
        except socket.timeout:
            continue
    print("no-error")
    return 1


def cmd_udp_ttl(a):
    s = udp_socket(a)
    s.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, a.ttl)
    s.connect((a.dst, a.port))
    for _ in range(a.tries):
        try:
            s.send(b"icmp-probe-ttl")
        except OSError:
            pass        # an error already queued fails the send; it is read below
        deadline = time.monotonic() + a.timeout
        while time.monotonic() < deadline:
            select.select([s], [], [], 0.1)
            try:
                _, anc, _, _ = s.recvmsg(2048, 512, socket.MSG_ERRQUEUE)
            except BlockingIOError:
                continue
            except OSError as e:
                if e.errno == errno.EAGAIN:
                    continue
                raise
            for level, typ, data in anc:
                if level == socket.IPPROTO_IP and typ == IP_RECVERR:
                    _, origin, etype, ecode = struct.unpack("=IBBB", data[:7])
                    offender = socket.inet_ntoa(data[20:24]) if len(data) >= 24 else "?"
                    if origin == 2:     # SO_EE_ORIGIN_ICMP
                        print("icmp type=%d code=%d from=%s" % (etype, ecode, offender))
                        return 0
    print("none")
    return 1


def cmd_serve_refused(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.bind, a.port))
    s.settimeout(a.timeout)
    try:
        _, peer = s.recvfrom(2048)
    except socket.timeout:
        print("no-datagram")
        return 1
    s.connect(peer)
    for _ in range(a.tries):
        try:
            s.send(b"back")
            s.recv(2048)
        except ConnectionRefusedError:
            print("refused %s:%d" % peer)
            return 0
        except socket.timeout:
            continue
    print("no-error")
    return 1


def check_l4(proto, ip, l4):
    """ok/bad for a whole embedded TCP or UDP segment; zero (UDP none) or absent otherwise."""
    tot = struct.unpack("!H", ip[2:4])[0]
    hlen = (ip[0] & 15) * 4
    off = {6: 16, 17: 6}.get(proto)
    if off is None or len(l4) < off + 2 or hlen + len(l4) < tot:
        return "absent"
    l4 = l4[:tot - hlen]
    if proto == 17 and l4[6:8] == b"\0\0":
        return "zero"
    pseudo = ip[12:20] + struct.pack("!BBH", 0, proto, len(l4))
    return "ok" if csum(pseudo + l4) == 0 else "bad"


def describe(pkt):
    hlen = (pkt[0] & 15) * 4
    icmp = pkt[hlen:]
    typ, code = icmp[0], icmp[1]
    emb = icmp[8:]
    ehlen = (emb[0] & 15) * 4
    proto = emb[9]
    el4 = emb[ehlen:]
    src, dst = socket.inet_ntoa(emb[12:16]), socket.inet_ntoa(emb[16:20])
    if proto == 1:
        sport = dport = struct.unpack("!H", el4[4:6])[0]
    else:
        sport, dport = struct.unpack("!HH", el4[:4])
    ok = lambda c: "ok" if c == 0 else "bad"   # noqa: E731
    return ("type=%d code=%d to=%s emb=%s:%d->%s:%d ip_csum=%s icmp_csum=%s emb_ip_csum=%s "
            "emb_l4_csum=%s" % (typ, code, socket.inet_ntoa(pkt[16:20]), src, sport, dst, dport,
                                ok(csum(pkt[:hlen])), ok(csum(icmp)), ok(csum(emb[:ehlen])),
                                check_l4(proto, emb[:ehlen], el4)))


def cmd_catch(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    deadline = time.monotonic() + a.timeout
    if a.ready:
        open(a.ready, "w").close()
    while time.monotonic() < deadline:
        r, _, _ = select.select([s], [], [], 0.2)
        if not r:
            continue
        pkt = s.recv(65535)
        hlen = (pkt[0] & 15) * 4
        if len(pkt) >= hlen + 8 + 28 and pkt[hlen] in (3, 11, 12):
            print(describe(pkt))
            return 0
    print("none")
    return 1


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("udp-refused")
    t = sub.add_parser("udp-ttl")
    for sp in (r, t):
        sp.add_argument("--dst", required=True)
        sp.add_argument("--port", type=int, required=True)
        sp.add_argument("--sport", type=int, default=0)
    t.add_argument("--ttl", type=int, default=1, choices=range(1, 256), metavar="1..255")
    v = sub.add_parser("serve-refused")
    v.add_argument("--bind", required=True)
    v.add_argument("--port", type=int, required=True)
    c = sub.add_parser("catch")
    c.add_argument("--ready", help="file to create once the socket is open")
    for sp in (r, t, v):
        sp.add_argument("--tries", type=int, default=5, choices=range(1, 21), metavar="1..20")
    for sp in (r, t, v, c):
        sp.add_argument("--timeout", type=float, default=1.0)
    a = p.parse_args()
    cmds = {"udp-refused": cmd_udp_refused, "udp-ttl": cmd_udp_ttl,
            "serve-refused": cmd_serve_refused, "catch": cmd_catch}
    return cmds[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
