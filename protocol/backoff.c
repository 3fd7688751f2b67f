/*
 * backoff.c - exponential backoff with full jitter (SPEC §2).
 *
 * Pure: the caller supplies the seed and arms its own timer with the
 * result. The ceiling is computed in 64 bits and capped, so no attempt
 * count overflows it.
 */
#include "backoff.h"

static uint64_t
backoff_rand(struct backoff *b)
{
	b->rng ^= b->rng >> 12;
	b->rng ^= b->rng << 25;
	b->rng ^= b->rng >> 27;
	return b->rng * 0x2545F4914F6CDD1DULL;
}

void
backoff_init(struct backoff *b, unsigned min_ms, unsigned max_ms, uint64_t seed)
{
	b->min_ms = min_ms;
	b->max_ms = max_ms < min_ms ? min_ms : max_ms;
	b->attempt = 0;
	b->rng = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

unsigned
backoff_next(struct backoff *b)
{
	uint64_t ceil = b->min_ms ? b->min_ms : 1;

	for (unsigned i = 0; i <= b->attempt && ceil < b->max_ms; i++)
		ceil *= 2;
	if (ceil > b->max_ms)
		ceil = b->max_ms;
	if (b->attempt < 64)
		b->attempt++;
	if (ceil <= b->min_ms)
		return b->min_ms;
	return b->min_ms + (unsigned)(backoff_rand(b) % (ceil - b->min_ms + 1));
}

void
backoff_reset(struct backoff *b)
{
	b->attempt = 0;
}
