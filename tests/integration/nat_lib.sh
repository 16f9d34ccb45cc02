# SPDX-License-Identifier: MIT
# nat_lib.sh - helpers of the NAT behaviour tests (TCP state, filtering, mapping log):
# copy a config with keys replaced, read one conntrack entry, wait for a state
# (restart_with in lib.sh restarts a daemon from another config).
# Sourced by those tests; every wait is bounded.

NAT_TOOL=$LAB_ROOT/tests/tools/tcpconn.py

# nat_conf SRC DST [KEY: VALUE]...: copy a lab config, replacing (or adding) top-level keys.
nat_conf() {
	local src=$1 dst=$2 kv; shift 2
	cp "$src" "$dst"
	for kv in "$@"; do
		sed -i "/^${kv%%:*}:/d" "$dst"
		printf '%s\n' "$kv" >>"$dst"
	done
}

# nat_ct DAEMON PROTO VM PORT: "STATE EXPIRES_IN PUBLIC" of the VM's mapping from PORT, or "".
nat_ct() {
	lab_ctl "$1" -j conntrack "proto=$2" "vm=$3" 2>/dev/null | python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)
except ValueError:
    sys.exit(0)
for e in d["entries"]:
    if e["private"].endswith(":" + sys.argv[1]):
        print(e["state"], e["expires_in"], e["public"])
        break' "$4"
}

# nat_wait_state DAEMON PROTO VM PORT STATE: wait (5 s at most) for it; print the entry.
nat_wait_state() {
	local e
	for _ in $(seq 1 50); do
		e=$(nat_ct "$1" "$2" "$3" "$4")
		[ "${e%% *}" = "$5" ] && break
		sleep 0.1
	done
	printf '%s\n' "$e"
}

# nat_wait_gone DAEMON PROTO VM PORT SECONDS: wait for the mapping to go; print what is left.
nat_wait_gone() {
	local e
	for _ in $(seq 1 $(($5 * 5))); do
		e=$(nat_ct "$1" "$2" "$3" "$4")
		[ -z "$e" ] && break
		sleep 0.2
	done
	printf '%s\n' "$e"
}

# nat_wait_line FILE REGEX: wait (5 s at most) for a line of FILE to match; print it.
nat_wait_line() {
	for _ in $(seq 1 50); do
		grep -Eq -- "$2" "$1" 2>/dev/null && break
		sleep 0.1
	done
	grep -E -m1 -- "$2" "$1" 2>/dev/null
}

# expect_le NAME GOT MAX / expect_ge NAME GOT MIN: integer bounds.
expect_le() {
	if [[ "$2" =~ ^-?[0-9]+$ ]] && [ "$2" -le "$3" ]; then ok "$1 ($2 <= $3)"
	else fail "$1" "got '$2', want <= $3"; fi
}
expect_ge() {
	if [[ "$2" =~ ^-?[0-9]+$ ]] && [ "$2" -ge "$3" ]; then ok "$1 ($2 >= $3)"
	else fail "$1" "got '$2', want >= $3"; fi
}
