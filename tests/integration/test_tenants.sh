# SPDX-License-Identifier: MIT
# test_tenants.sh - vm-a1 (tenant 100) and vm-a2 (tenant 200) share 198.19.0.11 on
# host-a; traffic and state stay apart.

expect_match "tenant 100 forward reaches vm-a1" "$(tcp_get inet 203.0.113.10 8080)" "^vm-a1 192\.0\.2\.1:"
expect_match "tenant 200 forward reaches vm-a2" "$(tcp_get inet 203.0.113.11 8080)" "^vm-a2 192\.0\.2\.1:"
a1=$(udp_get vm-a1 192.0.2.1 7000 sourceport=6000)
a2=$(udp_get vm-a2 192.0.2.1 7000 sourceport=6000)
expect_port_in "same private endpoint, tenant 100" "$a1" 203.0.113.10 1024 32767
expect_port_in "same private endpoint, tenant 200" "$a2" 203.0.113.11 1024 32767
ct=$(lab_ctl host-a -j conntrack proto=udp)
n100=$(grep -o '"vni": 100, "proto": "udp", "vm": "vm-a1", "private": "198.19.0.11:6000"' <<<"$ct" | wc -l)
n200=$(grep -o '"vni": 200, "proto": "udp", "vm": "vm-a2", "private": "198.19.0.11:6000"' <<<"$ct" | wc -l)
expect_eq "conntrack holds one mapping per tenant for 198.19.0.11:6000" "$n100 $n200" "1 1"
