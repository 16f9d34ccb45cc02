# SPDX-License-Identifier: MIT
# test_reload.sh - SIGHUP and "spatctl reload": new rules and forwards apply, a bad
# file changes nothing, live mappings and taps survive a hostd reload.

# restart_with NAME CONFIG: restart a lab daemon as up did, but from CONFIG.
restart_with() {
	local pid cmd
	pid=$(cat "$LAB_RUN/$1.pid")
	kill "$pid"
	for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	cmd=$(sed "s|-c [^ ]*|-c $2|" "$LAB_RUN/$1.cmd")
	bash -c "$cmd"
	for _ in $(seq 1 50); do lab_ctl "$1" stats >/dev/null 2>&1 && break; sleep 0.1; done
}

# reload NAME: ask for a reload and give the daemon a moment to apply it.
reload() { lab_ctl "$1" reload >/dev/null; sleep 0.3; }

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
