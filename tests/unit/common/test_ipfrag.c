// SPDX-License-Identifier: MIT
/* test_ipfrag.c - unit tests for IPv4 fragmentation: pieces reassemble to the original. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ipfrag.h"
#include "pkt.h"
#include "testpkt.h"
#include "tunmtu.h"

static uint8_t payload[1900];
static struct pktpool pool;

static void setup(void)
{
	ck_assert_int_eq(pktpool_init(&pool, 16), 0);
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 13 + 1);
}

static void teardown(void)
{
	pktpool_destroy(&pool);
}

/* A UDP packet with paylen bytes of payload and the given flags/offset field. */
static void build(struct pktbuf *b, size_t paylen, uint16_t frag)
{
	struct tp_spec s = { .proto = PROTO_UDP, .src = TP_CLIENT, .dst = TP_PUBLIC,
			     .sport = 5000, .dport = 53, .frag = frag,
			     .payload = payload, .paylen = paylen };

	pktbuf_reset(b);
	b->len = (uint32_t)tp_build(b->data, &s);
}

/*
 * Check each piece (header checksum, size, offset continuity, MF on all but
 * the last unless last_mf) and put the data back together into out.
 */
static size_t reassemble(struct pktbuf **pieces, int n, unsigned mtu, bool last_mf,
			 uint16_t base, uint8_t *out)
{
	size_t next = base;

	for (int i = 0; i < n; i++) {
		struct pkt_ip4 pi;
		uint16_t got;

		ck_assert_int_eq(pkt_parse_ip4(pieces[i]->data, pieces[i]->len, &pi), PKT_OK);
		ck_assert_uint_le(pieces[i]->len, mtu);
		ck_assert_uint_eq(pi.l3len, pieces[i]->len);
		memcpy(&got, pieces[i]->data + 10, 2);
		ck_assert_uint_eq(got, tp_full_ip_csum(pieces[i]->data));
		ck_assert_uint_eq(pi.frag_off, next);
		ck_assert_uint_eq(pi.ipid, 0xBEEF);
		ck_assert(!pi.dont_frag);
		ck_assert(pi.more_frags == (i < n - 1 || last_mf));
		if (i < n - 1)
			ck_assert_uint_eq((pi.l3len - pi.hlen) % 8, 0);
		memcpy(out + next - base, pieces[i]->data + pi.hlen, pi.l3len - pi.hlen);
		next += pi.l3len - pi.hlen;
	}
	return next - base;
}

START_TEST(test_split_1500)
{
	static struct pktbuf b;
	struct pktbuf *pieces[IPFRAG_MAX + 1], *out[IPFRAG_MAX];
	uint8_t orig[1500], got[1500];
	int n;

	build(&b, 1472, 0);
	memcpy(orig, b.data, b.len);
	n = ipfrag_split(&b, 1464, &pool, out, IPFRAG_MAX);
	ck_assert_int_eq(n, 1);
	ck_assert_uint_eq(b.len, 20 + 1440);
	ck_assert_uint_eq(out[0]->len, 20 + 40);
	pieces[0] = &b;
	pieces[1] = out[0];
	ck_assert_uint_eq(reassemble(pieces, 2, 1464, false, 0, got), 1480);
	ck_assert_mem_eq(got, orig + 20, 1480);
	ck_assert_uint_eq(pool.nfree, 15);
	pktpool_put(&pool, out[0]);
}
END_TEST

START_TEST(test_many_pieces_and_limits)
{
	static struct pktbuf b;
	struct pktbuf *pieces[IPFRAG_MAX + 1], *out[IPFRAG_MAX];
	uint8_t orig[1900], got[1900];
	int n;

	build(&b, 1800, 0);
	memcpy(orig, b.data, b.len);
	ck_assert_int_eq(ipfrag_split(&b, 576, &pool, out, 2), IPFRAG_NOBUF);
	ck_assert_uint_eq(pool.nfree, 16);
	ck_assert_uint_eq(b.len, 1828);               /* unchanged */
	n = ipfrag_split(&b, 576, &pool, out, IPFRAG_MAX);
	ck_assert_int_eq(n, 3);
	pieces[0] = &b;
	for (int i = 0; i < n; i++)
		pieces[i + 1] = out[i];
	ck_assert_uint_eq(reassemble(pieces, n + 1, 576, false, 0, got), 1808);
	ck_assert_mem_eq(got, orig + 20, 1808);
	for (int i = 0; i < n; i++)
		pktpool_put(&pool, out[i]);
}
END_TEST

START_TEST(test_refusals)
{
	static struct pktbuf b;
	struct pktbuf *out[IPFRAG_MAX];

	build(&b, 100, 0);
	ck_assert_int_eq(ipfrag_split(&b, 1464, &pool, out, IPFRAG_MAX), 0);   /* fits */
	build(&b, 1472, 0x4000);
	ck_assert_int_eq(ipfrag_split(&b, 1464, &pool, out, IPFRAG_MAX), IPFRAG_BAD);  /* DF */
	build(&b, 1472, 0);
	ck_assert_int_eq(ipfrag_split(&b, 60, &pool, out, IPFRAG_MAX), IPFRAG_BAD);    /* < 68 */
	b.data[0] = 0x65;
	ck_assert_int_eq(ipfrag_split(&b, 1464, &pool, out, IPFRAG_MAX), IPFRAG_BAD);  /* IPv6 */
	b.len = 3;
	ck_assert_int_eq(ipfrag_split(&b, 1464, &pool, out, IPFRAG_MAX), IPFRAG_BAD);
	build(&b, 1472, 0x1FF0);                     /* the offset would overflow 13 bits */
	ck_assert_int_eq(ipfrag_split(&b, 1464, &pool, out, IPFRAG_MAX), IPFRAG_BAD);
	ck_assert_uint_eq(pool.nfree, 16);
}
END_TEST

/* A fragment (offset 1480 bytes, MF set) cut again keeps its place and MF. */
START_TEST(test_refragment)
{
	static struct pktbuf b;
	struct pktbuf *pieces[2], *out[IPFRAG_MAX];
	uint8_t orig[1500], got[1500];

	build(&b, 1472, 0x2000 | 185);
	memcpy(orig, b.data, b.len);
	ck_assert_int_eq(ipfrag_split(&b, 1000, &pool, out, IPFRAG_MAX), 1);
	pieces[0] = &b;
	pieces[1] = out[0];
	ck_assert_uint_eq(reassemble(pieces, 2, 1000, true, 1480, got), 1480);
	ck_assert_mem_eq(got, orig + 20, 1480);
	pktpool_put(&pool, out[0]);
}
END_TEST

/* Options: the first piece keeps all, later ones only the copied ones (RFC 791). */
START_TEST(test_options)
{
	static struct pktbuf b;
	struct pktbuf *pieces[2], *out[IPFRAG_MAX];
	uint8_t orig[1600], got[1600];
	static const uint8_t opts[16] = {
		0x07, 7, 4, 0, 0, 0, 0,                  /* record route: not copied */
		0x01,                                    /* NOP */
		0x94, 4, 0, 0,                           /* router alert: copied */
		0x01, 0x00, 0, 0,                        /* NOP, EOL, padding */
	};
	uint16_t c;

	build(&b, 1400, 0);
	/* Put the options in: shift the UDP part back 16 bytes and fix the header. */
	memmove(b.data + 36, b.data + 20, b.len - 20);
	memcpy(b.data + 20, opts, sizeof(opts));
	b.len += 16;
	b.data[0] = 0x49;
	tp_put16(b.data + 2, (uint16_t)b.len);
	c = tp_full_ip_csum(b.data);
	memcpy(b.data + 10, &c, 2);
	memcpy(orig, b.data, b.len);
	ck_assert_int_eq(ipfrag_split(&b, 1000, &pool, out, IPFRAG_MAX), 1);
	ck_assert_uint_eq(b.data[0], 0x49);
	ck_assert_mem_eq(b.data + 20, opts, 16);
	ck_assert_uint_eq(out[0]->data[0], 0x46);    /* 20 + router alert (4) */
	ck_assert_mem_eq(out[0]->data + 20, opts + 8, 4);
	pieces[0] = &b;
	pieces[1] = out[0];
	ck_assert_uint_eq(reassemble(pieces, 2, 1000, false, 0, got), 1408);
	ck_assert_mem_eq(got, orig + 36, 1408);
	pktpool_put(&pool, out[0]);

	/* An option whose length runs off the header is refused. */
	memcpy(b.data, orig, sizeof(orig));
	b.len = 1444;
	b.data[20 + 9] = 40;
	ck_assert_int_eq(ipfrag_split(&b, 1000, &pool, out, IPFRAG_MAX), IPFRAG_BAD);
	b.data[20 + 9] = 1;                          /* length below 2 */
	ck_assert_int_eq(ipfrag_split(&b, 1000, &pool, out, IPFRAG_MAX), IPFRAG_BAD);
	ck_assert_uint_eq(pool.nfree, 16);
}
END_TEST

/* tunmtu: DF becomes an ICMP (rate-limited), no DF becomes fragments. */
START_TEST(test_tunmtu)
{
	static struct pktbuf b;
	struct tunmtu m;
	struct pkt_ip4 pi;
	unsigned first;

	tunmtu_init(&m, 1500, 1, &pool, 0);
	ck_assert_uint_eq(m.inner_max, 1464);
	build(&b, 1472, 0x4000);
	ck_assert_int_eq(pkt_parse_ip4(b.data, b.len, &pi), PKT_OK);
	ck_assert_int_eq(tunmtu_fit(&m, &b, &pi, TP_PUBLIC, 0, &first), TUNMTU_ICMP);
	ck_assert_uint_eq(b.len, 576);
	build(&b, 1472, 0x4000);
	ck_assert_int_eq(tunmtu_fit(&m, &b, &pi, TP_PUBLIC, 10, &first), TUNMTU_RATE);
	build(&b, 1472, 0);
	ck_assert_int_eq(pkt_parse_ip4(b.data, b.len, &pi), PKT_OK);
	ck_assert_int_eq(tunmtu_fit(&m, &b, &pi, TP_PUBLIC, 10, &first), TUNMTU_SPLIT);
	ck_assert_uint_eq(first, 0);
	ck_assert_uint_eq(m.nfrag, 1);
	tunmtu_put(&m);
	ck_assert_uint_eq(pool.nfree, 16);
	tunmtu_init(&m, 0, 1, NULL, 0);
	ck_assert_uint_eq(m.inner_max, TUNMTU_DEFAULT - TUNMTU_OVERHEAD);
	ck_assert_int_eq(tunmtu_fit(&m, &b, &pi, TP_PUBLIC, 10, &first), TUNMTU_NOBUF);
}
END_TEST

static Suite *ipfrag_suite(void)
{
	Suite *s = suite_create("ipfrag");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_split_1500);
	tcase_add_test(tc, test_many_pieces_and_limits);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_refragment);
	tcase_add_test(tc, test_options);
	tcase_add_test(tc, test_tunmtu);
	suite_add_tcase(s, tc);
	return s;
}

/* main() - run the ipfrag suite; the exit status is nonzero if any check failed. */
int main(void)
{
	SRunner *sr = srunner_create(ipfrag_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
