/*
 * gsm7_test.c - GSM 03.38 default alphabet and extension table both ways,
 * '@' as 0x00 inside octet strings, 7-bit packing (with fill bits after a
 * UDH) against known vectors and a bit-by-bit reference, and the error
 * contract (-EILSEQ, -ENOSPC, never writing past cap). SPEC §3.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gsm7.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* 3GPP TS 23.038 §6.2.1, written out independently of protocol/gsm7.c. */
static const char *const base[128] = {
	"@",  "£",  "$", "¥", "è", "é", "ù", "ì", "ò",  "Ç", "\n", "Ø", "ø",
	"\r", "Å",  "å", "Δ", "_", "Φ", "Γ", "Λ", "Ω",  "Π", "Ψ",  "Σ", "Θ",
	"Ξ",  NULL, "Æ", "æ", "ß", "É", " ", "!", "\"", "#", "¤",  "%", "&",
	"'",  "(",  ")", "*", "+", ",", "-", ".", "/",  "0", "1",  "2", "3",
	"4",  "5",  "6", "7", "8", "9", ":", ";", "<",  "=", ">",  "?", "¡",
	"A",  "B",  "C", "D", "E", "F", "G", "H", "I",  "J", "K",  "L", "M",
	"N",  "O",  "P", "Q", "R", "S", "T", "U", "V",  "W", "X",  "Y", "Z",
	"Ä",  "Ö",  "Ñ", "Ü", "§", "¿", "a", "b", "c",  "d", "e",  "f", "g",
	"h",  "i",  "j", "k", "l", "m", "n", "o", "p",  "q", "r",  "s", "t",
	"u",  "v",  "w", "x", "y", "z", "ä", "ö", "ñ",  "ü", "à",
};

static const struct {
	uint8_t code;
	const char *utf8;
} ext[] = {
	{0x0A, "\f"}, {0x14, "^"}, {0x28, "{"}, {0x29, "}"}, {0x2F, "\\"},
	{0x3C, "["},  {0x3D, "~"}, {0x3E, "]"}, {0x40, "|"}, {0x65, "€"},
};

static void
test_base_both_ways(void **state)
{
	uint8_t sep[4], out[8];
	size_t chars;
	int n;

	for (unsigned i = 0; i < 128; i++) {
		if (!base[i])
			continue;
		size_t l = strlen(base[i]);
		uint8_t s = (uint8_t)i;

		n = gsm7_from_utf8((const uint8_t *)base[i], l, sep,
				   sizeof(sep), &chars);
		assert_int_equal(n, 1);
		assert_int_equal(sep[0], i);
		assert_int_equal(chars, 1);
		assert_int_equal(
			gsm7_septets_needed((const uint8_t *)base[i], l), 1);
		n = gsm7_to_utf8(&s, 1, out, sizeof(out));
		assert_int_equal(n, (int)l);
		assert_memory_equal(out, base[i], l);
	}
}

static void
test_ext_both_ways(void **state)
{
	uint8_t sep[4], out[8];
	size_t chars;
	int n;

	for (unsigned i = 0; i < N(ext); i++) {
		size_t l = strlen(ext[i].utf8);
		uint8_t pair[2] = {0x1B, ext[i].code};

		n = gsm7_from_utf8((const uint8_t *)ext[i].utf8, l, sep,
				   sizeof(sep), &chars);
		assert_int_equal(n, 2);
		assert_int_equal(chars, 1);
		assert_memory_equal(sep, pair, 2);
		assert_int_equal(
			gsm7_septets_needed((const uint8_t *)ext[i].utf8, l),
			2);
		n = gsm7_to_utf8(pair, 2, out, sizeof(out));
		assert_int_equal(n, (int)l);
		assert_memory_equal(out, ext[i].utf8, l);
	}
}

static void
test_at_sign_is_zero(void **state)
{
	static const struct {
		const char *utf8;
		size_t nsep;
		uint8_t sep[8];
	} v[] = {
		{"@abc", 4, {0x00, 'a', 'b', 'c'}},
		{"abc@", 4, {'a', 'b', 'c', 0x00}},
		{"a@b", 3, {'a', 0x00, 'b'}},
		{"@@", 2, {0x00, 0x00}},
		{"@€@", 4, {0x00, 0x1B, 0x65, 0x00}},
	};
	uint8_t sep[16], out[32], packed[16], back[16];
	int n;

	for (unsigned i = 0; i < N(v); i++) {
		size_t l = strlen(v[i].utf8);

		n = gsm7_from_utf8((const uint8_t *)v[i].utf8, l, sep,
				   sizeof(sep), NULL);
		assert_int_equal(n, (int)v[i].nsep);
		assert_memory_equal(sep, v[i].sep, v[i].nsep);
		n = gsm7_to_utf8(v[i].sep, v[i].nsep, out, sizeof(out));
		assert_int_equal(n, (int)l);
		assert_memory_equal(out, v[i].utf8, l);
		for (unsigned fill = 0; fill <= 6; fill++) {
			n = gsm7_pack(v[i].sep, v[i].nsep, fill, packed,
				      sizeof(packed));
			assert_true(n > 0);
			n = gsm7_unpack(packed, (size_t)n, fill, v[i].nsep,
					back, sizeof(back));
			assert_int_equal(n, (int)v[i].nsep);
			assert_memory_equal(back, v[i].sep, v[i].nsep);
		}
	}
}

static void
test_known_packed_vectors(void **state)
{
	static const struct {
		const char *text;
		size_t plen;
		uint8_t packed[16];
	} v[] = {
		{"hellohello",
		 9,
		 {0xe8, 0x32, 0x9b, 0xfd, 0x46, 0x97, 0xd9, 0xec, 0x37}},
		{"hello", 5, {0xe8, 0x32, 0x9b, 0xfd, 0x06}},
		{"12345678", 7, {0x31, 0xd9, 0x8c, 0x56, 0xb3, 0xdd, 0x70}},
		{"", 0, {0}},
	};
	uint8_t sep[32], packed[32], back[32];
	int n, np;

	for (unsigned i = 0; i < N(v); i++) {
		size_t l = strlen(v[i].text);

		n = gsm7_from_utf8((const uint8_t *)v[i].text, l, sep,
				   sizeof(sep), NULL);
		assert_int_equal(n, (int)l);
		np = gsm7_pack(sep, (size_t)n, 0, packed, sizeof(packed));
		assert_int_equal(np, (int)v[i].plen);
		assert_memory_equal(packed, v[i].packed, v[i].plen);
		n = gsm7_unpack(v[i].packed, v[i].plen, 0, l, back,
				sizeof(back));
		assert_int_equal(n, (int)l);
		assert_memory_equal(back, sep, l);
	}
}

/* Bit-by-bit reference: septet bit b of septet i goes to stream bit
 * fill + 7 * i + b, stream bit k being bit k % 8 of octet k / 8. */
static size_t
ref_pack(const uint8_t *sep, size_t n, unsigned fill, uint8_t *out)
{
	size_t bits = fill + 7 * n, len = (bits + 7) / 8;

	memset(out, 0, len);
	for (size_t i = 0; i < n; i++)
		for (unsigned b = 0; b < 7; b++)
			if (sep[i] & (1u << b)) {
				size_t k = fill + 7 * i + b;
				out[k / 8] |= (uint8_t)(1u << (k % 8));
			}
	return len;
}

static void
test_fill_bits_after_udh(void **state)
{
	/* Concatenation UDH (6 octets = 48 bits) needs 1 fill bit; 7-octet
	 * UDH (16-bit ref) needs 0... every fill 1..6 is exercised. */
	const char *text = "Tawasul: case 12345 received @ {ok} €";
	uint8_t sep[64], packed[80], ref[80], back[64];
	int n, np;

	n = gsm7_from_utf8((const uint8_t *)text, strlen(text), sep,
			   sizeof(sep), NULL);
	assert_true(n > 0);
	for (unsigned fill = 1; fill <= 6; fill++) {
		size_t rl = ref_pack(sep, (size_t)n, fill, ref);

		memset(packed, 0xAA, sizeof(packed));
		np = gsm7_pack(sep, (size_t)n, fill, packed, sizeof(packed));
		assert_int_equal(np, (int)rl);
		assert_memory_equal(packed, ref, rl);
		assert_int_equal(packed[0] & ((1u << fill) - 1), 0);
		assert_int_equal(packed[rl], 0xAA); /* not past the end */
		/* After a UDH the UDL counts septets including the fill. */
		assert_int_equal(gsm7_unpack(packed, (size_t)np, fill,
					     (size_t)n, back, sizeof(back)),
				 n);
		assert_memory_equal(back, sep, (size_t)n);
	}
	/* 6-octet UDH + 1 fill bit: "hello" after 0x05 00 03 ref 2 1. */
	{
		uint8_t hello[5] = {'h', 'e', 'l', 'l', 'o'};
		uint8_t want[5] = {0xd0, 0x65, 0x36, 0xfb, 0x0d};

		np = gsm7_pack(hello, 5, 1, packed, sizeof(packed));
		assert_int_equal(np, 5);
		assert_memory_equal(packed, want, 5);
	}
}

static void
test_full_single_sms(void **state)
{
	uint8_t text[400], sep[200], packed[160], back[200], out[400];
	size_t l = 0;
	int n;

	/* 160 default-table characters, cycling through all of them. */
	for (unsigned i = 0, k = 0; k < 160; i++) {
		const char *c = base[i % 128];

		if (!c)
			continue;
		memcpy(text + l, c, strlen(c));
		l += strlen(c);
		k++;
	}
	assert_int_equal(gsm7_septets_needed(text, l), 160);
	n = gsm7_from_utf8(text, l, sep, 160, NULL);
	assert_int_equal(n, 160);
	assert_int_equal(gsm7_pack(sep, 160, 0, packed, 140), 140);
	assert_int_equal(gsm7_pack(sep, 160, 0, packed, 139), -ENOSPC);
	assert_int_equal(gsm7_unpack(packed, 140, 0, 160, back, 160), 160);
	assert_memory_equal(back, sep, 160);
	assert_int_equal(gsm7_to_utf8(back, 160, out, sizeof(out)), (int)l);
	assert_memory_equal(out, text, l);

	/* 80 extension characters: 160 septets, 140 octets. */
	l = 0;
	for (unsigned i = 0; i < 80; i++) {
		const char *c = ext[i % N(ext)].utf8;
		memcpy(text + l, c, strlen(c));
		l += strlen(c);
	}
	assert_int_equal(gsm7_septets_needed(text, l), 160);
	assert_int_equal(gsm7_from_utf8(text, l, sep, 159, NULL), -ENOSPC);
	n = gsm7_from_utf8(text, l, sep, 160, NULL);
	assert_int_equal(n, 160);
	assert_int_equal(gsm7_pack(sep, 160, 0, packed, 140), 140);
	assert_int_equal(gsm7_unpack(packed, 140, 0, 160, back, 160), 160);
	assert_int_equal(gsm7_to_utf8(back, 160, out, sizeof(out)), (int)l);
	assert_memory_equal(out, text, l);
}

static void
test_no_mapping(void **state)
{
	static const char *const v[] = {
		"مرحبا",               /* Arabic */
		"ok \xF0\x9F\x98\x80", /* emoji */
		"ç",        /* lower-case c cedilla: not in the table */
		"\t",       /* tab */
		"`",        /* grave accent */
		"\xC2\xA0", /* NBSP */
		"\x1B",     /* a raw escape is not a character */
	};
	uint8_t sep[64];
	size_t chars = 99;

	for (unsigned i = 0; i < N(v); i++) {
		size_t l = strlen(v[i]);
		assert_int_equal(gsm7_from_utf8((const uint8_t *)v[i], l, sep,
						sizeof(sep), &chars),
				 -EILSEQ);
		assert_int_equal(gsm7_septets_needed((const uint8_t *)v[i], l),
				 -EILSEQ);
	}
	assert_int_equal(gsm7_from_utf8((const uint8_t *)"ab\xD8\xB3", 4, sep,
					sizeof(sep), &chars),
			 -EILSEQ);
	assert_int_equal(chars, 2);
}

static void
test_invalid_utf8(void **state)
{
	static const struct {
		const char *s;
		size_t len;
	} v[] = {
		{"\xC0\xA0", 2},         /* overlong space */
		{"\xE0\x80\xA0", 3},     /* overlong */
		{"\xC3", 1},             /* truncated é */
		{"\xE2\x82", 2},         /* truncated € */
		{"\xFF", 1},             /* never valid */
		{"\xED\xA0\x80", 3},     /* encoded surrogate */
		{"a\x80", 2},            /* stray continuation */
		{"\xF4\x90\x80\x80", 4}, /* above U+10FFFF */
	};
	uint8_t sep[16];

	for (unsigned i = 0; i < N(v); i++) {
		assert_int_equal(gsm7_from_utf8((const uint8_t *)v[i].s,
						v[i].len, sep, sizeof(sep),
						NULL),
				 -EILSEQ);
		assert_int_equal(
			gsm7_septets_needed((const uint8_t *)v[i].s, v[i].len),
			-EILSEQ);
	}
}

static void
test_receiving_rules(void **state)
{
	static const struct {
		uint8_t in[4];
		size_t n;
		const char *want;
	} v[] = {
		{{'a', 0x1B}, 2, "a "},       /* lone trailing escape */
		{{0x1B, 0x1B, 'b'}, 3, " b"}, /* escape to nowhere */
		{{0x1B, 'A'}, 2, "A"},        /* unknown escape: base char */
		{{0x1B, 0x00}, 2, "@"},       /* unknown escape: @ */
		{{0x1B, 0x0D}, 2, "\r"},      /* SS2 unsupported: base */
		{{0x80, 'x'}, 2, "\xEF\xBF\xBDx"}, /* not a septet */
		{{0x1B, 0x94}, 2, "\xEF\xBF\xBD"},
	};
	uint8_t out[16];

	for (unsigned i = 0; i < N(v); i++) {
		size_t l = strlen(v[i].want);
		assert_int_equal(
			gsm7_to_utf8(v[i].in, v[i].n, out, sizeof(out)),
			(int)l);
		assert_memory_equal(out, v[i].want, l);
	}
}

static void
test_no_overrun(void **state)
{
	const uint8_t *euro = (const uint8_t *)"x€";
	uint8_t buf[8], sep[2] = {0x1B, 0x65};
	size_t chars = 99;

	/* An escape pair is never split. */
	memset(buf, 0xAA, sizeof(buf));
	assert_int_equal(gsm7_from_utf8(euro, 4, buf, 2, &chars), -ENOSPC);
	assert_int_equal(chars, 1);
	assert_int_equal(buf[0], 'x');
	assert_int_equal(buf[1], 0xAA);
	assert_int_equal(buf[2], 0xAA);
	/* € needs 3 bytes of UTF-8. */
	memset(buf, 0xAA, sizeof(buf));
	assert_int_equal(gsm7_to_utf8(sep, 2, buf, 2), -ENOSPC);
	assert_int_equal(buf[2], 0xAA);
	assert_int_equal(gsm7_to_utf8(sep, 2, buf, 3), 3);
	assert_int_equal(gsm7_to_utf8(sep, 0, buf, 0), 0);
	/* Packing and unpacking limits. */
	assert_int_equal(gsm7_pack(sep, 2, 7, buf, sizeof(buf)), -EINVAL);
	sep[1] = 0x80;
	assert_int_equal(gsm7_pack(sep, 2, 0, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(gsm7_unpack(buf, 1, 0, 2, sep, 2), -EINVAL);
	assert_int_equal(gsm7_unpack(buf, 2, 3, 2, sep, 2), -EINVAL);
	assert_int_equal(gsm7_unpack(buf, 2, 2, 2, sep, 2), 2);
	assert_int_equal(gsm7_unpack(buf, 2, 0, 2, sep, 1), -ENOSPC);
	assert_int_equal(gsm7_unpack(buf, 2, 7, 1, sep, 2), -EINVAL);
	assert_int_equal(gsm7_pack(sep, 0, 3, buf, 0), -ENOSPC);
	assert_int_equal(gsm7_pack(sep, 0, 0, buf, 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_both_ways),
		cmocka_unit_test(test_ext_both_ways),
		cmocka_unit_test(test_at_sign_is_zero),
		cmocka_unit_test(test_known_packed_vectors),
		cmocka_unit_test(test_fill_bits_after_udh),
		cmocka_unit_test(test_full_single_sms),
		cmocka_unit_test(test_no_mapping),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_receiving_rules),
		cmocka_unit_test(test_no_overrun),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
