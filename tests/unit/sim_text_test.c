/*
 * sim_text_test.c - the simulator's text conversions (sim/sim_text.c):
 * GSM 03.38 with its extension table both ways, UCS-2 with surrogate
 * pairs (broken ones become U+FFFD), Latin-1, invalid UTF-8, and part
 * splitting that never cuts an escape pair or a surrogate pair.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sim_text.h"

struct enc_case {
	const char *utf8;
	int gsm7; /* 1: fits GSM 7-bit */
	const char *gsm_hex;
	const char *ucs2_hex;
};

static const struct enc_case enc_cases[] = {
	{"@£$", 1, "000102", "004000a30024"},
	{"{}[]~\\|^€", 1, "1b281b291b3c1b3e1b3d1b2f1b401b141b65",
	 "007b007d005b005d007e005c007c005e20ac"},
	{"Hello 1", 1, "48656c6c6f2031", "00480065006c006c006f00200031"},
	{"ÄÖÑÜ§¿äöñüà", 1, "5b5c5d5e5f607b7c7d7e7f", NULL},
	{"مرحبا", 0, NULL, "06450631062d06280627"},
	{"١٢٣", 0, NULL, "066106620663"},
	{"😀", 0, NULL, "d83dde00"},
	{"ç", 0, NULL, "00e7"}, /* Ç is GSM, ç is not */
};

static size_t
hex(const char *h, uint8_t *out)
{
	size_t n = 0;

	for (; h && h[0] && h[1]; h += 2) {
		unsigned v;
		sscanf(h, "%2x", &v);
		out[n++] = (uint8_t)v;
	}
	return n;
}

static void
test_encode(void **state)
{
	for (size_t i = 0; i < sizeof(enc_cases) / sizeof(enc_cases[0]); i++) {
		const struct enc_case *c = &enc_cases[i];
		uint8_t out[256], want[256];
		size_t n = strlen(c->utf8);
		int rc;

		assert_int_equal(sim_text_is_gsm7(c->utf8, n), c->gsm7);
		rc = sim_text_to_gsm7(c->utf8, n, out, sizeof(out));
		if (c->gsm7) {
			size_t wn = hex(c->gsm_hex, want);
			assert_int_equal(rc, (int)wn);
			assert_memory_equal(out, want, wn);
		} else {
			assert_int_equal(rc, -EILSEQ);
		}
		if (c->ucs2_hex) {
			size_t wn = hex(c->ucs2_hex, want);
			rc = sim_text_to_ucs2(c->utf8, n, out, sizeof(out));
			assert_int_equal(rc, (int)wn);
			assert_memory_equal(out, want, wn);
		}
	}
}

static void
test_roundtrip(void **state)
{
	for (size_t i = 0; i < sizeof(enc_cases) / sizeof(enc_cases[0]); i++) {
		const struct enc_case *c = &enc_cases[i];
		uint8_t b[256];
		char back[512];
		size_t n = strlen(c->utf8);
		int rc;

		if (c->gsm7) {
			rc = sim_text_to_gsm7(c->utf8, n, b, sizeof(b));
			assert_true(rc >= 0);
			assert_int_equal(sim_text_decode(0, b, (size_t)rc, back,
							 sizeof(back)),
					 n);
			assert_string_equal(back, c->utf8);
		}
		rc = sim_text_to_ucs2(c->utf8, n, b, sizeof(b));
		assert_true(rc >= 0);
		sim_text_decode(8, b, (size_t)rc, back, sizeof(back));
		assert_string_equal(back, c->utf8);
	}
}

static void
test_decode_broken(void **state)
{
	static const struct {
		uint8_t dcs;
		const char *in_hex;
		const char *want;
	} cases[] = {
		{8, "d83d0041",
		 "\xef\xbf\xbd"
		 "A"}, /* high without low */
		{8, "dc000042",
		 "\xef\xbf\xbd"
		 "B"},                          /* lone low */
		{8, "004100", "A\xef\xbf\xbd"}, /* odd length */
		{8, "d83d", "\xef\xbf\xbd"},    /* high at the end */
		{0, "1b", "\xc2\xa0"},          /* lone escape */
		{0, "1b41",
		 "\xc2\xa0"
		 "A"},                        /* unknown extension */
		{1, "41ff", "A\xef\xbf\xbd"}, /* ASCII, 8th bit */
		{3, "e9", "\xc3\xa9"},        /* Latin-1 */
		{4, "41000a", "A.."},         /* binary shown safely */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t b[16];
		char out[64];
		size_t n = hex(cases[i].in_hex, b);
		sim_text_decode(cases[i].dcs, b, n, out, sizeof(out));
		assert_string_equal(out, cases[i].want);
	}
}

static void
test_decode_truncates_on_char(void **state)
{
	uint8_t b[] = {0x06, 0x45, 0x06, 0x31}; /* two 2-byte UTF-8 chars */
	char out[4];

	/* room for one character and the NUL only */
	assert_int_equal(sim_text_decode(8, b, sizeof(b), out, sizeof(out)), 2);
	assert_string_equal(out, "\xd9\x85");
}

static void
test_invalid_utf8(void **state)
{
	static const char *bad[] = {"\xc0\x80",     "\xe0\x80\x80",
				    "\xed\xa0\x80", "\xf4\x90\x80\x80",
				    "\x80",         "\xe2\x82"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t cp;
		size_t used = sim_text_utf8_next((const uint8_t *)bad[i],
						 strlen(bad[i]), &cp);
		assert_int_equal(cp, 0xfffd);
		assert_int_equal(used, 1);
	}
}

static void
test_split_never_cuts(void **state)
{
	uint8_t g[200], u[400];
	size_t ends[8];
	int n;

	/* 152 plain septets then escapes: the part boundary at 153 falls
	 * inside "\x1b\x65" and must move before it */
	memset(g, 'a', 152);
	for (int i = 152; i < 200; i += 2) {
		g[i] = 0x1b;
		g[i + 1] = 0x65;
	}
	n = sim_text_split(0, g, 200, 0, 160, 153, ends, 8);
	assert_int_equal(n, 2);
	assert_int_equal(ends[0], 152);
	assert_int_equal(ends[1], 200);

	/* UCS-2: 66 BMP units then surrogate pairs; a part is 134 octets */
	for (int i = 0; i < 132; i += 2) {
		u[i] = 0x06;
		u[i + 1] = 0x45;
	}
	for (int i = 132; i < 400; i += 4) {
		u[i] = 0xd8;
		u[i + 1] = 0x3d;
		u[i + 2] = 0xde;
		u[i + 3] = 0x00;
	}
	n = sim_text_split(8, u, 400, 0, 140, 134, ends, 8);
	assert_true(n >= 3);
	assert_int_equal(ends[0], 132);
	for (int k = 0; k < n; k++) {
		size_t start = k ? ends[k - 1] : 0;
		assert_true(ends[k] - start <= 134);
		if (ends[k] < 400)
			assert_false(u[ends[k]] >= 0xdc && u[ends[k]] <= 0xdf);
	}

	/* a single message stays whole */
	assert_int_equal(sim_text_split(0, g, 160, 0, 160, 153, ends, 8), 1);
	assert_int_equal(ends[0], 160);
}

static void
test_split_exact(void **state)
{
	const uint8_t t[] = "abcdefghij";
	size_t ends[8];

	assert_int_equal(sim_text_split(0, t, 10, 3, 160, 153, ends, 8), 3);
	assert_int_equal(ends[0], 4);
	assert_int_equal(ends[1], 7);
	assert_int_equal(ends[2], 10);
	assert_int_equal(sim_text_split(0, t, 2, 3, 160, 153, ends, 8),
			 -EINVAL);
	assert_int_equal(sim_text_split(0, t, 10, 9, 160, 153, ends, 8),
			 -E2BIG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_decode_broken),
		cmocka_unit_test(test_decode_truncates_on_char),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_split_never_cuts),
		cmocka_unit_test(test_split_exact),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
