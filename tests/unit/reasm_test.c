/*
 * reasm_test.c - joining MO parts: out of order, pairs split across
 * parts by the sender, gaps marked once per run, duplicates and stray
 * sequence numbers ignored, mixed codings, exact buffer bounds.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "reasm.h"
#include "ucs2.h"

static uint8_t out[4096];

static void
expect(const struct reasm_part *p, size_t n, unsigned total, const char *want,
       int want_complete)
{
	int complete = -1;
	int len = reasm_join(p, n, total, out, sizeof(out), &complete);

	assert_true(len >= 0);
	out[len] = '\0';
	assert_string_equal((const char *)out, want);
	assert_int_equal(complete, want_complete);
}

static void
test_arabic_out_of_order(void **state)
{
	const char *text = "شكوى: انقطاع الكهرباء في المحرق منذ الصباح";
	uint8_t be[512];
	int n = ucs2_from_utf8((const uint8_t *)text, strlen(text), be,
			       sizeof(be));
	assert_true(n > 0);
	size_t third = (size_t)n / 6 * 2; /* even split points */
	struct reasm_part p[3] = {
		{3, 8, be + 2 * third, (size_t)n - 2 * third},
		{1, 8, be, third},
		{2, 8, be + third, third},
	};
	expect(p, 3, 3, text, 1);
}

static void
test_pairs_split_by_sender(void **state)
{
	/* U+1F600 as D83D DE00, cut between the halves */
	static const uint8_t a[] = {0x00, 0x41, 0xd8, 0x3d};
	static const uint8_t b[] = {0xde, 0x00, 0x00, 0x42};
	struct reasm_part p[] = {{2, 8, b, sizeof(b)}, {1, 8, a, sizeof(a)}};
	expect(p, 2, 2, "A😀B", 1);

	/* GSM escape pair cut: 1B | 65 is the euro sign */
	static const uint8_t g1[] = {'x', 0x1b};
	static const uint8_t g2[] = {0x65, 'y'};
	struct reasm_part q[] = {{1, 0, g1, 2}, {2, 0, g2, 2}};
	expect(q, 2, 2, "x€y", 1);
}

static void
test_gaps(void **state)
{
	static const uint8_t A[] = {'A'}, B[] = {'B'}, C[] = {'C'};
	struct reasm_part ac[] = {{1, 0, A, 1}, {3, 0, C, 1}};
	expect(ac, 2, 3, "A" REASM_GAP "C", 0);
	struct reasm_part b[] = {{2, 0, B, 1}};
	expect(b, 1, 3, REASM_GAP "B" REASM_GAP, 0);
	struct reasm_part a[] = {{1, 0, A, 1}};
	expect(a, 1, 5, "A" REASM_GAP, 0); /* one marker for 2..5 */
	expect(NULL, 0, 2, REASM_GAP, 0);
}

static void
test_duplicates_and_strays(void **state)
{
	static const uint8_t A[] = {'A'}, X[] = {'X'}, B[] = {'B'};
	struct reasm_part p[] = {{1, 0, A, 1},
				 {1, 0, X, 1},
				 {0, 0, X, 1},
				 {9, 0, X, 1},
				 {2, 0, B, 1}};
	expect(p, 5, 2, "AB", 1);
	assert_int_equal(reasm_join(p, 5, 0, out, sizeof(out), NULL), -EINVAL);
	assert_int_equal(reasm_join(p, 5, 256, out, sizeof(out), NULL),
			 -EINVAL);
}

static void
test_mixed_codings(void **state)
{
	static const uint8_t g[] = {'h', 'i', ' '};
	static const uint8_t u[] = {0x06, 0x45, 0x06, 0x31}; /* مر */
	static const uint8_t l[] = {0xe9};                   /* é Latin-1 */
	static const uint8_t bin[] = {0xff};                 /* dcs 4 */
	struct reasm_part p[] = {
		{1, 0, g, 3}, {2, 8, u, 4}, {3, 3, l, 1}, {4, 4, bin, 1}};
	expect(p, 4, 4, "hi مرéÿ", 1);
}

static void
test_bounds(void **state)
{
	static const uint8_t A[] = {'A', 'B', 'C'};
	struct reasm_part p[] = {{1, 0, A, 3}};
	uint8_t small[8];

	assert_int_equal(reasm_join(p, 1, 1, small, 3, NULL), 3);
	assert_int_equal(reasm_join(p, 1, 1, small, 2, NULL), -ENOSPC);
	assert_int_equal(reasm_join(p, 1, 2, small, 5, NULL), -ENOSPC);
	assert_true(REASM_OUT_MAX(3, 2) >= 3 + sizeof(REASM_GAP));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arabic_out_of_order),
		cmocka_unit_test(test_pairs_split_by_sender),
		cmocka_unit_test(test_gaps),
		cmocka_unit_test(test_duplicates_and_strays),
		cmocka_unit_test(test_mixed_codings),
		cmocka_unit_test(test_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
