/*
 * siphash_test.c - SipHash-2-4 against the reference vectors (key
 * 00..0f, message 00..len-1), from the SipHash paper's appendix.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "siphash.h"

static void
test_vectors(void **state)
{
	static const struct {
		size_t len;
		uint64_t want;
	} v[] = {
		{0, 0x726fdb47dd0e0e31ULL}, {1, 0x74f839c593dc67fdULL},
		{2, 0x0d6c8009d9a94f5aULL}, {3, 0x85676696d7fb7e2dULL},
		{8, 0x93f5f5799a932462ULL}, {15, 0xa129ca6149be45e5ULL},
	};
	uint8_t key[16], msg[64];

	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_int_equal(siphash(key, msg, v[i].len), v[i].want);
}

static void
test_key_matters(void **state)
{
	uint8_t k1[16] = {0}, k2[16] = {1};

	assert_int_not_equal(siphash(k1, "97333", 5), siphash(k2, "97333", 5));
	assert_int_not_equal(siphash(k1, "97333", 5), siphash(k1, "97334", 5));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_key_matters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
