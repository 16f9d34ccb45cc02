# SPDX-License-Identifier: MIT
# test_busy_poll.sh - busy_poll (its own lab, tests/lab/up --busy-poll 2000):
# traffic makes both daemons poll, every packet still arrives, an idle daemon
# goes back to sleeping (little CPU), and a reload to busy_poll 0 stops polling.
# lab: --busy-poll 2000

# bp_ticks DAEMON: CPU clock ticks the daemon has used so far.
bp_ticks() { awk '{ print $14 + $15 }' "/proc/$(cat "$LAB_RUN/$1.pid")/stat"; }

hp=$(lab_counter host-a loop_polls_total)
ep=$(lab_counter edge1 loop_polls_total)
out=$(lab_in vm-a1 ping -n -c 20 -i 0.05 -W 1 192.0.2.1 2>&1 | grep -c 'bytes from')
expect_eq "20 pings through polling daemons, 20 answers" "$out" 20
expect_grew "host-a polls after traffic" host-a loop_polls_total "$hp"
expect_grew "edge1 polls after traffic" edge1 loop_polls_total "$ep"

# Idle (keepalive probes only): the window ends and the daemon sleeps.  A loop
# that never stopped polling would hold most of a vCPU for these 2 s.
sleep 0.2
for d in host-a edge1; do
	t0=$(bp_ticks "$d")
	sleep 2
	used=$(($(bp_ticks "$d") - t0))
	hz=$(getconf CLK_TCK)
	if [ "$used" -lt "$hz" ]; then ok "idle $d sleeps ($used ticks of CPU in 2 s, $hz a second)"
	else fail "idle $d sleeps" "$used ticks of CPU in 2 s ($hz a second)"; fi
done

# A reload turns it off: traffic no longer makes host-a poll.
sed -i 's/^busy_poll: .*/busy_poll: 0/' "$LAB_RUN/host-a.yaml"
reload host-a
hp=$(lab_counter host-a loop_polls_total)
out=$(lab_in vm-a1 ping -n -c 10 -i 0.05 -W 1 192.0.2.1 2>&1 | grep -c 'bytes from')
expect_eq "10 pings after the reload, 10 answers" "$out" 10
expect_eq "host-a no longer polls (busy_poll: 0 by reload)" "$(lab_counter host-a loop_polls_total)" "$hp"
