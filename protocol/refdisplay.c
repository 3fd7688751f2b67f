/*
 * refdisplay.c - formatting and lenient parsing of case references
 * (SPEC §4 "Display" and "Parsing is lenient").
 *
 * Owns nothing: works on caller buffers. Deliberately does not compute or
 * verify the Damm check digit, nor map references to cases; a 10-digit
 * run returned by ref_parse() still has to be checked by the caller.
 */
#include <errno.h>
#include <string.h>

#include "refdisplay.h"
#include "utf8.h"

static int
all_digits(const char *d)
{
	for (int i = 0; i < REF_DIGITS; i++)
		if (d[i] < '0' || d[i] > '9')
			return 0;
	return 1;
}

int
ref_format_en(const char digits[10], char *out, size_t cap)
{
	if (!all_digits(digits))
		return -EINVAL;
	if (cap < REF_EN_SIZE)
		return -ENOSPC;
	memcpy(out, digits, 3);
	out[3] = ' ';
	memcpy(out + 4, digits + 3, 3);
	out[7] = ' ';
	memcpy(out + 8, digits + 6, 4);
	out[12] = '\0';
	return 12;
}

int
ref_format_ar(const char digits[10], char *out, size_t cap)
{
	if (!all_digits(digits))
		return -EINVAL;
	if (cap < REF_AR_SIZE)
		return -ENOSPC;
	memcpy(out, digits, REF_DIGITS);
	out[REF_DIGITS] = '\0';
	return REF_DIGITS;
}

/* One code point, or 0 when the sequence is invalid (strict UTF-8). */
static size_t
next_strict(const uint8_t *s, size_t n, uint32_t *cp)
{
	size_t used;

	return utf8_decode(s, n, cp, &used) < 0 ? 0 : used;
}

int
ref_digit_value(uint32_t c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	if (c >= 0x0660 && c <= 0x0669)
		return (int)(c - 0x0660);
	if (c >= 0x06F0 && c <= 0x06F9)
		return (int)(c - 0x06F0);
	if (c >= 0xFF10 && c <= 0xFF19)
		return (int)(c - 0xFF10);
	return -1;
}

static int
is_ignored(uint32_t c)
{
	switch (c) {
	case ' ':
	case '\t':
	case '\n':
	case '\r':
	case '-':
	case '.':
	case 0x00A0: /* no-break space */
	case 0x00AD: /* soft hyphen */
	case 0x00B7: /* middle dot */
	case 0x061C: /* Arabic letter mark */
	case 0x066B: /* Arabic decimal separator */
	case 0x066C: /* Arabic thousands separator */
	case 0x06D4: /* Arabic full stop */
	case 0x2024: /* one dot leader */
	case 0x202F: /* narrow no-break space */
	case 0x2060: /* word joiner */
	case 0x2212: /* minus sign */
	case 0x3000: /* ideographic space */
	case 0xFE63: /* small hyphen-minus */
	case 0xFEFF: /* zero width no-break space */
	case 0xFF0D: /* fullwidth hyphen-minus */
	case 0xFF0E: /* fullwidth full stop */
		return 1;
	}
	return (c >= 0x2000 && c <= 0x200F) || /* spaces, ZW, LRM/RLM */
	       (c >= 0x2010 && c <= 0x2015) || /* hyphens, dashes */
	       (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

int
ref_parse(const uint8_t *utf8, size_t len, char out[11])
{
	size_t i = 0;
	int n = 0;

	out[0] = '\0';
	while (i < len) {
		uint32_t c;
		size_t l = next_strict(utf8 + i, len - i, &c);
		int v;

		if (l == 0)
			goto bad;
		i += l;
		v = ref_digit_value(c);
		if (v >= 0) {
			if (n == REF_DIGITS)
				goto bad;
			out[n++] = (char)('0' + v);
		} else if (!is_ignored(c)) {
			goto bad;
		}
	}
	if (n != REF_DIGITS)
		goto bad;
	out[REF_DIGITS] = '\0';
	return 0;
bad:
	out[0] = '\0';
	return -EINVAL;
}
