// SPDX-License-Identifier: MIT
/* test_host_conf_mtu.c - the tunnel_mtu, icmp_rate and tcp_mss_clamp keys of hostd's config. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_conf.h"

static char base[16384];

/* The lab's hostd-a.yaml with its three MTU lines replaced by extra. */
static int parse_with(const char *extra, struct host_conf *c, struct yerr *err)
{
	char text[17000];
	char *out = text;
	const char *line = base;

	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) + 1 : strlen(line);

		if (strncmp(line, "tunnel_mtu:", 11) && strncmp(line, "icmp_rate:", 10) &&
		    strncmp(line, "tcp_mss_clamp:", 14)) {
			memcpy(out, line, n);
			out += n;
		}
		line += n;
	}
	out += sprintf(out, "%s", extra);
	return host_conf_parse(c, "t.yaml", text, (size_t)(out - text), err);
}

static void setup(void)
{
	FILE *f = fopen(SPAT_SOURCE_DIR "/etc/hostd-a.yaml", "r");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(base, 1, sizeof(base) - 1, f);
	base[n] = 0;
	fclose(f);
}

START_TEST(test_defaults_and_values)
{
	struct host_conf c;
	struct yerr err;

	ck_assert_msg(parse_with("", &c, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(c.tunnel_mtu, 0);
	ck_assert_uint_eq(c.icmp_rate, 100);
	ck_assert_uint_eq(c.mss_clamp, HOST_MSS_AUTO);
	host_conf_free(&c);
	ck_assert_msg(parse_with("tunnel_mtu: 1500\nicmp_rate: 0\ntcp_mss_clamp: off\n", &c,
				 &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(c.tunnel_mtu, 1500);
	ck_assert_uint_eq(c.icmp_rate, 0);
	ck_assert_uint_eq(c.mss_clamp, HOST_MSS_OFF);
	host_conf_free(&c);
	ck_assert_msg(parse_with("tunnel_mtu: auto\ntcp_mss_clamp: 1200\n", &c, &err) == 0, "%s",
		      err.msg);
	ck_assert_uint_eq(c.tunnel_mtu, 0);
	ck_assert_uint_eq(c.mss_clamp, 1200);
	host_conf_free(&c);
}
END_TEST

START_TEST(test_bad_values)
{
	static const char *const bad[] = {
		"tunnel_mtu: 575\n", "tunnel_mtu: 9217\n", "tunnel_mtu: big\n",
		"tunnel_mtu: [1500]\n", "tcp_mss_clamp: 87\n", "tcp_mss_clamp: on\n",
		"tcp_mss_clamp: offf\n", "icmp_rate: 100001\n", "icmp_rate: -1\n",
	};
	struct host_conf c;
	struct yerr err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(parse_with(bad[i], &c, &err) < 0, "accepted %s", bad[i]);
		ck_assert_msg(strstr(err.msg, "t.yaml:") != NULL, "%s", err.msg);
	}
}
END_TEST

static Suite *conf_mtu_suite(void)
{
	Suite *s = suite_create("host_conf_mtu");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_defaults_and_values);
	tcase_add_test(tc, test_bad_values);
	suite_add_tcase(s, tc);
	return s;
}

/* main() - run the suite; the exit status is nonzero if any check failed. */
int main(void)
{
	SRunner *sr = srunner_create(conf_mtu_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
