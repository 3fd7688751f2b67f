/*
 * ucs2.c - UTF-8 <-> UTF-16BE for SMPP data_coding 8, and the MO body
 * decoder text_decode_mo() for data_coding 0, 1, 3 and 8 (SPEC §3).
 *
 * Owns nothing. Tolerant on input: broken UTF-8 or broken surrogates are
 * replaced with U+FFFD, never rejected, so an MO is always stored. Always
 * emits well-formed output. Deliberately does not normalise text for
 * matching (another module does that on a copy) nor pick the MT coding.
 */
#include <errno.h>
#include <limits.h>

#include "gsm7.h"
#include "ucs2.h"
#include "utf8.h"

static void
put16(uint8_t *p, uint32_t u)
{
	p[0] = (uint8_t)(u >> 8);
	p[1] = (uint8_t)(u & 0xFF);
}

int
ucs2_from_utf8(const uint8_t *in, size_t len, uint8_t *be, size_t cap)
{
	size_t i = 0, o = 0, used;
	uint32_t cp;

	if (cap > INT_MAX)
		cap = INT_MAX;
	while (i < len) {
		(void)utf8_decode(in + i, len - i, &cp, &used);
		i += used;
		if (cp < 0x10000) {
			if (cap - o < 2)
				return -ENOSPC;
			put16(be + o, cp);
			o += 2;
		} else {
			if (cap - o < 4)
				return -ENOSPC;
			cp -= 0x10000;
			put16(be + o, 0xD800 | (cp >> 10));
			put16(be + o + 2, 0xDC00 | (cp & 0x3FF));
			o += 4;
		}
	}
	return (int)o;
}

int
ucs2_to_utf8(const uint8_t *be, size_t len, uint8_t *out, size_t cap)
{
	size_t i = 0, o = 0;
	uint32_t u, lo, cp;
	int k;

	if (cap > INT_MAX)
		cap = INT_MAX;
	while (i < len) {
		if (len - i < 2) {
			cp = UTF8_REPLACEMENT; /* odd final byte */
			i = len;
		} else {
			u = ((uint32_t)be[i] << 8) | be[i + 1];
			i += 2;
			cp = u;
			if (u >= 0xDC00 && u <= 0xDFFF) {
				cp = UTF8_REPLACEMENT; /* lone low */
			} else if (u >= 0xD800 && u <= 0xDBFF) {
				cp = UTF8_REPLACEMENT; /* unless paired */
				if (len - i >= 2) {
					lo = ((uint32_t)be[i] << 8) | be[i + 1];
					if (lo >= 0xDC00 && lo <= 0xDFFF) {
						cp = 0x10000 +
						     ((u - 0xD800) << 10) +
						     (lo - 0xDC00);
						i += 2;
					}
				}
			}
		}
		if ((k = utf8_append(cp, out, cap, &o)) < 0)
			return k;
	}
	return (int)o;
}

/* IA5 (dc 1) and Latin-1 (dc 3): one octet, one character. */
static int
text_decode_octets(int latin1, const uint8_t *body, size_t len, uint8_t *out,
		   size_t cap)
{
	size_t o = 0;
	uint32_t cp;
	int k;

	if (cap > INT_MAX)
		cap = INT_MAX;
	for (size_t i = 0; i < len; i++) {
		cp = body[i];
		if (cp > 0x7F && !latin1)
			cp = UTF8_REPLACEMENT;
		if ((k = utf8_append(cp, out, cap, &o)) < 0)
			return k;
	}
	return (int)o;
}

int
text_decode_mo(unsigned data_coding, const uint8_t *body, size_t len,
	       uint8_t *out, size_t cap)
{
	switch (data_coding) {
	case 0:
		return gsm7_to_utf8(body, len, out, cap);
	case 1:
		return text_decode_octets(0, body, len, out, cap);
	case 3:
		return text_decode_octets(1, body, len, out, cap);
	case 8:
		return ucs2_to_utf8(body, len, out, cap);
	default:
		return -ENOTSUP;
	}
}
