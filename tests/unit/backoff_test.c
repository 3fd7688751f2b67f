/*
 * backoff_test.c - delays stay in [min, max], the ceiling doubles per
 * attempt, the jitter spreads, a reset starts small again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "backoff.h"

static void
test_bounds_and_growth(void **state)
{
	struct backoff b;

	backoff_init(&b, 100, 3000, 42);
	/* attempt n: uniform in [100, min(3000, 100 * 2^(n+1))] */
	for (unsigned n = 0; n < 40; n++) {
		unsigned long long ceil = 100ULL << (n + 1 > 6 ? 6 : n + 1);
		if (ceil > 3000)
			ceil = 3000;
		unsigned d = backoff_next(&b);
		assert_in_range(d, 100, ceil);
	}
	assert_int_equal(b.attempt, 40);
}

static void
test_jitter_spreads(void **state)
{
	struct backoff b;
	unsigned lo = ~0u, hi = 0;

	backoff_init(&b, 100, 3000, 7);
	for (int i = 0; i < 1000; i++) {
		b.attempt = 10; /* ceiling 3000 */
		unsigned d = backoff_next(&b);
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
	}
	assert_true(lo < 400);  /* reaches the low end */
	assert_true(hi > 2700); /* and the high end */
}

static void
test_reset_and_edges(void **state)
{
	struct backoff b;

	backoff_init(&b, 50, 10, 0); /* max below min: raised to min */
	assert_int_equal(b.max_ms, 50);
	assert_int_equal(backoff_next(&b), 50);
	backoff_init(&b, 200, 5000, 1);
	for (int i = 0; i < 100; i++)
		backoff_next(&b);
	assert_int_equal(b.attempt, 64); /* capped, no overflow */
	backoff_reset(&b);
	assert_in_range(backoff_next(&b), 200, 400);
	backoff_init(&b, 0, 0, 3); /* degenerate: always 0 */
	assert_int_equal(backoff_next(&b), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bounds_and_growth),
		cmocka_unit_test(test_jitter_spreads),
		cmocka_unit_test(test_reset_and_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
