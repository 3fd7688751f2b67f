/*
 * reference.c - case reference numbers (SPEC §4 "Reference numbers"):
 * Damm check digit and the keyed permutation from sequence values.
 *
 * A reference is 9 payload digits (first 1-9) and a Damm check digit. The
 * payload is a keyed permutation of the case's sequence value, so it is
 * unique without a collision check and tells nothing about neighbours or
 * volume. The permutation is a balanced Feistel network over [0, m)^2
 * with m = ceil(sqrt(domain)) (m = 30000 exactly for the 9*10^8
 * payloads, so no walking happens there), adding the round function
 * modulo m, with cycle-walking for domains that are not squares. Round
 * function: SipHash-2-4 keyed with the first 16 key bytes, over the
 * other 16 key bytes, the domain, the round index and half, and the
 * half being hashed. 8 rounds.
 *
 * Owns nothing; works on caller buffers. Deliberately does not format
 * references for display or parse typed ones (refdisplay.c), nor read
 * the key (secret.c) or the sequence (the database).
 */
#include <errno.h>

#include "reference.h"
#include "siphash.h"

#define REFERENCE_ROUNDS 8
#define REFERENCE_BASE   100000000ULL /* 10^8: smallest payload */

/* Damm 2004, the totally anti-symmetric quasigroup of order 10 used by
 * every published implementation. */
static const uint8_t reference_damm_table[10][10] = {
	{0, 3, 1, 7, 5, 9, 8, 6, 4, 2}, {7, 0, 9, 2, 1, 5, 4, 8, 6, 3},
	{4, 2, 0, 6, 8, 7, 1, 3, 5, 9}, {1, 7, 5, 0, 9, 8, 3, 4, 2, 6},
	{6, 1, 2, 3, 0, 4, 5, 9, 7, 8}, {3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
	{5, 8, 6, 9, 7, 2, 0, 1, 3, 4}, {8, 9, 4, 5, 3, 6, 2, 0, 1, 7},
	{9, 4, 3, 8, 6, 1, 7, 2, 0, 5}, {2, 5, 8, 1, 4, 3, 6, 7, 9, 0},
};

int
reference_damm(const char *digits, size_t n)
{
	unsigned interim = 0;

	for (size_t i = 0; i < n; i++) {
		if (digits[i] < '0' || digits[i] > '9')
			return -EINVAL;
		interim = reference_damm_table[interim][digits[i] - '0'];
	}
	return (int)interim;
}

int
reference_valid(const char digits[10])
{
	if (digits[0] < '1' || digits[0] > '9')
		return 0;
	return reference_damm(digits, REFERENCE_DIGITS) == 0;
}

/* ceil(sqrt(v)) for 1 <= v <= 2^62. */
static uint64_t
reference_ceil_sqrt(uint64_t v)
{
	uint64_t lo = 1, hi = 1ULL << 31;

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (mid * mid >= v)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static void
reference_put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Round function F_round(half) in [0, m). The bias of the reduction is
 * below m / 2^64, negligible for m <= 2^31. */
static uint64_t
reference_round(const uint8_t key[32], uint64_t domain, unsigned round,
		uint64_t half, uint64_t m)
{
	uint8_t in[16 + 8 + 2 + 8];

	for (int i = 0; i < 16; i++)
		in[i] = key[16 + i];
	reference_put64(in + 16, domain);
	in[24] = (uint8_t)round;
	in[25] = (uint8_t)(round & 1); /* which half this round rewrites */
	reference_put64(in + 26, half);
	return siphash(key, in, sizeof(in)) % m;
}

/* One pass of the network over [0, m^2). */
static uint64_t
reference_feistel(const uint8_t key[32], uint64_t domain, uint64_t m,
		  uint64_t v)
{
	uint64_t l = v / m, r = v % m;

	for (unsigned i = 0; i < REFERENCE_ROUNDS; i++) {
		uint64_t t = (l + reference_round(key, domain, i, r, m)) % m;

		l = r;
		r = t;
	}
	return l * m + r;
}

static uint64_t
reference_feistel_inv(const uint8_t key[32], uint64_t domain, uint64_t m,
		      uint64_t v)
{
	uint64_t l = v / m, r = v % m;

	for (unsigned i = REFERENCE_ROUNDS; i-- > 0;) {
		uint64_t f = reference_round(key, domain, i, l, m);
		uint64_t t = (r + m - f) % m;

		r = l;
		l = t;
	}
	return l * m + r;
}

typedef uint64_t feistel_fn(const uint8_t key[32], uint64_t domain, uint64_t m,
			    uint64_t v);

/* Applies fn (the network or its inverse) until the value falls inside
 * the domain (cycle-walking). The cycle of a value under the network comes
 * back into the domain, so the walk ends; m^2 - domain < 2m keeps it
 * short. */
static int
walk(const uint8_t key[32], uint64_t domain, uint64_t v, feistel_fn *fn,
     uint64_t *out)
{
	uint64_t m;

	if (domain == 0 || domain > REFERENCE_PERMUTE_MAX || v >= domain)
		return -EINVAL;
	m = reference_ceil_sqrt(domain);
	do
		v = fn(key, domain, m, v);
	while (v >= domain);
	*out = v;
	return 0;
}

int
reference_permute(const uint8_t key[32], uint64_t domain, uint64_t x,
		  uint64_t *y)
{
	return walk(key, domain, x, reference_feistel, y);
}

int
reference_unpermute(const uint8_t key[32], uint64_t domain, uint64_t y,
		    uint64_t *x)
{
	return walk(key, domain, y, reference_feistel_inv, x);
}

void
reference_from_seq(const uint8_t key[32], uint64_t seq, char out[11])
{
	uint64_t x =
		seq == 0 ? REFERENCE_SPACE - 1 : (seq - 1) % REFERENCE_SPACE;
	uint64_t p = 0;
	int check;

	/* Cannot fail: the domain is fixed and x is in range. */
	(void)reference_permute(key, REFERENCE_SPACE, x, &p);
	p += REFERENCE_BASE;
	for (int i = 8; i >= 0; i--) {
		out[i] = (char)('0' + p % 10);
		p /= 10;
	}
	check = reference_damm(out, 9);
	out[9] = (char)('0' + check);
	out[10] = '\0';
}

int
reference_to_seq(const uint8_t key[32], const char ref[10], uint64_t *seq)
{
	uint64_t p = 0, x;

	if (!reference_valid(ref))
		return -EINVAL;
	for (int i = 0; i < 9; i++)
		p = p * 10 + (uint64_t)(ref[i] - '0');
	if (reference_unpermute(key, REFERENCE_SPACE, p - REFERENCE_BASE, &x) <
	    0)
		return -EINVAL;
	*seq = x + 1;
	return 0;
}
