/*
 * textnorm_fuzz.c - fuzz target for the matching normaliser (SPEC §3).
 * Any input normalises without error into valid UTF-8 within
 * TEXTNORM_MAX(len) bytes, with no leading, trailing or doubled space,
 * and normalising the result again changes nothing. One byte less than
 * the result needs gives -ENOSPC. The script guess never crashes.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "textnorm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Strict UTF-8 check: no overlongs, surrogates or values past U+10FFFF. */
static int
valid_utf8(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t b = s[i];
		size_t need;
		uint8_t lo = 0x80, hi = 0xBF;

		if (b < 0x80) {
			i++;
			continue;
		}
		if (b >= 0xC2 && b <= 0xDF) {
			need = 1;
		} else if (b >= 0xE0 && b <= 0xEF) {
			need = 2;
			lo = b == 0xE0 ? 0xA0 : 0x80;
			hi = b == 0xED ? 0x9F : 0xBF;
		} else if (b >= 0xF0 && b <= 0xF4) {
			need = 3;
			lo = b == 0xF0 ? 0x90 : 0x80;
			hi = b == 0xF4 ? 0x8F : 0xBF;
		} else {
			return 0;
		}
		if (n - i <= need)
			return 0;
		for (size_t k = 1; k <= need; k++) {
			if (s[i + k] < lo || s[i + k] > hi)
				return 0;
			lo = 0x80;
			hi = 0xBF;
		}
		i += need + 1;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cap = TEXTNORM_MAX(size);
	uint8_t *o1, *o2;
	int n1, n2;

	if (size > 65536)
		return 0;
	(void)textnorm_script(data, size);
	o1 = malloc(cap + 1);
	o2 = malloc(cap + 1);
	if (!o1 || !o2)
		abort();
	n1 = textnorm(data, size, o1, cap);
	if (n1 < 0 || (size_t)n1 > cap)
		abort();
	if (!valid_utf8(o1, (size_t)n1))
		abort();
	if (n1 > 0 && (o1[0] == ' ' || o1[n1 - 1] == ' '))
		abort();
	for (int i = 1; i < n1; i++)
		if (o1[i] == ' ' && o1[i - 1] == ' ')
			abort();
	n2 = textnorm(o1, (size_t)n1, o2, cap);
	if (n2 != n1 || memcmp(o1, o2, (size_t)n1) != 0)
		abort(); /* idempotent */
	if (n1 > 0 && textnorm(data, size, o2, (size_t)n1 - 1) != -ENOSPC)
		abort();
	if (textnorm(data, size, o2, (size_t)n1) != n1 ||
	    memcmp(o1, o2, (size_t)n1) != 0)
		abort();
	free(o1);
	free(o2);
	return 0;
}
