// SPDX-License-Identifier: MIT
/* ctl.c - control socket server: UNIX stream socket, one request line, one reply. */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"
#include "log.h"

/* An open client connection, listed so that ctl_close() can end it. */
struct ctl_conn {
	struct bufferevent *bev;
	struct ctl *ctl;
	struct ctl_conn *prev, *next;
};

struct ctl {
	struct evconnlistener *lis;
	struct ctl_conn *conns;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	ctl_handler fn;
	void *arg;
};

/* ctl_json_str() - append s as a JSON string literal. */
void ctl_json_str(struct evbuffer *out, const char *s)
{
	evbuffer_add(out, "\"", 1);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			evbuffer_add_printf(out, "\\%c", ch);
		else if (ch < 0x20)
			evbuffer_add_printf(out, "\\u%04x", ch);
		else
			evbuffer_add(out, s, 1);
	}
	evbuffer_add(out, "\"", 1);
}

static int ctl_split(char *line, char **argv)
{
	int argc = 0;

	for (char *tok = strtok(line, " \t\r"); tok; tok = strtok(NULL, " \t\r")) {
		if (argc == CTL_MAX_ARGS)
			return -1;
		argv[argc++] = tok;
	}
	return argc;
}

static void ctl_reply_error(struct evbuffer *out, const char *msg)
{
	evbuffer_add_printf(out, "{\"error\": ");
	ctl_json_str(out, msg);
	evbuffer_add_printf(out, "}\n");
}

static void ctl_conn_free(struct ctl_conn *cn)
{
	if (cn->prev)
		cn->prev->next = cn->next;
	else
		cn->ctl->conns = cn->next;
	if (cn->next)
		cn->next->prev = cn->prev;
	bufferevent_free(cn->bev);
	free(cn);
}

static void ctl_done(struct bufferevent *bev, void *arg)
{
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		ctl_conn_free(arg);
}

static void ctl_event(struct bufferevent *bev, short what, void *arg)
{
	/* EOF before a full line, an error or the idle timeout: just close. */
	ctl_conn_free(arg);
}

/* Run one request through the handler; errors become {"error": ...}. */
static void ctl_serve(struct ctl *c, char *line, struct evbuffer *out)
{
	char *argv[CTL_MAX_ARGS];
	struct evbuffer *tmp = evbuffer_new();
	int argc = ctl_split(line, argv);

	if (!tmp)
		return ctl_reply_error(out, "out of memory");
	if (argc < 0) {
		ctl_reply_error(out, "too many words in request");
	} else if (argc == 0) {
		ctl_reply_error(out, "empty request");
	} else if (c->fn(c->arg, argc, argv, tmp) < 0) {
		size_t n = evbuffer_get_length(tmp);
		char msg[256];

		if (n >= sizeof(msg))
			n = sizeof(msg) - 1;
		evbuffer_remove(tmp, msg, n);
		msg[n] = 0;
		ctl_reply_error(out, msg);
	} else {
		evbuffer_add_buffer(out, tmp);
		evbuffer_add(out, "\n", 1);
	}
	evbuffer_free(tmp);
}

static void ctl_read(struct bufferevent *bev, void *arg)
{
	struct ctl_conn *cn = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer *out = bufferevent_get_output(bev);
	size_t n;
	char *line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF);

	if (!line) {
		if (evbuffer_get_length(in) <= CTL_MAX_LINE)
			return;              /* wait for the rest of the line */
		ctl_reply_error(out, "request too long");
	} else if (n > CTL_MAX_LINE || strlen(line) != n) {
		ctl_reply_error(out, n > CTL_MAX_LINE ? "request too long" : "NUL in request");
	} else {
		ctl_serve(cn->ctl, line, out);
	}
	free(line);
	/* One request per connection: stop reading, close once the reply is out. */
	bufferevent_disable(bev, EV_READ);
	bufferevent_setcb(bev, NULL, ctl_done, ctl_event, arg);
}

static void ctl_accept(struct evconnlistener *lis, evutil_socket_t fd, struct sockaddr *sa,
		       int salen, void *arg)
{
	struct event_base *base = evconnlistener_get_base(lis);
	struct ctl *c = arg;
	struct ctl_conn *cn = calloc(1, sizeof(*cn));
	struct timeval tv = { .tv_sec = 5 };

	if (cn)
		cn->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!cn || !cn->bev) {
		free(cn);
		evutil_closesocket(fd);
		return;
	}
	cn->ctl = c;
	cn->next = c->conns;
	if (c->conns)
		c->conns->prev = cn;
	c->conns = cn;
	bufferevent_setcb(cn->bev, ctl_read, NULL, ctl_event, cn);
	bufferevent_set_timeouts(cn->bev, &tv, &tv);
	bufferevent_enable(cn->bev, EV_READ);
}

/* ctl_open() - listen on path and serve requests from base. */
struct ctl *ctl_open(struct event_base *base, const char *path, ctl_handler fn, void *arg)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ctl *c;
	struct stat st;
	mode_t old;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	strcpy(sun.sun_path, path);
	strcpy(c->path, path);
	c->fn = fn;
	c->arg = arg;
	/* Replace a stale socket, but never a file that is something else. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			free(c);
			errno = EEXIST;
			return NULL;
		}
		(void)unlink(path);
	}
	old = umask(0177);           /* 0600, root-only: the socket can reload us */
	c->lis = evconnlistener_new_bind(base, ctl_accept, c,
					 LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 16,
					 (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (!c->lis) {
		int err = errno;

		free(c);
		errno = err;
		return NULL;
	}
	return c;
}

/* ctl_close() - stop listening and remove the socket file. */
void ctl_close(struct ctl *c)
{
	if (!c)
		return;
	while (c->conns)
		ctl_conn_free(c->conns);
	evconnlistener_free(c->lis);
	(void)unlink(c->path);
	free(c);
}
