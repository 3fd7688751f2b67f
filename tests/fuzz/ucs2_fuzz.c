/*
 * ucs2_fuzz.c - fuzz target for the UTF-16BE codec and text_decode_mo().
 * Arbitrary bodies decode, for every accepted data_coding, within the
 * documented bound to well-formed UTF-8; valid UTF-8 survives
 * UTF-8 -> UTF-16BE -> UTF-8 unchanged, and for any input the result of
 * one round trip is a fixed point. Buffers are malloc'd at exactly the
 * documented bound, so ASan sees any write past it.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ucs2.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_decode(const uint8_t *data, size_t size)
{
	static const unsigned dcs[] = {0, 1, 3, 8};
	size_t cap = 3 * size + 3;
	uint8_t *out = malloc(cap);
	int n;

	if (!out)
		abort();
	n = ucs2_to_utf8(data, size, out, 3 * ((size + 1) / 2));
	if (n < 0 || !utf8_valid(out, (size_t)n))
		abort();
	for (unsigned i = 0; i < sizeof(dcs) / sizeof(dcs[0]); i++) {
		n = text_decode_mo(dcs[i], data, size, out, cap);
		if (n < 0 || (size_t)n > cap || !utf8_valid(out, (size_t)n))
			abort();
		if (n > 0 && text_decode_mo(dcs[i], data, size, out,
					    (size_t)n - 1) != -ENOSPC)
			abort();
	}
	if (text_decode_mo(size ? data[0] | 0x10 : 2, data, size, out, cap) !=
	    -ENOTSUP)
		abort();
	free(out);
}

static void
check_round_trip(const uint8_t *data, size_t size)
{
	size_t bcap = 2 * size, ucap = 3 * size;
	uint8_t *be = malloc(bcap + 1), *u = malloc(ucap + 1);
	uint8_t *be2 = malloc(bcap + 1);
	int nb, nu, nb2;

	if (!be || !u || !be2)
		abort();
	nb = ucs2_from_utf8(data, size, be, bcap);
	if (nb < 0 || nb % 2)
		abort();
	if (nb > 0 && ucs2_from_utf8(data, size, be, (size_t)nb - 1) >= 0)
		abort();
	nu = ucs2_to_utf8(be, (size_t)nb, u, ucap);
	if (nu < 0 || !utf8_valid(u, (size_t)nu))
		abort();
	if (utf8_valid(data, size) &&
	    (nu != (int)size || memcmp(u, data, size) != 0))
		abort();
	/* Replacement is idempotent: the repaired text is a fixed point. */
	nb2 = ucs2_from_utf8(u, (size_t)nu, be2, bcap);
	if (nb2 != nb || memcmp(be2, be, (size_t)nb) != 0)
		abort();
	free(be);
	free(be2);
	free(u);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	check_decode(data, size);
	check_round_trip(data, size);
	return 0;
}
