#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""stream.py - bounded test streams for the lab: a paced TCP byte stream checked
by SHA-256, and a paced UDP stream of numbered datagrams whose receiver says
which numbers were lost.  Every mode stops by itself (count and time bounds).

  tcp-recv --bind A --port P [--timeout S]      prints "BYTES SHA256" at EOF
  tcp-send --dst A --port P --bytes N --rate BPS  prints "local PORT" once
                                                connected, "BYTES SHA256" at
                                                the end; exit 1 on any error
                                                (a reset included)
  tcp-serve --bind A --port P --bytes N --rate BPS
  tcp-fetch --dst A --port P [--timeout S]      the same stream the other
                                                way: the connecting side
                                                receives (a download); each
                                                prints "BYTES SHA256"
  udp-recv --bind A --port P --count N [--idle S] [--timeout S]
                                                prints "received R lost L
                                                first_lost F last_lost G"
  udp-send --dst A --port P --count N --pps R [--flows F]
                                                prints "sent N errors E";
                                                with F flows, datagram i leaves
                                                from the (i mod F)-th of F
                                                sockets (F source ports), so
                                                ECMP and hashing spread it
"""
import argparse
import hashlib
import random
import socket
import struct
import sys
import time

CHUNK = 64 * 1024


def accept_one(a):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((a.bind, a.port))
    srv.listen(1)
    srv.settimeout(a.timeout)
    conn, _ = srv.accept()
    conn.settimeout(a.timeout)
    return conn


def read_all(conn):
    h, n = hashlib.sha256(), 0
    while True:
        b = conn.recv(CHUNK)
        if not b:
            break
        h.update(b)
        n += len(b)
    conn.close()
    print(n, h.hexdigest(), flush=True)


def tcp_recv(a):
    read_all(accept_one(a))


def tcp_fetch(a):
    s = socket.create_connection((a.dst, a.port), timeout=a.timeout)
    print("local", s.getsockname()[1], flush=True)
    read_all(s)


def tcp_send(a):
    s = socket.create_connection((a.dst, a.port), timeout=a.timeout)
    print("local", s.getsockname()[1], flush=True)
    write_all(a, s)


def tcp_serve(a):
    write_all(a, accept_one(a))


def write_all(a, s):
    rng = random.Random(a.seed)
    h, sent, start = hashlib.sha256(), 0, time.monotonic()
    while sent < a.bytes:
        b = rng.randbytes(min(CHUNK, a.bytes - sent))
        s.sendall(b)
        h.update(b)
        sent += len(b)
        ahead = sent / a.rate - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)
    s.shutdown(socket.SHUT_WR)
    while s.recv(CHUNK):        # until the receiver has read it all and closed
        pass
    s.close()
    print(sent, h.hexdigest(), flush=True)


def udp_recv(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.bind, a.port))
    seen = bytearray(a.count)
    deadline = time.monotonic() + a.timeout
    s.settimeout(a.timeout)
    got = 0
    while time.monotonic() < deadline:
        try:
            b = s.recv(2048)
        except socket.timeout:
            break
        s.settimeout(a.idle)    # once the stream runs, a pause of idle ends it
        if len(b) >= 8:
            seq = struct.unpack("!Q", b[:8])[0]
            if seq < a.count and not seen[seq]:
                seen[seq] = 1
                got += 1
    lost = [i for i in range(a.count) if not seen[i]]
    print("received %d lost %d first_lost %d last_lost %d" %
          (got, len(lost), lost[0] if lost else -1, lost[-1] if lost else -1), flush=True)


def udp_send(a):
    socks = []
    for _ in range(a.flows):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        if a.bind:
            s.bind((a.bind, 0))
        socks.append(s)
    pad = bytes(a.size - 8)
    errors, start = 0, time.monotonic()
    for seq in range(a.count):
        ahead = seq / a.pps - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)
        try:
            socks[seq % a.flows].sendto(struct.pack("!Q", seq) + pad, (a.dst, a.port))
        except OSError:
            errors += 1
    print("sent %d errors %d" % (a.count, errors), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="mode", required=True)
    for mode in ("tcp-recv", "tcp-send", "tcp-serve", "tcp-fetch", "udp-recv", "udp-send"):
        m = sub.add_parser(mode)
        m.add_argument("--port", type=int, required=True)
        m.add_argument("--timeout", type=float, default=30.0)
        if mode.endswith("recv") or mode == "tcp-serve":
            m.add_argument("--bind", default="0.0.0.0")
        else:
            m.add_argument("--dst", required=True)
    for mode in ("tcp-send", "tcp-serve"):
        sub.choices[mode].add_argument("--bytes", type=int, required=True)
        sub.choices[mode].add_argument("--rate", type=float, required=True)
        sub.choices[mode].add_argument("--seed", type=int, default=1)
    sub.choices["udp-recv"].add_argument("--count", type=int, required=True)
    sub.choices["udp-recv"].add_argument("--idle", type=float, default=2.0)
    sub.choices["udp-send"].add_argument("--count", type=int, required=True)
    sub.choices["udp-send"].add_argument("--pps", type=float, required=True)
    sub.choices["udp-send"].add_argument("--size", type=int, default=64)
    sub.choices["udp-send"].add_argument("--bind", default="")
    sub.choices["udp-send"].add_argument("--flows", type=int, default=1, choices=range(1, 257),
                                         metavar="1..256")
    a = p.parse_args()
    try:
        {"tcp-recv": tcp_recv, "tcp-send": tcp_send, "tcp-serve": tcp_serve,
         "tcp-fetch": tcp_fetch,
         "udp-recv": udp_recv, "udp-send": udp_send}[a.mode](a)
    except OSError as e:
        print("error:", e, file=sys.stderr, flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
