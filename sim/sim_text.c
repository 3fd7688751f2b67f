/*
 * sim_text.c - UTF-8 <-> GSM 03.38 / UCS-2 / Latin-1 for the SMSC simulator,
 * and splitting encoded bodies into parts (SPEC §3 as seen from the phone).
 *
 * Owns nothing: pure functions over caller buffers. The conversions are
 * the project's own (protocol/gsm7.c, ucs2.c, utf8.c); this file adds
 * what a simulated phone needs on top: Latin-1, a forgiving display
 * decoder (NUL-terminated, cut on a character boundary, any data_coding)
 * and splitting into a chosen number of parts.
 */
#include "sim_text.h"

#include <errno.h>
#include <string.h>

#include "gsm7.h"
#include "ucs2.h"
#include "utf8.h"

/* One character; a broken sequence reads as U+FFFD and advances one
 * octet, so the scenario lexer resynchronises byte by byte. */
size_t
sim_text_utf8_next(const uint8_t *s, size_t n, uint32_t *cp)
{
	size_t used;

	return utf8_decode(s, n, cp, &used) < 0 ? 1 : used;
}

int
sim_text_put_utf8(char *out, size_t cap, size_t *off, uint32_t cp)
{
	uint8_t b[4];
	int k;

	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	k = utf8_encode(cp, b, sizeof(b));
	if (k < 0 || *off + (size_t)k + 1 > cap)
		return -ENOSPC;
	memcpy(out + *off, b, (size_t)k);
	*off += (size_t)k;
	out[*off] = '\0';
	return 0;
}

int
sim_text_is_gsm7(const char *s, size_t n)
{
	return gsm7_septets_needed((const uint8_t *)s, n) >= 0;
}

int
sim_text_to_gsm7(const char *s, size_t n, uint8_t *out, size_t cap)
{
	return gsm7_from_utf8((const uint8_t *)s, n, out, cap, NULL);
}

int
sim_text_to_ucs2(const char *s, size_t n, uint8_t *out, size_t cap)
{
	return ucs2_from_utf8((const uint8_t *)s, n, out, cap);
}

int
sim_text_to_latin1(const char *s, size_t n, uint8_t *out, size_t cap)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t o = 0;

	for (size_t i = 0; i < n;) {
		uint32_t cp;

		i += sim_text_utf8_next(p + i, n - i, &cp);
		if (cp > 0xff)
			return -EILSEQ;
		if (o + 1 > cap)
			return -ENOSPC;
		out[o++] = (uint8_t)cp;
	}
	return (int)o;
}

size_t
sim_text_decode(uint8_t dcs, const uint8_t *body, size_t n, char *out,
		size_t cap)
{
	size_t off = 0;

	if (cap == 0)
		return 0;
	out[0] = '\0';
	for (size_t i = 0; i < n;) {
		uint32_t cp;

		switch (dcs) {
		case SIM_DCS_GSM7:
			if (body[i] == GSM7_ESC && i + 1 < n &&
			    gsm7_is_ext(body[i + 1] & 0x7f)) {
				cp = gsm7_ext_char(body[i + 1] & 0x7f);
				i += 2;
			} else {
				/* a lone escape shows as NBSP: visible in
				 * the console, never mistaken for a space */
				cp = (body[i] & 0x7f) == GSM7_ESC
					     ? 0x00a0
					     : gsm7_char(body[i] & 0x7f);
				i++;
			}
			break;
		case SIM_DCS_ASCII:
			cp = body[i] < 0x80 ? body[i] : 0xfffd;
			i++;
			break;
		case SIM_DCS_UCS2:
			if (i + 1 >= n) {
				cp = 0xfffd;
				i = n;
				break;
			}
			cp = (uint32_t)body[i] << 8 | body[i + 1];
			i += 2;
			if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < n) {
				uint32_t lo =
					(uint32_t)body[i] << 8 | body[i + 1];
				if (lo >= 0xdc00 && lo <= 0xdfff) {
					cp = 0x10000 + ((cp - 0xd800) << 10) +
					     (lo - 0xdc00);
					i += 2;
				} else {
					cp = 0xfffd;
				}
			} else if (cp >= 0xd800 && cp <= 0xdfff) {
				cp = 0xfffd;
			}
			break;
		case SIM_DCS_LATIN1:
			cp = body[i++];
			break;
		default:
			cp = body[i] >= 0x20 && body[i] != 0x7f ? body[i] : '.';
			i++;
			break;
		}
		if (sim_text_put_utf8(out, cap, &off, cp) < 0)
			break;
	}
	return off;
}

size_t
sim_text_unit_len(uint8_t dcs, const uint8_t *enc, size_t n, size_t i)
{
	size_t k = 1;

	if (dcs == SIM_DCS_GSM7 && enc[i] == 0x1b)
		k = 2;
	else if (dcs == SIM_DCS_UCS2) {
		k = 2;
		if (i + 3 < n && enc[i] >= 0xd8 && enc[i] <= 0xdb &&
		    enc[i + 2] >= 0xdc && enc[i + 2] <= 0xdf)
			k = 4;
	}
	if (i + k > n)
		k = n - i;
	return k;
}

size_t
sim_text_count(uint8_t dcs, const uint8_t *enc, size_t n)
{
	return dcs == SIM_DCS_UCS2 ? n / 2 : n;
}

int
sim_text_split(uint8_t dcs, const uint8_t *enc, size_t n, int nparts,
	       size_t single, size_t per_part, size_t *ends, int max)
{
	size_t pos = 0;
	int k = 0;

	if (nparts > 0) {
		if (nparts > max)
			return -E2BIG;
		for (k = 0; k < nparts; k++) {
			/* aim at the k+1-th n/nparts boundary, at least one
			 * character per part */
			size_t target =
				(n * (size_t)(k + 1) + (size_t)nparts - 1) /
				(size_t)nparts;
			size_t start = pos;
			while (pos < n && (pos < target || pos == start))
				pos += sim_text_unit_len(dcs, enc, n, pos);
			if (pos == start)
				return -EINVAL;
			ends[k] = pos;
		}
		if (pos != n)
			return -EINVAL;
		return nparts;
	}
	if (n <= single) {
		if (max < 1)
			return -E2BIG;
		ends[0] = n;
		return 1;
	}
	while (pos < n) {
		size_t start = pos;
		if (k == max)
			return -E2BIG;
		while (pos < n) {
			size_t u = sim_text_unit_len(dcs, enc, n, pos);
			if (pos - start + u > per_part && pos > start)
				break;
			pos += u;
		}
		ends[k++] = pos;
	}
	return k;
}
