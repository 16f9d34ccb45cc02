# SPDX-License-Identifier: MIT
# test_contract.sh - the lab contract of DESIGN.md section 4: pid and cmd files,
# control sockets, metrics, -n, and a restart with the recorded command.

for n in edge1 host-a host-b; do
	if [ -S "$LAB_RUN/$n.sock" ] && kill -0 "$(cat "$LAB_RUN/$n.pid")" 2>/dev/null &&
	   [ -s "$LAB_RUN/$n.cmd" ]; then
		ok "$n: pid, cmd and control socket in $LAB_RUN"
	else
		fail "$n: pid, cmd and control socket in $LAB_RUN" "missing or dead"
	fi
done
m=$(lab_in edge1 curl -sf http://127.0.0.1:9750/metrics)
expect_match "edge1 metrics on 127.0.0.1:9750" "$m" "spat_edged_tun_rx_packets_total [1-9]"
m=$(lab_in host-a curl -sf http://127.0.0.1:9750/metrics)
expect_match "host-a metrics on 127.0.0.1:9750" "$m" "spat_hostd_drops_total\{reason=\"no_mapping\"\}"
for n in edge1 host-a host-b; do
	prefix=spat_hostd_
	[ "$n" = edge1 ] && prefix=spat_edged_
	out=$(lab_in "$n" curl -sf http://127.0.0.1:9750/metrics | python3 "$LAB_ROOT/tests/tools/check_metrics.py" "$prefix")
	expect_match "$n metrics: valid Prometheus text, HELP and TYPE, conventions" "$out" \
		"^[0-9]+ samples, 0 problems$"
done

if "$LAB_EDGED" -n -c "$LAB_ROOT/etc/edged.yaml" && "$LAB_HOSTD" -n -c "$LAB_ROOT/etc/hostd-a.yaml"
then ok "-n accepts the example configs"; else fail "-n accepts the example configs" "rejected"; fi
printf 'name: x\nlisten: 198.18.0.300\n' >"$T_TMP/bad.yaml"
msg=$("$LAB_EDGED" -n -c "$T_TMP/bad.yaml" 2>&1) && fail "-n rejects a bad config" "exit 0" ||
	expect_match "-n rejects a bad config with file:line:col" "$msg" "bad.yaml:2:9: .*198\.18\.0\.300"

# Restart host-a with its recorded command: its static forward works again.
kill "$(cat "$LAB_RUN/host-a.pid")"
sleep 0.5
bash -c "$(cat "$LAB_RUN/host-a.cmd")"
for _ in $(seq 1 30); do lab_ctl host-a stats >/dev/null 2>&1 && break; sleep 0.1; done
expect_match "host-a restarted from host-a.cmd serves again" \
	"$(tcp_get inet 203.0.113.10 8080)" "^vm-a1 192\.0\.2\.1:"
