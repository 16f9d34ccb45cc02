# SPDX-License-Identifier: MIT
# test_reload.sh - SIGHUP and "spatctl reload": new rules and forwards apply, a bad
# file changes nothing, live mappings and taps survive a hostd reload.

# --- edged: move the 1:1 rule away and back; a broken file is refused.
cp "$LAB_ROOT/etc/edged.yaml" "$T_TMP/edged.yaml"
restart_with edge1 "$T_TMP/edged.yaml"
expect_match "edge1 serves the 1:1 address before the reload" \
	"$(tcp_get inet 203.0.113.20 22)" "^vm-b2-22 "
sed -i 's/public: 203.0.113.20$/public: 203.0.113.21/' "$T_TMP/edged.yaml"
before=$(lab_counter edge1 reloads_total)
reload edge1
expect_grew "edge1 applied the new rules" edge1 reloads_total "$before"
expect_eq "a removed rule stops matching" "$(tcp_get inet 203.0.113.20 22)" ""
expect_match "other rules keep working" "$(tcp_get inet 203.0.113.10 8080)" "^vm-a1 "
printf 'rules: [\n' >>"$T_TMP/edged.yaml"
before=$(lab_counter edge1 reload_failures_total)
kill -HUP "$(cat "$LAB_RUN/edge1.pid")"; sleep 0.3
expect_grew "a broken file is refused" edge1 reload_failures_total "$before"
expect_match "the refusal is logged with file:line:col" "$(tail -n3 "$LAB_RUN/edge1.log")" \
	"edged.yaml:[0-9]+:[0-9]+: "
expect_match "the running rules stay after a refused reload" \
	"$(tcp_get inet 203.0.113.10 8080)" "^vm-a1 "
cp "$LAB_ROOT/etc/edged.yaml" "$T_TMP/edged.yaml"
reload edge1
expect_match "the 1:1 rule is back after the next reload" \
	"$(tcp_get inet 203.0.113.20 22)" "^vm-b2-22 "

# --- hostd: move a static forward; a live UDP mapping keeps its public port.
cp "$LAB_ROOT/etc/hostd-a.yaml" "$T_TMP/hostd-a.yaml"
restart_with host-a "$T_TMP/hostd-a.yaml"
m1=$(udp_get vm-a1 192.0.2.1 7000 sourceport=7777)
expect_port_in "mapping before the reload" "$m1" 203.0.113.10 1024 32767
sed -i 's/public: 203.0.113.10:8080$/public: 203.0.113.10:8081/' "$T_TMP/hostd-a.yaml"
before=$(lab_counter host-a reloads_total)
kill -HUP "$(cat "$LAB_RUN/host-a.pid")"; sleep 0.3
expect_grew "host-a applied the new forwards" host-a reloads_total "$before"
expect_match "the new forward 203.0.113.10:8081 reaches vm-a1" \
	"$(tcp_get inet 203.0.113.10 8081)" "^vm-a1 "
expect_eq "the removed forward 203.0.113.10:8080 is gone" "$(tcp_get inet 203.0.113.10 8080)" ""
expect_match "the live mapping is still in host-a's table" \
	"$(lab_ctl host-a -j conntrack proto=udp vm=vm-a1)" "\"private\": \"198\.19\.0\.11:7777\", \"public\": \"${m1//./\\.}\""
expect_eq "the live mapping kept its public port" \
	"$(udp_get vm-a1 192.0.2.1 7000 sourceport=7777)" "$m1"
expect_match "vm-a1's tap stayed up (ping through host-a)" \
	"$(lab_in vm-a1 ping -c1 -W2 192.0.2.1 | grep -o '1 received')" "1 received"
printf 'vms: [\n' >>"$T_TMP/hostd-a.yaml"
before=$(lab_counter host-a reload_failures_total)
reload host-a
expect_grew "host-a refuses a broken file" host-a reload_failures_total "$before"
expect_match "host-a keeps serving after a refused reload" \
	"$(tcp_get inet 203.0.113.10 8081)" "^vm-a1 "

# Back to the lab as up started it.
restart_with edge1 "$LAB_ROOT/etc/edged.yaml"
restart_with host-a "$LAB_ROOT/etc/hostd-a.yaml"

# --- Reloads under steady UDP load lose nothing: numbered datagrams both ways,
# inbound to the 1:1 address (edge1, host-b) and outbound through a dynamic
# mapping (host-a, whose table is rebuilt and the mapping moved at each reload).
STREAM=$LAB_ROOT/tests/tools/stream.py
lab_in vm-b2 timeout 30 python3 "$STREAM" udp-recv --port 6001 --count 6000 --idle 2 \
	--timeout 20 >"$T_TMP/rl-in" 2>&1 &
p1=$!
lab_in inet timeout 30 python3 "$STREAM" udp-recv --bind 192.0.2.1 --port 6002 --count 6000 \
	--idle 2 --timeout 20 >"$T_TMP/rl-out" 2>&1 &
p2=$!
sleep 0.5
lab_in inet timeout 30 python3 "$STREAM" udp-send --dst 203.0.113.20 --port 6001 \
	--bind 192.0.2.1 --count 6000 --pps 2000 >/dev/null 2>&1 &
p3=$!
lab_in vm-a1 timeout 30 python3 "$STREAM" udp-send --dst 192.0.2.1 --port 6002 \
	--count 6000 --pps 2000 >/dev/null 2>&1 &
p4=$!
before=$(( $(lab_counter edge1 reloads_total) + $(lab_counter host-a reloads_total) +
	   $(lab_counter host-b reloads_total) ))
sleep 0.5
for _ in 1 2 3 4; do
	for n in edge1 host-a host-b; do kill -HUP "$(cat "$LAB_RUN/$n.pid")"; done
	sleep 0.4
done
wait "$p3" "$p4" "$p1" "$p2"
after=$(( $(lab_counter edge1 reloads_total) + $(lab_counter host-a reloads_total) +
	  $(lab_counter host-b reloads_total) ))
expect_eq "12 reloads applied during the streams" "$((after - before))" 12
expect_match "no datagram lost inbound across edge1 and host-b reloads" \
	"$(cat "$T_TMP/rl-in")" "^received 6000 lost 0"
expect_match "no datagram lost outbound across host-a reloads (mapping moved)" \
	"$(cat "$T_TMP/rl-out")" "^received 6000 lost 0"
