/*
 * reference.h - case reference numbers (SPEC §4): a 9-digit payload with
 * first digit 1-9, a keyed permutation of a PostgreSQL sequence value,
 * followed by one Damm check digit. Display and lenient parsing live in
 * refdisplay.h. Pure, no I/O, no allocation.
 */
#ifndef TAWASUL_REFERENCE_H
#define TAWASUL_REFERENCE_H

#include <stddef.h>
#include <stdint.h>

#define REFERENCE_DIGITS 10
/* Payloads are [10^8, 10^9): this many distinct references. */
#define REFERENCE_SPACE 900000000ULL
/* Largest domain reference_permute() accepts. */
#define REFERENCE_PERMUTE_MAX (1ULL << 62)

/*
 * Damm check digit (order-10 quasigroup of Damm 2004) of n ASCII digits
 * (need not be terminated; n = 0 gives 0). Returns 0-9, or -EINVAL if a
 * character is not 0-9. Appending the result makes the interim digit 0.
 */
int reference_damm(const char *digits, size_t n);

/*
 * Returns 1 when digits are 10 ASCII digits, the first 1-9, the last the
 * Damm check digit of the first nine; 0 otherwise. Every single-digit
 * substitution and every transposition of adjacent distinct digits of a
 * valid reference is invalid.
 */
int reference_valid(const char digits[10]);

/*
 * Maps a sequence value (PostgreSQL bigint sequence starting at 1) to
 * its reference: payload = 10^8 + P((seq - 1) mod 9*10^8), P the keyed
 * permutation of reference_permute() over 9*10^8 values, then the Damm
 * digit; out gets 10 digits and a NUL. Distinct seq in 1..9*10^8 give
 * distinct references; seq beyond that wraps (and seq 0 behaves as
 * 9*10^8), so the caller must not use more than REFERENCE_SPACE values.
 * Borrows key for the call.
 */
void reference_from_seq(const uint8_t key[32], uint64_t seq, char out[11]);

/*
 * Inverse of reference_from_seq(): 0 with *seq in 1..9*10^8, or -EINVAL
 * (seq untouched) when ref is not 10 digits, starts with 0 or fails the
 * check digit. ref need not be terminated.
 */
int reference_to_seq(const uint8_t key[32], const char ref[10], uint64_t *seq);

/*
 * Keyed permutation of [0, domain): a balanced 8-round Feistel network
 * over [0, m)^2, m = ceil(sqrt(domain)), SipHash as round function,
 * cycle-walking back into range. Different domains or keys give
 * unrelated permutations. 0 with *y set, or -EINVAL when domain is 0 or
 * above REFERENCE_PERMUTE_MAX or x >= domain.
 */
int reference_permute(const uint8_t key[32], uint64_t domain, uint64_t x,
		      uint64_t *y);

/* Inverse of reference_permute(); same contract. */
int reference_unpermute(const uint8_t key[32], uint64_t domain, uint64_t y,
			uint64_t *x);

#endif
