/*
 * textnorm.c - matching form of citizen text (SPEC §3, "Matching is done
 * on a normalised copy") and a script guess for choosing the reply
 * language.
 *
 * Owns nothing beyond the call: decodes UTF-8 leniently into code points,
 * decomposes (NFKD, libunistring), maps each code point (strip, unify,
 * digits, lower-case, separators), recomposes (NFC) and collapses white
 * space, then encodes into the caller's buffer. It does not keep the
 * original text, tokenise, or match keywords: callers do that on the
 * space-separated result. No I/O.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>

#include "textnorm.h"
#include "utf8.h"

#define DROP 0xFFFFFFFFu

static int
is_ignorable(uint32_t c)
{
	return (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
	       (c >= 0x2066 && c <= 0x2069) || c == 0x061C || c == 0xFEFF ||
	       c == 0x00AD || (c >= 0x2060 && c <= 0x2064);
}

int
textnorm_is_arabic_mark(uint32_t c)
{
	return c == 0x0640 || (c >= 0x0610 && c <= 0x061A) ||
	       (c >= 0x064B && c <= 0x065F) || c == 0x0670 ||
	       (c >= 0x06D6 && c <= 0x06ED);
}

static int
is_space(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 ||
	       c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
	       c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
	       c == 0x3000;
}

/* Maps one decomposed code point; DROP removes it. */
static uint32_t
map_cp(uint32_t c)
{
	if (is_ignorable(c) || textnorm_is_arabic_mark(c))
		return DROP;
	if (is_space(c) || c < 0x20 || (c >= 0x7F && c <= 0x9F))
		return ' ';
	switch (c) {
	case 0x060C: /* Arabic comma */
	case 0x061B: /* Arabic semicolon */
	case 0x061F: /* Arabic question mark */
		return ' ';
	case 0x0622: /* alef madda (only if not decomposed) */
	case 0x0623: /* alef hamza above */
	case 0x0625: /* alef hamza below */
	case 0x0671: /* alef wasla */
	case 0x0672: /* alef wavy hamza above */
	case 0x0673: /* alef wavy hamza below */
		return 0x0627;
	case 0x0649: /* alef maksura */
	case 0x06CC: /* Farsi yeh */
		return 0x064A;
	case 0x0629: /* teh marbuta */
		return 0x0647;
	case 0x06A9: /* keheh */
		return 0x0643;
	}
	if (c >= 0x0660 && c <= 0x0669)
		return '0' + (c - 0x0660);
	if (c >= 0x06F0 && c <= 0x06F9)
		return '0' + (c - 0x06F0);
	if (c >= 'A' && c <= 'Z')
		return c + ('a' - 'A');
	if (c < 0x80)
		return c;
	return uc_tolower(c);
}

/* Runs the mapping over a decomposed buffer in place; returns its length. */
static size_t
map_all(uint32_t *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		uint32_t m = map_cp(s[i]);
		if (m != DROP)
			s[o++] = m;
	}
	return o;
}

/* One pass of the whole pipeline; returns a new buffer in *res (free()). */
static int
norm_pass(const uint32_t *cps, size_t n, uint32_t **res, size_t *rn)
{
	uint32_t *d, *c;
	size_t dn = 0, cn = 0;

	d = u32_normalize(UNINORM_NFKD, cps, n, NULL, &dn);
	if (!d)
		return -ENOMEM;
	dn = map_all(d, dn);
	c = u32_normalize(UNINORM_NFC, d, dn, NULL, &cn);
	free(d);
	if (!c)
		return -ENOMEM;
	*res = c;
	*rn = cn;
	return 0;
}

int
textnorm(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	uint32_t *cps = NULL, *res = NULL;
	size_t n = 0, rn = 0, i, o = 0;
	int rc, pending_space = 0;

	if (len == 0)
		return 0;
	if (len > INT_MAX / TEXTNORM_EXPANSION)
		return -EOVERFLOW;
	cps = malloc(len * sizeof(*cps));
	if (!cps)
		return -ENOMEM;
	for (i = 0; i < len;)
		i += utf8_next(in + i, len - i, &cps[n++]);

	rc = norm_pass(cps, n, &res, &rn);
	if (rc < 0)
		goto out;

	/* collapse spaces, trim, encode */
	for (i = 0; i < rn; i++) {
		uint32_t c = res[i];
		size_t l;

		if (c == ' ') {
			pending_space = o > 0;
			continue;
		}
		uint8_t enc[4];
		int k = utf8_encode(c, enc, sizeof(enc));
		if (k < 0)
			k = utf8_encode(UTF8_REPLACEMENT, enc, sizeof(enc));
		l = (size_t)k + (size_t)pending_space;
		if (l > cap - o) {
			rc = -ENOSPC;
			goto out;
		}
		if (pending_space)
			out[o++] = ' ';
		pending_space = 0;
		memcpy(out + o, enc, (size_t)k);
		o += (size_t)k;
	}
	rc = (int)o;
out:
	free(res);
	free(cps);
	return rc;
}

enum text_script
textnorm_script(const uint8_t *utf8, size_t len)
{
	const uc_script_t *arabic = uc_script_byname("Arabic");
	const uc_script_t *latin = uc_script_byname("Latin");
	size_t i, na = 0, nl = 0;

	for (i = 0; i < len;) {
		uint32_t c;
		const uc_script_t *s;

		i += utf8_next(utf8 + i, len - i, &c);
		if (c < 0x80) {
			nl += (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
			continue;
		}
		if (!uc_is_general_category(c, UC_CATEGORY_L))
			continue;
		s = uc_script(c);
		if (s && s == arabic)
			na++;
		else if (s && s == latin)
			nl++;
	}
	if (na == 0 && nl == 0)
		return TEXT_SCRIPT_NONE;
	return na >= nl ? TEXT_SCRIPT_ARABIC : TEXT_SCRIPT_LATIN;
}
