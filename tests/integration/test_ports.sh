# SPDX-License-Identifier: MIT
# test_ports.sh - port allocation with real clients (RFC 4787 REQ-3/4, RFC 6888
# REQ-4/8/11): several port blocks per tenant, port preservation and parity,
# per-VM quota and an exhausted range answered with ICMP 3/13, the reuse delay.

UDPERR=$LAB_ROOT/tests/tools/udperr.py

# ports_restart CONFIG: restart host-a as up did, but from CONFIG.
ports_restart() {
	local pid cmd
	pid=$(cat "$LAB_RUN/host-a.pid")
	kill "$pid"
	for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	cmd=$(sed "s|-c [^ ]*|-c $1|" "$LAB_RUN/host-a.cmd")
	bash -c "$cmd"
	for _ in $(seq 1 50); do lab_ctl host-a stats >/dev/null 2>&1 && break; sleep 0.1; done
}

# ports_wait SECONDS CMD...: poll CMD every 0.2 s until it succeeds; 1 if it never did.
ports_wait() {
	local n=$(($1 * 5)); shift
	for _ in $(seq 1 "$n"); do "$@" && return 0; sleep 0.2; done
	return 1
}

# Dynamic mappings of a VM in host-a's table (all protocols: the quota counts them all).
ports_dyn() {
	lab_ctl host-a -j conntrack vm="$1" | grep -o '"static": false' | wc -l
}
ports_none() { [ "$(ports_dyn "$1")" = 0 ]; }

# The "cooling" of one port block of host-a for UDP.
ports_cooling() {
	lab_ctl host-a -j ports | python3 -c 'import json,sys
for p in json.load(sys.stdin)["pools"]:
    if p["ports"] == sys.argv[1] and p["proto"] == "udp": print(p["cooling"])' "$1"
}
ports_cool_zero() { [ "$(ports_cooling "$1")" = 0 ]; }

# host-a with two blocks for VNI 100 on one address (edge1's rule for
# 203.0.113.10:1024-32767 covers both), a 4-port block plus the forward's
# port for VNI 200, a quota of 6 mappings per VM, short timeouts (the mappings
# of earlier tests are gone within seconds) and a short reuse delay.  UDP
# forwards 203.0.113.10:6000 and :6003 take those ports.
cat >"$T_TMP/ports-a.yaml" <<YAML
name: host-a
listen: 198.18.0.11
metrics: 127.0.0.1:9750
state_file: /run/spat/host-a.state
max_mappings_per_vm: 6
port_reuse_delay: 5
timeouts: { udp: 4, icmp: 4, tcp_established: 4, tcp_transitory: 4 }
edges: [ { address: 198.18.0.1 } ]
pools:
  - { vni: 100, public: 203.0.113.10, ports: 1024-16383 }
  - { vni: 100, public: 203.0.113.10, ports: 16384-32767 }
  - { vni: 200, public: 203.0.113.11, ports: 1024-1027 }
  - { vni: 200, public: 203.0.113.11, ports: 8080-8080 }
vms:
  - { name: vm-a1, vni: 100, tap: eth0, netns: spat-vm-a1, address: 198.19.0.11,
      mac: "02:5a:00:00:0a:01", gateway: 198.19.0.1 }
  - { name: vm-a2, vni: 200, tap: eth0, netns: spat-vm-a2, address: 198.19.0.11,
      mac: "02:5a:00:00:0a:02", gateway: 198.19.0.1 }
forwards:
  - { public: "203.0.113.10:8080", proto: tcp, vm: vm-a1, port: 80 }
  - { public: "203.0.113.11:8080", proto: tcp, vm: vm-a2, port: 80 }
  - { public: "203.0.113.10:6000", proto: udp, vm: vm-a1, port: 53 }
  - { public: "203.0.113.10:6003", proto: udp, vm: vm-a1, port: 54 }
YAML
ports_restart "$T_TMP/ports-a.yaml"

# --- spatctl ports and the metrics show each block.
p=$(lab_ctl host-a -j ports)
expect_match "spatctl ports lists VNI 100's first block" "$p" \
	'"vni": 100, "public": "203\.0\.113\.10", "ports": "1024-16383", "proto": "udp", "used": [0-9]+, "cooling": [0-9]+'
expect_match "spatctl ports lists VNI 100's second block" "$p" '"ports": "16384-32767"'
m=$(lab_in host-a curl -sf http://127.0.0.1:9750/metrics)
expect_match "pool_ports_used is labelled by block" "$m" \
	'spat_hostd_pool_ports_used\{vni="100",public="203\.0\.113\.10",ports="16384-32767",proto="udp"\} [0-9]+'

# --- Preservation on either block, and parity when the port cannot be kept.
ports_wait 10 ports_none vm-a1
expect_eq "source port 5000 is kept (first block)" \
	"$(udp_get vm-a1 192.0.2.1 7000 sourceport=5000)" "203.0.113.10:5000"
expect_eq "source port 20001 is kept (second block)" \
	"$(udp_get vm-a1 192.0.2.1 7000 sourceport=20001)" "203.0.113.10:20001"
got=$(udp_get vm-a1 192.0.2.1 7000 sourceport=6000)
expect_port_in "port 6000 is a forward's: another port" "$got" 203.0.113.10 1024 32767
expect_eq "... an even one for the even source port (parity)" "$(( ${got##*:} % 2 ))" 0
got=$(udp_get vm-a1 192.0.2.1 7000 sourceport=6003)
expect_port_in "port 6003 is a forward's: another port" "$got" 203.0.113.10 1024 32767
expect_eq "... an odd one for the odd source port (parity)" "$(( ${got##*:} % 2 ))" 1
# Source ports outside every block: random ports, parity kept, spread over the blocks.
par=0
for sp in 40000 40001 40002 40003 40004 40005; do
	ports_wait 10 [ "$(ports_dyn vm-a1)" -lt 5 ]
	got=$(udp_get vm-a1 192.0.2.1 7000 sourceport=$sp)
	[[ "$got" =~ ^203\.0\.113\.10:[0-9]+$ ]] && [ $(( ${got##*:} % 2 )) = $((sp % 2)) ] &&
		par=$((par + 1))
done
expect_eq "6 random ports with the parity of their source port" "$par" 6

# --- Quota: with 6 mappings the VM's 7th new flow gets ICMP 3/13 from its gateway.
ports_wait 15 ports_none vm-a1
before=$(lab_counter host-a vm_quota)
sent=$(lab_counter host-a icmp_rejects_sent_total)
out=$(lab_in vm-a1 timeout 10 python3 "$UDPERR" --dst 192.0.2.1 --port 7002 --sport 41000 \
	--count 7 --wait 2)
expect_eq "the first 6 flows pass" "$(grep -c ' ok$' <<<"$out")" 6
expect_eq "the 7th gets ICMP 3/13 from the gateway" "$(grep -v ' ok$' <<<"$out")" \
	"41006 icmp 3 13 198.19.0.1"
expect_grew "the refusal is counted (vm_quota)" host-a vm_quota "$before"
expect_grew "the ICMP error is counted" host-a icmp_rejects_sent_total "$sent"
expect_eq "no live mapping was evicted" "$(ports_dyn vm-a1)" 6

# --- Range: VNI 200 has 5 UDP ports (1024-1027, 8080); the 6th flow gets ICMP 3/13.
ports_wait 15 ports_none vm-a2
ports_wait 15 ports_cool_zero 1024-1027
before=$(lab_counter host-a ports_full)
out=$(lab_in vm-a2 timeout 10 python3 "$UDPERR" --dst 192.0.2.1 --port 7002 --sport 42000 \
	--count 6 --wait 2)
expect_eq "5 flows take the 5 ports" "$(grep -c ' ok$' <<<"$out")" 5
expect_eq "the 6th gets ICMP 3/13 from the gateway" "$(grep -v ' ok$' <<<"$out")" \
	"42005 icmp 3 13 198.19.0.1"
expect_grew "the refusal is counted (ports_full)" host-a ports_full "$before"

# --- Reuse delay: once the 5 mappings expired, their ports rest 5 s before reuse.
ports_wait 15 ports_none vm-a2
cool=$(ports_cooling 1024-1027)
expect_eq "the expired mappings' ports are cooling" "$cool" 4
out=$(lab_in vm-a2 timeout 10 python3 "$UDPERR" --dst 192.0.2.1 --port 7002 --sport 43000 \
	--count 1 --wait 1)
expect_eq "a new flow during the delay is refused" "$out" "43000 icmp 3 13 198.19.0.1"
if ports_wait 15 ports_cool_zero 1024-1027; then ok "the ports are free after the delay"
else fail "the ports are free after the delay" "still cooling: $(ports_cooling 1024-1027)"; fi
out=$(lab_in vm-a2 timeout 10 python3 "$UDPERR" --dst 192.0.2.1 --port 7002 --sport 43001 \
	--count 1 --wait 1)
expect_eq "a new flow after the delay passes" "$out" "43001 ok"

# --- A reload keeps the delay: the last flow's port cools, host-a reloads, it still cools.
ports_wait 15 ports_none vm-a2
c1=$(( $(ports_cooling 1024-1027) + $(ports_cooling 8080-8080) ))
lab_ctl host-a reload >/dev/null
sleep 0.3
c2=$(( $(ports_cooling 1024-1027) + $(ports_cooling 8080-8080) ))
expect_eq "the reuse delay survives a reload" "$c1 $c2" "1 1"

# Back to the lab as up started it.
ports_restart "$LAB_ROOT/etc/hostd-a.yaml"
