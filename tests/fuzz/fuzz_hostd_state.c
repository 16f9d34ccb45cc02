// SPDX-License-Identifier: MIT
/* fuzz_hostd_state.c - a saved conntrack table from a hostd state file, restored for host-a. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "flow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct host_conf conf;

/*
 * The input is the whole file.  Whatever it holds, ct_load() refuses it or
 * the restored table is consistent: every entry is found both ways and
 * names a configured VM.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct flowtab ft;
	struct ct_entry *e;
	struct ct *saved;
	uint32_t pos = 0;
	char why[128];
	struct yerr err;
	int fd;

	if (!conf.nvms) {
		if (host_conf_load(&conf, SPAT_SOURCE_DIR "/etc/hostd-a.yaml", &err) < 0)
			abort();
		conf.max_entries = 64;
	}
	fd = memfd_create("state", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	if (ct_load(fd, conf.name, &saved, why, sizeof(why)) == CT_LOAD_OK) {
		if (flow_init(&ft, &conf, 1) < 0)
			abort();
		flow_restore(&ft, saved, 100, NULL);
		while ((e = ct_iter(ft.ct, &pos))) {
			if (e->vm >= conf.nvms ||
			    ct_find_priv(ft.ct, e->vni, e->proto, e->vm_addr, e->vm_port) != e ||
			    ct_find_pub(ft.ct, e->vni, e->proto, e->pub_addr, e->pub_port) != e)
				abort();
		}
		flow_destroy(&ft);
		ct_free(saved);
	}
	close(fd);
	return 0;
}
