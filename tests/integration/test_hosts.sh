# SPDX-License-Identifier: MIT
# test_hosts.sh - hosts come and go without touching anyone else's flows: while
# host-a carries a TCP transfer and a UDP stream, a new host-c (its own public
# block, 203.0.113.12) is added and the edge reloaded, then host-b is removed
# from the edge and stopped.  host-a's flows lose nothing and keep their
# mappings; host-c's flows survive host-b's removal.

STREAM=$LAB_ROOT/tests/tools/stream.py

# edge_conf FILE HOSTS...: the lab's edge config with only the hosts named (host-a,
# host-b, host-c) and their rules.  The default (one-edge) lab: edge1 is the edge.
edge_conf() {
	local f=$1 h
	shift
	{
		sed -n '/^hosts:/q;p' "$LAB_ROOT/etc/edged.yaml"
		echo "hosts:"
		for h in "$@"; do
			echo "  - name: $h"
			case $h in
			host-a) echo "    address: 198.18.0.11" ;;
			host-b) echo "    address: 198.18.0.12" ;;
			host-c) echo "    address: 198.18.0.13" ;;
			esac
		done
		echo "rules:"
		for h in "$@"; do
			case $h in
			host-a) printf '  - { public: 203.0.113.%s, ports: 1024-32767, host: host-a, vni: %s }\n' \
				10 100 11 200 ;;
			host-b) printf '  - { public: 203.0.113.%s, ports: 32768-65535, host: host-b, vni: %s }\n' \
				10 100 11 200
				echo "  - { public: 203.0.113.20, host: host-b, vni: 200 }" ;;
			host-c) echo "  - { public: 203.0.113.12, ports: 1024-65535, host: host-c, vni: 100 }" ;;
			esac
		done
	} >"$f"
}

# add_host_c: namespaces, fabric port and VM tap of host-c, and its hostd.
add_host_c() {
	local ns
	for ns in spat-host-c spat-vm-c1; do
		ip netns add "$ns"
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
		ip -n "$ns" link set lo up
	done
	ip -n spat-host-c link add fabric0 mtu 1600 type veth peer name host-c mtu 1600 netns spat-fabric
	ip -n spat-host-c addr add 198.18.0.13/24 dev fabric0
	ip -n spat-host-c link set fabric0 up
	ip -n spat-fabric link set host-c master br0 up
	ip -n spat-vm-c1 tuntap add dev eth0 mode tap
	ip -n spat-vm-c1 link set eth0 address 02:5a:00:00:0c:01 mtu 1500
	ip -n spat-vm-c1 addr add 198.19.0.31/24 dev eth0
	ip -n spat-vm-c1 link set eth0 up
	ip -n spat-vm-c1 route add default via 198.19.0.1
	cat >"$T_TMP/host-c.yaml" <<EOF
name: host-c
listen: 198.18.0.13
state_file: /run/spat/host-c.state
edges:
  - address: 198.18.0.1
pools:
  - { vni: 100, public: 203.0.113.12, ports: 1024-65535 }
vms:
  - { name: vm-c1, vni: 100, tap: eth0, netns: spat-vm-c1, address: 198.19.0.31,
      mac: 02:5a:00:00:0c:01, gateway: 198.19.0.1 }
EOF
	chmod 0644 "$T_TMP/host-c.yaml"
	printf '%s\n' "ip netns exec spat-host-c $LAB_HOSTD -c $T_TMP/host-c.yaml -s $LAB_RUN/host-c.sock >>$LAB_RUN/host-c.log 2>&1 & echo \$! >$LAB_RUN/host-c.pid" \
		>"$LAB_RUN/host-c.cmd"
	lab_start host-c
}

edge_conf "$T_TMP/edged.yaml" host-a host-b
restart_with edge1 "$T_TMP/edged.yaml"
expect_match "the generated edge config serves host-b's forward" \
	"$(udp_get inet 203.0.113.10 40053)" "^vm-b1 "

# --- host-a's flows: a TCP transfer (6 s) and a UDP stream (6000 datagrams, 4 flows).
lab_in inet timeout 40 python3 "$STREAM" tcp-recv --bind 192.0.2.1 --port 7311 >"$T_TMP/h-rx" 2>&1 &
rpid=$!
lab_in inet timeout 40 python3 "$STREAM" udp-recv --bind 192.0.2.1 --port 6011 --count 6000 \
	--idle 3 --timeout 30 >"$T_TMP/h-udp" 2>&1 &
upid=$!
lab_in inet timeout 40 tcpdump -n -U -i eth0 -w "$T_TMP/h-rst.pcap" \
	"tcp port 7311 and tcp[tcpflags] & tcp-rst != 0" >/dev/null 2>&1 &
dpid=$!
sleep 0.7
lab_in vm-a1 timeout 40 python3 "$STREAM" tcp-send --dst 192.0.2.1 --port 7311 \
	--bytes $((12 << 20)) --rate $((2 << 20)) >"$T_TMP/h-tx" 2>&1 &
spid=$!
lab_in vm-a1 timeout 40 python3 "$STREAM" udp-send --dst 192.0.2.1 --port 6011 --count 6000 \
	--pps 1000 --flows 4 >"$T_TMP/h-udp-tx" 2>&1 &
sleep 0.8
lport=$(sender_port "$T_TMP/h-tx")
pub=$(ct_public host-a tcp "198.19.0.11:$lport")
expect_port_in "host-a's transfer is mapped" "$pub" 203.0.113.10 1024 32767

# --- A host comes: host-c with 203.0.113.12, the edge reloaded with its block.
add_host_c
edge_conf "$T_TMP/edged.yaml" host-a host-b host-c
before=$(lab_counter edge1 reloads_total)
reload edge1
expect_grew "edge1 took host-c's block" edge1 reloads_total "$before"
c1=$(udp_get vm-c1 192.0.2.1 7000 sourceport=5555)
expect_port_in "vm-c1 on the new host-c reaches the Internet from its block" "$c1" \
	203.0.113.12 1024 65535
expect_match "host-b still serves its forward" "$(udp_get inet 203.0.113.10 40053)" "^vm-b1 "

# --- A host goes: host-b's block leaves the edge, and host-b stops.
edge_conf "$T_TMP/edged.yaml" host-a host-c
reload edge1
lab_stop host-b TERM
before=$(lab_counter edge1 no_rule)
expect_eq "host-b's forward is gone with it" "$(udp_get inet 203.0.113.10 40053)" ""
expect_grew "the edge counts traffic to host-b's old block as no_rule" edge1 no_rule "$before"
expect_eq "vm-c1's mapping survives host-b's removal" \
	"$(udp_get vm-c1 192.0.2.1 7000 sourceport=5555)" "$c1"

wait "$spid"; src=$?
wait "$rpid" "$upid"
kill -INT "$dpid" 2>/dev/null; wait "$dpid"
expect_eq "host-a's transfer completes without an error ($(tail -n1 "$T_TMP/h-tx"))" "$src" 0
expect_eq "host-a's transfer arrives byte-exact (sha256)" "$(cat "$T_TMP/h-rx")" \
	"$(tail -n1 "$T_TMP/h-tx")"
expect_eq "no TCP reset seen in spat-inet" "$(tcpdump -r "$T_TMP/h-rst.pcap" 2>/dev/null | wc -l)" 0
expect_match "host-a's UDP stream lost nothing while hosts came and went" "$(cat "$T_TMP/h-udp")" \
	"^received 6000 lost 0 "
expect_eq "host-a's transfer kept its mapping" "$(ct_public host-a tcp "198.19.0.11:$lport")" "$pub"
expect_eq "no reload was refused" "$(lab_counter edge1 reload_failures_total)" 0

# Back to the lab as up left it.
lab_stop host-c TERM
ip netns del spat-vm-c1
ip -n spat-fabric link del host-c 2>/dev/null
ip netns del spat-host-c
rm -f "$LAB_RUN"/host-c.* /run/spat/host-c.state*
restart_with edge1 "$LAB_ROOT/etc/edged.yaml"
lab_start host-b
expect_match "host-b serves again once restored" "$(udp_get inet 203.0.113.10 40053)" "^vm-b1 "
