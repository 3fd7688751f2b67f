/*
 * backoff.h - reconnect delays: exponential growth with full jitter
 * (SPEC §2 "exponential backoff and jitter"), shared by every client that
 * reconnects (PostgreSQL, Redis, SMPP links).
 */
#ifndef TAWASUL_BACKOFF_H
#define TAWASUL_BACKOFF_H

#include <stdint.h>

struct backoff {
	unsigned min_ms, max_ms;
	unsigned attempt; /* failures since the last reset */
	uint64_t rng;     /* xorshift64* state: jitter only, not a secret */
};

/* max_ms below min_ms is raised to min_ms; seed 0 is allowed. */
void backoff_init(struct backoff *b, unsigned min_ms, unsigned max_ms,
		  uint64_t seed);
/* The next delay: uniform in [min, min(max, min * 2^(attempt + 1))], so
 * even the first retry is spread and instances sharing a server do not all
 * come back in the same millisecond. Counts one more attempt. */
unsigned backoff_next(struct backoff *b);
/* After a success: the next delay starts small again. */
void backoff_reset(struct backoff *b);

#endif
