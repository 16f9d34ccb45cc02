#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bench.py - helpers of tests/bench/run: read iperf3 and ping output, print
the benchmark's table and write its JSON.

Subcommands (each prints one number, or JSON, on stdout):
  tcp FILE              iperf3 -J client output: received bit/s
  udp FILE              iperf3 -u -J client output: packets/s received by the server
  ping FILE             ping -n output: JSON {n, median_us, p99_us, lost}
  sockperf FILE         sockperf ping-pong --full-rtt output: JSON {n, median_us, p99_us}
  host FILE             bench_host JSON lines: JSON, each figure's median, and "probes"
  report RESULTS OUT    table on stdout, JSON to OUT
"""
import json
import sys

# ---- parsing -----------------------------------------------------------------


def iperf_tcp(path):
    with open(path) as f:
        d = json.load(f)
    return d["end"]["sum_received"]["bits_per_second"]


def iperf_udp(path):
    # sum_received is the server's count, sent back to the client at the end.
    with open(path) as f:
        d = json.load(f)
    r = d["end"]["sum_received"]
    return (r["packets"] - r["lost_packets"]) / r["seconds"]


def percentile(v, p):
    """Nearest-rank percentile of a sorted list."""
    k = max(0, min(len(v) - 1, int(-(-p * len(v) // 100)) - 1))
    return v[k]


def ping_stats(path):
    rtt, sent = [], 0
    with open(path) as f:
        for line in f:
            if " time=" in line:
                rtt.append(float(line.split(" time=")[1].split()[0]) * 1000.0)
            elif "packets transmitted" in line:
                sent = int(line.split()[0])
    rtt.sort()
    if not rtt:
        return {"n": 0}
    return {"n": len(rtt), "lost": max(0, sent - len(rtt)),
            "median_us": round(percentile(rtt, 50), 1),
            "p99_us": round(percentile(rtt, 99), 1)}


def sockperf_stats(path):
    """The round trips' median and 99th percentile as sockperf prints them."""
    out = {}
    with open(path) as f:
        for line in f:
            if "percentile 50.000 =" in line:
                out["median_us"] = round(float(line.split("=")[-1]), 1)
            elif "percentile 99.000 =" in line:
                out["p99_us"] = round(float(line.split("=")[-1]), 1)
            elif "[Valid Duration]" in line and "ReceivedMessages=" in line:
                out["n"] = int(line.split("ReceivedMessages=")[1].split()[0].rstrip(";"))
    if "median_us" not in out:
        raise ValueError(f"{path}: no percentiles")
    return out


def host_costs(path):
    """Each bench_host figure's median over the probes (JSON lines), and their count."""
    with open(path) as f:
        runs = [json.loads(line) for line in f if line.strip()]
    out = {"probes": len(runs)}
    for key in ("syscall_us", "switch_us", "wake_busy_us", "wake_idle_us"):
        v = sorted(r[key] for r in runs if isinstance(r.get(key), (int, float)))
        out[key] = v[(len(v) - 1) // 2] if v else None
    return out


# ---- report ------------------------------------------------------------------

PATHS = ("spat", "kernel", "socat")
# key, label, unit scale, decimals, higher_is_better
FIGURES = [
    ("tcp1_bps", "tcp 1 stream (Gbit/s)", 1e-9, 2, True),
    ("tcp4_bps", "tcp 4 streams (Gbit/s)", 1e-9, 2, True),
    ("tcp1r_bps", "tcp 1 stream to VM (Gbit/s)", 1e-9, 2, True),
    ("udp64_pps", "udp 64B (kpps, received)", 1e-3, 1, True),
    ("lat_median_us", "latency median (us)", 1, 0, False),
    ("lat_p99_us", "latency p99 (us)", 1, 0, False),
    ("lat_1cpu_median_us", "latency median, 1 vCPU (us)", 1, 0, False),
    ("lat_own_median_us", "latency median, own vCPU (us)", 1, 0, False),
    ("lat_poll_median_us", "latency median, busy_poll (us)", 1, 0, False),
    ("lat_poll_p99_us", "latency p99, busy_poll (us)", 1, 0, False),
    ("lat_pollown_median_us", "latency median, busy_poll, own vCPU (us)", 1, 0, False),
    ("lat_pollown_p99_us", "latency p99, busy_poll, own vCPU (us)", 1, 0, False),
    ("lat_rr_median_us", "latency median, back to back (us)", 1, 0, False),
    ("lat_rr_p99_us", "latency p99, back to back (us)", 1, 0, False),
    ("lat_rr_poll_median_us", "latency median, back to back, busy_poll (us)", 1, 0, False),
    ("tcp1_poll_bps", "tcp 1, busy_poll (Gbit/s)", 1e-9, 2, True),
    ("flows_per_s", "new flows/s", 1, 0, True),
    ("bytes_per_ct_entry", "bytes/conntrack entry", 1, 0, False),
    ("rule_lookups_per_s", "rule lookups (M/s, 100k rules)", 1e-6, 1, True),
    ("ct_lookups_per_s", "ct lookups (M/s, 1M entries)", 1e-6, 1, True),
    ("fleet_rules", "fleet: edge rules (1000 x 64)", 1, 0, True),
    ("fleet_check_s", "fleet: edged -n (s)", 1, 2, False),
    ("fleet_startup_s", "fleet: edged start-up (s)", 1, 2, False),
    ("fleet_edged_rss_bytes", "fleet: edged RSS (MB)", 1e-6, 1, False),
    ("fleet_rule_lookups_per_s", "fleet: rule lookups (M/s)", 1e-6, 1, True),
]

# spat's rows with busy_poll set have no counterpart in the baselines, which
# poll nothing: their columns show the baselines' figure with the same placement.
BASE_KEY = {"lat_poll_median_us": "lat_median_us", "lat_poll_p99_us": "lat_p99_us",
            "lat_pollown_median_us": "lat_own_median_us",
            "lat_pollown_p99_us": "lat_own_p99_us", "tcp1_poll_bps": "tcp1_bps",
            "lat_rr_poll_median_us": "lat_rr_median_us"}

# (label, figure, test) on the figures of one run; DESIGN.md s7 and the issue.
TARGETS = [
    ("tcp 1 stream >= 0.20 x kernel", lambda f: ratio(f, "tcp1_bps", "kernel"),
     lambda v: v >= 0.20),
    ("udp 64B pps >= 0.25 x kernel", lambda f: ratio(f, "udp64_pps", "kernel"),
     lambda v: v >= 0.25),
    ("tcp 1 stream >= 10 x socat", lambda f: ratio(f, "tcp1_bps", "socat"),
     lambda v: v >= 10),
    ("tcp 4 streams >= 10 x socat", lambda f: ratio(f, "tcp4_bps", "socat"),
     lambda v: v >= 10),
    ("added median latency < 50 us", lambda f: diff(f, "lat_median_us", "kernel"),
     lambda v: v < 50),
    ("the same, daemons with busy_poll", lambda f: diff(f, "lat_poll_median_us", "kernel"),
     lambda v: v < 50),
    ("the same, busy_poll daemons on their own vCPU",
     lambda f: diff(f, "lat_pollown_median_us", "kernel"), lambda v: v < 50),
    ("the same, back-to-back requests (sockperf)",
     lambda f: diff(f, "lat_rr_median_us", "kernel"), lambda v: v < 50),
    ("conntrack <= 128 B/entry", lambda f: get(f, "spat", "bytes_per_ct_entry"),
     lambda v: v <= 128),
    ("ct lookups >= 10 M/s (1M entries)", lambda f: mega(get(f, "spat", "ct_lookups_per_s")),
     lambda v: v >= 10),
    ("rule lookups >= 50 M/s (100k rules)", lambda f: mega(get(f, "spat", "rule_lookups_per_s")),
     lambda v: v >= 50),
]


def mega(v):
    return None if v is None else v / 1e6


def get(f, path, key):
    if path != "spat":
        key = BASE_KEY.get(key, key)
    v = f.get(path, {}).get(key)
    return v if isinstance(v, (int, float)) else None


def ratio(f, key, base):
    a, b = get(f, "spat", key), get(f, base, key)
    return a / b if a is not None and b else None


def diff(f, key, base):
    a, b = get(f, "spat", key), get(f, base, key)
    return a - b if a is not None and b is not None else None


def num(v, scale, dec):
    return "-" if v is None else f"{v * scale:.{dec}f}"


def report(results, out):
    """results: lines 'path<TAB>key<TAB>value', value a number, JSON, or text."""
    f, meta = {}, {}
    with open(results) as fh:
        for line in fh:
            path, key, val = line.rstrip("\n").split("\t", 2)
            try:
                val = json.loads(val)
            except ValueError:
                pass
            (meta if path == "meta" else f.setdefault(path, {}))[key] = val
    rows = []
    w = max(len(label) for _, label, *_ in FIGURES) + 2
    hdr = f"{'figure':<{w}}{'spat':>10}{'kernel':>10}{'socat':>10}   {'spat/kernel':<13}{'spat/socat':<10}"
    rows.append(hdr)
    for key, label, scale, dec, _ in FIGURES:
        cells = [num(get(f, p, key), scale, dec) for p in PATHS]
        if key.startswith("lat_"):
            d = diff(f, key, "kernel")
            rk = "-" if d is None else f"({d:+.0f} us)"
            rs = "-"
        else:
            r = ratio(f, key, "kernel")
            rk = "-" if r is None else f"{r:.2f}"
            r = ratio(f, key, "socat")
            rs = "-" if r is None else f"{r:.2f}"
        rows.append(f"{label:<{w}}{cells[0]:>10}{cells[1]:>10}{cells[2]:>10}   {rk:<13}{rs:<10}")
    table = "\n".join(r.rstrip() for r in rows)
    ratios = {}
    for key, *_ in FIGURES:
        for base in ("kernel", "socat"):
            r = diff(f, key, base) if key.startswith("lat_") else ratio(f, key, base)
            if r is not None:
                ratios[f"{key}_{'minus' if key.startswith('lat_') else 'over'}_{base}"] = round(r, 4)
    targets = []
    for label, fig, test in TARGETS:
        v = fig(f)
        targets.append({"target": label, "value": None if v is None else round(v, 4),
                        "met": None if v is None else bool(test(v))})
    doc = {"meta": meta, "figures": f, "ratios": ratios, "targets": targets, "table": table}
    with open(out, "w") as fh:
        json.dump(doc, fh, indent=2, sort_keys=True)
        fh.write("\n")
    print(table)
    print()
    sp = f.get("spat", {})
    if sp.get("hostd_rss_kib_after_flows"):
        print(f"bytes/conntrack entry: spat from bench_ct at 1M entries (RSS growth); the lab's "
              f"hostd: {sp['hostd_rss_kib_after_flows']} KiB RSS after "
              f"{sp.get('hostd_mappings_created_during_flows')} new mappings "
              f"(+{sp.get('hostd_bytes_per_mapping_lab', '-')} B each); kernel and socat: "
              f"the nf_conntrack slab object.")
    hc = meta.get("host_costs") or {}
    if hc.get("switch_us") is not None:
        print(f"host (bench_host, median of {hc['probes']} probes): a system call "
              f"{hc['syscall_us']:.2f} us, a process switch {hc['switch_us']:.1f} us, a wake-up on "
              f"another vCPU {num(hc.get('wake_busy_us'), 1, 1)} us back to back and "
              f"{num(hc.get('wake_idle_us'), 1, 1)} us after 2 ms idle.  A ping through spat wakes "
              f"a sleeping daemon three times (hostd for the VM's packet, edged for the tunnel's, "
              f"hostd for the answer), the kernel path none: without busy_poll these set the "
              f"floor of its added latency.")
    print()
    print("targets (spat, this run):")
    w = max(len(t["target"]) for t in targets) + 2
    for t in targets:
        state = "n/a" if t["met"] is None else ("met" if t["met"] else "NOT met")
        val = "-" if t["value"] is None else f"{t['value']:.2f}"
        print(f"  {t['target']:<{w}}{val:>8}  {state}")


def main(argv):
    cmd, a = argv[1], argv[2:]
    if cmd == "tcp":
        print(f"{iperf_tcp(a[0]):.0f}")
    elif cmd == "udp":
        print(f"{iperf_udp(a[0]):.0f}")
    elif cmd == "ping":
        print(json.dumps(ping_stats(a[0])))
    elif cmd == "sockperf":
        print(json.dumps(sockperf_stats(a[0])))
    elif cmd == "host":
        print(json.dumps(host_costs(a[0])))
    elif cmd == "report":
        report(a[0], a[1])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
