# SPDX-License-Identifier: MIT
# test_spatctl.sh - spatctl against the lab daemons: tables, --json, filters, errors;
# malformed requests get an error and leave the daemon serving.

expect_match "conntrack as a table" "$(lab_ctl host-a conntrack)" \
	$'\nVNI +PROTO +VM +PRIVATE +PUBLIC +STATE +STATIC +EXPIRES IN\n100 +tcp +vm-a1 +198\\.19\\.0\\.11:80 +203\\.0\\.113\\.10:8080 '
expect_match "conntrack --json" "$(lab_ctl host-a --json conntrack vni=200 proto=tcp)" \
	'^\{"count": [0-9]+, "capacity": 262144, "entries": \[\{"vni": 200, "proto": "tcp", "vm": "vm-a2"'
expect_eq "a filter leaves out the rest" \
	"$(lab_ctl host-a -j conntrack vm=vm-a2 | grep -c '"vm": "vm-a1"')" 0
expect_match "ports per pool and VM" "$(lab_ctl host-a ports)" \
	"100 +203\\.0\\.113\\.10 +1024-32767 +tcp +[0-9]+ +[0-9]+"
expect_match "edge rules" "$(lab_ctl edge1 rules)" "203\\.0\\.113\\.20 +all +all +host-b +200"
expect_match "edge hosts" "$(lab_ctl edge1 hosts)" "host-b +198\\.18\\.0\\.12"
expect_match "stats with drop reasons" "$(lab_ctl edge1 stats)" $'drops:\n  tun_malformed: +[0-9]+'

# ctl_bad NAME WANT REQUEST...: spatctl fails with an error that matches WANT.
ctl_bad() {
	local name=$1 want=$2 msg rc
	shift 2
	msg=$(lab_ctl host-a "$@" 2>&1); rc=$?
	if [ "$rc" != 0 ] && [[ "$msg" =~ $want ]]; then ok "$name"
	else fail "$name" "rc $rc, '$msg'"; fi
}
ctl_bad "unknown request" "unknown request" frobnicate
ctl_bad "bad filter" "bad filter 'vni=0'" conntrack vni=0
ctl_bad "unknown VM in a filter" "bad filter 'vm=nope'" conntrack vm=nope
ctl_bad "arguments where none are taken" "takes no arguments" stats extra
ctl_bad "too many words" "too many words" conntrack $(seq 1 20)
ctl_bad "request too long" "request too long" conntrack "$(head -c 2000 /dev/zero | tr '\0' x)"
raw=$(printf 'stats\0junk\n' | lab_in host-a timeout 3 socat - "UNIX-CONNECT:$LAB_RUN/host-a.sock" 2>&1)
expect_match "NUL in a request" "$raw" '"error": "NUL in request"'
raw=$(head -c 3000 /dev/urandom | tr -d '\n\0' | timeout 5 socat -t3 - "UNIX-CONNECT:$LAB_RUN/host-a.sock" 2>/dev/null)
expect_match "a line of noise gets an error" "$raw" '"error": "request too long"'
head -c 100000 /dev/urandom | timeout 5 socat - "UNIX-CONNECT:$LAB_RUN/host-a.sock" >/dev/null 2>&1
expect_match "host-a still answers after 100 kB of noise and bad requests" "$(lab_ctl host-a stats)" "vm_rx_packets_total"
before=$(lab_counter edge1 reloads_total)
lab_ctl edge1 reload >/dev/null; sleep 0.2
expect_grew "spatctl reload" edge1 reloads_total "$before"
