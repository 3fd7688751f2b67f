/*
 * gsm7.c - the GSM 03.38 default alphabet and extension table (3GPP TS
 * 23.038 §6.2.1) and 7-bit packing (§6.1.2.1), for SPEC §3 (Text).
 *
 * Owns only the two constant tables. Converts between UTF-8 and unpacked
 * septets and between unpacked and packed septets. Deliberately does not
 * choose between GSM and UCS-2, split into parts, or look at national
 * language shift tables: callers do that with the counts returned here.
 * Encoding is exact (no lossy look-alike mappings such as ç -> Ç), so
 * UTF-8 -> GSM -> UTF-8 is the identity for everything accepted.
 */
#include <errno.h>
#include <limits.h>

#include "gsm7.h"
#include "utf8.h"

/* Default alphabet, septet -> Unicode. 0x1B is the escape, never a char. */
static const uint16_t gsm7_base[128] = {
	0x0040, 0x00A3, 0x0024, 0x00A5, 0x00E8, 0x00E9, 0x00F9, 0x00EC, 0x00F2,
	0x00C7, 0x000A, 0x00D8, 0x00F8, 0x000D, 0x00C5, 0x00E5, 0x0394, 0x005F,
	0x03A6, 0x0393, 0x039B, 0x03A9, 0x03A0, 0x03A8, 0x03A3, 0x0398, 0x039E,
	0x0020, 0x00C6, 0x00E6, 0x00DF, 0x00C9, 0x0020, 0x0021, 0x0022, 0x0023,
	0x00A4, 0x0025, 0x0026, 0x0027, 0x0028, 0x0029, 0x002A, 0x002B, 0x002C,
	0x002D, 0x002E, 0x002F, 0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035,
	0x0036, 0x0037, 0x0038, 0x0039, 0x003A, 0x003B, 0x003C, 0x003D, 0x003E,
	0x003F, 0x00A1, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047,
	0x0048, 0x0049, 0x004A, 0x004B, 0x004C, 0x004D, 0x004E, 0x004F, 0x0050,
	0x0051, 0x0052, 0x0053, 0x0054, 0x0055, 0x0056, 0x0057, 0x0058, 0x0059,
	0x005A, 0x00C4, 0x00D6, 0x00D1, 0x00DC, 0x00A7, 0x00BF, 0x0061, 0x0062,
	0x0063, 0x0064, 0x0065, 0x0066, 0x0067, 0x0068, 0x0069, 0x006A, 0x006B,
	0x006C, 0x006D, 0x006E, 0x006F, 0x0070, 0x0071, 0x0072, 0x0073, 0x0074,
	0x0075, 0x0076, 0x0077, 0x0078, 0x0079, 0x007A, 0x00E4, 0x00F6, 0x00F1,
	0x00FC, 0x00E0,
};

/* Extension table: code after 0x1B -> Unicode. */
static const struct {
	uint8_t code;
	uint16_t cp;
} gsm7_ext[] = {
	{0x0A, 0x000C}, /* form feed */
	{0x14, 0x005E}, /* ^ */
	{0x28, 0x007B}, /* { */
	{0x29, 0x007D}, /* } */
	{0x2F, 0x005C}, /* \ */
	{0x3C, 0x005B}, /* [ */
	{0x3D, 0x007E}, /* ~ */
	{0x3E, 0x005D}, /* ] */
	{0x40, 0x007C}, /* | */
	{0x65, 0x20AC}, /* euro sign */
};

#define GSM7_NEXT (sizeof(gsm7_ext) / sizeof(gsm7_ext[0]))

/*
 * Looks cp up: returns 1 with out[0] = septet, 2 with out = {ESC, code},
 * or 0 if cp has no GSM mapping.
 */
static int
gsm7_lookup(uint32_t cp, uint8_t out[2])
{
	for (unsigned i = 0; i < 128; i++) {
		if (gsm7_base[i] == cp && i != GSM7_ESC) {
			out[0] = (uint8_t)i;
			return 1;
		}
	}
	for (unsigned i = 0; i < GSM7_NEXT; i++) {
		if (gsm7_ext[i].cp == cp) {
			out[0] = GSM7_ESC;
			out[1] = gsm7_ext[i].code;
			return 2;
		}
	}
	return 0;
}

int
gsm7_from_utf8(const uint8_t *in, size_t len, uint8_t *septets, size_t cap,
	       size_t *chars)
{
	size_t i = 0, o = 0, n = 0, used;
	uint32_t cp;
	uint8_t s[2];
	int k, rc = 0;

	if (cap > INT_MAX)
		cap = INT_MAX;
	while (i < len) {
		if (utf8_decode(in + i, len - i, &cp, &used) < 0) {
			rc = -EILSEQ;
			break;
		}
		k = gsm7_lookup(cp, s);
		if (k == 0) {
			rc = -EILSEQ;
			break;
		}
		if (cap - o < (size_t)k) {
			rc = -ENOSPC;
			break;
		}
		septets[o++] = s[0];
		if (k == 2)
			septets[o++] = s[1];
		i += used;
		n++;
	}
	if (chars)
		*chars = n;
	return rc ? rc : (int)o;
}

int
gsm7_septets_needed(const uint8_t *utf8, size_t len)
{
	size_t i = 0, o = 0, used;
	uint32_t cp;
	uint8_t s[2];
	int k;

	while (i < len) {
		if (utf8_decode(utf8 + i, len - i, &cp, &used) < 0)
			return -EILSEQ;
		k = gsm7_lookup(cp, s);
		if (k == 0)
			return -EILSEQ;
		o += (size_t)k;
		if (o > INT_MAX)
			return -EOVERFLOW;
		i += used;
	}
	return (int)o;
}

uint32_t
gsm7_char(uint8_t septet)
{
	return septet > 0x7F ? UTF8_REPLACEMENT : gsm7_base[septet];
}

int
gsm7_is_ext(uint8_t code)
{
	for (unsigned i = 0; i < GSM7_NEXT; i++)
		if (gsm7_ext[i].code == code)
			return 1;
	return 0;
}

/* The character an escaped code stands for, per TS 23.038 receiving rules. */
uint32_t
gsm7_ext_char(uint8_t code)
{
	for (unsigned i = 0; i < GSM7_NEXT; i++)
		if (gsm7_ext[i].code == code)
			return gsm7_ext[i].cp;
	if (code > 0x7F)
		return UTF8_REPLACEMENT;
	return gsm7_base[code]; /* 0x1B (another extension) -> space too */
}

int
gsm7_to_utf8(const uint8_t *septets, size_t n, uint8_t *out, size_t cap)
{
	size_t i = 0, o = 0;
	uint32_t cp;
	int k;

	if (cap > INT_MAX)
		cap = INT_MAX;
	while (i < n) {
		uint8_t s = septets[i++];

		if (s > 0x7F)
			cp = UTF8_REPLACEMENT;
		else if (s != GSM7_ESC)
			cp = gsm7_base[s];
		else if (i < n)
			cp = gsm7_ext_char(septets[i++]);
		else
			cp = 0x20; /* lone trailing escape */
		if ((k = utf8_append(cp, out, cap, &o)) < 0)
			return k;
	}
	return (int)o;
}

int
gsm7_pack(const uint8_t *septets, size_t n, unsigned fill_bits, uint8_t *out,
	  size_t cap)
{
	size_t bits, need, bit;

	if (fill_bits > 6 || n > (size_t)INT_MAX / 7)
		return -EINVAL;
	bits = fill_bits + 7 * n;
	need = (bits + 7) / 8;
	if (need > cap)
		return -ENOSPC;
	for (size_t i = 0; i < n; i++)
		if (septets[i] > 0x7F)
			return -EINVAL;
	for (size_t i = 0; i < need; i++)
		out[i] = 0;
	bit = fill_bits;
	for (size_t i = 0; i < n; i++, bit += 7) {
		unsigned v = (unsigned)septets[i] << (bit % 8);

		out[bit / 8] |= (uint8_t)(v & 0xFF);
		if (v > 0xFF)
			out[bit / 8 + 1] |= (uint8_t)(v >> 8);
	}
	return (int)need;
}

int
gsm7_unpack(const uint8_t *packed, size_t len, unsigned fill_bits,
	    size_t nseptets, uint8_t *out, size_t cap)
{
	size_t bit;

	if (fill_bits > 6 || nseptets > (size_t)INT_MAX / 7)
		return -EINVAL;
	if (len < (fill_bits + 7 * nseptets + 7) / 8)
		return -EINVAL;
	if (cap < nseptets)
		return -ENOSPC;
	bit = fill_bits;
	for (size_t i = 0; i < nseptets; i++, bit += 7) {
		size_t byte = bit / 8;
		unsigned sh = bit % 8;
		unsigned v = packed[byte] >> sh;

		if (sh > 1)
			v |= (unsigned)packed[byte + 1] << (8 - sh);
		out[i] = (uint8_t)(v & 0x7F);
	}
	return (int)nseptets;
}
