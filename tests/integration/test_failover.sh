# SPDX-License-Identifier: MIT
# test_failover.sh - two edges behind ECMP: both carry traffic, and when one dies
# under load (kill -9, its route withdrawn as BGP+BFD would) every TCP transfer
# completes byte-exact with no reset, UDP loses only the failover window, and the
# edge is back in use once it returns.
# lab: --edges 2

STREAM=$LAB_ROOT/tests/tools/stream.py
PPS=2000
COUNT=10000                     # 5 s of each UDP stream

# edge_state HOST ADDR: "up" or "down" as HOST's keepalive sees the edge.
edge_state() {
	lab_ctl "$1" -j edges 2>/dev/null | python3 -c '
import json, sys
print(next((e["state"] for e in json.load(sys.stdin)["edges"] if e["address"] == sys.argv[1]), ""))' "$2"
}

# since_ms HOST ADDR: milliseconds since HOST's keepalive last changed the edge's state.
since_ms() {
	lab_ctl "$1" -j edges 2>/dev/null | python3 -c '
import json, sys
print(next((e["since_ms"] for e in json.load(sys.stdin)["edges"] if e["address"] == sys.argv[1]), 0))' "$2"
}

# wait_edge STATE ADDR T0: until both hosts see the edge in STATE (5 s at most);
# prints when the later of the two changed it, in ms after T0 (date +%s%N), from
# the hosts' own record of the change rather than from this polling loop.
wait_edge() {
	local i now a b
	for i in $(seq 1 250); do
		[ "$(edge_state host-a "$2")" = "$1" ] && [ "$(edge_state host-b "$2")" = "$1" ] && break
		sleep 0.02
	done
	now=$(date +%s%N)
	a=$(since_ms host-a "$2"); b=$(since_ms host-b "$2")
	[ "$a" -gt "$b" ] && a=$b
	echo $(( (now - $3) / 1000000 - a ))
}

# traffic NAME: tun + tunnel packets an edge has relayed.
traffic() {
	echo $(( $(lab_counter "$1" tun_rx_packets_total) + $(lab_counter "$1" tunnel_rx_packets_total) ))
}

expect_eq "host-a has both edges in use" "$(lab_ctl host-a -j edges | grep -o '"in_use": [0-9]*')" \
	'"in_use": 2'
wait_edge up 198.18.0.2 "$(date +%s%N)" >/dev/null
expect_eq "host-b sees edge2 up" "$(edge_state host-b 198.18.0.2)" up

# --- Both edges carry traffic: 32 inbound flows (ECMP in spat-inet) and 32 outbound
# flows (hostd's hash) spread over them.
e1=$(traffic edge1); e2=$(traffic edge2)
for p in $(seq 20001 20032); do
	echo x | lab_in inet timeout 2 socat -u - "UDP4-SENDTO:203.0.113.20:5000,bind=192.0.2.1:$p"
	echo x | lab_in vm-a1 timeout 2 socat -u - "UDP4-SENDTO:192.0.2.1:7002,sourceport=$p"
done
sleep 0.3
d1=$(( $(traffic edge1) - e1 )); d2=$(( $(traffic edge2) - e2 ))
if [ "$d1" -ge 8 ] && [ "$d2" -ge 8 ]; then ok "64 flows spread over both edges (edge1 $d1, edge2 $d2 packets)"
else fail "64 flows spread over both edges" "edge1 $d1, edge2 $d2 packets"; fi

# --- Edge2 dies under load.
lab_in vm-b2 timeout 40 python3 "$STREAM" udp-recv --port 6000 --count $COUNT --idle 3 \
	--timeout 30 >"$T_TMP/fo-in" 2>&1 &
rin=$!
lab_in inet timeout 40 python3 "$STREAM" udp-recv --bind 192.0.2.1 --port 6001 --count $COUNT \
	--idle 3 --timeout 30 >"$T_TMP/fo-out" 2>&1 &
rout=$!
lab_in inet timeout 60 tcpdump -n -U -i any -w "$T_TMP/fo-rst.pcap" \
	"tcp portrange 7301-7304 and tcp[tcpflags] & tcp-rst != 0" >/dev/null 2>&1 &
dpid=$!
rpids=()
for p in 7301 7302 7303 7304; do
	lab_in inet timeout 60 python3 "$STREAM" tcp-recv --bind 192.0.2.1 --port $p \
		>"$T_TMP/fo-rx-$p" 2>&1 &
	rpids+=($!)
done
sleep 0.7
spids=()
for p in 7301 7302 7303 7304; do
	vm=vm-a1; [ $p -gt 7302 ] && vm=vm-b1
	lab_in $vm timeout 60 python3 "$STREAM" tcp-send --dst 192.0.2.1 --port $p \
		--bytes $((12 << 20)) --rate $((2 << 20)) --seed $p >"$T_TMP/fo-tx-$p" 2>&1 &
	spids+=($!)
done
lab_in inet timeout 40 python3 "$STREAM" udp-send --dst 203.0.113.20 --port 6000 --bind 192.0.2.1 \
	--count $COUNT --pps $PPS --flows 16 >"$T_TMP/fo-in-tx" 2>&1 &
sin=$!
lab_in vm-a1 timeout 40 python3 "$STREAM" udp-send --dst 192.0.2.1 --port 6001 \
	--count $COUNT --pps $PPS --flows 16 >"$T_TMP/fo-out-tx" 2>&1 &
sout=$!
sleep 1.5
before=$(traffic edge2)
t_kill=$(date +%s%N)
lab_stop edge2 KILL
ip -n spat-inet route replace 203.0.113.0/24 via 192.0.2.254 dev eth0
if [ "$before" -gt 0 ]; then ok "edge2 carried the load before it died ($before packets)"
else fail "edge2 carried the load before it died" "no packets"; fi
down_ms=$(wait_edge down 198.18.0.2 "$t_kill")
echo "# edge2 out of use on both hosts $down_ms ms after kill -9 (probe 200 ms, down_after 800 ms)"
expect_eq "both hosts take the dead edge out of use" \
	"$(edge_state host-a 198.18.0.2) $(edge_state host-b 198.18.0.2)" "down down"
expect_eq "edge1 stays in use" "$(edge_state host-a 198.18.0.1) $(edge_state host-b 198.18.0.1)" "up up"
sleep 1
t_start=$(date +%s%N)
lab_start edge2
ip -n spat-inet route replace 203.0.113.0/24 \
	nexthop via 192.0.2.254 dev eth0 nexthop via 198.51.100.254 dev eth1
up_ms=$(wait_edge up 198.18.0.2 "$t_start")
echo "# edge2 back in use on both hosts $up_ms ms after its restart"
expect_eq "edge2 is back in use on both hosts" \
	"$(edge_state host-a 198.18.0.2) $(edge_state host-b 198.18.0.2)" "up up"

wait "$sin" "$sout"
wait "$rin" "$rout"
for i in 0 1 2 3; do
	p=$((7301 + i))
	wait "${spids[$i]}"; src=$?
	wait "${rpids[$i]}"
	expect_eq "transfer $p completes without an error ($(tail -n1 "$T_TMP/fo-tx-$p"))" "$src" 0
	expect_eq "transfer $p arrives byte-exact (sha256)" "$(cat "$T_TMP/fo-rx-$p")" \
		"$(tail -n1 "$T_TMP/fo-tx-$p")"
done
kill -INT "$dpid" 2>/dev/null; wait "$dpid"
expect_eq "no TCP reset seen in spat-inet" "$(tcpdump -r "$T_TMP/fo-rst.pcap" 2>/dev/null | wc -l)" 0
after=$(traffic edge2)
if [ "$after" -gt 0 ]; then ok "the restarted edge2 carries traffic again ($after packets)"
else fail "the restarted edge2 carries traffic again" "no packets"; fi

# check_window NAME FILE: a UDP stream lost at most 1.5 s worth of datagrams, all in one
# window no longer than 1.5 s (the kill and the failover), and none of the rest.
check_window() {
	local got lost first last win
	read -r _ got _ lost _ first _ last <"$2"
	win=$(( lost ? (last - first + 1) * 1000 / PPS : 0 ))
	echo "# $1: received $got of $COUNT, lost $lost (seq $first..$last: a $win ms window)"
	if [[ "$lost" =~ ^[0-9]+$ ]] && [ "$got" -gt 0 ] && [ "$lost" -le $((PPS * 3 / 2)) ] &&
	   [ "$win" -le 1500 ]; then
		ok "$1 loses only the failover window ($lost lost in $win ms)"
	else
		fail "$1 loses only the failover window" "$(cat "$2")"
	fi
}
check_window "UDP inbound (Internet -> vm-b2, 16 flows)" "$T_TMP/fo-in"
check_window "UDP outbound (vm-a1 -> Internet, 16 flows)" "$T_TMP/fo-out"
