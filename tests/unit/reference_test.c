/*
 * reference_test.c - Damm check digits against published vectors and
 * their error detection (every single substitution and adjacent
 * transposition), and the keyed permutation from sequence values: shape
 * of the references, exact inverse, bijection on small domains checked
 * exhaustively, unrelated neighbours, key dependence.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "reference.h"

static uint8_t key[32];

static int
setup(void **state)
{
	(void)state;
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)(0xa5 ^ (i * 37));
	return 0;
}

/* Sample of n sequence values spread over 1..REFERENCE_SPACE, both ends
 * included. */
static uint64_t
spread(uint64_t i, uint64_t n)
{
	return 1 + i * (REFERENCE_SPACE - 1) / (n - 1);
}

static void
test_damm_vectors(void **state)
{
	(void)state;
	/* Wikipedia "Damm algorithm" and Rosetta Code. */
	assert_int_equal(reference_damm("572", 3), 4);
	assert_int_equal(reference_damm("5724", 4), 0);
	assert_int_not_equal(reference_damm("5727", 4), 0);
	assert_int_equal(reference_damm("112946", 6), 0);
	assert_int_equal(reference_damm("11294", 5), 6);
	assert_int_not_equal(reference_damm("112949", 6), 0);
	assert_int_equal(reference_damm("", 0), 0);
	assert_int_equal(reference_damm("0", 1), 0);
	/* n bounds the read: the trailing letter is not looked at */
	assert_int_equal(reference_damm("572x", 3), 4);
	assert_int_equal(reference_damm("57a", 3), -EINVAL);
	assert_int_equal(reference_damm("5 7", 3), -EINVAL);
	assert_int_equal(reference_damm("5/", 2), -EINVAL); /* '0' - 1 */
	assert_int_equal(reference_damm("5:", 2), -EINVAL); /* '9' + 1 */
}

static void
test_valid(void **state)
{
	(void)state;
	const char shortref[10] = "5724";
	char r[11];
	int c;

	memcpy(r, "483920175", 9);
	c = reference_damm(r, 9);
	r[9] = (char)('0' + c);
	assert_int_equal(reference_valid(r), 1);
	r[9] = (char)('0' + (c + 1) % 10);
	assert_int_equal(reference_valid(r), 0);

	/* a correct check digit behind a leading 0 is still refused */
	memcpy(r, "083920175", 9);
	r[9] = (char)('0' + reference_damm(r, 9));
	assert_int_equal(reference_damm(r, 10), 0);
	assert_int_equal(reference_valid(r), 0);

	assert_int_equal(reference_valid("57240000x0"), 0);
	assert_int_equal(reference_valid(shortref), 0); /* stops at the NUL */
}

/* Every single-digit substitution of 1000 references is rejected. */
static void
test_single_substitution(void **state)
{
	(void)state;
	unsigned tried = 0;

	for (uint64_t i = 0; i < 1000; i++) {
		char r[11];

		reference_from_seq(key, spread(i, 1000), r);
		assert_int_equal(reference_valid(r), 1);
		for (int pos = 0; pos < 10; pos++) {
			char orig = r[pos];

			for (char d = '0'; d <= '9'; d++) {
				if (d == orig)
					continue;
				r[pos] = d;
				if (reference_valid(r)) {
					print_error("%s accepted\n", r);
					fail();
				}
				tried++;
			}
			r[pos] = orig;
		}
	}
	assert_int_equal(tried, 1000 * 10 * 9);
}

/* Every transposition of adjacent distinct digits, check digit
 * included, of 1000 references is rejected. */
static void
test_adjacent_transposition(void **state)
{
	(void)state;
	unsigned tried = 0;

	for (uint64_t i = 0; i < 1000; i++) {
		char r[11];

		reference_from_seq(key, spread(i, 1000) + 7, r);
		for (int pos = 0; pos < 9; pos++) {
			char a = r[pos], b = r[pos + 1];

			if (a == b)
				continue;
			r[pos] = b;
			r[pos + 1] = a;
			if (reference_valid(r)) {
				print_error("%s accepted\n", r);
				fail();
			}
			r[pos] = a;
			r[pos + 1] = b;
			tried++;
		}
	}
	assert_true(tried > 1000 * 9 * 8 / 10);
}

/* Also exhaustively over all 2-digit neighbourhoods: for every digit pair
 * a != b and every prefix interim state, "ab" and "ba" end differently. */
static void
test_damm_all_transpositions(void **state)
{
	(void)state;
	for (char p = '0'; p <= '9'; p++)
		for (char a = '0'; a <= '9'; a++)
			for (char b = '0'; b <= '9'; b++) {
				char x[3] = {p, a, b}, y[3] = {p, b, a};

				if (a == b)
					continue;
				assert_int_not_equal(reference_damm(x, 3),
						     reference_damm(y, 3));
			}
}

static void
test_from_seq_shape(void **state)
{
	(void)state;
	for (uint64_t i = 0; i < 20000; i++) {
		char r[12];

		memset(r, 'x', sizeof(r));
		reference_from_seq(key, spread(i, 20000), r);
		assert_int_equal(r[10], '\0');
		assert_int_equal(r[11], 'x');
		assert_int_equal(strlen(r), 10);
		assert_int_equal(strspn(r, "0123456789"), 10);
		assert_true(r[0] >= '1' && r[0] <= '9');
		assert_int_equal(reference_valid(r), 1);
	}
}

static void
test_roundtrip(void **state)
{
	(void)state;
	const uint64_t n = 100000;

	for (uint64_t i = 0; i < n; i++) {
		uint64_t s = spread(i, n), back = 0;
		char r[11];

		reference_from_seq(key, s, r);
		assert_int_equal(reference_to_seq(key, r, &back), 0);
		if (back != s) {
			print_error("seq %llu -> %s -> %llu\n",
				    (unsigned long long)s, r,
				    (unsigned long long)back);
			fail();
		}
	}
	/* the very first values, one by one */
	for (uint64_t s = 1; s <= 1000; s++) {
		uint64_t back = 0;
		char r[11];

		reference_from_seq(key, s, r);
		assert_int_equal(reference_to_seq(key, r, &back), 0);
		assert_int_equal(back, s);
	}
}

static void
test_wrap(void **state)
{
	(void)state;
	char a[11], b[11];

	reference_from_seq(key, 1, a);
	reference_from_seq(key, REFERENCE_SPACE + 1, b);
	assert_string_equal(a, b);
	reference_from_seq(key, 0, a);
	reference_from_seq(key, REFERENCE_SPACE, b);
	assert_string_equal(a, b);
	reference_from_seq(key, UINT64_MAX, a); /* defined, in range */
	assert_int_equal(reference_valid(a), 1);
}

static void
test_to_seq_rejects(void **state)
{
	(void)state;
	const char empty[10] = "";
	char r[11];
	uint64_t s = 42;

	reference_from_seq(key, 12345, r);
	r[4] = (char)('0' + (r[4] - '0' + 1) % 10);
	assert_int_equal(reference_to_seq(key, r, &s), -EINVAL);
	assert_int_equal(s, 42);
	assert_int_equal(reference_to_seq(key, "0000000000", &s), -EINVAL);
	assert_int_equal(reference_to_seq(key, "12345 7890", &s), -EINVAL);
	assert_int_equal(reference_to_seq(key, empty, &s), -EINVAL);
	assert_int_equal(s, 42);

	/* every well-formed reference maps to a seq in range */
	memcpy(r, "999999999", 9);
	r[9] = (char)('0' + reference_damm(r, 9));
	assert_int_equal(reference_to_seq(key, r, &s), 0);
	assert_true(s >= 1 && s <= REFERENCE_SPACE);
	memcpy(r, "100000000", 9);
	r[9] = (char)('0' + reference_damm(r, 9));
	assert_int_equal(reference_to_seq(key, r, &s), 0);
	assert_true(s >= 1 && s <= REFERENCE_SPACE);
}

#define SMALL_MAX 70000
static uint8_t seen[SMALL_MAX];

/* Every x of the domain maps to a distinct y in range, and back. */
static void
test_permute_small_domains(void **state)
{
	(void)state;
	static const uint64_t domains[] = {
		1,   2,    3,    4,    5,     7,     10,    99,       100,
		101, 1000, 4097, 9000, 30000, 65536, 65537, SMALL_MAX};

	for (size_t d = 0; d < sizeof(domains) / sizeof(domains[0]); d++) {
		uint64_t dom = domains[d], moved = 0;

		memset(seen, 0, sizeof(seen));
		for (uint64_t x = 0; x < dom; x++) {
			uint64_t y = dom, back = dom;

			assert_int_equal(reference_permute(key, dom, x, &y), 0);
			assert_true(y < dom);
			if (seen[y]) {
				print_error("domain %llu: %llu collides\n",
					    (unsigned long long)dom,
					    (unsigned long long)x);
				fail();
			}
			seen[y] = 1;
			moved += y != x;
			assert_int_equal(
				reference_unpermute(key, dom, y, &back), 0);
			assert_int_equal(back, x);
		}
		/* a keyed permutation is not the identity */
		if (dom >= 10)
			assert_true(moved > dom / 2);
	}
}

static void
test_permute_args(void **state)
{
	(void)state;
	uint64_t y = 7, x = 0;

	assert_int_equal(reference_permute(key, 0, 0, &y), -EINVAL);
	assert_int_equal(reference_permute(key, 10, 10, &y), -EINVAL);
	assert_int_equal(
		reference_permute(key, REFERENCE_PERMUTE_MAX + 1, 0, &y),
		-EINVAL);
	assert_int_equal(reference_unpermute(key, 10, 11, &y), -EINVAL);
	assert_int_equal(y, 7);

	/* the largest domain works both ways */
	assert_int_equal(reference_permute(key, REFERENCE_PERMUTE_MAX,
					   REFERENCE_PERMUTE_MAX - 1, &y),
			 0);
	assert_true(y < REFERENCE_PERMUTE_MAX);
	assert_int_equal(reference_unpermute(key, REFERENCE_PERMUTE_MAX, y, &x),
			 0);
	assert_int_equal(x, REFERENCE_PERMUTE_MAX - 1);
}

static uint64_t
payload(const char r[10])
{
	uint64_t p = 0;

	for (int i = 0; i < 9; i++)
		p = p * 10 + (uint64_t)(r[i] - '0');
	return p;
}

/* Consecutive sequence values give references that share nothing
 * visible: no step of +-1, about 8.1 of 9 payload digits differ on
 * average, and the order is not preserved. */
static void
test_neighbours_unrelated(void **state)
{
	(void)state;
	const unsigned n = 10000;
	unsigned ups = 0, diffdigits = 0;
	char prev[11], cur[11];

	reference_from_seq(key, 1, prev);
	for (uint64_t s = 2; s <= n + 1; s++) {
		uint64_t a, b;

		reference_from_seq(key, s, cur);
		a = payload(prev);
		b = payload(cur);
		assert_true(a != b + 1 && b != a + 1);
		ups += b > a;
		for (int i = 0; i < 9; i++)
			diffdigits += prev[i] != cur[i];
		memcpy(prev, cur, sizeof(prev));
	}
	assert_in_range(ups, n * 45 / 100, n * 55 / 100);
	assert_true(diffdigits > n * 7);
}

static void
test_key_matters(void **state)
{
	(void)state;
	static const int flip[] = {0, 15, 16, 31};

	for (size_t f = 0; f < sizeof(flip) / sizeof(flip[0]); f++) {
		uint8_t k2[32];
		unsigned same = 0;

		memcpy(k2, key, sizeof(k2));
		k2[flip[f]] ^= 1;
		for (uint64_t s = 1; s <= 1000; s++) {
			char a[11], b[11];

			reference_from_seq(key, s, a);
			reference_from_seq(k2, s, b);
			same += strcmp(a, b) == 0;
		}
		assert_true(same < 3);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_damm_vectors),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_single_substitution),
		cmocka_unit_test(test_adjacent_transposition),
		cmocka_unit_test(test_damm_all_transpositions),
		cmocka_unit_test(test_from_seq_shape),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_to_seq_rejects),
		cmocka_unit_test(test_permute_small_domains),
		cmocka_unit_test(test_permute_args),
		cmocka_unit_test(test_neighbours_unrelated),
		cmocka_unit_test(test_key_matters),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
