// SPDX-License-Identifier: MIT
/* spatfleet.c - spatfleet: split public pools into per-host port blocks, write every config. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fleet_conf.h"
#include "fleet_emit.h"
#include "fleet_split.h"

/* What edged (ydoc_load_file()) reads at most: a bigger edge config is refused up front. */
#define EDGE_FILE_MAX (16u << 20)

struct opts {
	const char *conf;
	const char *dir;
	const char *map;
	bool check;
	bool quiet;
};

static void usage(int code)
{
	fprintf(code ? stderr : stdout,
		"usage: spatfleet -c FLEET.yaml [-o DIR] [-m MAP.csv] [-n] [-q]\n"
		"  -c, --config FILE  the fleet: edges, public pools, hosts with their slots\n"
		"  -o, --output DIR   write edged-EDGE.yaml and hostd-HOST.yaml here (default .)\n"
		"  -m, --map FILE     write the block map (the RFC 7422 log) as CSV\n"
		"  -n, --check        check the fleet and split it, write nothing\n"
		"  -q, --quiet        print no summary\n"
		"  -h, --help         this text\n");
	exit(code);
}

/* Write path through path.tmp and rename(), so a reader never sees half a file. */
typedef void (*writer_fn)(FILE *f, void *arg);

static int write_file(const char *path, writer_fn fn, void *arg)
{
	char tmp[4096];
	FILE *f;
	int bad;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		fprintf(stderr, "spatfleet: %s: path too long\n", path);
		return -1;
	}
	f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "spatfleet: cannot write %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	fn(f, arg);
	bad = ferror(f);
	if (fclose(f) || bad || rename(tmp, path)) {
		fprintf(stderr, "spatfleet: cannot write %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

struct job {
	const struct fleet_conf *c;
	size_t idx;
	const struct fleet_block *b;
	size_t n;
};

static void w_edge(FILE *f, void *arg)
{
	struct job *j = arg;

	fleet_emit_edge(j->c, j->idx, j->b, j->n, f);
}

static void w_host(FILE *f, void *arg)
{
	struct job *j = arg;

	fleet_emit_host(j->c, j->idx, j->b, j->n, f);
}

static void w_map(FILE *f, void *arg)
{
	struct job *j = arg;

	fleet_emit_map(j->c, j->b, j->n, f);
}

static ssize_t count_write(void *cookie, const char *buf, size_t len)
{
	(void)buf;
	*(size_t *)cookie += len;
	return (ssize_t)len;
}

/* The size of edge 0's config, written to a stream that only counts. */
static size_t edge_size(struct job *j)
{
	cookie_io_functions_t io = { .write = count_write };
	size_t n = 0;
	FILE *f = fopencookie(&n, "w", io);

	if (!f)
		return 0;
	w_edge(f, j);
	fclose(f);
	return n;
}

static int write_one(const char *dir, const char *prefix, const char *name, writer_fn fn,
		     struct job *j)
{
	char path[4096];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s-%s.yaml", dir, prefix, name) >=
	    sizeof(path)) {
		fprintf(stderr, "spatfleet: %s: path too long\n", dir);
		return -1;
	}
	return write_file(path, fn, j);
}

/* Every edge's config (all rules), then each host's (its slice of the by-host list). */
static int write_configs(const struct fleet_conf *c, const struct opts *o,
			 struct fleet_block *rules, size_t n)
{
	struct job j = { .c = c, .b = rules, .n = n };
	size_t i, start;

	for (i = 0; i < c->nedges; i++) {
		j.idx = i;
		if (write_one(o->dir, "edged", c->edges[i].name, w_edge, &j))
			return -1;
	}
	fleet_by_host(rules, n);
	for (start = 0, i = 0; i < c->nhosts; i++) {
		j.idx = i;
		j.b = rules + start;
		for (j.n = 0; start + j.n < n && rules[start + j.n].host == i; j.n++)
			;
		start += j.n;
		if (write_one(o->dir, "hostd", c->hosts[i].name, w_host, &j))
			return -1;
	}
	return 0;
}

static void summary(const struct fleet_conf *c, const struct opts *o, size_t nblocks,
		    size_t nrules)
{
	size_t i;

	for (i = 0; i < c->npools; i++) {
		const struct fleet_pool *p = &c->pools[i];

		printf("pool %s: vni %u, %zu address%s x %u blocks of %u ports (%s), room for %u "
		       "hosts of %u block%s\n", p->name, p->vni, p->naddrs,
		       p->naddrs == 1 ? "" : "es", p->per_addr, p->block_size,
		       p->layout == FLEET_STRIPED ? "striped" : "contiguous", p->slots, p->blocks,
		       p->blocks == 1 ? "" : "s");
	}
	printf("%zu hosts, %zu blocks, %zu edge rules after merging\n", c->nhosts, nblocks, nrules);
	if (!o->check)
		printf("wrote %zu edged and %zu hostd configs to %s%s%s\n", c->nedges, c->nhosts,
		       o->dir, o->map ? ", the block map to " : "", o->map ? o->map : "");
}

static int run(const struct opts *o)
{
	struct fleet_block *b = NULL, *rules = NULL;
	struct fleet_conf c;
	struct yerr err;
	size_t nrules, size;
	int ret = 1;
	long n;

	if (fleet_conf_load(&c, o->conf, &err)) {
		fprintf(stderr, "spatfleet: %s\n", err.msg);
		return 1;
	}
	n = fleet_split(&c, &b);
	rules = n < 0 ? NULL : malloc(((size_t)n + 1) * sizeof(*rules));
	if (!rules) {
		fprintf(stderr, "spatfleet: out of memory\n");
		goto out;
	}
	memcpy(rules, b, (size_t)n * sizeof(*rules));
	nrules = fleet_merge(rules, (size_t)n);
	size = edge_size(&(struct job){ .c = &c, .b = rules, .n = nrules });
	if (size > EDGE_FILE_MAX) {
		fprintf(stderr, "spatfleet: %s: the edged config would be %.1f MiB (%zu rules); edged "
			"reads at most %u MiB: use fewer, larger blocks or the contiguous layout\n",
			c.file, (double)size / (1 << 20), nrules, EDGE_FILE_MAX >> 20);
		goto out;
	}
	if (!o->check && o->map &&
	    write_file(o->map, w_map, &(struct job){ .c = &c, .b = b, .n = (size_t)n }))
		goto out;
	if (!o->check && write_configs(&c, o, rules, nrules))
		goto out;
	if (!o->quiet)
		summary(&c, o, (size_t)n, nrules);
	ret = 0;
out:
	free(b);
	free(rules);
	fleet_conf_free(&c);
	return ret;
}

/* main() - parse options, then check, split and write; exit 0, 1 on error, 2 on usage. */
int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		{ "map", required_argument, NULL, 'm' },
		{ "check", no_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .dir = "." };
	int ch;

	while ((ch = getopt_long(argc, argv, "c:o:m:nqh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': o.conf = optarg; break;
		case 'o': o.dir = optarg; break;
		case 'm': o.map = optarg; break;
		case 'n': o.check = true; break;
		case 'q': o.quiet = true; break;
		case 'h': usage(0); break;
		default: usage(2);
		}
	}
	if (!o.conf || optind != argc)
		usage(2);
	return run(&o);
}
