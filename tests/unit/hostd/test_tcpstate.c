// SPDX-License-Identifier: MIT
/* test_tcpstate.c - unit tests for the TCP state machine of a mapping (every transition). */
#include <check.h>
#include <stdlib.h>

#include "pkt.h"
#include "tcpstate.h"

#define OUT TCPSTATE_OUT
#define IN TCPSTATE_IN
#define SYN TCPF_SYN
#define ACK TCPF_ACK
#define FIN TCPF_FIN
#define RST TCPF_RST
#define SYNACK (TCPF_SYN | TCPF_ACK)
#define FINACK (TCPF_FIN | TCPF_ACK)

struct tr {
	uint8_t from;
	enum tcpstate_dir dir;
	uint8_t flags;
	uint8_t to;
};

/* Every state, with a SYN, SYN-ACK, ACK, FIN and RST from each side. */
static const struct tr table[] = {
	/* new: picked up mid-stream */
	{ CT_S_NEW, OUT, SYN, CT_S_SYN_OUT }, { CT_S_NEW, IN, SYN, CT_S_SYN_IN },
	{ CT_S_NEW, OUT, ACK, CT_S_NEW }, { CT_S_NEW, IN, ACK, CT_S_EST },
	{ CT_S_NEW, IN, FINACK, CT_S_EST }, { CT_S_NEW, OUT, RST, CT_S_RST },
	{ CT_S_NEW, IN, RST, CT_S_RST },
	/* syn_out: the VM opened */
	{ CT_S_SYN_OUT, OUT, SYN, CT_S_SYN_OUT }, { CT_S_SYN_OUT, OUT, ACK, CT_S_SYN_OUT },
	{ CT_S_SYN_OUT, IN, SYNACK, CT_S_EST }, { CT_S_SYN_OUT, IN, SYN, CT_S_EST },
	{ CT_S_SYN_OUT, IN, ACK, CT_S_SYN_OUT }, { CT_S_SYN_OUT, IN, RST | ACK, CT_S_RST },
	{ CT_S_SYN_OUT, OUT, RST, CT_S_RST }, { CT_S_SYN_OUT, OUT, FIN, CT_S_SYN_OUT },
	/* syn_in: a SYN from outside on a mapping (filtering let it through) */
	{ CT_S_SYN_IN, IN, SYN, CT_S_SYN_IN }, { CT_S_SYN_IN, OUT, SYNACK, CT_S_EST },
	{ CT_S_SYN_IN, OUT, SYN, CT_S_EST }, { CT_S_SYN_IN, OUT, ACK, CT_S_SYN_IN },
	{ CT_S_SYN_IN, OUT, RST, CT_S_RST }, { CT_S_SYN_IN, IN, RST, CT_S_RST },
	/* established */
	{ CT_S_EST, OUT, ACK, CT_S_EST }, { CT_S_EST, IN, ACK, CT_S_EST },
	{ CT_S_EST, OUT, SYNACK, CT_S_EST }, { CT_S_EST, IN, SYN, CT_S_EST },
	{ CT_S_EST, OUT, FINACK, CT_S_FIN_OUT }, { CT_S_EST, IN, FINACK, CT_S_FIN_IN },
	{ CT_S_EST, OUT, RST, CT_S_RST }, { CT_S_EST, IN, RST | ACK, CT_S_RST },
	/* half closed */
	{ CT_S_FIN_OUT, OUT, ACK, CT_S_FIN_OUT }, { CT_S_FIN_OUT, IN, ACK, CT_S_FIN_OUT },
	{ CT_S_FIN_OUT, OUT, FINACK, CT_S_FIN_OUT }, { CT_S_FIN_OUT, IN, FINACK, CT_S_CLOSING },
	{ CT_S_FIN_OUT, IN, RST, CT_S_RST },
	{ CT_S_FIN_IN, IN, ACK, CT_S_FIN_IN }, { CT_S_FIN_IN, IN, FINACK, CT_S_FIN_IN },
	{ CT_S_FIN_IN, OUT, FINACK, CT_S_CLOSING }, { CT_S_FIN_IN, OUT, RST, CT_S_RST },
	/* closing: both FINs; a bare SYN reuses the port */
	{ CT_S_CLOSING, OUT, ACK, CT_S_CLOSING }, { CT_S_CLOSING, IN, FINACK, CT_S_CLOSING },
	{ CT_S_CLOSING, OUT, SYN, CT_S_SYN_OUT }, { CT_S_CLOSING, IN, SYN, CT_S_SYN_IN },
	{ CT_S_CLOSING, IN, SYNACK, CT_S_CLOSING }, { CT_S_CLOSING, OUT, RST, CT_S_RST },
	/* rst: transitory; anything but a RST or a bare SYN re-establishes */
	{ CT_S_RST, OUT, ACK, CT_S_EST }, { CT_S_RST, IN, ACK, CT_S_EST },
	{ CT_S_RST, OUT, SYNACK, CT_S_EST }, { CT_S_RST, OUT, FINACK, CT_S_FIN_OUT },
	{ CT_S_RST, IN, FINACK, CT_S_FIN_IN }, { CT_S_RST, OUT, SYN, CT_S_SYN_OUT },
	{ CT_S_RST, IN, SYN, CT_S_SYN_IN }, { CT_S_RST, IN, RST, CT_S_RST },
	{ CT_S_RST, OUT, RST | ACK, CT_S_RST },
};

START_TEST(test_transition)
{
	const struct tr *t = &table[_i];

	ck_assert_msg(tcpstate_next(t->from, t->dir, t->flags) == t->to,
		      "%s + %s flags 0x%02x: %s, expected %s", tcpstate_name(t->from),
		      t->dir == OUT ? "out" : "in", t->flags,
		      tcpstate_name(tcpstate_next(t->from, t->dir, t->flags)), tcpstate_name(t->to));
}
END_TEST

START_TEST(test_initial)
{
	ck_assert_uint_eq(tcpstate_initial(SYN), CT_S_SYN_OUT);
	ck_assert_uint_eq(tcpstate_initial(SYNACK), CT_S_SYN_OUT);
	ck_assert_uint_eq(tcpstate_initial(ACK), CT_S_NEW);
	ck_assert_uint_eq(tcpstate_initial(SYN | RST), CT_S_NEW);
	ck_assert_uint_eq(tcpstate_initial(FINACK), CT_S_NEW);
}
END_TEST

START_TEST(test_timers_and_names)
{
	static const char *const names[CT_S__N] = {
		"new", "established", "closing", "syn_out", "syn_in", "fin_out", "fin_in", "rst",
	};

	for (uint8_t s = 0; s < CT_S__N; s++) {
		ck_assert_str_eq(tcpstate_name(s), names[s]);
		ck_assert_int_eq(tcpstate_established(s),
				 s == CT_S_EST || s == CT_S_FIN_OUT || s == CT_S_FIN_IN);
	}
	ck_assert_str_eq(tcpstate_name(CT_S__N), "?");
	ck_assert_str_eq(tcpstate_name(255), "?");
	/* An unknown state (never written by us) is left alone. */
	ck_assert_uint_eq(tcpstate_next(200, OUT, ACK), 200);
	ck_assert_uint_eq(tcpstate_next(200, OUT, RST), CT_S_RST);
}
END_TEST

static Suite *tcpstate_suite(void)
{
	Suite *s = suite_create("tcpstate");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_transition, 0, (int)(sizeof(table) / sizeof(table[0])));
	tcase_add_test(tc, test_initial);
	tcase_add_test(tc, test_timers_and_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(tcpstate_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
