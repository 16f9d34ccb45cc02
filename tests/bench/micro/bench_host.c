// SPDX-License-Identifier: MIT
/* bench_host.c - what this machine charges for a relay's steps: a system call, a process switch, a wake-up. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * bench_host [CPU_A CPU_B]
 *	A packet relayed by spat crosses processes that sleep until it comes:
 *	each crossing costs a wake-up of the next process and the system calls
 *	around it, where the kernel's own forwarding does neither.  This prints
 *	(one JSON object on stdout, a line of text on stderr) what these cost
 *	here, the floor under the daemons' added latency:
 *	  syscall_us     one trivial system call (getppid)
 *	  switch_us      handing over to a process on the same CPU (pipe
 *	                 ping-pong, both processes on CPU_B; half a round trip)
 *	  wake_busy_us   the same between CPU_A and CPU_B, back to back
 *	  wake_idle_us   median from a write on CPU_A to the reader's return on
 *	                 CPU_B, CPU_B idle for 2 ms before (a packet's wake-up
 *	                 of a daemon between a conversation's packets)
 *	CPU_A and CPU_B default to 0 and the last CPU; on one CPU the cross-CPU
 *	figures are null.  Bounded: about 3 s in all.
 */

#define SYSCALLS 200000
#define ROUND_TRIPS 20000
#define IDLE_WAKES 500
#define IDLE_GAP_NS 2000000L

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* One byte through a pipe end, read or written, retried on EINTR: 0, or -1. */
static int xfer(int fd, bool wr)
{
	char c = 0;

	for (;;) {
		ssize_t n = wr ? write(fd, &c, 1) : read(fd, &c, 1);
		if (n == 1)
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		return -1;
	}
}

static double bench_syscall(void)
{
	double t0 = now_us();

	for (long i = 0; i < SYSCALLS; i++)
		syscall(SYS_getppid);
	return (now_us() - t0) / SYSCALLS;
}

/*
 * A child on cpu_b that answers each byte on to_child with one on to_parent;
 * with stamps, it records (now - *t0) of each wake in stamps[i].  Returns
 * the child's pid, or -1.
 */
static pid_t echo_child(int cpu_b, int to_child[2], int to_parent[2], long n, double *t0, double *stamps)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	close(to_child[1]);
	close(to_parent[0]);
	if (pin(cpu_b) < 0)
		_exit(2);
	for (long i = 0; i < n; i++) {
		if (xfer(to_child[0], false) < 0)
			_exit(1);
		if (stamps)
			stamps[i] = now_us() - *t0;
		if (xfer(to_parent[1], true) < 0)
			_exit(1);
	}
	_exit(0);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * run_pair() - n exchanges between this process on cpu_a and a child on
 * cpu_b; gap_ns > 0 sleeps that long before each (the child's CPU idles).
 * Returns the microseconds per one-way hand-over (pings), or the median
 * wake-up (stamps), or -1.
 */
static double run_pair(int cpu_a, int cpu_b, long n, long gap_ns)
{
	int to_child[2] = { -1, -1 }, to_parent[2], status;
	double *shared, *t0, *stamps = NULL, t, result = -1;
	size_t size = (n + 1) * sizeof(double);
	pid_t pid;

	shared = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return -1;
	t0 = shared;
	if (gap_ns)
		stamps = shared + 1;
	if (pipe(to_child) < 0 || pipe(to_parent) < 0) {
		if (to_child[0] >= 0) {
			close(to_child[0]);
			close(to_child[1]);
		}
		munmap(shared, size);
		return -1;
	}
	pid = echo_child(cpu_b, to_child, to_parent, n, t0, stamps);
	close(to_child[0]);
	close(to_parent[1]);
	if (pid < 0 || pin(cpu_a) < 0)
		goto out;
	t = now_us();
	for (long i = 0; i < n; i++) {
		if (gap_ns) {
			struct timespec gap = { 0, gap_ns };
			nanosleep(&gap, NULL);
			*t0 = now_us();
		}
		if (xfer(to_child[1], true) < 0 || xfer(to_parent[0], false) < 0)
			goto out;
	}
	t = now_us() - t;
	if (!gap_ns) {
		result = t / n / 2;
	} else {
		qsort(stamps, (size_t)n, sizeof(*stamps), cmp_double);
		result = stamps[n / 2];
	}
out:
	close(to_child[1]);
	close(to_parent[0]);
	if (pid > 0) {
		if (result < 0)
			kill(pid, SIGKILL);
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			result = -1;
	}
	munmap(shared, size);
	return result;
}

static void json_num(const char *key, double v, const char *sep)
{
	if (v < 0)
		printf("\"%s\": null%s", key, sep);
	else
		printf("\"%s\": %.2f%s", key, v, sep);
}

int main(int argc, char **argv)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int a = 0, b = ncpu > 1 ? (int)ncpu - 1 : 0;
	double sc, sw, busy = -1, idle = -1;

	if (argc == 3) {
		a = atoi(argv[1]);
		b = atoi(argv[2]);
	} else if (argc != 1) {
		fprintf(stderr, "usage: bench_host [CPU_A CPU_B]\n");
		return 2;
	}
	if (a < 0 || b < 0 || a >= ncpu || b >= ncpu) {
		fprintf(stderr, "bench_host: CPUs 0 to %ld\n", ncpu - 1);
		return 2;
	}
	if (pin(b) < 0) {
		perror("bench_host: sched_setaffinity");
		return 1;
	}
	sc = bench_syscall();
	sw = run_pair(b, b, ROUND_TRIPS, 0);
	if (a != b) {
		busy = run_pair(a, b, ROUND_TRIPS, 0);
		idle = run_pair(a, b, IDLE_WAKES, IDLE_GAP_NS);
	}
	fprintf(stderr, "host: system call %.2f us, process switch %.1f us, wake-up on another CPU %.1f us "
		"back to back, %.1f us after 2 ms idle (CPUs %d and %d)\n", sc, sw, busy, idle, a, b);
	printf("{");
	json_num("syscall_us", sc, ", ");
	json_num("switch_us", sw, ", ");
	json_num("wake_busy_us", busy, ", ");
	json_num("wake_idle_us", idle, "");
	printf("}\n");
	return sw < 0 || (a != b && (busy < 0 || idle < 0));
}
