/*
 * gsm7_fuzz.c - fuzz target for the GSM 03.38 codec. Arbitrary septets
 * decode within 3 bytes per septet to well-formed UTF-8; anything
 * gsm7_from_utf8() accepts decodes back to the same bytes, with
 * gsm7_septets_needed() agreeing; pack then unpack is the identity for
 * every fill (0..6), and unpack then pack reproduces the covered bits.
 * Buffers are malloc'd at exactly the documented bound, so ASan sees any
 * write past it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gsm7.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_decode(const uint8_t *data, size_t size)
{
	size_t cap = 3 * size;
	uint8_t *out = malloc(cap + 1);
	int n;

	if (!out)
		abort();
	n = gsm7_to_utf8(data, size, out, cap);
	if (n < 0 || (size_t)n > cap || !utf8_valid(out, (size_t)n))
		abort();
	/* One byte short of what was needed must fail, not truncate. */
	if (n > 0 && gsm7_to_utf8(data, size, out, (size_t)n - 1) >= 0)
		abort();
	free(out);
}

static void
check_round_trip(const uint8_t *data, size_t size)
{
	uint8_t *sep = malloc(2 * size + 1), *back;
	size_t chars = 0;
	int n, m;

	if (!sep)
		abort();
	n = gsm7_from_utf8(data, size, sep, 2 * size, &chars);
	if (n != gsm7_septets_needed(data, size))
		abort();
	if (n < 0) {
		free(sep);
		return;
	}
	if ((size_t)n > 2 * chars || chars > size)
		abort();
	back = malloc(size + 1);
	if (!back)
		abort();
	m = gsm7_to_utf8(sep, (size_t)n, back, size);
	if (m != (int)size || memcmp(back, data, size) != 0)
		abort();
	free(back);
	free(sep);
}

static void
check_packing(const uint8_t *data, size_t size)
{
	unsigned fill = size ? data[0] % 7 : 0;
	size_t plen = (fill + 7 * size + 7) / 8;
	size_t ns = size * 8 >= fill ? (size * 8 - fill) / 7 : 0;
	uint8_t *sep = malloc(size + 1), *packed = malloc(plen + 1);
	uint8_t *back = malloc(ns + 1), *re = malloc(size + 1);
	int n;

	if (!sep || !packed || !back || !re)
		abort();
	for (size_t i = 0; i < size; i++)
		sep[i] = data[i] & 0x7F;
	n = gsm7_pack(sep, size, fill, packed, plen);
	if (n != (int)plen)
		abort();
	if (plen && gsm7_pack(sep, size, fill, packed, plen - 1) >= 0)
		abort();
	if (gsm7_unpack(packed, plen, fill, size, back, size) != (int)size ||
	    memcmp(back, sep, size) != 0)
		abort();

	/* Arbitrary octets: unpack all whole septets, pack them back. */
	if (gsm7_unpack(data, size, fill, ns, back, ns) != (int)ns)
		abort();
	for (size_t i = 0; i < ns; i++)
		if (back[i] > 0x7F)
			abort();
	n = gsm7_pack(back, ns, fill, re, size);
	if (n < 0 || (size_t)n > size)
		abort();
	for (size_t bit = fill; bit < fill + 7 * ns; bit++) {
		unsigned a = (data[bit / 8] >> (bit % 8)) & 1;
		unsigned b = (re[bit / 8] >> (bit % 8)) & 1;
		if (a != b)
			abort();
	}
	if (n > 0 && (re[0] & ((1u << fill) - 1)) != 0)
		abort();
	free(sep);
	free(packed);
	free(back);
	free(re);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	check_decode(data, size);
	check_round_trip(data, size);
	check_packing(data, size);
	return 0;
}
