# SPDX-License-Identifier: MIT
# lib.sh - names, addresses and paths of the reference lab (DESIGN.md section 4).
# Sourced by up, down, the integration tests and the benchmarks.

LAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB_BUILD=${SPAT_BUILD:-$LAB_ROOT/build}
LAB_RUN=/run/spat-lab
LAB_NS=(spat-inet spat-edge1 spat-fabric spat-host-a spat-host-b
	spat-vm-a1 spat-vm-a2 spat-vm-b1 spat-vm-b2)
# Namespaces of lab variants and tests (up --edges 2, a host added by a test):
# down removes them too.
LAB_NS_EXTRA=(spat-edge2 spat-host-c spat-vm-c1)
# VM name, host, address/prefix, MAC (must match etc/hostd-*.yaml)
LAB_VMS=("vm-a1 host-a 198.19.0.11/24 02:5a:00:00:0a:01"
	 "vm-a2 host-a 198.19.0.11/24 02:5a:00:00:0a:02"
	 "vm-b1 host-b 198.19.0.21/24 02:5a:00:00:0b:01"
	 "vm-b2 host-b 198.19.0.22/24 02:5a:00:00:0b:02")
LAB_EDGED=$LAB_BUILD/edged/edged
LAB_HOSTD=$LAB_BUILD/hostd/hostd
LAB_SPATCTL=$LAB_BUILD/spatctl/spatctl

lab_log() { printf 'lab: %s\n' "$*" >&2; }

# lab_edges: how many edges the running lab has (up --edges N).
lab_edges() { cat "$LAB_RUN/edges" 2>/dev/null || echo 1; }

# lab_in NS CMD...: run a command inside a lab namespace.
lab_in() { local ns=$1; shift; ip netns exec "spat-$ns" "$@"; }

# lab_ctl NAME REQUEST...: ask a lab daemon over its control socket.
lab_ctl() { local n=$1; shift; "$LAB_SPATCTL" -s "$LAB_RUN/$n.sock" "$@"; }

# lab_counter NAME KEY: one counter (or drop reason) from a daemon's stats.
lab_counter() {
	lab_ctl "$1" -j stats | tr '{},' '\n\n\n' | sed -n "s/^ *\"$2\": *\([0-9]*\)\$/\1/p" | head -n1
}
