#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""check_metrics.py - check Prometheus text exposition (version 0.0.4) read from stdin.

Checks what a scraper and our conventions need: every sample belongs to a
family announced by HELP and TYPE lines before it, families are contiguous,
names start with the given prefix and are valid, counters end in _total,
labels are well formed, values are numbers, no series appears twice.
Prints one line per problem and "N passed, N failed"-style totals; exit 1 on
any problem.
"""
import re
import sys

NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? (\S+)$')
LABEL = re.compile(r'^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"$')
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def split_labels(text):
    out, cur, quoted, esc = [], "", False, False
    for ch in text:
        if esc:
            cur, esc = cur + ch, False
        elif ch == "\\":
            cur, esc = cur + ch, True
        elif ch == '"':
            cur, quoted = cur + ch, not quoted
        elif ch == "," and not quoted:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur:
        out.append(cur)
    return out


def check(lines, prefix):
    errs, helps, types, seen, done = [], {}, {}, set(), set()
    current = None
    samples = 0
    for n, line in enumerate(lines, 1):
        if not line:
            continue
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            parts = line.split(" ", 3)
            if len(parts) < 4 or not NAME.match(parts[2]):
                errs.append(f"{n}: malformed: {line}")
                continue
            name = parts[2]
            if name in done:
                errs.append(f"{n}: family {name} appears twice")
            if current and current != name:
                done.add(current)
            current = name
            if parts[1] == "HELP":
                helps[name] = parts[3]
            elif parts[3] not in TYPES:
                errs.append(f"{n}: unknown type {parts[3]}")
            else:
                types[name] = parts[3]
            continue
        if line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        if not m:
            errs.append(f"{n}: malformed sample: {line}")
            continue
        name, labels, value = m.group(1), m.group(3), m.group(4)
        samples += 1
        if name != current or name not in helps or name not in types:
            errs.append(f"{n}: {name} without HELP and TYPE just before it")
        if not name.startswith(prefix):
            errs.append(f"{n}: {name} does not start with {prefix}")
        if types.get(name) == "counter" and not name.endswith("_total"):
            errs.append(f"{n}: counter {name} does not end in _total")
        for lab in split_labels(labels or ""):
            if not LABEL.match(lab):
                errs.append(f"{n}: bad label {lab!r}")
        try:
            float(value)
        except ValueError:
            errs.append(f"{n}: value {value!r} is not a number")
        key = (name, labels or "")
        if key in seen:
            errs.append(f"{n}: series {name}{{{labels or ''}}} twice")
        seen.add(key)
    if samples == 0:
        errs.append("no samples")
    return errs, samples


def main():
    prefix = sys.argv[1] if len(sys.argv) > 1 else "spat_"
    errs, samples = check(sys.stdin.read().splitlines(), prefix)
    for e in errs:
        print("FAIL -", e)
    print(f"{samples} samples, {len(errs)} problems")
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
