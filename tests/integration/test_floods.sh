# SPDX-License-Identifier: MIT
# test_floods.sh - a VM opening 200,000 flows and 200,000 unsolicited SYNs from the
# Internet: memory stays bounded, everything is counted, other VMs keep working.
# Runs last (see run): it leaves vm-a1 at its mapping quota for a while.

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$(cat "$LAB_RUN/$1.pid")/status"; }

# expect_rss_bounded NAME DAEMON BEFORE_KB MAX_GROWTH_KB
expect_rss_bounded() {
	local now
	now=$(rss_kb "$2")
	if [ -n "$now" ] && [ $((now - $3)) -le "$4" ]; then
		ok "$1 (RSS ${3} kB -> ${now} kB)"
	else
		fail "$1" "RSS ${3} kB -> ${now:-?} kB, more than $4 kB growth"
	fi
}

edge_rss=$(rss_kb edge1)
a_rss=$(rss_kb host-a)
full=$(lab_counter host-a ports_full)
quota=$(lab_counter host-a vm_quota)
nomap=$(lab_counter host-a no_mapping)
sent=$(lab_in vm-a1 timeout 60 python3 "$CRAFT" flood --src 198.19.0.11 --dst 192.0.2.1 \
	--count 200000 --seconds 40 --seed 7)
expect_eq "vm-a1 sent 200,000 new flows" "$sent" 200000
sent=$(lab_in inet timeout 60 python3 "$CRAFT" flood --proto syn --src 192.0.2.2 \
	--dst 203.0.113.10 --count 200000 --seconds 40 --seed 8)
expect_eq "the Internet sent 200,000 unsolicited SYNs" "$sent" 200000
sleep 1
ct=$(lab_ctl host-a -j conntrack vm=vm-a1)
count=$(sed -n 's/.*"shown": \([0-9]*\)}$/\1/p' <<<"$ct")
cap=$(sed -n 's/^{"count": [0-9]*, "capacity": \([0-9]*\),.*/\1/p' <<<"$ct")
# vm-a1 holds its quota (4096 dynamic mappings) plus its static forward, and no more.
if [ -n "$count" ] && [ "$count" -ge 4096 ] && [ "$count" -le 4100 ] && [ "$count" -le "$cap" ]; then
	ok "vm-a1 stopped at its quota: $count mappings, table capacity $cap"
else
	fail "vm-a1 stopped at its quota" "count '$count', capacity '$cap'"
fi
expect_grew "new flows past the quota dropped, counted" host-a vm_quota "$quota"
expect_eq "the tenant's pool was not exhausted" "$(lab_counter host-a ports_full)" "$full"
expect_grew "unsolicited SYNs to host-a's range dropped, counted" host-a no_mapping "$nomap"
expect_rss_bounded "hostd memory stays bounded" host-a "$a_rss" 32768
expect_rss_bounded "edged memory stays bounded (it keeps no flow state)" edge1 "$edge_rss" 4096
expect_port_in "vm-a2 on the same host still gets out" "$(tcp_get vm-a2 192.0.2.1 7001)" \
	203.0.113.11 1024 32767
expect_port_in "vm-b1 on the other host still gets out" "$(udp_get vm-b1 192.0.2.1 7000)" \
	203.0.113.10 32768 65535
expect_match "the static forward to vm-a1 still works" "$(tcp_get inet 203.0.113.10 8080)" \
	"^vm-a1 192\\.0\\.2\\.1:"
