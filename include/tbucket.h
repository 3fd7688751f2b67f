/*
 * tbucket.h - token bucket for per-link throughput caps (SPEC §2 "tps").
 * Pure: the caller passes the monotonic time in milliseconds.
 */
#ifndef TAWASUL_TBUCKET_H
#define TAWASUL_TBUCKET_H

#include <stdint.h>

struct tbucket {
	uint64_t rate;  /* tokens per second */
	uint64_t burst; /* bucket size, in tokens */
	uint64_t milli; /* tokens * 1000 currently held */
	uint64_t last_ms;
};

/* rate >= 1 per second; burst 0 picks max(1, rate / 20): 50 ms worth. */
void tbucket_init(struct tbucket *tb, unsigned rate, unsigned burst,
		  uint64_t now_ms);
/* Takes one token: returns 0, or the milliseconds until one is there
 * (nothing taken). */
unsigned tbucket_take(struct tbucket *tb, uint64_t now_ms);

#endif
