# SPDX-License-Identifier: MIT
# test_inbound.sh - Internet clients reach static forwards and the 1:1 address.

expect_match "inbound tcp 203.0.113.10:8080 -> vm-a1:80" \
	"$(tcp_get inet 203.0.113.10 8080)" "^vm-a1 192\.0\.2\.1:[0-9]+$"
expect_match "inbound tcp from a second client keeps its address" \
	"$(tcp_get inet 203.0.113.10 8080 bind=192.0.2.2)" "^vm-a1 192\.0\.2\.2:[0-9]+$"
expect_match "inbound udp 203.0.113.10:40053 -> vm-b1:53" \
	"$(udp_get inet 203.0.113.10 40053 sourceport=5353)" "^vm-b1 192\.0\.2\.1:5353$"
for p in 22 443; do
	expect_match "1:1 tcp 203.0.113.20:$p -> vm-b2:$p" \
		"$(tcp_get inet 203.0.113.20 $p)" "^vm-b2-$p 192\.0\.2\.1:[0-9]+$"
done
expect_match "1:1 udp 203.0.113.20:5000 -> vm-b2:5000" \
	"$(udp_get inet 203.0.113.20 5000)" "^vm-b2-5000 192\.0\.2\.1:[0-9]+$"
if lab_in inet ping -c2 -i0.2 -W2 203.0.113.20 >/dev/null; then
	ok "1:1 icmp echo to 203.0.113.20 answered by vm-b2"
else
	fail "1:1 icmp echo to 203.0.113.20 answered by vm-b2" "no reply"
fi
