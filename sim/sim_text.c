/*
 * sim_text.c - UTF-8 <-> GSM 03.38 / UCS-2 / Latin-1 for the SMSC simulator,
 * and splitting encoded bodies into parts (SPEC §3 as seen from the phone).
 *
 * Owns nothing: pure functions over caller buffers. A small careful
 * converter rather than libunistring, so the scenario parser's fuzz target
 * and the probe link without extra libraries. Deliberately not the
 * project's text engine (no normalisation, no segmentation policy beyond
 * the standard part sizes): it can be swapped for it later.
 */
#include "sim_text.h"

#include <errno.h>
#include <string.h>

/* GSM 03.38 default alphabet, septet -> Unicode. 0x1B (escape) maps to
 * NBSP when it is not followed by an extension code. */
static const uint16_t gsm7_base[128] = {
	0x0040, 0x00a3, 0x0024, 0x00a5, 0x00e8, 0x00e9, 0x00f9, 0x00ec, 0x00f2,
	0x00c7, 0x000a, 0x00d8, 0x00f8, 0x000d, 0x00c5, 0x00e5, 0x0394, 0x005f,
	0x03a6, 0x0393, 0x039b, 0x03a9, 0x03a0, 0x03a8, 0x03a3, 0x0398, 0x039e,
	0x00a0, 0x00c6, 0x00e6, 0x00df, 0x00c9, 0x0020, 0x0021, 0x0022, 0x0023,
	0x00a4, 0x0025, 0x0026, 0x0027, 0x0028, 0x0029, 0x002a, 0x002b, 0x002c,
	0x002d, 0x002e, 0x002f, 0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035,
	0x0036, 0x0037, 0x0038, 0x0039, 0x003a, 0x003b, 0x003c, 0x003d, 0x003e,
	0x003f, 0x00a1, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047,
	0x0048, 0x0049, 0x004a, 0x004b, 0x004c, 0x004d, 0x004e, 0x004f, 0x0050,
	0x0051, 0x0052, 0x0053, 0x0054, 0x0055, 0x0056, 0x0057, 0x0058, 0x0059,
	0x005a, 0x00c4, 0x00d6, 0x00d1, 0x00dc, 0x00a7, 0x00bf, 0x0061, 0x0062,
	0x0063, 0x0064, 0x0065, 0x0066, 0x0067, 0x0068, 0x0069, 0x006a, 0x006b,
	0x006c, 0x006d, 0x006e, 0x006f, 0x0070, 0x0071, 0x0072, 0x0073, 0x0074,
	0x0075, 0x0076, 0x0077, 0x0078, 0x0079, 0x007a, 0x00e4, 0x00f6, 0x00f1,
	0x00fc, 0x00e0,
};

/* Extension table: septet after 0x1B -> Unicode. */
static const struct {
	uint8_t code;
	uint16_t cp;
} gsm7_ext[] = {
	{0x0a, 0x000c}, {0x14, 0x005e}, {0x28, 0x007b}, {0x29, 0x007d},
	{0x2f, 0x005c}, {0x3c, 0x005b}, {0x3d, 0x007e}, {0x3e, 0x005d},
	{0x40, 0x007c}, {0x65, 0x20ac},
};

#define NEXT_COUNT (sizeof(gsm7_ext) / sizeof(gsm7_ext[0]))

size_t
sim_text_utf8_next(const uint8_t *s, size_t n, uint32_t *cp)
{
	uint8_t c = s[0];
	size_t need;
	uint32_t v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		need = 2;
		v = c & 0x1f;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		need = 3;
		v = c & 0x0f;
		min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		need = 4;
		v = c & 0x07;
		min = 0x10000;
	} else {
		*cp = 0xfffd;
		return 1;
	}
	if (n < need) {
		*cp = 0xfffd;
		return 1;
	}
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*cp = 0xfffd;
			return 1;
		}
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
		*cp = 0xfffd;
		return 1;
	}
	*cp = v;
	return need;
}

int
sim_text_put_utf8(char *out, size_t cap, size_t *off, uint32_t cp)
{
	uint8_t b[4];
	size_t k;

	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		b[0] = (uint8_t)cp;
		k = 1;
	} else if (cp < 0x800) {
		b[0] = (uint8_t)(0xc0 | (cp >> 6));
		b[1] = (uint8_t)(0x80 | (cp & 0x3f));
		k = 2;
	} else if (cp < 0x10000) {
		b[0] = (uint8_t)(0xe0 | (cp >> 12));
		b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (uint8_t)(0x80 | (cp & 0x3f));
		k = 3;
	} else {
		b[0] = (uint8_t)(0xf0 | (cp >> 18));
		b[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (uint8_t)(0x80 | (cp & 0x3f));
		k = 4;
	}
	if (*off + k + 1 > cap)
		return -ENOSPC;
	memcpy(out + *off, b, k);
	*off += k;
	out[*off] = '\0';
	return 0;
}

/* GSM septet(s) for cp: 1 or 2 octets into out, 0 when unrepresentable. */
static int
gsm7_of(uint32_t cp, uint8_t out[2])
{
	if (cp == 0x00a0)
		return 0; /* NBSP is the lone-escape fallback, never sent */
	for (int i = 0; i < 128; i++) {
		if (gsm7_base[i] == cp && i != 0x1b) {
			out[0] = (uint8_t)i;
			return 1;
		}
	}
	for (size_t i = 0; i < NEXT_COUNT; i++) {
		if (gsm7_ext[i].cp == cp) {
			out[0] = 0x1b;
			out[1] = gsm7_ext[i].code;
			return 2;
		}
	}
	return 0;
}

int
sim_text_is_gsm7(const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *)s;
	uint8_t tmp[2];

	for (size_t i = 0; i < n;) {
		uint32_t cp;
		i += sim_text_utf8_next(p + i, n - i, &cp);
		if (!gsm7_of(cp, tmp))
			return 0;
	}
	return 1;
}

int
sim_text_to_gsm7(const char *s, size_t n, uint8_t *out, size_t cap)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t o = 0;

	for (size_t i = 0; i < n;) {
		uint32_t cp;
		uint8_t g[2];
		int k;

		i += sim_text_utf8_next(p + i, n - i, &cp);
		k = gsm7_of(cp, g);
		if (!k)
			return -EILSEQ;
		if (o + (size_t)k > cap)
			return -ENOSPC;
		memcpy(out + o, g, (size_t)k);
		o += (size_t)k;
	}
	return (int)o;
}

int
sim_text_to_ucs2(const char *s, size_t n, uint8_t *out, size_t cap)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t o = 0;

	for (size_t i = 0; i < n;) {
		uint32_t cp;

		i += sim_text_utf8_next(p + i, n - i, &cp);
		if (cp >= 0x10000) {
			uint32_t v = cp - 0x10000;
			uint16_t hi = (uint16_t)(0xd800 | (v >> 10));
			uint16_t lo = (uint16_t)(0xdc00 | (v & 0x3ff));
			if (o + 4 > cap)
				return -ENOSPC;
			out[o++] = (uint8_t)(hi >> 8);
			out[o++] = (uint8_t)hi;
			out[o++] = (uint8_t)(lo >> 8);
			out[o++] = (uint8_t)lo;
			continue;
		}
		if (o + 2 > cap)
			return -ENOSPC;
		out[o++] = (uint8_t)(cp >> 8);
		out[o++] = (uint8_t)cp;
	}
	return (int)o;
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

static uint32_t
gsm7_ext_cp(uint8_t code)
{
	for (size_t i = 0; i < NEXT_COUNT; i++)
		if (gsm7_ext[i].code == code)
			return gsm7_ext[i].cp;
	return 0;
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
			if (body[i] == 0x1b && i + 1 < n &&
			    (cp = gsm7_ext_cp(body[i + 1] & 0x7f)) != 0) {
				i += 2;
			} else {
				cp = gsm7_base[body[i] & 0x7f];
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
