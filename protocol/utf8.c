/*
 * utf8.c - strict UTF-8 decoding and encoding for the text codecs
 * (SPEC §3). Owns nothing; pure functions over caller buffers.
 *
 * Deliberately does not normalise, fold or validate anything beyond the
 * well-formedness table of Unicode 3.9 (Table 3-7): overlongs, encoded
 * surrogates and values above U+10FFFF are ill-formed. Replacement
 * policy (U+FFFD, maximal subparts) is the caller's, helped by *used.
 */
#include <errno.h>

#include "utf8.h"

int
utf8_decode(const uint8_t *in, size_t len, uint32_t *cp, size_t *used)
{
	uint8_t b0, lo = 0x80, hi = 0xBF;
	size_t need, i;
	uint32_t v;

	*cp = UTF8_REPLACEMENT;
	*used = 1;
	if (len == 0) {
		*used = 0;
		return -EINVAL;
	}
	b0 = in[0];
	if (b0 < 0x80) {
		*cp = b0;
		return 0;
	}
	if (b0 >= 0xC2 && b0 <= 0xDF) {
		need = 1;
		v = b0 & 0x1Fu;
	} else if (b0 >= 0xE0 && b0 <= 0xEF) {
		need = 2;
		v = b0 & 0x0Fu;
		if (b0 == 0xE0)
			lo = 0xA0; /* overlong */
		else if (b0 == 0xED)
			hi = 0x9F; /* surrogates */
	} else if (b0 >= 0xF0 && b0 <= 0xF4) {
		need = 3;
		v = b0 & 0x07u;
		if (b0 == 0xF0)
			lo = 0x90; /* overlong */
		else if (b0 == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
	} else {
		return -EILSEQ; /* 80..C1, F5..FF */
	}
	for (i = 1; i <= need; i++) {
		if (i >= len || in[i] < lo || in[i] > hi) {
			*used = i;
			return -EILSEQ;
		}
		v = (v << 6) | (in[i] & 0x3Fu);
		lo = 0x80;
		hi = 0xBF;
	}
	*cp = v;
	*used = need + 1;
	return 0;
}

size_t
utf8_next(const uint8_t *in, size_t len, uint32_t *cp)
{
	size_t used = 1;

	utf8_decode(in, len, cp, &used);
	return used;
}

int
utf8_append(uint32_t cp, uint8_t *out, size_t cap, size_t *o)
{
	int k = utf8_encode(cp, out + *o, cap - *o);

	if (k < 0)
		return k;
	*o += (size_t)k;
	return 0;
}

int
utf8_encode(uint32_t cp, uint8_t *out, size_t cap)
{
	if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return -EINVAL;
	if (cp < 0x80) {
		if (cap < 1)
			return -ENOSPC;
		out[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		if (cap < 2)
			return -ENOSPC;
		out[0] = (uint8_t)(0xC0 | (cp >> 6));
		out[1] = (uint8_t)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		if (cap < 3)
			return -ENOSPC;
		out[0] = (uint8_t)(0xE0 | (cp >> 12));
		out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (uint8_t)(0x80 | (cp & 0x3F));
		return 3;
	}
	if (cap < 4)
		return -ENOSPC;
	out[0] = (uint8_t)(0xF0 | (cp >> 18));
	out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (uint8_t)(0x80 | (cp & 0x3F));
	return 4;
}

int
utf8_valid(const uint8_t *in, size_t len)
{
	size_t i = 0, used;
	uint32_t cp;

	while (i < len) {
		if (utf8_decode(in + i, len - i, &cp, &used) < 0)
			return 0;
		i += used;
	}
	return 1;
}
