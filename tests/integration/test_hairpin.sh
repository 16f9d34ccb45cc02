# SPDX-License-Identifier: MIT
# test_hairpin.sh - a VM talking to a public address of the pool goes out to the
# edge and straight back to the owning host, from the sender's public address.

before=$(lab_counter edge1 hairpin_packets_total)
got=$(udp_get vm-a1 203.0.113.10 40053)
expect_match "hairpin udp vm-a1 -> 203.0.113.10:40053 (vm-b1)" "$got" "^vm-b1 203\.0\.113\.10:[0-9]+$"
expect_port_in "hairpin source is vm-a1's public mapping" "${got#vm-b1 }" 203.0.113.10 1024 32767
expect_grew "edge counted the hairpin" edge1 hairpin_packets_total "$before"
expect_match "hairpin tcp vm-a1 -> 203.0.113.20:22 (vm-b2 1:1)" \
	"$(tcp_get vm-a1 203.0.113.20 22)" "^vm-b2-22 203\.0\.113\.10:[0-9]+$"
got=$(tcp_get vm-b1 203.0.113.10 8080)
expect_match "hairpin tcp vm-b1 -> 203.0.113.10:8080 (vm-a1 forward)" "$got" "^vm-a1 "
expect_port_in "vm-a1 sees vm-b1's public mapping" "${got#vm-a1 }" 203.0.113.10 32768 65535
