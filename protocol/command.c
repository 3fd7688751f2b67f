/*
 * command.c - the SMS command grammar (SPEC §5 rows 1-4 and 6-10): tells
 * which row of the commands table a message falls under and where its
 * reference, entity token and free text are in the original text.
 *
 * Owns nothing beyond the call: a fixed array of word spans on the stack;
 * the only allocation is the one textnorm() makes per word it folds (at
 * most the first word and blank-looking words). It deliberately does not
 * decide row 5 (pending exchanges: the caller, helped by `choice`), verify
 * the Damm check digit, look up entities, rate-limit, or choose the reply
 * language (it only reports the script). No I/O.
 *
 * Words. The ORIGINAL text is split into words at separators: white space
 * and control characters (NUL included), all ASCII punctuation, the
 * Arabic comma, semicolon, question mark, full stop, decimal and
 * thousands separators, dashes, quotes, guillemets and a few more (see
 * is_sep()). A word whose matching form (textnorm(), then trimmed of
 * ASCII punctuation that compatibility folding may produce, e.g. from
 * fullwidth forms) is empty - e.g. a lone bidi mark or tatweel - is
 * blank and ignored. A word's span excludes zero-width and bidi marks at
 * its ends. Offsets returned always point into the original.
 *
 * Keywords are matched on the first word's matching form, so case,
 * hamza/alef forms, ta marbuta, alef maksura, diacritics, tatweel,
 * presentation forms and bidi marks do not matter. A keyword of 5 or more
 * letters also matches a word at Damerau-Levenshtein distance 1 (code
 * points of the matching forms); shorter keywords match exactly only. A
 * leading "ال" is not counted in a keyword's letters: it is usually the
 * article, and "الغاء" (cancel) would otherwise match "الماء" (water),
 * "الغاز" (gas) and "الغذاء" (food). An exact match anywhere in the table
 * wins, and so does an exact match once a leading article "ال" is taken
 * off the word ("الحالة", "الشكوى", "العربي"; exact only); a typo within
 * distance 1 of keywords of different meanings matches none. Beyond SPEC §5 the table also has INQUIRY (enquiry),
 * ARABIC, انجليزي and الانجليزية (language) and "?"/"؟" for help: a
 * message with no word but a question mark is HELP.
 *
 * References. A digit word is a word of digits (ASCII, Arabic-Indic,
 * Persian, fullwidth) and zero-width/bidi marks only (and the emoji
 * keycap parts U+FE0E, U+FE0F, U+20E3, so "1️⃣" is a choice). After a keyword,
 * consecutive digit words are collected greedily until they hold 10 or
 * more digits: "483 920 1753", "483-920-1753", "٤٨٣٬٩٢٠٬١٧٥٣" are one
 * reference, and text may follow ("INFO 483 920 1753 5 more houses":
 * the "5" is text because collection stops at 10). Exactly 10 digits is
 * COMMAND_REF_OK; fewer (the next word is not a digit word or the text
 * ends) or more (the last group overflows) is COMMAND_REF_BAD. A message
 * made only of digit words (ref_parse() accepting it implies this) is a
 * status request when it holds 6 to 14 digits - OK for exactly 10, else
 * BAD, so a short or long number gets "that is not a reference" rather
 * than the guided flow; 1 digit alone is a `choice`; 2-5 or 15+ digits
 * are free text.
 *
 * Rows, first match wins (n = number of non-blank words):
 *  1 a row-1 keyword alone, or followed by a reference and nothing else
 *    (so "CANCEL <ref>" and "الغاء <ref>" mute a case too; a BAD ref
 *    must not be taken as a global opt-out);
 *  2-4 START / HELP / language keyword alone;
 *  6 STATUS keyword alone (ref NONE: the caller sends usage), or followed
 *    by a digit word (reference collected, any text after it ignored), or
 *    followed by exactly one other word ("STATUS abc": BAD); a STATUS
 *    keyword followed by two or more non-digit words is not row 6 (so
 *    "حالة الطريق سيئة", "the road's condition is bad", is text); then a
 *    message that is only digit words, as above;
 *  7 MY keyword alone;
 *  8 INFO keyword alone (ref NONE, empty body: usage), or followed by a
 *    digit word: reference collected, body is the text after it (may be
 *    empty); INFO followed by other text is not row 8;
 *  9 NEW keyword, then anything: token = next word, body = from the token
 *    to the end, rest = after the token (empty body: caller sends usage);
 * 10 everything else, body = the whole message trimmed.
 * Messages longer than COMMAND_TEXT_MAX bytes are row 10 untrimmed.
 */
#include <errno.h>
#include <string.h>

#include "command.h"
#include "refdisplay.h"
#include "textnorm.h"
#include "utf8.h"

#define WORDS_MAX        16 /* enough for every rule: a ref is <= 10 groups */
#define NORM_CAP         64 /* longest keyword + typo fits easily */
#define REF_DIGITS       10
#define BARE_MIN         6
#define BARE_MAX         14
#define LETTERS_TOLERANT 5

enum meaning {
	M_NONE = 0,
	M_STOP,
	M_START,
	M_HELP,
	M_LANG_AR,
	M_LANG_EN,
	M_STATUS,
	M_MY,
	M_INFO,
	M_NEW_C,
	M_NEW_S,
	M_NEW_Q,
};

struct keyword {
	const char *norm; /* matching form (textnorm fixed point) */
	enum meaning m;
};

static const struct keyword keywords[] = {
	/* row 1 */
	{"stop", M_STOP},
	{"stopall", M_STOP},
	{"unsubscribe", M_STOP},
	{"cancel", M_STOP},
	{"end", M_STOP},
	{"quit", M_STOP},
	{"ايقاف", M_STOP},
	{"توقف", M_STOP},
	{"الغاء", M_STOP},
	/* row 2 */
	{"start", M_START},
	{"unstop", M_START},
	{"تفعيل", M_START},
	{"اشتراك", M_START},
	/* row 3 */
	{"help", M_HELP},
	{"مساعده", M_HELP},
	/* row 4 */
	{"en", M_LANG_EN},
	{"english", M_LANG_EN},
	{"انجليزي", M_LANG_EN},
	{"الانجليزيه", M_LANG_EN},
	{"ar", M_LANG_AR},
	{"arabic", M_LANG_AR},
	{"عربي", M_LANG_AR},
	{"العربيه", M_LANG_AR},
	/* row 6 */
	{"status", M_STATUS},
	{"حاله", M_STATUS},
	{"متابعه", M_STATUS},
	/* row 7 */
	{"my", M_MY},
	{"list", M_MY},
	{"طلباتي", M_MY},
	/* row 8 */
	{"info", M_INFO},
	{"اضافه", M_INFO},
	/* row 9 */
	{"c", M_NEW_C},
	{"complaint", M_NEW_C},
	{"شكوي", M_NEW_C},
	{"s", M_NEW_S},
	{"suggest", M_NEW_S},
	{"suggestion", M_NEW_S},
	{"اقتراح", M_NEW_S},
	{"مقترح", M_NEW_S},
	{"q", M_NEW_Q},
	{"ask", M_NEW_Q},
	{"enquiry", M_NEW_Q},
	{"inquiry", M_NEW_Q},
	{"استفسار", M_NEW_Q},
};

#define N_KEYWORDS (sizeof(keywords) / sizeof(keywords[0]))

struct word {
	size_t off, len; /* in the original text */
	int ndig;        /* > 0: a digit word holding that many digits */
	enum meaning m;  /* computed for the first word only */
};

struct scan {
	const uint8_t *s;
	size_t len;
	struct word w[WORDS_MAX];
	int n;        /* non-blank words stored */
	int more;     /* there are more than WORDS_MAX */
	int question; /* a question mark was seen as a separator */
};

/* The white space and controls textnorm() turns into spaces. */
static int
is_space(uint32_t c)
{
	return c < 0x21 || (c >= 0x7F && c <= 0xA0) || c == 0x1680 ||
	       (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
	       c == 0x202F || c == 0x205F || c == 0x3000;
}

/* Zero-width and bidi controls: ignored inside a reference (as by
 * ref_parse()) and dropped by textnorm(). */
static int
is_zero_width(uint32_t c)
{
	return c == 0x00AD || c == 0x061C || (c >= 0x200B && c <= 0x200F) ||
	       (c >= 0x202A && c <= 0x202E) || (c >= 0x2060 && c <= 0x2064) ||
	       (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF;
}

/* Emoji variation selectors and the combining keycap of "1️⃣": allowed
 * in a digit word, kept by textnorm(). */
static int
is_keycap(uint32_t c)
{
	return c == 0xFE0E || c == 0xFE0F || c == 0x20E3;
}

static int
is_question(uint32_t c)
{
	return c == '?' || c == 0x061F || c == 0x00BF || c == 0x2E2E ||
	       c == 0xFF1F;
}

static int
is_ascii_punct(uint32_t c)
{
	return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) ||
	       (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
}

/* Word separators. Includes every visible separator ref_parse() ignores
 * (hyphens, dots, Arabic decimal/thousands separators), so digit groups
 * split there and are collected again. */
static int
is_sep(uint32_t c)
{
	if (is_space(c) || is_ascii_punct(c) || is_question(c))
		return 1;
	switch (c) {
	case 0x00A1: /* inverted exclamation mark */
	case 0x00AB: /* guillemets */
	case 0x00BB:
	case 0x00B7: /* middle dot */
	case 0x060C: /* Arabic comma */
	case 0x061B: /* Arabic semicolon */
	case 0x066B: /* Arabic decimal separator */
	case 0x066C: /* Arabic thousands separator */
	case 0x06D4: /* Arabic full stop */
	case 0x2039: /* single guillemets */
	case 0x203A:
	case 0x2212: /* minus sign */
	case 0xFE63: /* small hyphen-minus */
	case 0xFF01: /* fullwidth ! , - . */
	case 0xFF0C:
	case 0xFF0D:
	case 0xFF0E:
		return 1;
	}
	return (c >= 0x2010 && c <= 0x2015) || /* hyphens, dashes */
	       (c >= 0x2018 && c <= 0x201F) || /* quotation marks */
	       (c >= 0x2024 && c <= 0x2026);   /* leaders, ellipsis */
}

/* Characters textnorm() certainly keeps as non-space: ASCII letters and
 * digits, Arabic base letters, Latin-1 letters, U+FFFD. */
static int
is_solid(uint32_t c)
{
	return (c < 0x80 && ((c | 0x20) - 'a' < 26 || c - '0' < 10)) ||
	       (c >= 0x0621 && c <= 0x064A && c != 0x0640) ||
	       (c >= 0x00C0 && c <= 0x00FF && c != 0x00D7 && c != 0x00F7) ||
	       c == UTF8_REPLACEMENT;
}

/* Decodes valid UTF-8 (a matching form) into code points; -1 if more
 * than cap. */
static int
to_cps(const uint8_t *s, size_t n, uint32_t *cps, int cap)
{
	int k = 0;

	for (size_t i = 0; i < n;) {
		if (k == cap)
			return -1;
		i += utf8_next(s + i, n - i, &cps[k++]);
	}
	return k;
}

static int
same(const uint32_t *a, const uint32_t *b, int n)
{
	return n <= 0 || memcmp(a, b, (size_t)n * sizeof(*a)) == 0;
}

/* 1 if a and b (different) are one substitution, insertion, deletion or
 * adjacent transposition apart (Damerau-Levenshtein distance 1). */
static int
one_edit(const uint32_t *a, int na, const uint32_t *b, int nb)
{
	int i = 0;

	if (na < nb) {
		const uint32_t *t = a;
		int tn = na;

		a = b;
		na = nb;
		b = t;
		nb = tn;
	}
	if (na - nb > 1)
		return 0;
	while (i < nb && a[i] == b[i])
		i++;
	if (na != nb) /* one deletion from a at i */
		return same(a + i + 1, b + i, nb - i);
	if (i == na)
		return 0; /* equal */
	if (same(a + i + 1, b + i + 1, na - i - 1))
		return 1;
	return i + 1 < na && a[i] == b[i + 1] && a[i + 1] == b[i] &&
	       same(a + i + 2, b + i + 2, na - i - 2);
}

/* Letters counted for typo tolerance: code points, less a leading
 * alef-lam (see the header comment). */
static int
tolerant(const uint32_t *k, int nk)
{
	if (nk >= 2 && k[0] == 0x0627 && k[1] == 0x0644)
		nk -= 2;
	return nk >= LETTERS_TOLERANT;
}

static enum meaning
exact(const uint8_t *norm, size_t nlen)
{
	for (size_t i = 0; i < N_KEYWORDS; i++)
		if (strlen(keywords[i].norm) == nlen &&
		    memcmp(keywords[i].norm, norm, nlen) == 0)
			return keywords[i].m;
	return M_NONE;
}

/* Meaning of a word's matching form: an exact keyword, else an exact
 * keyword after an Arabic article ("الحالة" is "حالة"), else a keyword
 * within one typo, unless that typo is as close to another meaning. */
static enum meaning
classify(const uint8_t *norm, size_t nlen)
{
	static const char article[] = "ال";
	const size_t al = sizeof(article) - 1;
	uint32_t w[NORM_CAP], k[NORM_CAP];
	enum meaning found;
	int nw, nk;
	size_t i;

	found = exact(norm, nlen);
	/* only before an Arabic letter (lead bytes 0xD8-0xDB): "الc" is no
	 * keyword */
	if (found == M_NONE && nlen > al && memcmp(norm, article, al) == 0 &&
	    norm[al] >= 0xD8 && norm[al] <= 0xDB)
		found = exact(norm + al, nlen - al);
	if (found != M_NONE)
		return found;
	nw = to_cps(norm, nlen, w, NORM_CAP);
	if (nw < LETTERS_TOLERANT - 1)
		return M_NONE;
	for (i = 0; i < N_KEYWORDS; i++) {
		const char *kw = keywords[i].norm;

		nk = to_cps((const uint8_t *)kw, strlen(kw), k, NORM_CAP);
		if (!tolerant(k, nk) || !one_edit(w, nw, k, nk))
			continue;
		if (found != M_NONE && found != keywords[i].m)
			return M_NONE; /* ambiguous typo */
		found = keywords[i].m;
	}
	return found;
}

/*
 * Folds the word s[0..n) into buf; *start and *nlen get its matching form
 * trimmed of ASCII punctuation and spaces. Returns 0, or -1 when the
 * form does not fit NORM_CAP bytes (or textnorm() fails): then the word
 * is not blank and is no keyword.
 */
static int
fold_word(const uint8_t *s, size_t n, uint8_t *buf, size_t *start, size_t *nlen)
{
	int rc = textnorm(s, n, buf, NORM_CAP);
	size_t a = 0, b;

	if (rc < 0)
		return -1;
	b = (size_t)rc;
	while (a < b && (buf[a] == ' ' || is_ascii_punct(buf[a])))
		a++;
	while (b > a && (buf[b - 1] == ' ' || is_ascii_punct(buf[b - 1])))
		b--;
	*start = a;
	*nlen = b - a;
	return 0;
}

/*
 * Looks at the word s[0..n) (no separator inside). Returns 0 if blank,
 * else 1 with w->ndig and, if want_meaning, w->m filled in.
 */
static int
look_word(const uint8_t *s, size_t n, int want_meaning, struct word *w)
{
	int digits = 0, other = 0, droppable = 1;
	size_t solid = 0;
	uint8_t buf[NORM_CAP];
	size_t a, nl;

	for (size_t i = 0; i < n;) {
		uint32_t c;

		i += utf8_next(s + i, n - i, &c);
		if (ref_digit_value(c) >= 0) {
			digits++;
			droppable = 0;
			continue;
		}
		if (is_zero_width(c))
			continue;
		if (is_keycap(c)) { /* allowed with digits: "1️⃣" */
			droppable = 0;
			continue;
		}
		other = 1;
		if (!textnorm_is_arabic_mark(c))
			droppable = 0;
		solid += (size_t)is_solid(c);
	}
	w->ndig = digits > 0 && !other ? digits : 0;
	w->m = M_NONE;
	if (w->ndig > 0)
		return 1;
	if (droppable)
		return 0;
	/* each solid character folds to at least one byte: skip folding
	 * what cannot be blank or fit NORM_CAP */
	if (solid > NORM_CAP || (solid && !want_meaning))
		return 1;
	if (fold_word(s, n, buf, &a, &nl) < 0)
		return 1;
	if (nl == 0)
		return 0;
	if (want_meaning)
		w->m = classify(buf + a, nl);
	return 1;
}

/* Narrows a non-blank word's span to exclude zero-width marks at either
 * end, so a token or reference span starts and ends with what was seen. */
static void
trim_word(const uint8_t *s, struct word *w)
{
	size_t first = 0, end = 0, i = w->off, stop = w->off + w->len;
	int seen = 0;

	while (i < stop) {
		uint32_t c;
		size_t l = utf8_next(s + i, stop - i, &c);

		if (!is_zero_width(c)) {
			if (!seen)
				first = i;
			seen = 1;
			end = i + l;
		}
		i += l;
	}
	if (seen) {
		w->off = first;
		w->len = end - first;
	}
}

/* Splits the text into its first WORDS_MAX non-blank words. */
static void
scan_words(struct scan *sc)
{
	size_t i = 0;

	while (i < sc->len) {
		struct word w;
		size_t start;
		uint32_t c;
		size_t l = utf8_next(sc->s + i, sc->len - i, &c);

		if (is_sep(c)) {
			sc->question |= is_question(c);
			i += l;
			continue;
		}
		start = i;
		while (i < sc->len) {
			l = utf8_next(sc->s + i, sc->len - i, &c);
			if (is_sep(c))
				break;
			i += l;
		}
		if (!look_word(sc->s + start, i - start, sc->n == 0, &w))
			continue;
		if (sc->n == WORDS_MAX) {
			sc->more = 1;
			return;
		}
		w.off = start;
		w.len = i - start;
		trim_word(sc->s, &w);
		sc->w[sc->n++] = w;
	}
}

/*
 * The text from `from` to the end without leading and trailing white
 * space, controls and zero-width marks; an empty span at `from` if
 * nothing is left.
 */
static void
content_span(const uint8_t *s, size_t len, size_t from, size_t *off, size_t *n)
{
	size_t first = len, end = from;

	for (size_t i = from; i < len;) {
		uint32_t c;
		size_t l = utf8_next(s + i, len - i, &c);

		if (!is_space(c) && !is_zero_width(c)) {
			if (first == len)
				first = i;
			end = i + l;
		}
		i += l;
	}
	if (first == len) {
		*off = from;
		*n = 0;
		return;
	}
	*off = first;
	*n = end - first;
}

/* Appends the digits of word w as ASCII to ref[*k..10). */
static void
word_digits(const uint8_t *s, const struct word *w, char *ref, int *k)
{
	for (size_t i = w->off; i < w->off + w->len;) {
		uint32_t c;
		int v;

		i += utf8_next(s + i, w->off + w->len - i, &c);
		v = ref_digit_value(c);
		if (v >= 0 && *k < REF_DIGITS)
			ref[(*k)++] = (char)('0' + v);
	}
}

/*
 * Collects digit words from index i (a digit word) until they hold 10 or
 * more digits or a non-digit word comes; fills the ref fields of out.
 * Returns the index of the first word after the reference.
 */
static int
collect_ref(const struct scan *sc, int i, struct command *out)
{
	int j = i, count = 0;

	while (j < sc->n && sc->w[j].ndig > 0 && count < REF_DIGITS)
		count += sc->w[j++].ndig;
	out->ref_off = sc->w[i].off;
	out->ref_len = sc->w[j - 1].off + sc->w[j - 1].len - sc->w[i].off;
	if (count == REF_DIGITS) {
		int k = 0;

		for (int t = i; t < j; t++)
			word_digits(sc->s, &sc->w[t], out->ref, &k);
		out->ref[REF_DIGITS] = '\0';
		out->ref_state = COMMAND_REF_OK;
	} else {
		out->ref_state = COMMAND_REF_BAD;
	}
	return j;
}

/* A message made only of digit words: choice, status or nothing. */
static int
bare_digits(const struct scan *sc, struct command *out)
{
	int total = 0;

	if (sc->more)
		return 0;
	for (int i = 0; i < sc->n; i++) {
		if (sc->w[i].ndig == 0)
			return 0;
		total += sc->w[i].ndig;
	}
	if (total == 1) {
		int k = 0;
		char d[REF_DIGITS];

		word_digits(sc->s, &sc->w[0], d, &k);
		out->choice = d[0] - '0';
		return 0;
	}
	if (total < BARE_MIN || total > BARE_MAX)
		return 0;
	out->kind = COMMAND_STATUS;
	collect_ref(sc, 0, out);
	if (total != REF_DIGITS) {
		out->ref_state = COMMAND_REF_BAD;
		out->ref[0] = '\0';
	}
	out->ref_off = sc->w[0].off;
	out->ref_len =
		sc->w[sc->n - 1].off + sc->w[sc->n - 1].len - sc->w[0].off;
	return 1;
}

static size_t
word_end(const struct word *w)
{
	return w->off + w->len;
}

static void
set_new(const struct scan *sc, enum command_case_kind ck, struct command *out)
{
	out->kind = COMMAND_NEW;
	out->case_kind = ck;
	if (sc->n < 2) {
		out->body_off = word_end(&sc->w[0]);
		return;
	}
	out->token_off = sc->w[1].off;
	out->token_len = sc->w[1].len;
	content_span(sc->s, sc->len, sc->w[1].off, &out->body_off,
		     &out->body_len);
	if (sc->n < 3)
		out->rest_off = word_end(&sc->w[1]);
	else
		content_span(sc->s, sc->len, sc->w[2].off, &out->rest_off,
			     &out->rest_len);
}

/* Rows 1-9 from the words; returns 0 if none applies (row 10). */
static int
match_rows(const struct scan *sc, struct command *out)
{
	enum meaning m = sc->w[0].m;
	int alone = sc->n == 1;
	int ref_next = sc->n >= 2 && sc->w[1].ndig > 0;
	int j;

	/* row 1 */
	if (m == M_STOP && alone) {
		out->kind = COMMAND_STOP;
		return 1;
	}
	if (m == M_STOP && ref_next) {
		struct command tmp = *out;

		j = collect_ref(sc, 1, &tmp);
		if (j == sc->n && !sc->more) {
			*out = tmp;
			out->kind = COMMAND_STOP;
			return 1;
		}
	}
	/* rows 2-4 */
	if (alone && m == M_START) {
		out->kind = COMMAND_START;
		return 1;
	}
	if (alone && m == M_HELP) {
		out->kind = COMMAND_HELP;
		return 1;
	}
	if (alone && (m == M_LANG_AR || m == M_LANG_EN)) {
		out->kind = COMMAND_LANG;
		out->lang = m == M_LANG_AR ? COMMAND_LANG_AR : COMMAND_LANG_EN;
		return 1;
	}
	/* row 6 */
	if (m == M_STATUS) {
		if (alone) {
			out->kind = COMMAND_STATUS;
			return 1;
		}
		if (ref_next) {
			out->kind = COMMAND_STATUS;
			collect_ref(sc, 1, out);
			return 1;
		}
		if (sc->n == 2 && !sc->more) {
			out->kind = COMMAND_STATUS;
			out->ref_state = COMMAND_REF_BAD;
			out->ref_off = sc->w[1].off;
			out->ref_len = sc->w[1].len;
			return 1;
		}
	}
	if (bare_digits(sc, out))
		return 1;
	/* row 7 */
	if (alone && m == M_MY) {
		out->kind = COMMAND_MY;
		return 1;
	}
	/* row 8 */
	if (m == M_INFO && (alone || ref_next)) {
		out->kind = COMMAND_INFO;
		if (alone) {
			out->body_off = word_end(&sc->w[0]);
			return 1;
		}
		j = collect_ref(sc, 1, out);
		if (j < sc->n)
			content_span(sc->s, sc->len, sc->w[j].off,
				     &out->body_off, &out->body_len);
		else
			out->body_off = out->ref_off + out->ref_len;
		return 1;
	}
	/* row 9 */
	switch (m) {
	case M_NEW_C:
		set_new(sc, COMMAND_CASE_COMPLAINT, out);
		return 1;
	case M_NEW_S:
		set_new(sc, COMMAND_CASE_SUGGESTION, out);
		return 1;
	case M_NEW_Q:
		set_new(sc, COMMAND_CASE_ENQUIRY, out);
		return 1;
	default:
		return 0;
	}
}

int
command_parse(const uint8_t *utf8, size_t len, struct command *out)
{
	struct scan sc;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->kind = COMMAND_TEXT;
	out->choice = -1;
	if (!utf8)
		return len ? -EINVAL : 0;
	out->script = textnorm_script(utf8, len);
	if (len > COMMAND_TEXT_MAX) {
		out->body_len = len;
		return 0;
	}

	memset(&sc, 0, sizeof(sc));
	sc.s = utf8;
	sc.len = len;
	scan_words(&sc);
	if (sc.n == 0) {
		if (sc.question) {
			out->kind = COMMAND_HELP;
			return 0;
		}
	} else if (match_rows(&sc, out)) {
		return 0;
	}
	content_span(utf8, len, 0, &out->body_off, &out->body_len);
	return 0;
}

const char *
command_kind_name(enum command_kind kind)
{
	static const char *const names[] = {
		[COMMAND_STOP] = "stop",     [COMMAND_START] = "start",
		[COMMAND_HELP] = "help",     [COMMAND_LANG] = "lang",
		[COMMAND_STATUS] = "status", [COMMAND_MY] = "my",
		[COMMAND_INFO] = "info",     [COMMAND_NEW] = "new",
		[COMMAND_TEXT] = "text",
	};

	if ((unsigned)kind >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[kind];
}
