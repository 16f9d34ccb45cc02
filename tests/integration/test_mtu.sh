# SPDX-License-Identifier: MIT
# test_mtu.sh - RFC 4787 REQ-13 over a 1500-byte fabric (its own lab,
# tests/lab/up --fabric-mtu 1500): DF packets too big for the tunnel get ICMP
# "fragmentation needed" (mtu 1464) from the edge's public address or the VM's
# gateway, others are fragmented, and real TCP transfers of 4 MB work both ways
# with MSS clamping (the default) and without it (path MTU discovery alone).
# lab: --fabric-mtu 1500

MTU_INNER=1464               # 1500 - outer IPv4, UDP and Geneve (36)

# mtu_listening NS PORT: wait (5 s at most) until a TCP port listens in NS.
mtu_listening() {
	for _ in $(seq 1 50); do
		lab_in "$1" ss -Hltn "sport = :$2" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

# mtu_forget: drop every learnt path MTU, so each run starts from 1500.
mtu_forget() {
	local ns
	for ns in inet vm-a1 vm-b2; do lab_in "$ns" ip route flush cache; done
}

# mtu_xfer LABEL SERVER-NS PORT CLIENT-NS ADDR: the client sends 4 MB to a server
# that writes it to a file; the file must equal what was sent.
mtu_xfer() {
	local label=$1 sns=$2 port=$3 cns=$4 addr=$5 got
	got=$T_TMP/mtu-got-$port
	rm -f "$got"
	bg "$sns" timeout 60 socat -u "TCP4-LISTEN:$port,reuseaddr" "OPEN:$got,creat,trunc"
	if ! mtu_listening "$sns" "$port"; then
		fail "$label" "server on $sns:$port did not listen"
		return
	fi
	lab_in "$cns" timeout 60 socat -u "OPEN:$T_TMP/mtu-blob" "TCP4:$addr:$port" 2>/dev/null
	for _ in $(seq 1 50); do
		[ "$(stat -c %s "$got" 2>/dev/null)" = 4000000 ] && break
		sleep 0.1
	done
	if cmp -s "$T_TMP/mtu-blob" "$got"; then ok "$label (4 MB intact)"
	else fail "$label" "got $(stat -c %s "$got" 2>/dev/null || echo no) bytes, want 4000000 equal"; fi
}

expect_eq "fabric is 1500 bytes" "$(lab_in host-a cat /sys/class/net/fabric0/mtu)" 1500
head -c 4000000 /dev/urandom >"$T_TMP/mtu-blob"

# --- DF pings of 1472 bytes (a 1500-byte packet) get "fragmentation needed".
before=$(lab_counter edge1 icmp_frag_needed_total)
out=$(lab_in inet ping -n -M do -s 1472 -c1 -W2 203.0.113.20 2>&1)
expect_match "DF ping inet -> 1:1 address: frag needed from the public address" \
	"$out" "From 203\.0\.113\.20 .*[Ff]rag needed.*mtu = $MTU_INNER"
expect_grew "edge counts the ICMP it sent" edge1 icmp_frag_needed_total "$before"
out=$(lab_in inet ping -n -M do -s 1436 -c1 -W2 203.0.113.20 2>&1)
expect_match "DF ping of 1464 bytes passes" "$out" "1 received"
before=$(lab_counter host-a icmp_frag_needed_total)
out=$(lab_in vm-a1 ping -n -M do -s 1472 -c1 -W2 192.0.2.1 2>&1)
expect_match "DF ping vm-a1 -> inet: frag needed from the gateway" \
	"$out" "From 198\.19\.0\.1 .*[Ff]rag needed.*mtu = $MTU_INNER"
expect_grew "host-a counts the ICMP it sent" host-a icmp_frag_needed_total "$before"
mtu_forget

# --- without DF the packet is fragmented on its way into the tunnel.
before=$(lab_counter edge1 fragmented_packets_total)
out=$(lab_in inet ping -n -M dont -s 1472 -c1 -W2 203.0.113.20 2>&1)
expect_match "no-DF ping of 1500 bytes inet -> vm-b2 is answered" "$out" "1 received"
expect_grew "edge fragments it" edge1 fragmented_packets_total "$before"
before=$(lab_counter host-a fragmented_packets_total)
out=$(lab_in vm-a1 ping -n -M dont -s 1472 -c1 -W2 192.0.2.1 2>&1)
expect_match "no-DF ping of 1500 bytes vm-a1 -> inet is answered" "$out" "1 received"
expect_grew "host-a fragments it" host-a fragmented_packets_total "$before"

# --- TCP with MSS clamping (tcp_mss_clamp: auto, the default): no ICMP needed.
mtu_forget
e0=$(lab_counter edge1 icmp_frag_needed_total)
a0=$(lab_counter host-a icmp_frag_needed_total)
b0=$(lab_counter host-b icmp_frag_needed_total)
c0=$(lab_counter host-b mss_clamped_total)
mtu_xfer "TCP inet -> vm-b2 (1:1 forward), MSS clamped" vm-b2 9000 inet 203.0.113.20
mtu_xfer "TCP vm-a1 -> inet, MSS clamped" inet 9001 vm-a1 192.0.2.1
expect_grew "host-b clamped the SYNs' MSS" host-b mss_clamped_total "$c0"
expect_eq "clamped: no ICMP frag needed at the edge" "$(lab_counter edge1 icmp_frag_needed_total)" "$e0"
expect_eq "clamped: no ICMP frag needed at host-a" "$(lab_counter host-a icmp_frag_needed_total)" "$a0"
expect_eq "clamped: no ICMP frag needed at host-b" "$(lab_counter host-b icmp_frag_needed_total)" "$b0"

# --- TCP without clamping: path MTU discovery must do it, on both sides.
for h in a b; do
	cp "$LAB_ROOT/etc/hostd-$h.yaml" "$T_TMP/mtu-hostd-$h.yaml"
	sed -i "s/^tcp_mss_clamp: .*/tcp_mss_clamp: off/" "$T_TMP/mtu-hostd-$h.yaml"
	restart_with "host-$h" "$T_TMP/mtu-hostd-$h.yaml"
done
mtu_forget
e0=$(lab_counter edge1 icmp_frag_needed_total)
a0=$(lab_counter host-a icmp_frag_needed_total)
mtu_xfer "TCP inet -> vm-b2 (1:1 forward), PMTUD" vm-b2 9002 inet 203.0.113.20
mtu_xfer "TCP vm-a1 -> inet, PMTUD" inet 9003 vm-a1 192.0.2.1
expect_grew "PMTUD: the edge told the Internet sender" edge1 icmp_frag_needed_total "$e0"
expect_grew "PMTUD: host-a told its VM" host-a icmp_frag_needed_total "$a0"
expect_eq "PMTUD: no SYN clamped" "$(lab_counter host-b mss_clamped_total)" 0
out=$(lab_in inet ip route get 203.0.113.20)
expect_match "inet learnt the path MTU" "$out" "mtu $MTU_INNER"
