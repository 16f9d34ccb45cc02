// SPDX-License-Identifier: MIT
/* flows.c - new-flows load for tests/bench/run: open UDP flows through a NAT, echo them back. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/*
 * flows echo ADDR PORT SECONDS
 *	Send every datagram to ADDR:PORT back to its source, until 2 s pass
 *	without one after the first, or SECONDS pass.  Prints "ready" on stderr
 *	once bound, then {"echoed": N} on stdout.
 * flows open SRC DST PORT N FIRST_PORT WINDOW SECONDS
 *	Open N UDP flows from SRC, one datagram from each source port
 *	FIRST_PORT..FIRST_PORT+N-1 to DST:PORT; a flow counts once its answer
 *	(from "flows echo") is back.  At most WINDOW flows wait for their answer
 *	at a time, fewer than any queue on the way holds, so the figure is the
 *	path's pace rather than its losses; answers missing for 200 ms count as
 *	lost and free their slots.  Raw sockets and sendmmsg/recvmmsg both ways:
 *	no socket per flow, so the load costs little next to the path.  Prints
 *	one JSON object with flows_per_s (completed flows over first send to
 *	last answer).
 */

#define BURST 64
#define PAYLOAD "spat-bench-flow!"
#define PKT_LEN (20 + 8 + sizeof(PAYLOAD) - 1)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void big_rcvbuf(int fd)
{
	int sz = 16 << 20;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
}

static int echo(const char *addr, int port, double seconds)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	static char buf[BURST][64];
	struct sockaddr_in from[BURST];
	struct mmsghdr m[BURST];
	struct iovec iov[BURST];
	struct pollfd p;
	double deadline = now() + seconds, last = 0;
	unsigned long long n = 0;
	int fd, r, i;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || inet_pton(AF_INET, addr, &sa.sin_addr) != 1 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("flows echo");
		return 1;
	}
	big_rcvbuf(fd);
	fprintf(stderr, "ready\n");
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	while (now() < deadline) {
		if (poll(&p, 1, 200) <= 0) {
			if (last > 0 && now() - last > 2.0)
				break;
			continue;
		}
		for (i = 0; i < BURST; i++) {
			iov[i] = (struct iovec){ buf[i], sizeof(buf[i]) };
			m[i].msg_hdr = (struct msghdr){ .msg_name = &from[i],
							.msg_namelen = sizeof(from[i]),
							.msg_iov = &iov[i], .msg_iovlen = 1 };
		}
		r = recvmmsg(fd, m, BURST, MSG_DONTWAIT, NULL);
		if (r <= 0)
			continue;
		for (i = 0; i < r; i++)
			iov[i].iov_len = m[i].msg_len;
		sendmmsg(fd, m, (unsigned)r, 0);
		n += (unsigned)r;
		last = now();
	}
	printf("{\"echoed\": %llu}\n", n);
	return 0;
}

static uint16_t csum(const uint8_t *p, size_t len, uint32_t sum)
{
	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* One IPv4/UDP datagram from src:sport to dst:dport into pkt (PKT_LEN bytes). */
static void build(uint8_t *pkt, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
	uint16_t ulen = (uint16_t)(PKT_LEN - 20), c;
	uint32_t ph;

	memset(pkt, 0, 28);
	pkt[0] = 0x45;
	pkt[2] = PKT_LEN >> 8;
	pkt[3] = PKT_LEN & 0xff;
	pkt[6] = 0x40;                   /* DF; the kernel fills id and checksum */
	pkt[8] = 64;
	pkt[9] = IPPROTO_UDP;
	memcpy(pkt + 12, &src, 4);
	memcpy(pkt + 16, &dst, 4);
	pkt[20] = (uint8_t)(sport >> 8);
	pkt[21] = (uint8_t)sport;
	pkt[22] = (uint8_t)(dport >> 8);
	pkt[23] = (uint8_t)dport;
	pkt[24] = (uint8_t)(ulen >> 8);
	pkt[25] = (uint8_t)ulen;
	memcpy(pkt + 28, PAYLOAD, sizeof(PAYLOAD) - 1);
	/* Pseudo-header: addresses, protocol, UDP length. */
	ph = (uint32_t)csum(pkt + 12, 8, 0);
	ph = (uint16_t)~ph + (uint32_t)IPPROTO_UDP + ulen;
	c = csum(pkt + 20, ulen, ph);
	c = c ? c : 0xffff;
	pkt[26] = (uint8_t)(c >> 8);
	pkt[27] = (uint8_t)c;
}

static int open_flows(const char *src_s, const char *dst_s, int port, int n, int first,
		      int window, double seconds)
{
	static uint8_t out[BURST][PKT_LEN], in[BURST][128];
	struct sockaddr_in dst = { .sin_family = AF_INET };
	struct mmsghdr m[BURST];
	struct iovec iov[BURST];
	struct pollfd p;
	uint32_t src;
	uint8_t *done;
	long sent = 0, completed = 0, lost = 0, outstanding = 0, errors = 0;
	double start, deadline, last;
	int tx, rx, i, k, r;

	if (inet_pton(AF_INET, src_s, &src) != 1 || inet_pton(AF_INET, dst_s, &dst.sin_addr) != 1 ||
	    n < 1 || first < 1 || first + n > 65536 || window < 1) {
		fprintf(stderr, "flows open: bad arguments\n");
		return 2;
	}
	done = calloc((size_t)n, 1);
	tx = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	rx = socket(AF_INET, SOCK_RAW, IPPROTO_UDP);
	if (!done || tx < 0 || rx < 0 || connect(tx, (struct sockaddr *)&dst, sizeof(dst))) {
		perror("flows open");
		return 1;
	}
	big_rcvbuf(rx);
	p = (struct pollfd){ .fd = rx, .events = POLLIN };
	start = last = now();
	deadline = start + seconds;
	while ((sent < n || outstanding > 0) && now() < deadline) {
		/* Fill the window, a burst at a time. */
		while (outstanding < window && sent < n) {
			k = (int)(window - outstanding);
			k = k < BURST ? k : BURST;
			k = k < n - sent ? k : (int)(n - sent);
			for (i = 0; i < k; i++) {
				build(out[i], src, dst.sin_addr.s_addr, (uint16_t)(first + sent + i),
				      (uint16_t)port);
				iov[i] = (struct iovec){ out[i], PKT_LEN };
				m[i].msg_hdr = (struct msghdr){ .msg_iov = &iov[i], .msg_iovlen = 1 };
			}
			r = sendmmsg(tx, m, (unsigned)k, 0);
			if (r < 0) {             /* ENOBUFS: a full queue; that flow is lost */
				if (errno != ENOBUFS && errno != EAGAIN) {
					perror("flows open: send");
					return 1;
				}
				errors++;
				sent++;
				continue;
			}
			sent += r;
			outstanding += r;
		}
		if (poll(&p, 1, 200) <= 0) {
			lost += outstanding;
			outstanding = 0;
			continue;
		}
		for (i = 0; i < BURST; i++) {
			iov[i] = (struct iovec){ in[i], sizeof(in[i]) };
			m[i].msg_hdr = (struct msghdr){ .msg_iov = &iov[i], .msg_iovlen = 1 };
		}
		r = recvmmsg(rx, m, BURST, MSG_DONTWAIT, NULL);
		for (i = 0; i < r; i++) {
			const uint8_t *b = in[i];
			unsigned ihl = (b[0] & 15u) * 4, sport, dport;
			long idx;

			if (m[i].msg_len < ihl + 8 || memcmp(b + 12, &dst.sin_addr, 4))
				continue;
			sport = (unsigned)b[ihl] << 8 | b[ihl + 1];
			dport = (unsigned)b[ihl + 2] << 8 | b[ihl + 3];
			idx = (long)dport - first;
			if (sport != (unsigned)port || idx < 0 || idx >= n || done[idx])
				continue;
			done[idx] = 1;
			completed++;
			outstanding -= outstanding > 0;
			last = now();
		}
	}
	printf("{\"flows\": %d, \"sent\": %ld, \"completed\": %ld, \"lost\": %ld, \"window\": %d, "
	       "\"span_s\": %.4f, \"flows_per_s\": ",
	       n, sent, completed, lost + errors, window, last - start);
	if (completed && last > start)
		printf("%.0f}\n", (double)completed / (last - start));
	else
		printf("null}\n");
	free(done);
	return 0;
}

/* main() - "flows echo ..." or "flows open ...": see the comment at the top. */
int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "echo"))
		return echo(argv[2], atoi(argv[3]), atof(argv[4]));
	if (argc == 9 && !strcmp(argv[1], "open"))
		return open_flows(argv[2], argv[3], atoi(argv[4]), atoi(argv[5]), atoi(argv[6]),
				  atoi(argv[7]), atof(argv[8]));
	fprintf(stderr, "usage: flows echo ADDR PORT SECONDS\n"
			"       flows open SRC DST PORT N FIRST_PORT WINDOW SECONDS\n");
	return 2;
}
