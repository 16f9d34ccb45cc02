#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""udperr.py - open N UDP sockets on consecutive source ports, send one
datagram from each, and report the ICMP errors the kernel queued for them
(IP_RECVERR), as a VM's application would see them.  Bounded: N <= 256 and
one wait of --wait seconds at most.

  udperr.py --dst A --port P --sport S --count N [--wait SEC]
  prints one line per socket: "SPORT ok" or "SPORT icmp TYPE CODE OFFENDER"
"""
import argparse
import select
import socket
import struct
import sys
import time

IP_RECVERR = 11
SO_EE_ORIGIN_ICMP = 2


def parse_err(cmsgs):
    """(type, code, offender) from the sock_extended_err of an IP_RECVERR cmsg."""
    for level, kind, data in cmsgs:
        if level == socket.IPPROTO_IP and kind == IP_RECVERR and len(data) >= 16 + 8:
            _errno, origin, etype, ecode = struct.unpack_from("=IBBB", data, 0)
            if origin != SO_EE_ORIGIN_ICMP:
                continue
            offender = socket.inet_ntoa(data[16 + 4:16 + 8])
            return etype, ecode, offender
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dst", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--sport", type=int, required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--wait", type=float, default=2.0)
    a = ap.parse_args()
    if not 1 <= a.count <= 256:
        sys.exit("count must be 1..256")
    socks = []
    for i in range(a.count):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
        s.bind(("0.0.0.0", a.sport + i))
        s.connect((a.dst, a.port))
        try:
            s.send(b"probe %d" % i)
        except OSError:
            pass                 # an error already queued from an earlier send
        socks.append(s)
    result = {}
    deadline = time.monotonic() + a.wait
    poll = select.poll()
    for s in socks:
        poll.register(s, select.POLLERR)
    # Wait until every socket has an error or the time is up: a socket
    # without one after the wait got none.
    while len(result) < len(socks) and time.monotonic() < deadline:
        for fd, ev in poll.poll(max(1, int((deadline - time.monotonic()) * 1000))):
            s = next(x for x in socks if x.fileno() == fd)
            try:
                _data, cmsgs, _flags, _addr = s.recvmsg(512, 512, socket.MSG_ERRQUEUE)
            except OSError:
                continue
            err = parse_err(cmsgs)
            if err:
                result[s.getsockname()[1]] = err
            poll.unregister(s)
    for s in socks:
        port = s.getsockname()[1]
        if port in result:
            print("%d icmp %d %d %s" % ((port,) + result[port]))
        else:
            print("%d ok" % port)
        s.close()


if __name__ == "__main__":
    main()
