/*
 * tbucket_test.c - the token bucket holds its rate over simulated time,
 * starts with a burst, reports the right wait.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tbucket.h"

/* Takes tokens as fast as allowed for `ms` of simulated time. */
static unsigned
drain(struct tbucket *tb, uint64_t start, uint64_t ms)
{
	unsigned taken = 0;
	uint64_t now = start;

	while (now < start + ms) {
		unsigned wait = tbucket_take(tb, now);
		if (wait == 0)
			taken++;
		else
			now += wait;
	}
	return taken;
}

static void
test_rates(void **state)
{
	static const unsigned rates[] = {1, 7, 100, 1000, 100000};

	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		struct tbucket tb;
		unsigned r = rates[i];
		tbucket_init(&tb, r, 0, 5000);
		/* over 10 s: 10 * rate, plus the initial burst, never more */
		unsigned got = drain(&tb, 5000, 10000);
		unsigned burst = r / 20 ? r / 20 : 1;
		assert_in_range(got, 10 * r, 10 * r + burst + 1);
	}
}

static void
test_wait(void **state)
{
	struct tbucket tb;

	tbucket_init(&tb, 100, 1, 0); /* one token every 10 ms */
	assert_int_equal(tbucket_take(&tb, 0), 0);
	assert_int_equal(tbucket_take(&tb, 0), 10);
	assert_int_equal(tbucket_take(&tb, 4), 6);
	assert_int_equal(tbucket_take(&tb, 10), 0);
	/* time going backwards refills nothing */
	assert_true(tbucket_take(&tb, 5) > 0);
	/* a long idle refills up to the burst only */
	assert_int_equal(tbucket_take(&tb, 100000), 0);
	assert_true(tbucket_take(&tb, 100000) > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_wait),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
