/*
 * refdisplay_test.c - references print as "483 920 1753" (English) and
 * "4839201753" (Arabic), and parse leniently from any digit script with
 * spaces, hyphens, dots and bidi marks, rejecting everything else.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "refdisplay.h"

static void
test_format_en(void **state)
{
	char out[REF_EN_SIZE + 2];

	memset(out, 'x', sizeof(out));
	assert_int_equal(ref_format_en("4839201753", out, REF_EN_SIZE), 12);
	assert_string_equal(out, "483 920 1753");
	assert_int_equal(out[REF_EN_SIZE], 'x');
	assert_int_equal(ref_format_en("0000000000", out, sizeof(out)), 12);
	assert_string_equal(out, "000 000 0000");

	memset(out, 'x', sizeof(out));
	assert_int_equal(ref_format_en("4839201753", out, REF_EN_SIZE - 1),
			 -ENOSPC);
	assert_int_equal(out[0], 'x');
	assert_int_equal(ref_format_en("4839201753", out, 0), -ENOSPC);
	assert_int_equal(ref_format_en("48392O1753", out, sizeof(out)),
			 -EINVAL);
	assert_int_equal(ref_format_en("483920175", out, sizeof(out)),
			 -EINVAL); /* NUL as 10th digit */
}

static void
test_format_ar(void **state)
{
	char out[REF_AR_SIZE + 2];
	/* digits need not be NUL-terminated */
	const char d[10] = {'4', '8', '3', '9', '2', '0', '1', '7', '5', '3'};

	memset(out, 'x', sizeof(out));
	assert_int_equal(ref_format_ar(d, out, REF_AR_SIZE), 10);
	assert_string_equal(out, "4839201753");
	assert_int_equal(out[REF_AR_SIZE], 'x');
	assert_null(strchr(out, ' '));
	assert_int_equal(ref_format_ar(d, out, REF_AR_SIZE - 1), -ENOSPC);
	assert_int_equal(ref_format_ar("12345 7890", out, sizeof(out)),
			 -EINVAL);
	assert_int_equal(ref_format_en(d, out, REF_EN_SIZE - 1), -ENOSPC);
}

static void
test_parse_ok(void **state)
{
	static const char *const ok[] = {
		"4839201753",
		"483 920 1753",
		"  483-920-1753  ",
		"483.920.1753",
		"4 8 3 9 2 0 1 7 5 3",
		"\t483920\n1753\r",
		"٤٨٣٩٢٠١٧٥٣",   /* Arabic-Indic */
		"٤٨٣ ٩٢٠ ١٧٥٣", /* grouped */
		"۴۸۳۹۲۰۱۷۵۳",   /* Persian */
		"۴۸۳-٩٢٠-1753", /* three scripts */
		"\xe2\x80\x8f٤٨٣\xe2\x80\x8f ٩٢٠\xe2\x80\x8e "
		"1753", /* RLM LRM */
		"\xe2\x81\xa6"
		"483 920 1753\xe2\x81\xa9", /* isolate */
		"\xe2\x80\xab"
		"483 920 1753\xe2\x80\xac", /* RLE PDF */
		"\xd8\x9c"
		"4839201753", /* ALM */
		"483\xe2\x80\x93"
		"920\xe2\x80\x94"
		"1753", /* dashes */
		"483\xc2\xa0"
		"920\xe2\x80\xaf"
		"1753",         /* nbsp */
		"٤٨٣٬٩٢٠٬١٧٥٣", /* Arabic thousands sep */
		"483\xe2\x88\x92"
		"920\xe2\x88\x92"
		"1753", /* minus */
		"\xef\xbc\x94\xef\xbc\x98\xef\xbc\x93"
		"9201753", /* fullwidth */
		"\xef\xbb\xbf"
		"4839201753", /* BOM */
		"483\xe2\x80\x8b"
		"9201753", /* ZWSP */
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char out[11];
		int rc = ref_parse((const uint8_t *)ok[i], strlen(ok[i]), out);

		if (rc != 0 || strcmp(out, "4839201753") != 0) {
			print_error("parse case %zu: rc %d out \"%s\"\n", i, rc,
				    out);
			fail();
		}
	}
}

static void
test_parse_bad(void **state)
{
	static const struct {
		const char *in;
		size_t len;
	} bad[] = {
		{"", 0},
		{"   ", 3},
		{"483920175", 9},       /* 9 digits */
		{"48392017530", 11},    /* 11 digits */
		{"483 920 1753 1", 14}, /* 11 digits */
		{"REF4839201753", 13},  /* letters */
		{"4839201753a", 11},
		{"483/920/1753", 12}, /* slash is not a separator */
		{"483,920,1753", 12}, /* comma neither */
		{"+4839201753", 11},
		{"٤٨٣٩٢٠١٧٥", 18},       /* 9 Arabic-Indic digits */
		{"حالة 4839201753", 19}, /* Arabic word */
		{"4839201753\xff", 11},  /* invalid UTF-8 */
		{"48392\xc3"
		 "01753",
		 11}, /* truncated sequence */
		{"\xc0\xb4"
		 "839201753",
		 11}, /* overlong '4' */
		{"4839\x00"
		 "201753",
		 11},               /* NUL */
		{"१२३४५६७८९०", 30}, /* Devanagari: not accepted */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char out[11];

		memset(out, 'x', sizeof(out));
		if (ref_parse((const uint8_t *)bad[i].in, bad[i].len, out) !=
		    -EINVAL) {
			print_error("bad case %zu accepted\n", i);
			fail();
		}
		assert_int_equal(out[0], '\0');
	}
}

static void
test_roundtrip(void **state)
{
	char en[REF_EN_SIZE], ar[REF_AR_SIZE], back[11];
	const char *d = "1000000009";

	assert_int_equal(ref_format_en(d, en, sizeof(en)), 12);
	assert_int_equal(ref_parse((const uint8_t *)en, strlen(en), back), 0);
	assert_string_equal(back, d);
	assert_int_equal(ref_format_ar(d, ar, sizeof(ar)), 10);
	assert_int_equal(ref_parse((const uint8_t *)ar, strlen(ar), back), 0);
	assert_string_equal(back, d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_en),
		cmocka_unit_test(test_format_ar),
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
