#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make_seeds_state.py - write the seed corpus of fuzz_hostd_state: saved conntrack tables
(hostd/ct.h, struct ct_file_hdr and struct ct_entry, x86-64 layout) owned by the lab's host-a."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
TCP, UDP, ICMP = 6, 17, 1
USED, STATIC = 0x80, 0x01
NONE = 0xFFFFFFFF
ENTRY = 64                       # sizeof(struct ct_entry), file version 2


def ip(a):
    return int.from_bytes(bytes(map(int, a.split("."))), "big")


def fnv(b):
    x = 0xcbf29ce484222325
    for c in b:
        x = ((x ^ c) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return x


def table(entries, cap=16, owner=b"host-a", generation=3):
    """A sealed table of capacity cap (a power of two) whose first slots are entries."""
    size = 128 + 8 * cap + ENTRY * cap
    head = struct.pack("<8sIIIIIIQQ64s", b"SPATCT\n\0", 2, 128, ENTRY, cap, cap, 0x5eed,
                       generation, size, owner.ljust(64, b"\0"))
    hdr = head + struct.pack("<QII", fnv(head), len(entries), 0)
    buckets = b"\xff" * (8 * cap)    # never read: a loaded table is rebuilt
    body = b"".join(struct.pack("<IIIHHIIIHBBBB2x7I", *e) for e in entries)
    return hdr + buckets + body + bytes(ENTRY * (cap - len(entries)))


def entry(proto, vm_port, pub_port, vm=0, vni=100, state=1, flags=USED, expires=600,
          vm_addr="198.19.0.11", pub="203.0.113.10", peers=("192.0.2.1",)):
    p = [ip(a) for a in peers] + [0] * (7 - len(peers))
    return (vni, ip(vm_addr), ip(pub), vm_port, pub_port, expires, NONE, NONE, vm, proto,
            state, flags, len(peers) % 7, *p)


def main():
    seeds = {
        "lab": table([
            entry(TCP, 80, 8080, flags=USED | STATIC),
            entry(UDP, 40777, 29266),
            entry(TCP, 45000, 10662, expires=7500),
            entry(TCP, 45001, 10663, state=5, peers=("192.0.2.1", "192.0.2.2")),  # fin_out
            (0,) * 5 + (0, 7, NONE, 0, 0, 0, 0, 0) + (0,) * 7,   # a free slot on the free list
            entry(ICMP, 77, 4077, vm=1, vni=200, pub="203.0.113.11", state=0, expires=60),
        ]),
        "empty": table([], cap=1, generation=1),
    }
    out = os.path.join(HERE, "corpus", "fuzz_hostd_state")
    os.makedirs(out, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
