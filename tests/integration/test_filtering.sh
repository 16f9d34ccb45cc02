# SPDX-License-Identifier: MIT
# test_filtering.sh - filtering per config (RFC 4787 REQ-8, RFC 5382 REQ-3/4): with
# endpoint-independent filtering anyone may answer a mapping; with address-dependent
# only addresses the VM has sent to, switched by a reload; static forwards and 1:1
# addresses are never filtered; an unsolicited SYN is dropped silently and counted.

. "$(dirname "${BASH_SOURCE[0]}")/nat_lib.sh"

nat_conf "$LAB_ROOT/etc/hostd-a.yaml" "$T_TMP/fl-hostd-a.yaml" "filtering: endpoint-independent"
restart_with host-a "$T_TMP/fl-hostd-a.yaml"

# A VM-side UDP socket: sends to 192.0.2.1:7002 from PORT, then to 192.0.2.2:7002 once
# the file $T_TMP/fl-go-PORT exists; prints every datagram it receives.
cat >"$T_TMP/fl-vm.py" <<'PY'
import os, socket, sys, time
port, go = int(sys.argv[1]), sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", port))
s.sendto(b"x", ("192.0.2.1", 7002))
s.settimeout(0.2)
sent2 = False
end = time.monotonic() + 40
while time.monotonic() < end:
    if not sent2 and os.path.exists(go):
        s.sendto(b"x", ("192.0.2.2", 7002))
        sent2 = True
        print("sent2", flush=True)
    try:
        print(s.recv(100).decode(), flush=True)
    except OSError:
        pass
PY
# fl_send FROM PUBLIC WORD: one datagram from inet's FROM address to the public endpoint.
fl_send() {
	lab_in inet python3 -c '
import socket, sys
a, p = sys.argv[2].split(":")
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
s.sendto(sys.argv[3].encode(), (a, int(p)))' "$1" "$2" "$3"
}
# fl_vm PORT: start the VM-side socket; sets pub to the mapping's public endpoint.
fl_vm() {
	lab_in vm-a1 timeout 45 python3 "$T_TMP/fl-vm.py" "$1" "$T_TMP/fl-go-$1" \
		>"$T_TMP/fl-got-$1" 2>&1 &
	fl_pids="${fl_pids:-} $!"
	local e
	e=$(nat_wait_state host-a udp vm-a1 "$1" new)
	pub=${e##* }
}

# --- Endpoint-independent (the default): a stranger may answer.
fl_vm 21101
expect_match "a UDP mapping from vm-a1:21101" "$pub" '^203\.0\.113\.10:'
fl_send 192.0.2.2 "$pub" eif-stranger
expect_match "endpoint-independent: an address the VM never sent to gets through" \
	"$(nat_wait_line "$T_TMP/fl-got-21101" '^eif-stranger$')" '^eif-stranger$'

# --- Address-dependent, by a reload: only addresses the VM has sent to.
sed -i 's/^filtering: .*/filtering: address-dependent/' "$T_TMP/fl-hostd-a.yaml"
before=$(lab_counter host-a reloads_total)
lab_ctl host-a reload >/dev/null
expect_grew "the filtering change is applied by a reload" host-a reloads_total "$before"
fl_vm 21102
expect_match "a UDP mapping from vm-a1:21102" "$pub" '^203\.0\.113\.10:'
fl_send 192.0.2.1 "$pub" adf-known
expect_match "address-dependent: the address sent to gets through (from another port)" \
	"$(nat_wait_line "$T_TMP/fl-got-21102" '^adf-known$')" '^adf-known$'
before=$(lab_counter host-a filtered)
fl_send 192.0.2.2 "$pub" adf-stranger
expect_grew "address-dependent: a stranger is dropped and counted (filtered)" host-a filtered \
	"$before"
touch "$T_TMP/fl-go-21102"
nat_wait_line "$T_TMP/fl-got-21102" '^sent2$' >/dev/null
fl_send 192.0.2.2 "$pub" adf-now-known
expect_match "once the VM sent to it, that address gets through" \
	"$(nat_wait_line "$T_TMP/fl-got-21102" '^adf-now-known$')" '^adf-now-known$'
expect_eq "the stranger's datagram never reached the VM" \
	"$(grep -c '^adf-stranger$' "$T_TMP/fl-got-21102")" 0
expect_match "the mapping made before the reload is still there" \
	"$(nat_ct host-a udp vm-a1 21101)" '^established '

# --- An unsolicited SYN from a stranger to a live TCP mapping: dropped silently (no RST).
lab_in inet timeout 120 python3 "$NAT_TOOL" serve --bind 192.0.2.1 --port 7012 --seconds 60 \
	>/dev/null 2>&1 &
fl_pids="$fl_pids $!"
sleep 0.3
lab_in vm-a1 timeout 40 python3 "$NAT_TOOL" client --dst 192.0.2.1 --port 7012 --sport 21103 \
	--then open --seconds 30 >"$T_TMP/fl-tcp" 2>&1 &
fl_pids="$fl_pids $!"
nat_wait_line "$T_TMP/fl-tcp" '^done' >/dev/null
e=$(nat_wait_state host-a tcp vm-a1 21103 established)
pub=${e##* }
expect_match "a TCP mapping from vm-a1:21103" "$e" '^established .* 203\.0\.113\.10:'
before=$(lab_counter host-a filtered)
got=$(lab_in inet timeout 10 python3 -c '
import socket, sys
a, p = sys.argv[1].split(":")
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("192.0.2.2", 0))
s.settimeout(2)
try:
    s.connect((a, int(p)))
    print("connected")
except socket.timeout:
    print("timeout")
except OSError as e:
    print("error", e)' "$pub")
expect_eq "a stranger's SYN to the mapping gets no answer at all (RFC 5382 REQ-4)" "$got" timeout
expect_grew "and is counted as filtered" host-a filtered "$before"
expect_match "the mapping is untouched by it" "$(nat_ct host-a tcp vm-a1 21103)" '^established '

# --- Static forwards and 1:1 addresses are not filtered.
nat_conf "$LAB_ROOT/etc/hostd-b.yaml" "$T_TMP/fl-hostd-b.yaml" "filtering: address-dependent"
restart_with host-b "$T_TMP/fl-hostd-b.yaml"
expect_match "a static forward answers a new client under address-dependent filtering" \
	"$(tcp_get inet 203.0.113.10 8080 bind=192.0.2.2)" '^vm-a1 192\.0\.2\.2:'
expect_match "a 1:1 address answers a new client under address-dependent filtering" \
	"$(tcp_get inet 203.0.113.20 22 bind=192.0.2.2)" '^vm-b2-22 192\.0\.2\.2:'

# shellcheck disable=SC2086
kill $fl_pids 2>/dev/null
wait $fl_pids 2>/dev/null
fl_pids=
restart_with host-a "$LAB_ROOT/etc/hostd-a.yaml"
restart_with host-b "$LAB_ROOT/etc/hostd-b.yaml"
