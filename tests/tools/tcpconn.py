#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tcpconn.py - TCP endpoints whose state a test controls, for the NAT's TCP state tests.

  serve:   accept on --bind:--port; answer each line with "ok ADDR:PORT" (the peer
           as seen); after the peer's FIN keep the connection open (a half close
           stays half closed) until --seconds.
  client:  connect from --sport to --dst:--port, send a line, print the reply, then
           --then open (stay), halfclose (shutdown(SHUT_WR), stay), rst (close
           with SO_LINGER 0: a RST) or close (a normal close); print "done" and
           stay up to --seconds.
  simopen: bind --bind:--sport and connect to --dst:--port (run on both ends at
           once: the SYNs cross, a simultaneous open); print "connected
           ADDR:PORT", exchange a line, print it, close.
Every run is bounded by --seconds.  Standard library only.
"""
import argparse
import select
import socket
import struct
import sys
import time


def out(line):
    print(line, flush=True)


def cmd_serve(a):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a.bind, a.port))
    ls.listen(16)
    conns = []
    end = time.monotonic() + a.seconds
    while time.monotonic() < end:
        r, _, _ = select.select([ls] + conns, [], [], 0.2)
        for s in r:
            if s is ls:
                c, _ = ls.accept()
                conns.append(c)
                continue
            try:
                data = s.recv(4096)
            except OSError:
                data = None
            if data:
                peer = s.getpeername()
                s.sendall(b"ok %s:%d\n" % (peer[0].encode(), peer[1]))
            else:
                # EOF (half close) or an error: stop reading, keep the socket open.
                conns.remove(s)
    return 0


def cmd_client(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.settimeout(min(a.seconds, 10))
    if a.sport:
        s.bind(("0.0.0.0", a.sport))
    s.connect((a.dst, a.port))
    s.sendall(b"hello\n")
    out(s.recv(4096).decode().strip())
    if a.then == "halfclose":
        s.shutdown(socket.SHUT_WR)
    elif a.then == "rst":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    elif a.then == "close":
        s.close()
    out("done")
    time.sleep(a.seconds)
    return 0


def cmd_simopen(a):
    end = time.monotonic() + a.seconds
    while time.monotonic() < end:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((a.bind, a.sport))
        s.settimeout(max(0.5, min(5.0, end - time.monotonic())))
        try:
            s.connect((a.dst, a.port))
        except OSError:
            s.close()
            time.sleep(0.2)
            continue
        peer = s.getpeername()
        out("connected %s:%d" % peer)
        s.sendall(b"hi from %s\n" % a.bind.encode())
        try:
            out(s.recv(4096).decode().strip())
        except OSError as e:
            out("recv: %s" % e)
        time.sleep(0.5)
        s.close()
        return 0
    out("timeout")
    return 1


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    sv = sub.add_parser("serve")
    sv.add_argument("--bind", required=True)
    sv.add_argument("--port", type=int, required=True)
    cl = sub.add_parser("client")
    cl.add_argument("--dst", required=True)
    cl.add_argument("--port", type=int, required=True)
    cl.add_argument("--sport", type=int, default=0)
    cl.add_argument("--then", choices=("open", "halfclose", "rst", "close"), default="open")
    so = sub.add_parser("simopen")
    so.add_argument("--bind", required=True)
    so.add_argument("--sport", type=int, required=True)
    so.add_argument("--dst", required=True)
    so.add_argument("--port", type=int, required=True)
    for sp in (sv, cl, so):
        sp.add_argument("--seconds", type=float, default=20.0)
    a = p.parse_args()
    return {"serve": cmd_serve, "client": cmd_client, "simopen": cmd_simopen}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
