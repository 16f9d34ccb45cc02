# SPDX-License-Identifier: MIT
# test_privileges.sh - the lab daemons run as nobody with only the capabilities they
# keep, NO_NEW_PRIVS and a seccomp filter; hostd still opens a new VM's tap on reload.

# priv_status NAME FIELD: a field of a lab daemon's /proc/PID/status, blanks squeezed.
priv_status() {
	awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ +/, ""); print }' \
		"/proc/$(cat "$LAB_RUN/$1.pid")/status" 2>/dev/null
}

# priv_check NAME CAPS: uid, gid, groups, capability sets, NO_NEW_PRIVS, seccomp.
priv_check() {
	local n=$1 caps=$2 u g
	u=$(id -u nobody)
	g=$(id -g nobody)
	expect_eq "$n runs as nobody" "$(priv_status "$n" Uid)" "$u $u $u $u"
	expect_eq "$n has nobody's group only" "$(priv_status "$n" Gid) / $(priv_status "$n" Groups)" \
		"$g $g $g $g / $g"
	expect_eq "$n: effective capabilities" "$(priv_status "$n" CapEff)" "$caps"
	expect_eq "$n: permitted and bounding sets the same" \
		"$(priv_status "$n" CapPrm) $(priv_status "$n" CapBnd)" "$caps $caps"
	expect_eq "$n: no inheritable or ambient capability" \
		"$(priv_status "$n" CapInh) $(priv_status "$n" CapAmb)" "0000000000000000 0000000000000000"
	expect_eq "$n: NoNewPrivs" "$(priv_status "$n" NoNewPrivs)" "1"
	# Valgrind (SPAT_WRAP) cannot apply a filter: the daemon says so and runs without.
	if grep 'seccomp: ' "$LAB_RUN/$n.log" | tail -n1 | grep -q 'under valgrind'; then
		expect_eq "$n: no seccomp filter under valgrind (logged)" \
			"$(priv_status "$n" Seccomp)" "0"
	else
		expect_eq "$n: seccomp filter on (mode 2)" "$(priv_status "$n" Seccomp)" "2"
	fi
}

# edged keeps nothing; hostd CAP_NET_ADMIN (bit 12) and CAP_SYS_ADMIN (bit 21).
priv_check edge1 0000000000000000
priv_check host-a 0000000000201000
priv_check host-b 0000000000201000
expect_match "host-a logs the drop" "$(grep 'running as' "$LAB_RUN/host-a.log" | tail -n1)" \
	"running as nobody \(uid [0-9]+, gid [0-9]+\), capabilities cap_net_admin,cap_sys_admin=ep"

# A reload adds a VM whose tap hostd must create inside vm-a2's network
# namespace: setns, TUNSETIFF and SIOCSIFFLAGS as nobody, under seccomp.
# Without CAP_DAC_OVERRIDE that needs /dev/net/tun open to nobody, as udev
# makes it (0666).  Where it is not (no udev), hostd says so at start, and
# the test lends the node that mode for the reloads, then puts it back.
tun_mode=$(stat -c %a /dev/net/tun)
cp "$LAB_ROOT/etc/hostd-a.yaml" "$T_TMP/priv-hostd-a.yaml"
restart_with host-a "$T_TMP/priv-hostd-a.yaml"
priv_check host-a 0000000000201000
if [ "$tun_mode" != 666 ]; then
	expect_match "host-a warns that /dev/net/tun (mode $tun_mode) is closed to nobody" \
		"$(grep /dev/net/tun "$LAB_RUN/host-a.log" | tail -n1)" \
		"cannot open /dev/net/tun as nobody \\(.*\\): a reload cannot add VMs"
fi
chmod 0666 /dev/net/tun
sed '/^forwards:/i\  - { name: vm-a3, vni: 200, tap: spat-priv0, netns: spat-vm-a2, address: 198.19.0.13, mac: "02:5a:00:00:0a:03", gateway: 198.19.0.1 }' \
	"$LAB_ROOT/etc/hostd-a.yaml" >"$T_TMP/priv-hostd-a.yaml"
before=$(lab_counter host-a reloads_total)
lab_ctl host-a reload >/dev/null
sleep 0.3
expect_grew "host-a reloads with a new VM" host-a reloads_total "$before"
expect_match "the new VM is in host-a's table" "$(lab_ctl host-a -j vms)" '"vm-a3"'
expect_match "its tap was made and brought up in spat-vm-a2" \
	"$(lab_in vm-a2 ip -o link show spat-priv0 2>&1)" "[<,]UP[,>]"
expect_match "host-a serves after the reload" "$(tcp_get inet 203.0.113.10 8080)" "^vm-a1 "
expect_match "vm-a2 still reaches the Internet" \
	"$(lab_in vm-a2 ping -c1 -W2 192.0.2.1 | grep -o '1 received')" "1 received"
cp "$LAB_ROOT/etc/hostd-a.yaml" "$T_TMP/priv-hostd-a.yaml"
before=$(lab_counter host-a reloads_total)
lab_ctl host-a reload >/dev/null
sleep 0.3
expect_grew "host-a reloads without it" host-a reloads_total "$before"
expect_eq "its tap is gone again" "$(lab_in vm-a2 ip -o link show spat-priv0 2>/dev/null)" ""
chmod "$tun_mode" /dev/net/tun

# A file the user cannot read: the reload is refused and logged; hostd runs on.
chmod 0600 "$T_TMP/priv-hostd-a.yaml"
before=$(lab_counter host-a reload_failures_total)
lab_ctl host-a reload >/dev/null
sleep 0.3
expect_grew "an unreadable file is refused" host-a reload_failures_total "$before"
expect_match "the refusal says why" "$(tail -n2 "$LAB_RUN/host-a.log")" \
	"priv-hostd-a.yaml.*Permission denied"
expect_match "host-a serves after a refused reload" "$(tcp_get inet 203.0.113.10 8080)" "^vm-a1 "
priv_check host-a 0000000000201000

restart_with host-a "$LAB_ROOT/etc/hostd-a.yaml"
