# SPDX-License-Identifier: MIT
# test_tcp_state.sh - the TCP state of mappings (RFC 7857 s2, RFC 6146): established,
# half close, both FINs, RST (transitory, not deleted), simultaneous open, each state on
# its timer, expiry; only outbound traffic refreshes a mapping (RFC 4787 REQ-6).
# Real sockets (python3, socat); short configured timers so expiry comes quickly.

. "$(dirname "${BASH_SOURCE[0]}")/nat_lib.sh"

TS_TRANS=4
TS_EST=600
nat_conf "$LAB_ROOT/etc/hostd-a.yaml" "$T_TMP/ts-hostd-a.yaml" \
	"timeouts: { udp: 3, tcp_established: $TS_EST, tcp_transitory: $TS_TRANS, icmp: 60 }"
restart_with host-a "$T_TMP/ts-hostd-a.yaml"
lab_in inet timeout 120 python3 "$NAT_TOOL" serve --bind 192.0.2.1 --port 7010 --seconds 110 \
	>/dev/null 2>&1 &
ts_srv=$!
sleep 0.3

# ts_client PORT THEN: a python3 client from vm-a1:PORT to the server; waits for "done".
ts_client() {
	lab_in vm-a1 timeout 40 python3 "$NAT_TOOL" client --dst 192.0.2.1 --port 7010 \
		--sport "$1" --then "$2" --seconds 30 >"$T_TMP/ts-$1-$2" 2>&1 &
	ts_pids="${ts_pids:-} $!"
	nat_wait_line "$T_TMP/ts-$1-$2" '^done' >/dev/null
}

# --- A SYN each way: established, on the established timer.
ts_client 21001 open
expect_match "the client got its answer through the NAT" "$(head -n1 "$T_TMP/ts-21001-open")" \
	'^ok 203\.0\.113\.10:'
e=$(nat_wait_state host-a tcp vm-a1 21001 established)
expect_match "SYN out, SYN-ACK in: established" "$e" '^established '
read -r _ ex _ <<<"$e"
expect_ge "established runs on tcp_established" "$ex" $((TS_EST - 30))

# --- One FIN (the VM half-closes): fin_out, still the established timer.
ts_client 21002 halfclose
e=$(nat_wait_state host-a tcp vm-a1 21002 fin_out)
expect_match "a FIN from the VM only: fin_out" "$e" '^fin_out '
read -r _ ex _ <<<"$e"
expect_ge "a half-closed connection keeps tcp_established" "$ex" $((TS_EST - 30))

# --- Both FINs (socat closes both ways): closing, transitory timer, then expiry.
before=$(lab_counter host-a mappings_expired_total)
expect_match "a short TCP exchange from vm-a1:21003" \
	"$(tcp_get vm-a1 192.0.2.1 7001 sourceport=21003)" '^203\.0\.113\.10:'
e=$(nat_wait_state host-a tcp vm-a1 21003 closing)
expect_match "a FIN each way: closing" "$e" '^closing '
read -r _ ex _ <<<"$e"
expect_le "closing runs on tcp_transitory" "$ex" "$TS_TRANS"
expect_eq "the closed connection's mapping expires" "$(nat_wait_gone host-a tcp vm-a1 21003 20)" ""
expect_grew "its expiry is counted" host-a mappings_expired_total "$before"

# --- RST: transitory, the mapping stays; the next connection from the port re-establishes it.
ts_client 21004 rst
e=$(nat_wait_state host-a tcp vm-a1 21004 rst)
expect_match "a RST from the VM: rst, not deleted (RFC 7857 s2.2)" "$e" '^rst '
read -r _ ex pub <<<"$e"
expect_le "rst runs on tcp_transitory" "$ex" "$TS_TRANS"
ts_client 21004 open
e=$(nat_wait_state host-a tcp vm-a1 21004 established)
expect_match "a new connection after the RST: established again" "$e" '^established '
expect_eq "it kept the mapping's public port" "${e##* }" "$pub"

# --- Simultaneous open: both ends connect at once.  The outside's first SYN finds no
# mapping and is dropped silently (RFC 5382 REQ-4); the VM's SYN makes the mapping and
# meets the outside's connect.  Port preservation gives the public port in advance.
before=$(lab_counter host-a no_mapping)
lab_in inet timeout 30 python3 "$NAT_TOOL" simopen --bind 192.0.2.1 --sport 7011 \
	--dst 203.0.113.10 --port 21005 --seconds 20 >"$T_TMP/ts-sim-in" 2>&1 &
p_in=$!
sleep 1    # its first SYN goes out before the VM's (ordering only; nothing is timed)
lab_in vm-a1 timeout 30 python3 "$NAT_TOOL" simopen --bind 198.19.0.11 --sport 21005 \
	--dst 192.0.2.1 --port 7011 --seconds 20 >"$T_TMP/ts-sim-out" 2>&1 &
p_out=$!
wait "$p_in" "$p_out"
expect_match "simultaneous open: the outside is connected to the public endpoint" \
	"$(cat "$T_TMP/ts-sim-in")" 'connected 203\.0\.113\.10:21005.*hi from 198\.19\.0\.11'
expect_match "simultaneous open: the VM is connected to the outside" \
	"$(cat "$T_TMP/ts-sim-out")" 'connected 192\.0\.2\.1:7011.*hi from 192\.0\.2\.1'
expect_grew "the SYN that came before the mapping was dropped (no_mapping)" host-a no_mapping \
	"$before"

# --- Static forwards keep working and stay established, never expiring.
expect_match "the static forward 203.0.113.10:8080 still reaches vm-a1" \
	"$(tcp_get inet 203.0.113.10 8080)" '^vm-a1 '
expect_match "the forward's entry is static and established" \
	"$(lab_ctl host-a -j conntrack proto=tcp vm=vm-a1)" \
	'"private": "198\.19\.0\.11:80", "public": "203\.0\.113\.10:8080", "state": "established", "static": true'

# --- Only outbound traffic refreshes: a UDP mapping (udp: 3) that only receives expires.
cat >"$T_TMP/ts-udp.py" <<'PY'
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 21006))
s.sendto(b"x", ("192.0.2.1", 7002))
s.settimeout(0.5)
end = time.monotonic() + 25
while time.monotonic() < end:
    try:
        s.recv(100)
    except OSError:
        pass
PY
lab_in vm-a1 timeout 30 python3 "$T_TMP/ts-udp.py" >/dev/null 2>&1 &
p_udp=$!
e=$(nat_wait_state host-a udp vm-a1 21006 new)
pub=${e##* }
expect_match "a UDP mapping from vm-a1:21006" "$e" '^new .* 203\.0\.113\.10:'
lab_in inet timeout 30 python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("192.0.2.1", 7002 + 1000))
a, p = sys.argv[1].split(":")
for _ in range(60):
    s.sendto(b"in", (a, int(p)))
    time.sleep(0.3)' "$pub" >/dev/null 2>&1 &
p_inb=$!
expect_eq "inbound traffic alone does not keep it alive (outbound refresh only)" \
	"$(nat_wait_gone host-a udp vm-a1 21006 15)" ""
kill "$p_inb" "$p_udp" 2>/dev/null
wait "$p_inb" "$p_udp" 2>/dev/null

# shellcheck disable=SC2086
kill $ts_pids "$ts_srv" 2>/dev/null
wait $ts_pids "$ts_srv" 2>/dev/null
ts_pids=
restart_with host-a "$LAB_ROOT/etc/hostd-a.yaml"
