/*
 * textnorm_test.c - the matching normaliser applies every SPEC §3 rule
 * (table of input -> expected matching form), survives invalid UTF-8,
 * honours the output capacity exactly, is idempotent on the table, and
 * guesses the script of a message.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "textnorm.h"

struct tn_case {
	const char *name;
	const char *in;
	size_t len; /* 0: strlen(in) */
	const char *want;
};

#define BIN(s) s, sizeof(s) - 1

static const struct tn_case cases[] = {
	/* empty and blank */
	{"empty", "", 0, ""},
	{"spaces only", "   ", 0, ""},
	{"tabs and newlines", "\t\r\n \v\f", 0, ""},
	{"ascii unchanged", "status", 0, "status"},
	{"trim", "  help  ", 0, "help"},
	{"collapse", "a  \t\n b", 0, "a b"},
	{"nbsp and em space",
	 "a\xc2\xa0\xe2\x80\x83"
	 "b",
	 0, "a b"},
	{"ideographic space",
	 "a\xe3\x80\x80"
	 "b",
	 0, "a b"},
	{"controls are spaces",
	 BIN("a\x01\x00\x7f"
	     "b"),
	 "a b"},
	{"C1 control",
	 "a\xc2\x85"
	 "b",
	 0, "a b"},
	/* Latin lower case */
	{"ascii upper", "STATUS", 0, "status"},
	{"mixed case", "StAtUs Ref", 0, "status ref"},
	{"latin-1 upper", "ÀÉÎÕÜÇÑ", 0, "àéîõüçñ"},
	{"latin-1 lower kept", "àéîõüçñ", 0, "àéîõüçñ"},
	{"decomposed e acute composes", "E\xcc\x81", 0, "é"},
	{"dotted capital I", "İ", 0, "i\xcc\x87"},
	{"greek", "ΣΩ", 0, "σω"},
	{"fullwidth latin", "ＳＴＡＴＵＳ", 0, "status"},
	{"fi ligature", "ﬁle", 0, "file"},
	{"kelvin sign", "\xe2\x84\xaa", 0, "k"},
	/* digits */
	{"ascii digits", "4839201753", 0, "4839201753"},
	{"arabic-indic digits", "٠١٢٣٤٥٦٧٨٩", 0, "0123456789"},
	{"persian digits", "۰۱۲۳۴۵۶۷۸۹", 0, "0123456789"},
	{"fullwidth digits", "１２３", 0, "123"},
	{"mixed digit scripts", "٤8۳", 0, "483"},
	{"reference with arabic digits", "حالة ٤٨٣ ٩٢٠ ١٧٥٣", 0,
	 "حاله 483 920 1753"},
	/* alef, yeh, teh marbuta, Persian letters */
	{"alef madda", "آمن", 0, "امن"},
	{"alef hamza above", "أحمد", 0, "احمد"},
	{"alef hamza below", "إسلام", 0, "اسلام"},
	{"alef wasla", "ٱلله", 0, "الله"},
	{"alef maksura", "شكوى", 0, "شكوي"},
	{"teh marbuta", "جديدة", 0, "جديده"},
	{"farsi yeh", "\xdb\x8c", 0, "ي"},
	{"keheh", "\xda\xa9", 0, "ك"},
	{"persian word", "کار یک", 0, "كار يك"},
	{"hamza on waw and yeh", "مؤسسة رئيس", 0, "موسسه رييس"},
	{"alef + combining hamza", "\xd8\xa7\xd9\x94", 0, "ا"},
	/* tatweel and diacritics */
	{"tatweel", "شـــكـوى", 0, "شكوي"},
	{"fatha", "\xd9\x83\xd9\x8e", 0, "ك"},
	{"all harakat",
	 "ب\xd9\x8b\xd9\x8c\xd9\x8d\xd9\x8e\xd9\x8f\xd9\x90"
	 "\xd9\x91\xd9\x92",
	 0, "ب"},
	{"harakat 0653-065f",
	 "ب\xd9\x93\xd9\x94\xd9\x95\xd9\x96\xd9\x97\xd9\x98\xd9\x99\xd9\x9a"
	 "\xd9\x9b\xd9\x9c\xd9\x9d\xd9\x9e\xd9\x9f",
	 0, "ب"},
	{"superscript alef",
	 "ه\xd9\xb0"
	 "ذا",
	 0, "هذا"},
	{"quranic marks", "م\xdb\x96\xdb\x97\xdb\x98\xdb\xa1\xdb\xad", 0, "م"},
	{"fully vocalised", "مُحَمَّدٌ", 0, "محمد"},
	{"vocalised sentence", "السَّلَامُ عَلَيْكُمْ", 0, "السلام عليكم"},
	{"shadda on alef maksura", "عَلَى", 0, "علي"},
	/* bidi and zero-width controls */
	{"rlm inside word", "شك\xe2\x80\x8fوى", 0, "شكوي"},
	{"lrm inside word", "sta\xe2\x80\x8etus", 0, "status"},
	{"zwsp zwnj zwj",
	 "a\xe2\x80\x8b\xe2\x80\x8c\xe2\x80\x8d"
	 "b",
	 0, "ab"},
	{"embeddings",
	 "\xe2\x80\xaa\xe2\x80\xab"
	 "x\xe2\x80\xac\xe2\x80\xad"
	 "\xe2\x80\xae",
	 0, "x"},
	{"isolates",
	 "\xe2\x81\xa6"
	 "a\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9",
	 0, "a"},
	{"arabic letter mark",
	 "\xd8\x9c"
	 "حالة",
	 0, "حاله"},
	{"bom", "\xef\xbb\xbfhelp", 0, "help"},
	{"bidi between digits", "483\xe2\x80\x8f 920", 0, "483 920"},
	/* presentation forms */
	{"lam-alef isolated", "\xef\xbb\xbb", 0, "لا"},
	{"lam-alef final", "\xef\xbb\xbc", 0, "لا"},
	{"lam-alef hamza above", "\xef\xbb\xb7", 0, "لا"},
	{"isolated letters", "\xef\xba\x8d\xef\xbb\x9f", 0, "ال"},
	{"contextual forms word",
	 "\xef\xbb\xa3\xef\xba\xa4\xef\xbb\xa4\xef"
	 "\xba\xaa",
	 0, "محمد"},
	{"presentation teh marbuta", "\xef\xba\x93", 0, "ه"},
	{"presentation alef maksura", "\xef\xbb\xaf", 0, "ي"},
	{"presentation harakat",
	 "\xef\xb9\xb6"
	 "ب\xef\xb9\xb7",
	 0, "ب"},
	{"allah ligature", "\xef\xb7\xb2", 0, "الله"},
	{"salla ligature", "\xef\xb7\xba", 0, "صلي الله عليه وسلم"},
	{"farsi yeh presentation", "\xef\xaf\xbc", 0, "ي"},
	/* separators */
	{"arabic comma", "شكوى،جديدة", 0, "شكوي جديده"},
	{"arabic semicolon", "أ؛ب", 0, "ا ب"},
	{"arabic question mark", "أين؟", 0, "اين"},
	{"question mark mid", "ماذا؟ لماذا", 0, "ماذا لماذا"},
	{"ascii punctuation kept", "help, now?", 0, "help, now?"},
	/* mixed */
	{"mixed arabic english", "STATUS حالة ٤٨٣", 0, "status حاله 483"},
	{"english then arabic", "Ref: ٤٨٣٩٢٠١٧٥٣ شكرًا", 0,
	 "ref: 4839201753 شكرا"},
	/* invalid UTF-8 */
	{"lone continuation",
	 "a\x80"
	 "b",
	 0,
	 "a\xef\xbf\xbd"
	 "b"},
	{"bad lead ff", "\xff", 0, "\xef\xbf\xbd"},
	{"truncated 2-byte", "a\xc3", 0, "a\xef\xbf\xbd"},
	{"truncated 3-byte at end", "x\xe2\x80", 0, "x\xef\xbf\xbd"},
	{"truncated mid",
	 "\xe2\x80"
	 "a",
	 0,
	 "\xef\xbf\xbd"
	 "a"},
	{"overlong slash", "\xc0\xaf", 0, "\xef\xbf\xbd\xef\xbf\xbd"},
	{"overlong 3-byte", "\xe0\x80\xaf", 0,
	 "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
	{"surrogate", "\xed\xa0\x80", 0,
	 "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
	{"above 10ffff", "\xf4\x90\x80\x80", 0,
	 "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
	{"invalid inside arabic", "شك\xffوى", 0, "شك\xef\xbf\xbdوي"},
	{"valid 4-byte kept", "\xf0\x9f\x98\x80", 0, "\xf0\x9f\x98\x80"},
};

static size_t
case_len(const struct tn_case *c)
{
	return c->len ? c->len : strlen(c->in);
}

static void
test_table(void **state)
{
	uint8_t out[1024], again[1024];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tn_case *c = &cases[i];
		size_t len = case_len(c);
		int n = textnorm((const uint8_t *)c->in, len, out, sizeof(out));

		if (n < 0 || (size_t)n != strlen(c->want) ||
		    memcmp(out, c->want, (size_t)n) != 0) {
			print_error("case %zu (%s): got %d \"%.*s\"\n", i,
				    c->name, n, n > 0 ? n : 0, (char *)out);
			fail();
		}
		assert_true((size_t)n <= TEXTNORM_MAX(len));
		/* idempotent */
		assert_int_equal(textnorm(out, (size_t)n, again, sizeof(again)),
				 n);
		assert_memory_equal(out, again, (size_t)n);
	}
	assert_true(sizeof(cases) / sizeof(cases[0]) >= 60);
}

static void
test_capacity(void **state)
{
	/* "ﻻ" (3 bytes) -> "لا" (4 bytes): exactly 4 fits, 3 does not */
	const uint8_t in[] = "\xef\xbb\xbb";
	uint8_t out[8];

	memset(out, 0xAA, sizeof(out));
	assert_int_equal(textnorm(in, 3, out, 4), 4);
	assert_memory_equal(out, "لا", 4);
	assert_int_equal(out[4], 0xAA); /* nothing past the result */
	assert_int_equal(textnorm(in, 3, out, 3), -ENOSPC);
	assert_int_equal(textnorm(in, 3, out, 0), -ENOSPC);

	/* with a space in the middle: "a b" needs 3 */
	assert_int_equal(textnorm((const uint8_t *)"A  B", 4, out, 3), 3);
	assert_int_equal(textnorm((const uint8_t *)"A  B", 4, out, 2), -ENOSPC);
	/* blank input needs nothing */
	assert_int_equal(textnorm((const uint8_t *)"  ", 2, out, 0), 0);
	assert_int_equal(textnorm(NULL, 0, NULL, 0), 0);
}

static void
test_bound(void **state)
{
	/* the worst case: U+FDFA repeated, 3 bytes -> 33 bytes each */
	uint8_t in[30], out[TEXTNORM_MAX(30)];

	for (int i = 0; i < 10; i++)
		memcpy(in + 3 * i, "\xef\xb7\xba", 3);
	assert_int_equal(textnorm(in, sizeof(in), out, sizeof(out)),
			 (int)TEXTNORM_MAX(sizeof(in)));
	assert_int_equal(textnorm(in, sizeof(in), out, sizeof(out) - 1),
			 -ENOSPC);

	/* every single code point stays within the bound and is idempotent */
	for (uint32_t c = 0; c < 0x110000; c += 1) {
		uint8_t u[4], o1[64], o2[64];
		size_t l;
		int n;

		if (c >= 0xD800 && c <= 0xDFFF)
			continue;
		if (c < 0x80) {
			u[0] = (uint8_t)c;
			l = 1;
		} else if (c < 0x800) {
			u[0] = (uint8_t)(0xC0 | (c >> 6));
			u[1] = (uint8_t)(0x80 | (c & 0x3F));
			l = 2;
		} else if (c < 0x10000) {
			u[0] = (uint8_t)(0xE0 | (c >> 12));
			u[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
			u[2] = (uint8_t)(0x80 | (c & 0x3F));
			l = 3;
		} else {
			u[0] = (uint8_t)(0xF0 | (c >> 18));
			u[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3F));
			u[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
			u[3] = (uint8_t)(0x80 | (c & 0x3F));
			l = 4;
		}
		n = textnorm(u, l, o1, TEXTNORM_MAX(l));
		assert_true(n >= 0);
		assert_int_equal(textnorm(o1, (size_t)n, o2, sizeof(o2)), n);
		assert_memory_equal(o1, o2, (size_t)n);
	}
}

static void
test_script(void **state)
{
	static const struct {
		const char *in;
		enum text_script want;
	} s[] = {
		{"", TEXT_SCRIPT_NONE},
		{"4839201753", TEXT_SCRIPT_NONE},
		{"٤٨٣ - ؟!", TEXT_SCRIPT_NONE},
		{"\xd9\x8e\xd9\x91", TEXT_SCRIPT_NONE}, /* marks only */
		{"Привет", TEXT_SCRIPT_NONE},           /* other script */
		{"status", TEXT_SCRIPT_LATIN},
		{"Ça va", TEXT_SCRIPT_LATIN},
		{"حالة", TEXT_SCRIPT_ARABIC},
		{"\xef\xbb\xbb", TEXT_SCRIPT_ARABIC},   /* presentation form */
		{"status حالة ٤٨٣", TEXT_SCRIPT_LATIN}, /* 6 vs 4 */
		{"STATUS شكوى جديدة", TEXT_SCRIPT_ARABIC},
		{"ab جد", TEXT_SCRIPT_ARABIC}, /* tie */
		{"کار", TEXT_SCRIPT_ARABIC},   /* Persian letters */
		{"\xff\xfe"
		 "ab",
		 TEXT_SCRIPT_LATIN},
	};

	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		enum text_script got = textnorm_script((const uint8_t *)s[i].in,
						       strlen(s[i].in));
		if (got != s[i].want) {
			print_error("script case %zu: got %d\n", i, (int)got);
			fail();
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_script),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
