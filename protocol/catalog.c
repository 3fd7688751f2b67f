/*
 * catalog.c - the bilingual reply catalogue: parser and renderer for
 * config/messages.conf (SPEC §3 Arabic replies, §5 commands, §7 statuses,
 * §8 updates and surveys). Syntax in include/catalog.h.
 *
 * Owns the schema (schema[] below: every key, the placeholders it may use
 * and those it must use) and, per parsed catalogue, one compiled copy of
 * each text. Compiled text is the UTF-8 text with escapes resolved and
 * each placeholder replaced by one byte PH_BYTE(i) (0x01..0x08); the
 * parser rejects control characters in texts, so those bytes cannot
 * occur otherwise, and rendering is one pass without re-parsing.
 *
 * Deliberately does not read files (the daemon reads the file and passes
 * the buffer), format references or dates, pick the reply language, or
 * split a reply into SMS parts (mtplan.c does). Unknown keys are errors,
 * like unknown config keys (SPEC §9): a misspelt key would otherwise
 * leave the real one missing in a way nobody sees until a citizen does.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "gsm7.h"
#include "utf8.h"

/* Placeholders: index = bit number = compiled byte - PH_BASE. */
enum {
	PH_KIND,
	PH_REF,
	PH_ENTITY,
	PH_DUE,
	PH_STATUS,
	PH_UPDATED,
	PH_COUNT,
	PH_TEXT,
	PH_N
};

static const char *const ph_names[PH_N] = {
	"kind", "ref", "entity", "due", "status", "updated", "count", "text",
};

#define PH_BASE    0x01
#define PH_BYTE(i) ((char)(PH_BASE + (i)))
#define PH_IS(b)                                                               \
	((unsigned char)(b) >= PH_BASE && (unsigned char)(b) < PH_BASE + PH_N)
#define PH_NAME_MAX 16 /* bytes of an unknown name quoted in errors */
#define P(x)        (1u << PH_##x)
#define STATUS_ARGS (P(REF) | P(STATUS) | P(ENTITY) | P(DUE) | P(UPDATED))

_Static_assert(PH_BASE + PH_N <= '\n', "placeholder bytes clash with LF");

/*
 * The schema: every key of the catalogue, each required in both
 * languages. allow: the placeholders its texts may use (callers of
 * catalog_render() pass all of them); need: those every text must use
 * because the reply is useless without them (SPEC §5: a new case's reply
 * carries the reference, the entity and the due date).
 */
static const struct catalog_schema {
	const char *key;
	unsigned allow;
	unsigned need;
} schema[] = {
	/* new cases */
	{"case_filed", P(KIND) | P(REF) | P(ENTITY) | P(DUE),
	 P(REF) | P(ENTITY) | P(DUE)},
	{"new_usage", 0, 0},
	{"limit_cases", 0, 0},
	{"guided_prompt", 0, 0},
	{"guided_cancelled", 0, 0},
	{"guided_expired", 0, 0},
	/* follow-up */
	{"status", STATUS_ARGS, STATUS_ARGS},
	{"status_overdue", STATUS_ARGS, STATUS_ARGS},
	{"ref_unknown", P(REF), 0},
	{"ref_mistyped", P(REF), 0},
	{"ref_bad", 0, 0},
	{"status_usage", 0, 0},
	{"my_header", P(COUNT), 0},
	{"my_line", P(REF) | P(STATUS) | P(ENTITY), P(REF) | P(STATUS)},
	{"my_none", 0, 0},
	{"info_added", P(REF), P(REF)},
	{"info_usage", 0, 0},
	{"limit_lookups", 0, 0},
	/* opt-out, help, language */
	{"stop_all", 0, 0},
	{"stop_case", P(REF), P(REF)},
	{"start", 0, 0},
	{"help", 0, 0},
	{"lang_set", 0, 0},
	/* case updates and surveys */
	{"update", P(REF) | P(STATUS), P(REF) | P(STATUS)},
	{"update_response", P(REF) | P(TEXT), P(REF) | P(TEXT)},
	{"awaiting_info_request", P(REF) | P(TEXT), P(REF) | P(TEXT)},
	{"survey", P(REF), P(REF)},
	{"survey_reminder", P(REF), P(REF)},
	{"survey_comment_prompt", 0, 0},
	{"survey_thanks", 0, 0},
	{"survey_invalid", 0, 0},
	/* names */
	{"kind.complaint", 0, 0},
	{"kind.suggestion", 0, 0},
	{"kind.enquiry", 0, 0},
	{"status.received", 0, 0},
	{"status.acknowledged", 0, 0},
	{"status.in_progress", 0, 0},
	{"status.awaiting_info", 0, 0},
	{"status.responded", 0, 0},
	{"status.closed", 0, 0},
	{"status.reopened", 0, 0},
};

#define NKEYS (sizeof(schema) / sizeof(schema[0]))

static const char *const lang_suffix[CATALOG_NLANG] = {"ar", "en"};

struct catalog_entry {
	char *text;    /* compiled, NUL-terminated; NULL until parsed */
	unsigned line; /* where it was defined */
};

struct catalog {
	struct catalog_entry e[NKEYS][CATALOG_NLANG];
};

struct parse {
	const char *label;
	char *err;
	size_t errlen;
	unsigned line; /* current line, 1-based */
	struct catalog *c;
};

static void perr(struct parse *p, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "label:line: message", or "label: message" when line is 0. */
static void
perr(struct parse *p, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!p->err || p->errlen == 0)
		return;
	if (line)
		n = snprintf(p->err, p->errlen, "%s:%u: ", p->label, line);
	else
		n = snprintf(p->err, p->errlen, "%s: ", p->label);
	if (n < 0 || (size_t)n >= p->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static int
schema_find(const char *key, size_t len)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strlen(schema[i].key) == len &&
		    memcmp(schema[i].key, key, len) == 0)
			return (int)i;
	return -1;
}

static int
ph_find(const char *name, size_t len)
{
	for (int i = 0; i < PH_N; i++)
		if (strlen(ph_names[i]) == len &&
		    memcmp(ph_names[i], name, len) == 0)
			return i;
	return -1;
}

/* Letters of the Arabic script and its presentation forms, tatweel
 * excluded (the Arabic blocks less their marks, digits and signs). */
static int
is_arabic_letter(uint32_t c)
{
	return (c >= 0x0620 && c <= 0x063F) || (c >= 0x0641 && c <= 0x064A) ||
	       (c >= 0x066E && c <= 0x066F) || (c >= 0x0671 && c <= 0x06D3) ||
	       c == 0x06D5 || (c >= 0x06EE && c <= 0x06EF) ||
	       (c >= 0x06FA && c <= 0x06FC) || c == 0x06FF ||
	       (c >= 0x0750 && c <= 0x077F) || (c >= 0x08A0 && c <= 0x08C8) ||
	       (c >= 0xFB50 && c <= 0xFBB1) || (c >= 0xFBD3 && c <= 0xFD3D) ||
	       (c >= 0xFD50 && c <= 0xFD8F) || (c >= 0xFD92 && c <= 0xFDC7) ||
	       (c >= 0xFDF0 && c <= 0xFDFB) || (c >= 0xFE70 && c <= 0xFE74) ||
	       (c >= 0xFE76 && c <= 0xFEFC);
}

static int
is_control(uint32_t c)
{
	return c < 0x20 || (c >= 0x7F && c <= 0x9F);
}

static int
is_gsm(uint32_t c)
{
	uint8_t b[4];
	int n = utf8_encode(c, b, sizeof(b));

	return n > 0 && gsm7_septets_needed(b, (size_t)n) > 0;
}

static int
is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* Checks a whole line: well-formed UTF-8 and no NUL. */
static int
check_line(struct parse *p, const char *s, size_t n)
{
	size_t i = 0, used;
	uint32_t cp;

	while (i < n) {
		if (utf8_decode((const uint8_t *)s + i, n - i, &cp, &used) <
		    0) {
			perr(p, p->line, "invalid UTF-8 at byte %zu", i + 1);
			return -EILSEQ;
		}
		if (cp == 0) {
			perr(p, p->line, "NUL byte at byte %zu", i + 1);
			return -EILSEQ;
		}
		i += used;
	}
	return 0;
}

/*
 * Compiles the text v[0..n) of schema key k in language lang (the line is
 * already known to be valid UTF-8) into *out, a new string. name is the
 * full key as written, for messages.
 */
static int
compile_text(struct parse *p, size_t k, enum catalog_lang lang,
	     const char *name, size_t namelen, const char *v, size_t n,
	     char **out)
{
	const struct catalog_schema *sc = &schema[k];
	char *t = malloc(n + 1);
	size_t i = 0, o = 0, used;
	unsigned seen = 0;
	uint32_t cp;
	int nl = (int)namelen;

	if (!t) {
		perr(p, p->line, "out of memory");
		return -ENOMEM;
	}
	utf8_decode((const uint8_t *)v, n, &cp, &used);
	if (lang == CATALOG_AR && !is_arabic_letter(cp)) {
		perr(p, p->line,
		     "'%.*s' must start with an Arabic letter (not a "
		     "placeholder, digit or Latin word)",
		     nl, name);
		goto fail;
	}
	while (i < n) {
		utf8_decode((const uint8_t *)v + i, n - i, &cp, &used);
		if (cp == '\\') {
			char e = i + 1 < n ? v[i + 1] : '\0';

			if (e == 'n')
				cp = '\n';
			else if (e == '\\' || e == '{' || e == '}')
				cp = (uint32_t)e;
			else {
				perr(p, p->line,
				     "bad escape in '%.*s' (use \\n \\\\ \\{ "
				     "\\})",
				     nl, name);
				goto fail;
			}
			if (lang == CATALOG_EN && !is_gsm(cp))
				goto not_gsm;
			t[o++] = (char)cp;
			i += 2;
			continue;
		}
		if (cp == '{') {
			size_t j = i + 1;
			int ph;

			while (j < n && v[j] != '}' &&
			       ((v[j] >= 'a' && v[j] <= 'z') || v[j] == '_'))
				j++;
			if (j == n ||
			    (v[j] != '}' && !memchr(v + j, '}', n - j))) {
				perr(p, p->line,
				     "unterminated placeholder in '%.*s'", nl,
				     name);
				goto fail;
			}
			if (v[j] != '}' || j == i + 1) {
				perr(p, p->line,
				     "bad placeholder in '%.*s' (write {name} "
				     "in a-z and _, or \\{ for a brace)",
				     nl, name);
				goto fail;
			}
			ph = ph_find(v + i + 1, j - i - 1);
			if (ph < 0) {
				int len = (int)(j - i - 1);

				perr(p, p->line,
				     "unknown placeholder {%.*s} in '%.*s'",
				     len > PH_NAME_MAX ? PH_NAME_MAX : len,
				     v + i + 1, nl, name);
				goto fail;
			}
			if (!(sc->allow & (1u << ph))) {
				perr(p, p->line,
				     "placeholder {%s} not allowed in '%.*s'",
				     ph_names[ph], nl, name);
				goto fail;
			}
			seen |= 1u << ph;
			t[o++] = PH_BYTE(ph);
			i = j + 1;
			continue;
		}
		if (cp == '}') {
			perr(p, p->line, "unmatched '}' in '%.*s' (write \\})",
			     nl, name);
			goto fail;
		}
		if (is_control(cp)) {
			perr(p, p->line,
			     "control character U+%04X in '%.*s' (write \\n "
			     "for a line break)",
			     (unsigned)cp, nl, name);
			goto fail;
		}
		if (lang == CATALOG_EN && !is_gsm(cp))
			goto not_gsm;
		memcpy(t + o, v + i, used);
		o += used;
		i += used;
	}
	if (sc->need & ~seen) {
		for (int ph = 0; ph < PH_N; ph++) {
			if ((sc->need & ~seen) & (1u << ph)) {
				perr(p, p->line,
				     "'%.*s' must use placeholder {%s}", nl,
				     name, ph_names[ph]);
				break;
			}
		}
		goto fail;
	}
	t[o] = '\0';
	*out = t;
	return 0;
not_gsm:
	perr(p, p->line,
	     "character U+%04X in '%.*s' is not in the GSM 7-bit alphabet",
	     (unsigned)cp, nl, name);
fail:
	free(t);
	return -EINVAL;
}

/* One non-comment line s[0..n) (no line end, valid UTF-8, no NUL). */
static int
parse_entry(struct parse *p, const char *s, size_t n)
{
	const char *eq = memchr(s, '=', n);
	const char *key = s, *dot = NULL, *v;
	size_t klen, vlen, blen, slen;
	enum catalog_lang lang;
	struct catalog_entry *e;
	int k, nl;

	if (!eq) {
		perr(p, p->line, "missing '=' (write KEY.ar = text)");
		return -EINVAL;
	}
	klen = (size_t)(eq - s);
	while (klen > 0 && is_blank(key[klen - 1]))
		klen--;
	nl = klen > 64 ? 64 : (int)klen;
	if (klen == 0) {
		perr(p, p->line, "missing key before '='");
		return -EINVAL;
	}
	for (size_t i = 0; i < klen; i++) {
		char ch = key[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		      ch == '_' || ch == '.')) {
			perr(p, p->line,
			     "bad key '%.*s' (a-z, 0-9, '_' and '.' only)", nl,
			     key);
			return -EINVAL;
		}
		if (ch == '.')
			dot = key + i;
	}
	if (!dot) {
		perr(p, p->line, "key '%.*s' has no language suffix (.ar, .en)",
		     nl, key);
		return -EINVAL;
	}
	blen = (size_t)(dot - key);
	slen = klen - blen - 1;
	if (slen == 2 && memcmp(dot + 1, "ar", 2) == 0) {
		lang = CATALOG_AR;
	} else if (slen == 2 && memcmp(dot + 1, "en", 2) == 0) {
		lang = CATALOG_EN;
	} else {
		perr(p, p->line,
		     "unknown language suffix '.%.*s' in '%.*s' (use .ar or "
		     ".en)",
		     slen > 16 ? 16 : (int)slen, dot + 1, nl, key);
		return -EINVAL;
	}
	k = schema_find(key, blen);
	if (k < 0) {
		perr(p, p->line, "unknown key '%.*s'", nl, key);
		return -EINVAL;
	}
	e = &p->c->e[k][lang];
	if (e->text) {
		perr(p, p->line, "duplicate key '%.*s' (first on line %u)", nl,
		     key, e->line);
		return -EINVAL;
	}
	v = eq + 1;
	vlen = n - (size_t)(v - s);
	while (vlen > 0 && is_blank(*v)) {
		v++;
		vlen--;
	}
	while (vlen > 0 && is_blank(v[vlen - 1]))
		vlen--;
	if (vlen == 0) {
		perr(p, p->line, "empty text for '%.*s'", nl, key);
		return -EINVAL;
	}
	if (compile_text(p, (size_t)k, lang, key, klen, v, vlen, &e->text) < 0)
		return -EINVAL;
	e->line = p->line;
	return 0;
}

/* Every key in both languages. */
static int
check_complete(struct parse *p)
{
	for (size_t k = 0; k < NKEYS; k++) {
		const struct catalog_entry *ar = &p->c->e[k][CATALOG_AR];
		const struct catalog_entry *en = &p->c->e[k][CATALOG_EN];

		if (!ar->text && !en->text) {
			perr(p, 0, "missing key '%s' (.ar and .en)",
			     schema[k].key);
			return -EINVAL;
		}
		if (!ar->text || !en->text) {
			const struct catalog_entry *has = ar->text ? ar : en;
			int l = ar->text ? CATALOG_AR : CATALOG_EN;

			perr(p, has->line, "'%s.%s' has no '%s.%s'",
			     schema[k].key, lang_suffix[l], schema[k].key,
			     lang_suffix[1 - l]);
			return -EINVAL;
		}
	}
	return 0;
}

struct catalog *
catalog_parse(const char *label, const char *text, size_t len, char *err,
	      size_t errlen)
{
	struct parse p = {
		.label = label ? label : "catalog",
		.err = err,
		.errlen = errlen,
		.line = 0,
	};
	size_t pos = 0;

	if (err && errlen)
		err[0] = '\0';
	if (len > CATALOG_FILE_MAX) {
		perr(&p, 0, "file larger than %d bytes", CATALOG_FILE_MAX);
		return NULL;
	}
	if (!text && len) {
		perr(&p, 0, "no text");
		return NULL;
	}
	p.c = calloc(1, sizeof(*p.c));
	if (!p.c) {
		perr(&p, 0, "out of memory");
		return NULL;
	}
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	while (pos < len) {
		const char *s = text + pos;
		const char *nlp = memchr(s, '\n', len - pos);
		size_t n = nlp ? (size_t)(nlp - s) : len - pos;
		size_t i = 0;

		pos += n + (nlp ? 1 : 0);
		p.line++;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (n > CATALOG_LINE_MAX) {
			perr(&p, p.line, "line longer than %d bytes",
			     CATALOG_LINE_MAX);
			goto fail;
		}
		if (check_line(&p, s, n) < 0)
			goto fail;
		while (i < n && is_blank(s[i]))
			i++;
		if (i == n || s[i] == '#')
			continue;
		if (parse_entry(&p, s + i, n - i) < 0)
			goto fail;
	}
	if (check_complete(&p) < 0)
		goto fail;
	return p.c;
fail:
	catalog_free(p.c);
	return NULL;
}

void
catalog_free(struct catalog *c)
{
	if (!c)
		return;
	for (size_t k = 0; k < NKEYS; k++) {
		for (int l = 0; l < CATALOG_NLANG; l++) {
			free(c->e[k][l].text);
			c->e[k][l].text = NULL;
		}
	}
	free(c);
}

static const char *
arg_value(const struct catalog_arg *args, size_t nargs, int ph)
{
	for (size_t i = 0; i < nargs; i++)
		if (strcmp(args[i].name, ph_names[ph]) == 0)
			return args[i].value;
	return NULL;
}

int
catalog_render(const struct catalog *c, const char *key, enum catalog_lang lang,
	       const struct catalog_arg *args, size_t nargs, char *out,
	       size_t cap)
{
	size_t lim = cap > (size_t)INT_MAX ? (size_t)INT_MAX : cap;
	const char *t;
	size_t o = 0;
	int k, rc;

	if (cap > 0)
		out[0] = '\0';
	if (!c || !key || (nargs > 0 && !args))
		return -EINVAL;
	k = schema_find(key, strlen(key));
	if (k < 0)
		return -ENOENT;
	if ((unsigned)lang >= CATALOG_NLANG)
		return -EINVAL;
	for (size_t i = 0; i < nargs; i++)
		if (!args[i].name || !args[i].value)
			return -EINVAL;
	t = c->e[k][lang].text;
	while (*t) {
		const char *src = t;
		size_t n;

		if (PH_IS(*t)) {
			src = arg_value(args, nargs,
					(unsigned char)*t - PH_BASE);
			if (!src) {
				rc = -EINVAL;
				goto fail;
			}
			n = strlen(src);
			if (!utf8_valid((const uint8_t *)src, n)) {
				rc = -EILSEQ;
				goto fail;
			}
			t++;
		} else {
			n = 0;
			while (t[n] && !PH_IS(t[n]))
				n++;
			t += n;
		}
		if (lim - o <= n) {
			rc = -ENOSPC;
			goto fail;
		}
		memcpy(out + o, src, n);
		o += n;
	}
	if (o >= lim) {
		rc = -ENOSPC;
		goto fail;
	}
	out[o] = '\0';
	return (int)o;
fail:
	if (cap > 0)
		out[0] = '\0';
	return rc;
}

const char *
catalog_text(const struct catalog *c, const char *key, enum catalog_lang lang)
{
	int k;

	if (!c || !key || (unsigned)lang >= CATALOG_NLANG)
		return NULL;
	k = schema_find(key, strlen(key));
	if (k < 0 || schema[k].allow)
		return NULL;
	return c->e[k][lang].text;
}

size_t
catalog_nkeys(void)
{
	return NKEYS;
}

const char *
catalog_key(size_t i)
{
	return i < NKEYS ? schema[i].key : NULL;
}
