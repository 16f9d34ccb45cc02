# SPDX-License-Identifier: MIT
# test_offloads.sh - a VM's bulk TCP upload crosses the tunnel in runs: TSO
# frames from the tap, UDP_SEGMENT sends from hostd, UDP_GRO receives and GSO
# writes at the edge; it arrives byte-exact, and no offload path drops a packet.

STREAM=$LAB_ROOT/tests/tools/stream.py

sends0=$(lab_counter host-a tunnel_tx_gso_sends_total)
segs0=$(lab_counter host-a tunnel_tx_gso_packets_total)
# Drops and fallbacks that must not move: DAEMON:COUNTER -> value before.
declare -A before
for c in host-a:tunnel_tx_gso_fallbacks_total host-a:vm_offload host-a:tunnel_tx_error \
	edge1:truncated edge1:tunnel_no_buffer edge1:tun_tx_error; do
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
sends=$(($(lab_counter host-a tunnel_tx_gso_sends_total) - sends0))
segs=$(($(lab_counter host-a tunnel_tx_gso_packets_total) - segs0))
if [ "$sends" -gt 0 ] && [ "$segs" -ge $((4 * sends)) ]; then
	ok "runs of several packets a send ($segs packets in $sends sends)"
else
	fail "runs of several packets a send" "$segs packets in $sends sends"
fi
for c in "${!before[@]}"; do
	now=$(lab_counter "${c%%:*}" "${c#*:}")
	if [ -n "$now" ] && [ "$now" = "${before[$c]}" ]; then ok "no ${c#*:} on ${c%%:*} ($now)"
	else fail "no ${c#*:} on ${c%%:*}" "was '${before[$c]}', now '$now'"; fi
done
