// SPDX-License-Identifier: MIT
/* spatctl.c - send one request to an edged or hostd control socket and print the reply. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "json.h"
#include "render.h"

#define SPATCTL_DEFAULT_SOCK "/run/spat/hostd.sock"
#define SPATCTL_MAX_REPLY (256u << 20)

static void usage(int code)
{
	fprintf(code ? stderr : stdout,
		"usage: spatctl [-j] [-s SOCKET] REQUEST [ARGS...]\n"
		"  -j, --json   print the daemon's JSON reply as it is\n"
		"  requests (edged): stats | rules | hosts | reload\n"
		"  requests (hostd): stats | conntrack [vni=N] [proto=P] [vm=NAME] [public=ADDR]\n"
		"                    | ports | vms | edges | reload\n"
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

/* Read the whole reply (at most SPATCTL_MAX_REPLY bytes) into a NUL-terminated buffer. */
static char *read_reply(int fd, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1), *nb;
	ssize_t r;

	while (buf) {
		if (n == cap) {
			if (cap >= SPATCTL_MAX_REPLY) {
				fprintf(stderr, "spatctl: reply larger than %u bytes\n", SPATCTL_MAX_REPLY);
				break;
			}
			cap *= 2;
			nb = realloc(buf, cap + 1);
			if (!nb)
				break;
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "spatctl: read: %s\n", strerror(errno));
			break;
		}
		if (r == 0) {
			buf[n] = 0;
			*len = n;
			return buf;
		}
		n += (size_t)r;
	}
	free(buf);
	return NULL;
}

/* Print the reply: raw JSON, or rendered for a person; errors go to stderr. */
static int show_reply(const char *reply, size_t len, bool json)
{
	struct json *j = json_parse(reply, len);
	const struct json *err = json_get(j, "error");
	int rc = 0;

	if (!len) {
		fprintf(stderr, "spatctl: empty reply\n");
		rc = 1;
	} else if (err && err->type == JSON_STR) {
		fprintf(stderr, "spatctl: %s\n", err->text);
		rc = 1;
	} else if (json || !j) {
		fwrite(reply, 1, len, stdout);   /* unparsable: show what came */
	} else {
		render(j, stdout);
	}
	json_free(j);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sock = SPATCTL_DEFAULT_SOCK;
	bool json = false;
	char *req, *reply = NULL;
	size_t len = 0;
	int ch, fd, rc;

	while ((ch = getopt_long(argc, argv, "+js:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j': json = true; break;
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
	rc = 1;
	if (send_all(fd, req, strlen(req)) < 0)
		fprintf(stderr, "spatctl: write: %s\n", strerror(errno));
	else if ((reply = read_reply(fd, &len)))
		rc = show_reply(reply, len, json);
	free(reply);
	free(req);
	close(fd);
	return rc;
}
