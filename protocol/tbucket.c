/*
 * tbucket.c - token bucket (SPEC §2: per-link submits per second).
 *
 * Integer arithmetic in thousandths of a token, so rates from 1/s to
 * 100000/s are exact enough and nothing drifts. The bucket starts full.
 * A clock that goes backwards (it should not: callers use a monotonic
 * one) refills nothing.
 */
#include "tbucket.h"

void
tbucket_init(struct tbucket *tb, unsigned rate, unsigned burst, uint64_t now_ms)
{
	tb->rate = rate ? rate : 1;
	tb->burst = burst ? burst : (tb->rate / 20 ? tb->rate / 20 : 1);
	tb->milli = tb->burst * 1000;
	tb->last_ms = now_ms;
}

static void
refill(struct tbucket *tb, uint64_t now_ms)
{
	if (now_ms <= tb->last_ms)
		return;
	uint64_t add = (now_ms - tb->last_ms) * tb->rate; /* milli-tokens */
	uint64_t cap = tb->burst * 1000;

	tb->milli = add >= cap - tb->milli ? cap : tb->milli + add;
	tb->last_ms = now_ms;
}

unsigned
tbucket_take(struct tbucket *tb, uint64_t now_ms)
{
	refill(tb, now_ms);
	if (tb->milli >= 1000) {
		tb->milli -= 1000;
		return 0;
	}
	/* ms until 1000 milli-tokens: ceil((1000 - milli) / rate) */
	uint64_t need = 1000 - tb->milli;
	return (unsigned)((need + tb->rate - 1) / tb->rate);
}
