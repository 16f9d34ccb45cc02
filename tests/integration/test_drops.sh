# SPDX-License-Identifier: MIT
# test_drops.sh - what must be dropped is dropped and counted, and a positive
# control shows that the same crafted packet, when legitimate, gets through.

# sink_has MARK: how many datagrams carrying MARK reached the Internet sink.
sink_has() { grep -o -- "$1" "$T_TMP/sink" 2>/dev/null | wc -l; }

before=$(lab_counter edge1 no_rule)
for _ in 1 2 3; do echo x | lab_in inet socat -u - UDP4:203.0.113.10:500 2>/dev/null; done
lab_in inet ping -c1 -W1 203.0.113.12 >/dev/null 2>&1
expect_grew "unknown public port/address dropped at the edge" edge1 no_rule "$before"

before=$(lab_counter host-a no_mapping)
for _ in 1 2 3; do echo x | lab_in inet socat -u - UDP4:203.0.113.10:20000 2>/dev/null; done
expect_grew "unmapped port in host-a's range dropped at host-a" host-a no_mapping "$before"

# forge BIND VNI SPORT MARK: host-side Geneve with inner source 203.0.113.10:SPORT.
forge() {
	lab_in host-a python3 "$CRAFT" geneve --bind "$1" --dst 198.18.0.1 --vni "$2" \
		--inner-src 203.0.113.10 --inner-sport "$3" --inner-dst 192.0.2.1 \
		--inner-dport 7002 --payload "$4" --count 3
	sleep 0.3
}
forge 198.18.0.11 100 20000 mark-legit-host
expect_eq "control: host-a may send from its own range" "$(sink_has mark-legit-host)" 3

before=$(lab_counter edge1 spoofed_source)
forge 198.18.0.11 100 40000 mark-forged-range
expect_grew "host-a forging host-b's range is dropped" edge1 spoofed_source "$before"
expect_eq "nothing forged reached the Internet" "$(sink_has mark-forged-range)" 0

before=$(lab_counter edge1 vni_mismatch)
forge 198.18.0.11 200 20000 mark-bad-vni
expect_grew "host-a sending in the wrong tenant is dropped" edge1 vni_mismatch "$before"
expect_eq "nothing with a wrong VNI reached the Internet" "$(sink_has mark-bad-vni)" 0

before=$(lab_counter edge1 unknown_host)
ip -n spat-host-a addr add 198.18.0.13/24 dev fabric0
forge 198.18.0.13 100 20000 mark-unknown-host
ip -n spat-host-a addr del 198.18.0.13/24 dev fabric0
expect_grew "tunnel packets from an unknown sender are dropped" edge1 unknown_host "$before"
expect_eq "nothing from an unknown sender reached the Internet" "$(sink_has mark-unknown-host)" 0

# vm_frame MAC IP MARK: a frame from vm-a1's interface to the Internet sink.
vm_frame() {
	lab_in vm-a1 python3 "$CRAFT" frame --src-mac "$1" --dst-mac 02:5a:00:00:00:01 \
		--src-ip "$2" --dst-ip 192.0.2.1 --dport 7002 --payload "$3" --count 3
	sleep 0.3
}
vm_frame 02:5a:00:00:0a:01 198.19.0.11 mark-legit-vm
expect_eq "control: vm-a1 may send as itself" "$(sink_has mark-legit-vm)" 3

before=$(lab_counter host-a vm_spoofed_ip)
vm_frame 02:5a:00:00:0a:01 198.19.0.99 mark-spoof-ip
expect_grew "vm-a1 spoofing its source address is dropped" host-a vm_spoofed_ip "$before"
expect_eq "nothing with a spoofed address reached the Internet" "$(sink_has mark-spoof-ip)" 0

before=$(lab_counter host-a vm_spoofed_mac)
vm_frame 02:5a:00:00:0a:99 198.19.0.11 mark-spoof-mac
expect_grew "vm-a1 spoofing its source MAC is dropped" host-a vm_spoofed_mac "$before"
expect_eq "nothing with a spoofed MAC reached the Internet" "$(sink_has mark-spoof-mac)" 0
