# SPDX-License-Identifier: MIT
# test_offloads.sh - bulk TCP crosses the tunnel in runs, both ways: an
# upload as TSO frames from the tap (later segments translated as their
# first), UDP_SEGMENT sends from hostd, UDP_GRO receives and GSO writes at
# the edge; a download as TSO super-packets from the edge's TUN, split
# there (later segments steered as their first), sent in UDP_SEGMENT runs
# to hostd and written to the tap in GSO frames.  Both arrive byte-exact,
# and no offload path drops a packet.

STREAM=$LAB_ROOT/tests/tools/stream.py

sends0=$(lab_counter host-a tunnel_tx_gso_sends_total)
tgso0=$(lab_counter edge1 tun_tx_gso_total)
segs0=$(lab_counter host-a tunnel_tx_gso_packets_total)
follow0=$(lab_counter host-a vm_rx_tso_follow_total)
# Drops and fallbacks that must not move: DAEMON:COUNTER -> value before.
declare -A before
for c in host-a:tunnel_tx_gso_fallbacks_total host-a:vm_offload host-a:tunnel_tx_error \
	edge1:truncated edge1:tunnel_no_buffer edge1:tun_tx_error \
	edge1:tunnel_tx_gso_fallbacks_total edge1:tun_offload edge1:tunnel_tx_error \
	host-a:truncated host-a:tunnel_no_buffer host-a:vm_tx_error; do
	before[$c]=$(lab_counter "${c%%:*}" "${c#*:}")
done

lab_in inet timeout 60 python3 "$STREAM" tcp-recv --bind 192.0.2.1 --port 7411 --timeout 30 \
	>"$T_TMP/o-rx" 2>&1 &
rpid=$!
sleep 0.7
lab_in vm-a1 timeout 60 python3 "$STREAM" tcp-send --dst 192.0.2.1 --port 7411 \
	--bytes $((32 << 20)) --rate $((256 << 20)) >"$T_TMP/o-tx" 2>&1
src=$?
wait "$rpid"
expect_eq "a 32 MB upload from vm-a1 completes ($(tail -n1 "$T_TMP/o-tx"))" "$src" 0
expect_eq "it arrives byte-exact (sha256)" "$(cat "$T_TMP/o-rx")" "$(tail -n1 "$T_TMP/o-tx")"

expect_grew "hostd sent it in UDP_SEGMENT sends" host-a tunnel_tx_gso_sends_total "$sends0"
expect_grew "later segments took their first segment's translation" host-a vm_rx_tso_follow_total "$follow0"
expect_grew "edge1 wrote it to its TUN in GSO packets" edge1 tun_tx_gso_total "$tgso0"
sends=$(($(lab_counter host-a tunnel_tx_gso_sends_total) - sends0))
segs=$(($(lab_counter host-a tunnel_tx_gso_packets_total) - segs0))
if [ "$sends" -gt 0 ] && [ "$segs" -ge $((4 * sends)) ]; then
	ok "runs of several packets a send ($segs packets in $sends sends)"
else
	fail "runs of several packets a send" "$segs packets in $sends sends"
fi

# The other way: a 32 MB download into vm-a1 (the VM connects, the server sends).
esends0=$(lab_counter edge1 tunnel_tx_gso_sends_total)
esegs0=$(lab_counter edge1 tunnel_tx_gso_packets_total)
tso0=$(lab_counter edge1 tun_rx_tso_total)
efollow0=$(lab_counter edge1 tun_rx_tso_follow_total)
vgso0=$(lab_counter host-a vm_tx_gso_total)
lab_in inet timeout 60 python3 "$STREAM" tcp-serve --bind 192.0.2.1 --port 7412 --timeout 30 \
	--bytes $((32 << 20)) --rate $((256 << 20)) >"$T_TMP/o-srv" 2>&1 &
spid=$!
sleep 0.7
lab_in vm-a1 timeout 60 python3 "$STREAM" tcp-fetch --dst 192.0.2.1 --port 7412 --timeout 30 \
	>"$T_TMP/o-fetch" 2>&1
src=$?
wait "$spid"
expect_eq "a 32 MB download into vm-a1 completes ($(tail -n1 "$T_TMP/o-fetch"))" "$src" 0
expect_eq "it arrives byte-exact (sha256)" "$(tail -n1 "$T_TMP/o-fetch")" "$(tail -n1 "$T_TMP/o-srv")"
expect_grew "edge1 read TCP super-packets from its TUN and split them" edge1 tun_rx_tso_total "$tso0"
expect_grew "their later segments went their first's way" edge1 tun_rx_tso_follow_total "$efollow0"
expect_grew "edge1 sent it in UDP_SEGMENT sends" edge1 tunnel_tx_gso_sends_total "$esends0"
expect_grew "host-a wrote it to the tap in GSO frames" host-a vm_tx_gso_total "$vgso0"
sends=$(($(lab_counter edge1 tunnel_tx_gso_sends_total) - esends0))
segs=$(($(lab_counter edge1 tunnel_tx_gso_packets_total) - esegs0))
if [ "$sends" -gt 0 ] && [ "$segs" -ge $((4 * sends)) ]; then
	ok "edge1: runs of several packets a send ($segs packets in $sends sends)"
else
	fail "edge1: runs of several packets a send" "$segs packets in $sends sends"
fi

for c in "${!before[@]}"; do
	now=$(lab_counter "${c%%:*}" "${c#*:}")
	if [ -n "$now" ] && [ "$now" = "${before[$c]}" ]; then ok "no ${c#*:} on ${c%%:*} ($now)"
	else fail "no ${c#*:} on ${c%%:*}" "was '${before[$c]}', now '$now'"; fi
done
