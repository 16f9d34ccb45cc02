# SPDX-License-Identifier: MIT
# test_restart.sh - hostd keeps its conntrack across kill -9 and a clean restart: live
# mappings keep their ports and a TCP transfer runs on without a reset; a corrupt or
# foreign state file is set aside; a restart of the stateless edged loses only the
# packets sent while it was down.

STREAM=$LAB_ROOT/tests/tools/stream.py
STATE=/run/spat/host-a.state    # state_file of etc/hostd-a.yaml

# --- (c) a UDP mapping survives kill -9: same public port, and replies still reach the VM.
# The VM port is outside host-a's range, so a new mapping would get another port.
# Up to three tries: run right after the lab's servers start, the first reply may miss.
for _ in 1 2 3; do
	m1=$(udp_get vm-a1 192.0.2.1 7000 sourceport=40777)
	[ -n "$m1" ] && break
done
expect_port_in "udp mapping before kill -9" "$m1" 203.0.113.10 1024 32767
lines=$(log_lines host-a)
lab_stop host-a KILL
lab_start host-a
expect_match "host-a restored its table after kill -9" "$(log_since host-a "$lines")" \
	"state $STATE: generation [0-9]+, [1-9][0-9]* mappings restored"
expect_eq "the udp mapping is in the table after kill -9, same public port" \
	"$(ct_public host-a udp 198.19.0.11:40777)" "$m1"
lab_in vm-a1 timeout 4 socat -u UDP4-RECV:40777 - >"$T_TMP/inbound" 2>/dev/null &
rpid=$!
sleep 0.5
echo inbound-after-restart | lab_in inet socat -u - "UDP4-SENDTO:${m1%:*}:${m1##*:},bind=192.0.2.1:7009"
wait "$rpid"
expect_eq "an inbound datagram to the kept port reaches vm-a1" "$(head -n1 "$T_TMP/inbound")" \
	inbound-after-restart
expect_eq "vm-a1's endpoint still maps to the same public port" \
	"$(udp_get vm-a1 192.0.2.1 7000 sourceport=40777)" "$m1"

# --- (a, b) a TCP transfer from vm-a1 runs across a restart of host-a: byte-exact, no RST.
# tcp_across SIGNAL PORT: 24 MiB at 3 MiB/s (8 s); host-a is stopped with SIGNAL after 2 s
# and started again at once.
tcp_across() {
	local sig=$1 port=$2 rx=$T_TMP/rx-$1 tx=$T_TMP/tx-$1 pcap=$T_TMP/rst-$1.pcap
	local rpid dpid spid src lport pub pub2 rsts
	lab_in inet timeout 60 python3 "$STREAM" tcp-recv --bind 192.0.2.1 --port "$port" \
		>"$rx" 2>&1 &
	rpid=$!
	lab_in inet timeout 60 tcpdump -n -U -i eth0 -w "$pcap" \
		"tcp port $port and tcp[tcpflags] & tcp-rst != 0" >/dev/null 2>&1 &
	dpid=$!
	sleep 0.7
	lab_in vm-a1 timeout 60 python3 "$STREAM" tcp-send --dst 192.0.2.1 --port "$port" \
		--bytes $((24 << 20)) --rate $((3 << 20)) >"$tx" 2>&1 &
	spid=$!
	sleep 2
	lport=$(sender_port "$tx")
	pub=$(ct_public host-a tcp "198.19.0.11:$lport")
	expect_port_in "tcp transfer mapped before SIG$sig" "$pub" 203.0.113.10 1024 32767
	lab_stop host-a "$sig"
	lab_start host-a
	pub2=$(ct_public host-a tcp "198.19.0.11:$lport")
	expect_eq "the transfer's mapping kept its public port across SIG$sig" "$pub2" "$pub"
	wait "$spid"; src=$?
	wait "$rpid"
	kill -INT "$dpid" 2>/dev/null; wait "$dpid"
	expect_eq "the sender finished without an error across SIG$sig ($(tail -n1 "$tx"))" \
		"$src" 0
	expect_eq "the receiver got every byte, sha256 equal (SIG$sig)" \
		"$(cat "$rx")" "$(tail -n1 "$tx")"
	rsts=$(tcpdump -r "$pcap" 2>/dev/null | wc -l)
	expect_eq "no TCP reset seen in spat-inet (SIG$sig)" "$rsts" 0
}
tcp_across KILL 7101
tcp_across TERM 7102

# --- (d) a corrupt state file, then another host's, are set aside; host-a starts and serves.
# check_set_aside WHAT REASON: start host-a on a bad file, expect it logged and served.
check_set_aside() {
	local lines
	lines=$(log_lines host-a)
	lab_start host-a
	expect_match "a $1 state file is set aside and logged" "$(log_since host-a "$lines")" \
		"state $STATE: $2; set aside as $STATE\\.bad-[0-9]+"
	expect_match "host-a serves its forward after a $1 state file" \
		"$(tcp_get inet 203.0.113.10 8080)" "^vm-a1 "
	expect_port_in "host-a maps outbound traffic after a $1 state file" \
		"$(udp_get vm-a1 192.0.2.1 7000)" 203.0.113.10 1024 32767
}
lab_stop host-a TERM
head -c 65536 /dev/urandom >"$STATE"
check_set_aside corrupt "not a spat conntrack file \\(bad magic\\)"
if ls "$STATE".bad-* >/dev/null 2>&1; then ok "the corrupt file is kept for a post-mortem"
else fail "the corrupt file is kept for a post-mortem" "no $STATE.bad-* in /run/spat"; fi
lab_stop host-a TERM
rm -f "$STATE".bad-*
cp /run/spat/host-b.state "$STATE"
check_set_aside foreign "written by another host \\(owner differs\\)"
rm -f "$STATE".bad-*

# --- (e) edged holds no state: kill -9 and restart it under a UDP stream to vm-b2's
# 1:1 address.  With a single edge, "in flight" is everything sent while no edged
# held spat0 (the kernel drops it): the loss must be one gap no longer than the
# restart, and the stream must arrive whole on either side of it.
# 8000 datagrams at 2000/s (4 s); edge1 is killed after about 1.5 s.
lab_in vm-b2 timeout 30 python3 "$STREAM" udp-recv --port 6000 --count 8000 --idle 2 \
	--timeout 20 >"$T_TMP/udp-rx" 2>&1 &
rpid=$!
sleep 0.5
lab_in inet timeout 30 python3 "$STREAM" udp-send --dst 203.0.113.20 --port 6000 \
	--bind 192.0.2.1 --count 8000 --pps 2000 >"$T_TMP/udp-tx" 2>&1 &
spid=$!
sleep 1.5
lab_stop edge1 KILL
lab_start edge1
wait "$spid"
wait "$rpid"
read -r _ got _ lost _ first _ last <"$T_TMP/udp-rx"
echo "# edge1 restart under load: $(cat "$T_TMP/udp-tx"); received $got, lost $lost" \
	"(seq $first..$last, $(( (last - first + 1) * 1000 / 2000 )) ms at 2000/s)"
# Lost: fewer than 1.5 s worth, all of it inside one window of that size around the
# kill (about seq 3000), with the stream arriving whole for at least 0.1 s on either
# side of it (loose, so that a slow start of the sender cannot fail it).
if [[ "$lost" =~ ^[0-9]+$ ]] && [ "$lost" -lt 3000 ] &&
   { [ "$lost" = 0 ] || { [ $((last - first + 1)) -lt 3000 ] && [ "$first" -gt 200 ] &&
			     [ "$last" -lt 7800 ]; }; }; then
	ok "edge1 restart loses only the restart gap ($lost of 8000, seq $first..$last)"
else
	fail "edge1 restart loses only the restart gap" \
		"received '$got' lost '$lost' seq $first..$last ($(cat "$T_TMP/udp-tx"))"
fi
