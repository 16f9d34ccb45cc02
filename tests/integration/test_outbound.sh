# SPDX-License-Identifier: MIT
# test_outbound.sh - VMs reach the Internet from their tenant's public address and
# their host's port range; the server side checks what it saw.

expect_port_in "vm-a1 tcp out" "$(tcp_get vm-a1 192.0.2.1 7001)" 203.0.113.10 1024 32767
expect_port_in "vm-a2 tcp out" "$(tcp_get vm-a2 192.0.2.1 7001)" 203.0.113.11 1024 32767
expect_port_in "vm-b1 tcp out" "$(tcp_get vm-b1 192.0.2.1 7001)" 203.0.113.10 32768 65535
expect_eq "vm-b2 tcp out via its 1:1 address, port kept" \
	"$(tcp_get vm-b2 192.0.2.1 7001 sourceport=4444)" "203.0.113.20:4444"

expect_port_in "vm-a1 udp out" "$(udp_get vm-a1 192.0.2.1 7000)" 203.0.113.10 1024 32767
expect_port_in "vm-a2 udp out" "$(udp_get vm-a2 192.0.2.1 7000)" 203.0.113.11 1024 32767
expect_port_in "vm-b1 udp out" "$(udp_get vm-b1 192.0.2.1 7000)" 203.0.113.10 32768 65535
expect_eq "vm-b2 udp out via its 1:1 address, port kept" \
	"$(udp_get vm-b2 192.0.2.1 7000 sourceport=4445)" "203.0.113.20:4445"

# Endpoint-independent mapping (RFC 4787 REQ-1): one VM endpoint, two servers,
# one public endpoint.
m1=$(udp_get vm-a1 192.0.2.1 7000 sourceport=5555)
m2=$(udp_get vm-a1 192.0.2.2 7000 sourceport=5555)
expect_port_in "eim: first mapping" "$m1" 203.0.113.10 1024 32767
expect_eq "eim: same public endpoint towards another server" "$m2" "$m1"

# icmp_out VM PUBLIC LO HI: echo from the VM, seen at the server with the
# public source address and an identifier in the host's range.
icmp_out() {
	local vm=$1 pub=$2 lo=$3 hi=$4 id
	lab_in inet timeout 6 tcpdump -n -l -i eth0 -c1 \
		"icmp[icmptype] == icmp-echo and src $pub" >"$T_TMP/icmp" 2>/dev/null &
	local tpid=$!
	sleep 0.7
	if ! lab_in "$vm" ping -c1 -W2 192.0.2.1 >/dev/null; then
		fail "$vm icmp echo out" "no reply"
	fi
	wait "$tpid"
	id=$(sed -n 's/.*echo request, id \([0-9]*\),.*/\1/p' "$T_TMP/icmp")
	if [ "$lo" = any ]; then
		expect_match "$vm icmp echo out from $pub" "$id" "^[0-9]+$"
	else
		expect_port_in "$vm icmp echo out" "$pub:$id" "$pub" "$lo" "$hi"
	fi
}
icmp_out vm-a1 203.0.113.10 1024 32767
icmp_out vm-a2 203.0.113.11 1024 32767
icmp_out vm-b1 203.0.113.10 32768 65535
icmp_out vm-b2 203.0.113.20 any any
