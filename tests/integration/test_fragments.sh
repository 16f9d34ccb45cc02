# SPDX-License-Identifier: MIT
# test_fragments.sh - fragmented datagrams through the NAT both ways (RFC 4787
# REQ-14): later fragments follow their first at the edge and at the host, in
# order and out of order; 1:1 addresses too.

big() { head -c "$1" /dev/zero | tr '\0' x; }

# big_udp NS ADDR PORT SIZE [socat-opts]: one SIZE-byte datagram, first reply line.
big_udp() {
	big "$4" | lab_in "$1" timeout 4 socat -b 65536 -t2 -T2 - "UDP4:$2:$3${5:+,$5}" 2>/dev/null |
		head -n1
}

e_before=$(lab_counter edge1 fragments_steered_total)
b_before=$(lab_counter host-b fragments_steered_total)
expect_match "4000-byte datagram in to vm-b1's forward (3 fragments)" \
	"$(big_udp inet 203.0.113.10 40053 4000)" "^vm-b1 192\\.0\\.2\\.1:[0-9]+$"
expect_grew "edge1 steered the later fragments" edge1 fragments_steered_total "$e_before"
expect_grew "host-b translated the later fragments" host-b fragments_steered_total "$b_before"
expect_port_in "4000-byte datagram out from vm-a1" "$(big_udp vm-a1 192.0.2.1 7000 4000)" \
	203.0.113.10 1024 32767
expect_match "8000-byte datagram in to the 1:1 address" \
	"$(big_udp inet 203.0.113.20 5000 8000)" "^vm-b2-5000 192\\.0\\.2\\.1:[0-9]+$"
expect_eq "8000-byte datagram out from the 1:1 VM" \
	"$(big_udp vm-b2 192.0.2.1 7000 8000 sourceport=4446)" "203.0.113.20:4446"

# Out of order: the last fragment first, so edge1 and host-b must hold it.
lab_in inet timeout 20 socat -u UDP4-RECV:5454,bind=192.0.2.1 "OPEN:$T_TMP/frag-reply,creat" &
rpid=$!
# The reply must find the receiver bound (slow runs: valgrind, a loaded machine).
for _ in $(seq 1 50); do
	lab_in inet ss -Hlun 'sport = :5454' | grep -q . && break
	sleep 0.1
done
held=$(lab_counter edge1 fragments_held_total)
for ident in 4242 4243; do
	lab_in inet python3 "$CRAFT" frags --src 192.0.2.1 --dst 203.0.113.10 --sport 5454 \
		--dport 40053 --size 3500 --reverse --ident "$ident"
	for _ in $(seq 1 50); do [ -s "$T_TMP/frag-reply" ] && break; sleep 0.1; done
	[ -s "$T_TMP/frag-reply" ] && break
done
kill "$rpid" 2>/dev/null
expect_match "fragments sent last-first reach vm-b1 and it answers" \
	"$(cat "$T_TMP/frag-reply" 2>/dev/null)" "^vm-b1 192\\.0\\.2\\.1:5454"
expect_grew "edge1 held the early fragments" edge1 fragments_held_total "$held"
