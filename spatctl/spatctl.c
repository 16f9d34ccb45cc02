// SPDX-License-Identifier: MIT
/* spatctl.c - send one request to an edged or hostd control socket and print the reply. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define SPATCTL_DEFAULT_SOCK "/run/spat/hostd.sock"
#define SPATCTL_MAX_REPLY (256u << 20)

static void usage(int code)
{
	fprintf(code ? stderr : stdout,
		"usage: spatctl [-s SOCKET] REQUEST [ARGS...]\n"
		"  requests (edged): stats | rules | hosts | reload\n"
		"  requests (hostd): stats | conntrack [vni=N] [proto=P] [vm=NAME] [public=ADDR]\n"
		"                    | vms | reload\n"
		"  default socket: %s\n", SPATCTL_DEFAULT_SOCK);
	exit(code);
}

static int ctl_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "spatctl: socket path too long: %s\n", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "spatctl: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Build "word word ...\n" from argv; words may not contain newlines. */
static char *build_request(int argc, char **argv)
{
	size_t len = 1;
	char *req;

	for (int i = 0; i < argc; i++) {
		if (strchr(argv[i], '\n')) {
			fprintf(stderr, "spatctl: newline in argument\n");
			return NULL;
		}
		len += strlen(argv[i]) + 1;
	}
	req = calloc(1, len);
	if (!req)
		return NULL;
	for (int i = 0; i < argc; i++) {
		strcat(req, argv[i]);
		strcat(req, i + 1 < argc ? " " : "\n");
	}
	return req;
}

/* Copy the reply to stdout; return 1 if it is an error reply. */
static int relay_reply(int fd)
{
	char buf[65536];
	size_t total = 0;
	int is_err = -1;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (is_err < 0)
			is_err = strncmp(buf, "{\"error\"", (size_t)n < 8 ? (size_t)n : 8) == 0;
		fwrite(buf, 1, (size_t)n, is_err ? stderr : stdout);
		total += (size_t)n;
		if (total > SPATCTL_MAX_REPLY)
			break;
	}
	if (n < 0)
		fprintf(stderr, "spatctl: read: %s\n", strerror(errno));
	if (total == 0) {
		fprintf(stderr, "spatctl: empty reply\n");
		return 1;
	}
	return n < 0 || is_err == 1;
}

int main(int argc, char **argv)
{
	const char *sock = SPATCTL_DEFAULT_SOCK;
	char *req;
	int ch, fd, rc;

	while ((ch = getopt(argc, argv, "+s:h")) != -1) {
		switch (ch) {
		case 's': sock = optarg; break;
		case 'h': usage(0); break;
		default: usage(2);
		}
	}
	if (optind >= argc)
		usage(2);
	req = build_request(argc - optind, argv + optind);
	if (!req)
		return 2;
	fd = ctl_connect(sock);
	if (fd < 0) {
		free(req);
		return 1;
	}
	rc = send_all(fd, req, strlen(req)) < 0 ? 1 : relay_reply(fd);
	free(req);
	close(fd);
	return rc;
}
