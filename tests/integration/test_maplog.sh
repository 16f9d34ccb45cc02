# SPDX-License-Identifier: MIT
# test_maplog.sh - the mapping log (RFC 6888 s4, RFC 7422): a line when a mapping is made
# and when it expires, no destination unless asked for, the rate bound with its
# counter, and changes that need a restart.  Short UDP timer so expiry comes quickly.

. "$(dirname "${BASH_SOURCE[0]}")/nat_lib.sh"

ML_LOG=$T_TMP/maplog/mappings.log
mkdir -p "$T_TMP/maplog"
ml_conf() { # DESTINATION
	nat_conf "$LAB_ROOT/etc/hostd-a.yaml" "$T_TMP/ml-hostd-a.yaml" \
		"timeouts: { udp: 3, tcp_established: 7440, tcp_transitory: 4, icmp: 60 }" \
		"mapping_log: { path: $ML_LOG, rate: 20, destination: $1 }"
}
ml_conf false
restart_with host-a "$T_TMP/ml-hostd-a.yaml"
expect_eq "the log file is created, mode 0640" "$(stat -c %a "$ML_LOG" 2>/dev/null)" 640

# --- UDP: a create line, then a delete line when it expires.
m=$(udp_get vm-a1 192.0.2.1 7000 sourceport=21201)
expect_port_in "a UDP mapping from vm-a1:21201" "$m" 203.0.113.10 1024 32767
line=$(nat_wait_line "$ML_LOG" " create udp vni=100 vm=198\.19\.0\.11:21201 public=${m//./\\.}\$")
expect_match "its creation is logged with time, protocol, tenant, VM and public endpoint" \
	"$line" "^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z create udp "
expect_eq "no destination by default" "$(grep -c 'dst=' "$ML_LOG")" 0
expect_eq "the mapping expires (udp: 3)" "$(nat_wait_gone host-a udp vm-a1 21201 20)" ""
expect_match "its deletion on expiry is logged" \
	"$(nat_wait_line "$ML_LOG" " delete udp vni=100 vm=198\.19\.0\.11:21201 public=${m//./\\.} reason=expired\$")" \
	'reason=expired$'

# --- TCP, by a real client.
expect_match "a TCP exchange from vm-a1:21202" \
	"$(tcp_get vm-a1 192.0.2.1 7001 sourceport=21202)" '^203\.0\.113\.10:'
expect_match "the TCP mapping's creation is logged" \
	"$(nat_wait_line "$ML_LOG" ' create tcp vni=100 vm=198\.19\.0\.11:21202 public=203\.0\.113\.10:')" \
	'create tcp'

# --- The rate bound: 300 new mappings at once, at most 20 logged per second.
before=$(lab_counter host-a mapping_log_suppressed_total)
lab_in vm-a1 timeout 30 python3 "$CRAFT" flood --src 198.19.0.11 --dst 192.0.2.1 --dport 7002 \
	--count 300 --seconds 10 >/dev/null
sleep 0.5
expect_grew "events over the rate are counted as suppressed" host-a \
	mapping_log_suppressed_total "$before"
expect_eq "nothing was lost to a failed write" "$(lab_counter host-a mapping_log_lost_total)" 0
expect_eq "every line in the file is whole" \
	"$(grep -cvE '^20[0-9-]{8}T[0-9:.]{12}Z (create|delete) (tcp|udp|icmp) vni=[0-9]+ vm=[0-9.]+:[0-9]+ public=[0-9.]+:[0-9]+( reason=[a-z]+)?$' "$ML_LOG")" 0

# --- mapping_log needs a restart: a reload keeps the running one.
ml_conf true
before=$(lab_counter host-a reloads_total)
lab_ctl host-a reload >/dev/null
expect_grew "a reload with another mapping_log is applied" host-a reloads_total "$before"
expect_match "and says that mapping_log needs a restart" "$(tail -n5 "$LAB_RUN/host-a.log")" \
	'mapping_log need a restart'
udp_get vm-a1 192.0.2.1 7000 sourceport=21203 >/dev/null
nat_wait_line "$ML_LOG" 'vm=198\.19\.0\.11:21203 ' >/dev/null
expect_eq "the running log still has no destination" "$(grep -c 'dst=' "$ML_LOG")" 0
restart_with host-a "$T_TMP/ml-hostd-a.yaml"
m=$(udp_get vm-a1 192.0.2.1 7000 sourceport=21204)
expect_match "after a restart, destination: true adds the destination" \
	"$(nat_wait_line "$ML_LOG" "create udp vni=100 vm=198\.19\.0\.11:21204 public=${m//./\\.} dst=192\.0\.2\.1:7000\$")" \
	'dst=192\.0\.2\.1:7000$'

restart_with host-a "$LAB_ROOT/etc/hostd-a.yaml"
