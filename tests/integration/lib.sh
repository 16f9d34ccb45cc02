# SPDX-License-Identifier: MIT
# lib.sh - assertions and lab servers for the integration tests (sourced by run).

. "$(dirname "${BASH_SOURCE[0]}")/../lab/lib.sh"
CRAFT=$LAB_ROOT/tests/tools/craft.py
T_PASS=0
T_FAIL=0
T_TMP=$(mktemp -d /tmp/spat-it.XXXXXX)
# The daemons read configs from here on a reload, as their unprivileged user.
chmod 0755 "$T_TMP"

# ok NAME: record a pass.  fail NAME DETAIL: record a failure.
ok() { T_PASS=$((T_PASS + 1)); printf 'ok   - %s\n' "$1"; }
fail() { T_FAIL=$((T_FAIL + 1)); printf 'FAIL - %s: %s\n' "$1" "$2"; }

# expect_eq NAME GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "got '$2', want '$3'"; fi
}

# expect_match NAME GOT REGEX
expect_match() {
	if [[ "$2" =~ $3 ]]; then ok "$1"; else fail "$1" "got '$2', want /$3/"; fi
}

# expect_port_in NAME "ADDR:PORT" ADDR LO HI: public address and port inside the range.
expect_port_in() {
	local name=$1 got=$2 addr=$3 lo=$4 hi=$5 port
	port=${got##*:}
	if [ "${got%:*}" = "$addr" ] && [[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge "$lo" ] &&
	   [ "$port" -le "$hi" ]; then
		ok "$name ($got)"
	else
		fail "$name" "got '$got', want $addr:[$lo-$hi]"
	fi
}

# expect_grew NAME DAEMON COUNTER BEFORE: the counter rose above BEFORE.
expect_grew() {
	local now
	now=$(lab_counter "$2" "$3")
	if [ -n "$now" ] && [ "$now" -gt "$4" ]; then ok "$1 ($3: $4 -> $now)"
	else fail "$1" "$2 counter $3 did not grow (was $4, now '${now}')"; fi
}

# tcp_get NS ADDR PORT [socat-opts]: one line from a TCP server, 3 s at most.
tcp_get() {
	lab_in "$1" timeout 5 socat -t3 -T3 - "TCP4:$2:$3${4:+,$4}" </dev/null 2>/dev/null | head -n1
}

# udp_get NS ADDR PORT [socat-opts]: send one datagram, print the first reply line.
# One retry: the test servers are forking socat processes, which under a slow
# run (valgrind) can miss a datagram; a path that drops is still caught.
udp_get() {
	local got i
	for i in 1 2; do
		got=$(echo probe | lab_in "$1" timeout 4 socat -t2 -T2 - "UDP4:$2:$3${4:+,$4}" \
			2>/dev/null | head -n1)
		[ -n "$got" ] && break
	done
	printf '%s\n' "$got"
}

# bg NS CMD...: start a bounded background server in a lab namespace.
bg() { local ns=$1; shift; lab_in "$ns" timeout 900 "$@" >/dev/null 2>&1 & }

# Servers that tell the client who they are and what source address and port
# they saw: "[NAME ]ADDR:PORT".  socat splits SYSTEM: commands on ':' and ',',
# so the reply is printed by a script rather than inline.
start_servers() {
	cat >"$T_TMP/peer" <<'SH'
#!/bin/sh
echo ${1:+$1 }$SOCAT_PEERADDR:$SOCAT_PEERPORT
SH
	chmod +x "$T_TMP/peer"
	local peer="SYSTEM:$T_TMP/peer"
	bg inet socat UDP4-RECVFROM:7000,bind=192.0.2.1,fork "$peer"
	bg inet socat UDP4-RECVFROM:7000,bind=192.0.2.2,fork "$peer"
	bg inet socat TCP4-LISTEN:7001,bind=192.0.2.1,fork,reuseaddr "$peer"
	bg inet socat -u UDP4-RECV:7002,bind=192.0.2.1 "OPEN:$T_TMP/sink,creat,append"
	bg vm-a1 socat TCP4-LISTEN:80,fork,reuseaddr "$peer vm-a1"
	bg vm-a2 socat TCP4-LISTEN:80,fork,reuseaddr "$peer vm-a2"
	bg vm-b1 socat UDP4-RECVFROM:53,fork "$peer vm-b1"
	for p in 22 443; do
		bg vm-b2 socat "TCP4-LISTEN:$p,fork,reuseaddr" "$peer vm-b2-$p"
	done
	bg vm-b2 socat UDP4-RECVFROM:5000,fork "$peer vm-b2-5000"
	sleep 0.5
}

# running PID: the process runs.  A zombie does not: it has closed its files (taps,
# TUN, state files, locks) already, and the init of some machines reaps it late.
running() {
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) && [ "$st" != Z ]
}

# lab_stop NAME SIGNAL: stop a lab daemon and wait until it is gone (5 s at most).
lab_stop() {
	local pid
	pid=$(cat "$LAB_RUN/$1.pid")
	kill "-$2" "$pid"
	for _ in $(seq 1 500); do running "$pid" || break; sleep 0.01; done
}

# lab_start NAME: start it again exactly as up did, and wait for its control socket.
lab_start() {
	bash -c "$(cat "$LAB_RUN/$1.cmd")"
	for _ in $(seq 1 50); do lab_ctl "$1" stats >/dev/null 2>&1 && break; sleep 0.1; done
}

# log_since NAME LINES: what a daemon logged after its first LINES lines.
log_since() { tail -n "+$(($2 + 1))" "$LAB_RUN/$1.log"; }
log_lines() { wc -l <"$LAB_RUN/$1.log"; }

# sender_port FILE: the local port that stream.py tcp-send printed to FILE
# ("local PORT"), waiting for it at most 10 s (a loaded machine starts
# python slowly); "" if it never came.
sender_port() {
	local p
	for _ in $(seq 1 100); do
		p=$(sed -n 's/^local //p' "$1")
		[ -n "$p" ] && break
		sleep 0.1
	done
	printf '%s\n' "$p"
}

# ct_public NAME PROTO PRIVATE: public ADDR:PORT of the mapping of PRIVATE, or "".
ct_public() {
	lab_ctl "$1" -j conntrack proto="$2" | python3 -c '
import json, sys
print(next((e["public"] for e in json.load(sys.stdin)["entries"]
            if e["private"] == sys.argv[1]), ""))' "$3"
}

# restart_with NAME CONFIG: restart a lab daemon as up did, but from CONFIG.
restart_with() {
	local pid cmd
	pid=$(cat "$LAB_RUN/$1.pid")
	kill "$pid"
	for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	cmd=$(sed "s|-c [^ ]*|-c $2|" "$LAB_RUN/$1.cmd")
	bash -c "$cmd"
	for _ in $(seq 1 50); do lab_ctl "$1" stats >/dev/null 2>&1 && break; sleep 0.1; done
}

# reload NAME: ask for a reload and give the daemon a moment to apply it.
reload() { lab_ctl "$1" reload >/dev/null; sleep 0.3; }
