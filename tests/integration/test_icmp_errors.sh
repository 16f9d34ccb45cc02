# SPDX-License-Identifier: MIT
# test_icmp_errors.sh - ICMP errors both ways (RFC 5508): real sockets and ping see
# errors about their own packets, a VM's errors reach Internet clients and
# other VMs (hairpin), and malformed errors are counted drops.

PROBE=$LAB_ROOT/tests/tools/icmp_probe.py
# The kernels' ICMP rate limits would turn a retry into a missing error.
for ns in inet edge1 vm-a1 vm-b1 vm-b2; do lab_in "$ns" sysctl -qw net.ipv4.icmp_ratelimit=0; done

# wait_file FILE: until FILE exists, 5 s at most (a background helper is ready).
wait_file() { for _ in $(seq 50); do [ -e "$1" ] && return 0; sleep 0.1; done; return 1; }

# 1. Inbound port unreachable: vm-a1's connected UDP socket to a closed port on
# the Internet gets ECONNREFUSED, so the embedded header came back as it sent it.
in0=$(lab_counter host-a icmp_errors_in_total)
ed0=$(lab_counter edge1 icmp_errors_total)
expect_eq "vm-a1 -> 192.0.2.1:7999 (closed): ECONNREFUSED" \
	"$(lab_in vm-a1 python3 "$PROBE" udp-refused --dst 192.0.2.1 --port 7999)" refused
expect_grew "edge steered the error by its embedded packet" edge1 icmp_errors_total "$ed0"
expect_grew "host-a translated it for vm-a1" host-a icmp_errors_in_total "$in0"

# 2. Time exceeded from the edge's own kernel: TTL 1 expires where spat-edge1
# forwards to the Internet; the error reaches the socket that sent the datagram.
first=$(udp_get vm-a1 192.0.2.1 7000 sourceport=5611)
got=$(lab_in vm-a1 python3 "$PROBE" udp-ttl --dst 192.0.2.1 --port 7000 --ttl 1 --sport 5611)
expect_match "vm-a1 UDP with TTL 1: time exceeded from the edge" "$got" \
	"^icmp type=11 code=0 from=(192\.0\.2\.254|198\.18\.0\.1)$"
got=$(lab_in vm-a1 ping -n -c1 -W3 -t1 192.0.2.1 2>&1)
expect_match "ping -t1 from vm-a1: Time to live exceeded (echo id restored)" "$got" \
	"[Tt]ime to live exceeded"
got=$(lab_in vm-b1 ping -n -c1 -W3 -t1 192.0.2.1 2>&1)
expect_match "ping -t1 from vm-b1 (host-b's id range): Time to live exceeded" "$got" \
	"[Tt]ime to live exceeded"
expect_match "vm-a1's mapping from port 5611" "$first" "^203\.0\.113\.10:[0-9]+$"
expect_eq "the mapping survives the error: the same public port after it" \
	"$(udp_get vm-a1 192.0.2.1 7000 sourceport=5611)" "$first"

# 3. Every checksum verified from scratch at the VM: a crafted port unreachable
# about vm-a1's live mapping (whole embedded datagram) as a raw socket sees it.
pub=$(udp_get vm-a1 192.0.2.1 7000 sourceport=5612)
pport=${pub##*:}
rm -f "$T_TMP/catch.ready"
lab_in vm-a1 timeout 10 python3 "$PROBE" catch --timeout 8 --ready "$T_TMP/catch.ready" \
	>"$T_TMP/catch.out" 2>&1 &
catcher=$!
wait_file "$T_TMP/catch.ready"
lab_in inet python3 "$CRAFT" icmperr --src 192.0.2.1 --dst 203.0.113.10 --emb-src 203.0.113.10 \
	--emb-sport "$pport" --emb-dst 192.0.2.1 --emb-dport 7000 --payload checksummed --count 1
wait "$catcher"
expect_eq "vm-a1 got the error restored, every checksum valid" "$(cat "$T_TMP/catch.out")" \
	"type=3 code=3 to=198.19.0.11 emb=198.19.0.11:5612->192.0.2.1:7000 ip_csum=ok icmp_csum=ok emb_ip_csum=ok emb_l4_csum=ok"

# 4. Outbound: a VM refuses a datagram that came in through its public address;
# the Internet client's socket sees ECONNREFUSED.
out0=$(lab_counter host-b icmp_errors_out_total)
expect_eq "192.0.2.1 -> 203.0.113.20:5999 (vm-b2 1:1, closed): ECONNREFUSED" \
	"$(lab_in inet python3 "$PROBE" udp-refused --dst 203.0.113.20 --port 5999)" refused
expect_grew "host-b translated vm-b2's error outbound" host-b icmp_errors_out_total "$out0"
# Through a PAT mapping: vm-a1 sent from 5613 and closed; the server's answer
# finds no socket, and vm-a1's port unreachable goes out from the mapping.
rm -f "$T_TMP/serve.out"
lab_in inet timeout 20 python3 "$PROBE" serve-refused --bind 192.0.2.1 --port 7010 --timeout 2 \
	--tries 8 >"$T_TMP/serve.out" 2>&1 &
server=$!
for _ in $(seq 50); do lab_in inet ss -Hlun 'sport = :7010' | grep -q . && break; sleep 0.1; done
echo hello | lab_in vm-a1 socat -u - UDP4:192.0.2.1:7010,sourceport=5613 2>/dev/null
wait "$server"
got=$(cat "$T_TMP/serve.out")
expect_match "server answering vm-a1's closed port: ECONNREFUSED" "$got" \
	"^refused 203\.0\.113\.10:[0-9]+$"
expect_port_in "the error came from vm-a1's public mapping" "${got#refused }" 203.0.113.10 1024 32767

# 5. Hairpin: vm-a1 -> vm-b2's public address, closed port; vm-b2's error goes
# to the edge, which turns it back to host-a; vm-a1's socket sees ECONNREFUSED.
hp0=$(lab_counter edge1 hairpin_packets_total)
in0=$(lab_counter host-a icmp_errors_in_total)
expect_eq "hairpin: vm-a1 -> 203.0.113.20:5998 (closed): ECONNREFUSED" \
	"$(lab_in vm-a1 python3 "$PROBE" udp-refused --dst 203.0.113.20 --port 5998)" refused
expect_grew "the error was hairpinned at the edge" edge1 hairpin_packets_total "$hp0"
expect_grew "host-a translated the hairpinned error" host-a icmp_errors_in_total "$in0"

# 6. Malformed errors are counted drops (at the edge, or at the host for a checksum).
# crafterr ARGS...: a crafted error from the Internet about 203.0.113.10:2000.
crafterr() {
	lab_in inet python3 "$CRAFT" icmperr --src 192.0.2.1 --dst 203.0.113.10 --emb-src 203.0.113.10 \
		--emb-sport 2000 --emb-dst 192.0.2.1 --emb-dport 7000 --count 3 "$@"
	sleep 0.3
}
before=$(lab_counter edge1 icmp_error_malformed)
crafterr --keep 24
expect_grew "truncated embedded packet dropped at the edge" edge1 icmp_error_malformed "$before"
before=$(lab_counter edge1 icmp_error_mismatch)
lab_in inet python3 "$CRAFT" icmperr --src 192.0.2.1 --dst 203.0.113.10 --emb-src 203.0.113.11 \
	--emb-sport 2000 --emb-dst 192.0.2.1 --emb-dport 7000 --count 3
sleep 0.3
expect_grew "embedded source not the error's destination dropped" edge1 icmp_error_mismatch "$before"
before=$(lab_counter host-a icmp_error_checksum)
crafterr --bad-csum
expect_grew "bad ICMP checksum dropped at host-a" host-a icmp_error_checksum "$before"
before=$(lab_counter host-a no_mapping)
crafterr
expect_grew "control: a good error about no mapping reaches host-a, dropped there" \
	host-a no_mapping "$before"
