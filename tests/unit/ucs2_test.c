/*
 * ucs2_test.c - UTF-8 <-> UTF-16BE (Arabic, emoji as surrogate pairs,
 * lone and reversed surrogates, invalid UTF-8, odd length), the strict
 * UTF-8 helper, and text_decode_mo() for data_coding 0, 1, 3, 8 and the
 * unsupported ones. SPEC §3.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ucs2.h"
#include "utf8.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define FFFD "\xEF\xBF\xBD"

struct pair {
	const char *utf8;
	size_t blen;
	uint8_t be[16];
};

/* Valid text: both directions are exact. */
static const struct pair valid[] = {
	{"", 0, {0}},
	{"A", 2, {0x00, 0x41}},
	{"@\0", 4, {0x00, 0x40, 0x00, 0x00}}, /* U+0000 kept; see len below */
	{"é", 2, {0x00, 0xE9}},
	{"مرحبا",
	 10,
	 {0x06, 0x45, 0x06, 0x31, 0x06, 0x2D, 0x06, 0x28, 0x06, 0x27}},
	{"٣€", 4, {0x06, 0x63, 0x20, 0xAC}},
	{"😀", 4, {0xD8, 0x3D, 0xDE, 0x00}},
	{"a😀b", 8, {0x00, 0x61, 0xD8, 0x3D, 0xDE, 0x00, 0x00, 0x62}},
	{"\xF4\x8F\xBF\xBF", 4, {0xDB, 0xFF, 0xDF, 0xFF}}, /* U+10FFFF */
	{"\xF0\x90\x80\x80", 4, {0xD8, 0x00, 0xDC, 0x00}}, /* U+10000 */
	{"\xEF\xBF\xBF", 2, {0xFF, 0xFF}},                 /* U+FFFF */
};

static size_t
ulen(const struct pair *p)
{
	/* "@\0" carries an embedded NUL: octet strings, not C strings. */
	return p->blen == 4 && p->be[1] == 0x40 ? 2 : strlen(p->utf8);
}

static void
test_valid_both_ways(void **state)
{
	uint8_t be[32], out[32];

	for (unsigned i = 0; i < N(valid); i++) {
		size_t l = ulen(&valid[i]);

		assert_int_equal(ucs2_from_utf8((const uint8_t *)valid[i].utf8,
						l, be, sizeof(be)),
				 (int)valid[i].blen);
		assert_memory_equal(be, valid[i].be, valid[i].blen);
		assert_int_equal(ucs2_to_utf8(valid[i].be, valid[i].blen, out,
					      sizeof(out)),
				 (int)l);
		assert_memory_equal(out, valid[i].utf8, l);
		assert_int_equal(text_decode_mo(8, valid[i].be, valid[i].blen,
						out, sizeof(out)),
				 (int)l);
		assert_memory_equal(out, valid[i].utf8, l);
	}
}

static void
test_broken_utf16(void **state)
{
	static const struct {
		uint8_t be[8];
		size_t len;
		const char *want;
	} v[] = {
		{{0xD8, 0x3D}, 2, FFFD},                  /* lone high */
		{{0xDE, 0x00}, 2, FFFD},                  /* lone low */
		{{0xDE, 0x00, 0xD8, 0x3D}, 4, FFFD FFFD}, /* reversed */
		{{0xD8, 0x3D, 0x00, 0x41}, 4, FFFD "A"},  /* unpaired */
		{{0xD8, 0x3D, 0xD8, 0x3D, 0xDE, 0x00}, 6, FFFD "😀"},
		{{0x00, 0x41, 0x00}, 3, "A" FFFD},  /* odd */
		{{0xD8}, 1, FFFD},                  /* odd */
		{{0xD8, 0x3D, 0xDE}, 3, FFFD FFFD}, /* odd */
	};
	uint8_t out[32];

	for (unsigned i = 0; i < N(v); i++) {
		size_t l = strlen(v[i].want);

		assert_int_equal(
			ucs2_to_utf8(v[i].be, v[i].len, out, sizeof(out)),
			(int)l);
		assert_memory_equal(out, v[i].want, l);
		assert_true(utf8_valid(out, l));
	}
}

static void
test_invalid_utf8_replaced(void **state)
{
	/* One U+FFFD per maximal ill-formed subpart (Unicode 3.9). */
	static const struct {
		const char *in;
		size_t len;
		size_t nfffd;
	} v[] = {
		{"\xC0\xAF", 2, 2},         /* overlong '/' */
		{"\xE0\x80\xAF", 3, 3},     /* overlong, 3 bytes */
		{"\xF0\x80\x80\xAF", 4, 4}, /* overlong, 4 bytes */
		{"\xE2\x82", 2, 1},         /* truncated € */
		{"\xF0\x9F\x98", 3, 1},     /* truncated emoji */
		{"\xFF", 1, 1},
		{"\xFE\xFF", 2, 2},
		{"\xED\xA0\x80", 3, 3},     /* encoded high surrogate */
		{"\xED\xBF\xBF", 3, 3},     /* encoded low surrogate */
		{"\xF4\x90\x80\x80", 4, 4}, /* above U+10FFFF */
		{"\x80\x80", 2, 2},         /* stray continuations */
	};
	uint8_t be[32], out[64];

	for (unsigned i = 0; i < N(v); i++) {
		int n = ucs2_from_utf8((const uint8_t *)v[i].in, v[i].len, be,
				       sizeof(be));
		assert_int_equal(n, (int)(2 * v[i].nfffd));
		for (size_t k = 0; k < v[i].nfffd; k++) {
			assert_int_equal(be[2 * k], 0xFF);
			assert_int_equal(be[2 * k + 1], 0xFD);
		}
		assert_false(utf8_valid((const uint8_t *)v[i].in, v[i].len));
	}
	/* Resynchronises: "a", truncated €, "b". */
	assert_int_equal(ucs2_from_utf8((const uint8_t *)"a\xE2\x82"
							 "b",
					4, be, sizeof(be)),
			 6);
	assert_int_equal(ucs2_to_utf8(be, 6, out, sizeof(out)), 5);
	assert_memory_equal(out, "a" FFFD "b", 5);
}

static void
test_utf8_helper(void **state)
{
	uint8_t b[4];
	uint32_t cp;
	size_t used;

	assert_int_equal(utf8_encode(0xD800, b, 4), -EINVAL);
	assert_int_equal(utf8_encode(0xDFFF, b, 4), -EINVAL);
	assert_int_equal(utf8_encode(0x110000, b, 4), -EINVAL);
	assert_int_equal(utf8_encode(0x10FFFF, b, 4), 4);
	assert_int_equal(utf8_encode(0x10FFFF, b, 3), -ENOSPC);
	assert_int_equal(utf8_encode(0x7FF, b, 2), 2);
	assert_int_equal(utf8_encode(0x800, b, 2), -ENOSPC);
	assert_int_equal(utf8_encode(0, b, 1), 1);
	assert_int_equal(b[0], 0);
	assert_int_equal(utf8_decode(b, 0, &cp, &used), -EINVAL);
	assert_int_equal(
		utf8_decode((const uint8_t *)"\xC2\x80", 2, &cp, &used), 0);
	assert_int_equal(cp, 0x80);
	assert_int_equal(used, 2);
	assert_int_equal(
		utf8_decode((const uint8_t *)"\xC1\xBF", 2, &cp, &used),
		-EILSEQ);
	assert_int_equal(used, 1);
	assert_int_equal(cp, 0xFFFD);
	assert_int_equal(utf8_decode((const uint8_t *)"\xF0\x9F\x98"
						      "A",
				     4, &cp, &used),
			 -EILSEQ);
	assert_int_equal(used, 3);
	assert_true(utf8_valid((const uint8_t *)"", 0));
	assert_true(utf8_valid((const uint8_t *)"\0", 1));
}

static void
test_decode_mo(void **state)
{
	static const struct {
		unsigned dc;
		uint8_t body[8];
		size_t len;
		const char *want;
		size_t wlen;
	} v[] = {
		{0, {0x00, 'h', 'i', 0x00}, 4, "@hi@", 4},
		{0, {0x1B, 0x65, 0x04}, 3, "€è", 5},
		{0, {0x10, 0x1B}, 2, "Δ ", 3},
		{1, {'H', 'i', 0x00, '!'}, 4, "Hi\0!", 4},
		{1, {'A', 0x80, 0xE9, 0xFF}, 4, "A" FFFD FFFD FFFD, 10},
		{3, {'c', 'a', 'f', 0xE9}, 4, "café", 5},
		{3, {0xA3, 0xFF, 0x00}, 3, "£ÿ\0", 5},
		{8, {0x06, 0x33, 0x00}, 3, "س" FFFD, 5},
		{8, {0xD8, 0x3D, 0xDE, 0x00}, 4, "😀", 4},
	};
	static const unsigned unsupported[] = {
		2, 4, 5, 6, 7, 9, 0x10, 0xF0, 0xF1, 0xF4, 0x18, 256};
	uint8_t out[64];

	for (unsigned i = 0; i < N(v); i++) {
		assert_int_equal(text_decode_mo(v[i].dc, v[i].body, v[i].len,
						out, sizeof(out)),
				 (int)v[i].wlen);
		assert_memory_equal(out, v[i].want, v[i].wlen);
	}
	for (unsigned i = 0; i < N(unsupported); i++)
		assert_int_equal(text_decode_mo(unsupported[i],
						(const uint8_t *)"x", 1, out,
						sizeof(out)),
				 -ENOTSUP);
}

static void
test_no_overrun(void **state)
{
	const uint8_t emoji[4] = {0xD8, 0x3D, 0xDE, 0x00};
	uint8_t buf[8];

	/* A surrogate pair is never split. */
	memset(buf, 0xAA, sizeof(buf));
	assert_int_equal(ucs2_from_utf8((const uint8_t *)"a😀", 5, buf, 5),
			 -ENOSPC);
	assert_int_equal(buf[2], 0xAA);
	assert_int_equal(buf[5], 0xAA);
	assert_int_equal(ucs2_from_utf8((const uint8_t *)"a😀", 5, buf, 6), 6);
	memset(buf, 0xAA, sizeof(buf));
	assert_int_equal(ucs2_to_utf8(emoji, 4, buf, 3), -ENOSPC);
	assert_int_equal(buf[3], 0xAA);
	assert_int_equal(ucs2_to_utf8(emoji, 4, buf, 4), 4);
	memset(buf, 0xAA, sizeof(buf));
	assert_int_equal(text_decode_mo(3, (const uint8_t *)"\xE9", 1, buf, 1),
			 -ENOSPC);
	assert_int_equal(buf[1], 0xAA);
	assert_int_equal(text_decode_mo(1, (const uint8_t *)"\x80", 1, buf, 2),
			 -ENOSPC);
	assert_int_equal(buf[2], 0xAA);
	assert_int_equal(text_decode_mo(0, (const uint8_t *)"", 0, buf, 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_both_ways),
		cmocka_unit_test(test_broken_utf16),
		cmocka_unit_test(test_invalid_utf8_replaced),
		cmocka_unit_test(test_utf8_helper),
		cmocka_unit_test(test_decode_mo),
		cmocka_unit_test(test_no_overrun),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
