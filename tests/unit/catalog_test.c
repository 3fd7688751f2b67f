/*
 * catalog_test.c - the shipped reply catalogue (config/messages.conf)
 * parses, has every key in both languages, starts every Arabic reply with
 * an Arabic word, keeps English in GSM 7-bit and within one SMS (Arabic
 * within three parts) with realistic and worst-case values; the renderer
 * fills placeholders and fails cleanly; every malformed variant of the
 * file is refused with one line naming the file and the line.
 *
 * Finds the file as $srcdir/config/messages.conf (automake sets srcdir),
 * else $top_srcdir/..., else ./config/messages.conf.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "catalog.h"
#include "gsm7.h"
#include "mtplan.h"
#include "textnorm.h"
#include "utf8.h"

#define LABEL "messages.conf"
#define OUT   4096

static char *shipped;
static size_t shipped_len;

/*
 * Keys whose English reply may exceed one SMS: the entity's own words
 * ({text}, any length) go out whole, over several parts. Their fixed part
 * is still checked with a short text.
 */
static const char *const long_ok[] = {"update_response",
				      "awaiting_info_request"};

/* Realistic values. */
static const struct catalog_arg en_args[] = {
	{"kind", "complaint"},
	{"ref", "483 920 1753"},
	{"entity", "Electricity and Water Authority"},
	{"due", "2026-12-10"},
	{"status", "in progress"},
	{"updated", "2026-12-03 14:05"},
	{"count", "3"},
	{"text", "Please send the meter number."},
};
static const struct catalog_arg ar_args[] = {
	{"kind", "شكوى"},
	{"ref", "4839201753"},
	{"entity", "هيئة الكهرباء والماء"},
	{"due", "2026-12-10"},
	{"status", "قيد المعالجة"},
	{"updated", "2026-12-03 14:05"},
	{"count", "3"},
	{"text", "يرجى إرسال رقم العداد."},
};
/* The longest entity names of config/entities.csv. */
#define LONGEST_ENTITY_EN "Ministry of Justice, Islamic Affairs and Endowments"
#define LONGEST_ENTITY_AR "الهيئة الوطنية لتنظيم المهن والخدمات الصحية"

#define NARGS             (sizeof(en_args) / sizeof(en_args[0]))

static const char *
src_path(char *buf, size_t cap)
{
	const char *dir = getenv("srcdir");

	if (!dir || !*dir)
		dir = getenv("top_srcdir");
	if (!dir || !*dir)
		dir = ".";
	snprintf(buf, cap, "%s/config/messages.conf", dir);
	return buf;
}

static int
load_shipped(void **state)
{
	char path[1024];
	FILE *f = fopen(src_path(path, sizeof(path)), "rb");

	if (!f) {
		print_error("cannot open %s\n", path);
		return -1;
	}
	shipped = malloc(CATALOG_FILE_MAX + 2);
	if (!shipped) {
		fclose(f);
		return -1;
	}
	shipped_len = fread(shipped, 1, CATALOG_FILE_MAX + 1, f);
	fclose(f);
	shipped[shipped_len] = '\0';
	return 0;
}

static int
free_shipped(void **state)
{
	free(shipped);
	shipped = NULL;
	return 0;
}

static struct catalog *
parse_shipped(void)
{
	char err[CATALOG_ERR_SIZE];
	struct catalog *c =
		catalog_parse(LABEL, shipped, shipped_len, err, sizeof(err));

	if (!c)
		print_error("%s\n", err);
	assert_non_null(c);
	return c;
}

static int
is_long_ok(const char *key)
{
	for (size_t i = 0; i < sizeof(long_ok) / sizeof(long_ok[0]); i++)
		if (strcmp(key, long_ok[i]) == 0)
			return 1;
	return 0;
}

static void
test_shipped_parses(void **state)
{
	struct catalog *c;

	assert_true(shipped_len > 0);
	assert_true(shipped_len <= CATALOG_FILE_MAX);
	c = parse_shipped();
	assert_true(catalog_nkeys() >= 40);
	assert_null(catalog_key(catalog_nkeys()));
	catalog_free(c);
	catalog_free(NULL);
}

/* Every key renders in both languages with its placeholders filled. */
static void
test_every_key_renders(void **state)
{
	struct catalog *c = parse_shipped();
	char out[OUT];

	for (size_t i = 0; i < catalog_nkeys(); i++) {
		const char *key = catalog_key(i);
		int ar = catalog_render(c, key, CATALOG_AR, ar_args, NARGS, out,
					sizeof(out));
		int en = catalog_render(c, key, CATALOG_EN, en_args, NARGS, out,
					sizeof(out));

		if (ar <= 0 || en <= 0) {
			print_error("%s: ar %d en %d\n", key, ar, en);
			fail();
		}
		if (strchr(out, '{') || strchr(out, '}')) {
			print_error("%s.en: brace left: %s\n", key, out);
			fail();
		}
	}
	catalog_free(c);
}

/* SPEC §3: an Arabic reply starts with an Arabic word. */
static void
test_arabic_first_word(void **state)
{
	struct catalog *c = parse_shipped();
	char out[OUT];

	for (size_t i = 0; i < catalog_nkeys(); i++) {
		const char *key = catalog_key(i);
		int n = catalog_render(c, key, CATALOG_AR, ar_args, NARGS, out,
				       sizeof(out));
		size_t w;

		assert_true(n > 0);
		w = strcspn(out, " \n.,:");
		if (w == 0 || textnorm_script((const uint8_t *)out, w) !=
				      TEXT_SCRIPT_ARABIC) {
			print_error("%s.ar starts with \"%.*s\"\n", key, (int)w,
				    out);
			fail();
		}
		/* no digit or Latin letter glued to the first word */
		if (strspn(out, "0123456789") != 0) {
			print_error("%s.ar starts with a digit\n", key);
			fail();
		}
	}
	catalog_free(c);
}

static int
septets(const char *s)
{
	return gsm7_septets_needed((const uint8_t *)s, strlen(s));
}

/* Parts mtplan would send text in, or -1 when it is not UCS-2. */
static int
ucs2_parts(const char *s)
{
	static struct mtplan plan;
	struct mtplan_opts o = {.max_parts = MTPLAN_PARTS_MAX};

	if (mtplan_build((const uint8_t *)s, strlen(s), &o, &plan) < 0 ||
	    plan.data_coding != 8 || plan.truncated)
		return -1;
	return plan.nparts;
}

/* Longest rendering of the status names in lang. */
static void
longest_status(struct catalog *c, enum catalog_lang lang, char *buf, size_t cap)
{
	buf[0] = '\0';
	for (size_t i = 0; i < catalog_nkeys(); i++) {
		const char *key = catalog_key(i);
		const char *t;

		if (strncmp(key, "status.", 7) != 0)
			continue;
		t = catalog_text(c, key, lang);
		assert_non_null(t);
		if (strlen(t) > strlen(buf))
			snprintf(buf, cap, "%s", t);
	}
	assert_true(buf[0] != '\0');
}

/*
 * English: GSM 7-bit only and one SMS (160 septets) with realistic
 * values and with the worst case (longest entity and status names,
 * "suggestion"). Arabic: at most three UCS-2 parts, same values.
 */
static void
test_sms_sizes(void **state)
{
	struct catalog *c = parse_shipped();
	struct catalog_arg en_worst[NARGS], ar_worst[NARGS];
	char st_en[128], st_ar[128], out[OUT];

	longest_status(c, CATALOG_EN, st_en, sizeof(st_en));
	longest_status(c, CATALOG_AR, st_ar, sizeof(st_ar));
	memcpy(en_worst, en_args, sizeof(en_args));
	memcpy(ar_worst, ar_args, sizeof(ar_args));
	for (size_t a = 0; a < NARGS; a++) {
		if (strcmp(en_worst[a].name, "entity") == 0) {
			en_worst[a].value = LONGEST_ENTITY_EN;
			ar_worst[a].value = LONGEST_ENTITY_AR;
		} else if (strcmp(en_worst[a].name, "status") == 0) {
			en_worst[a].value = st_en;
			ar_worst[a].value = st_ar;
		} else if (strcmp(en_worst[a].name, "kind") == 0) {
			en_worst[a].value = "suggestion";
			ar_worst[a].value = "استفسار";
		} else if (strcmp(en_worst[a].name, "text") == 0) {
			en_worst[a].value = "Which meter?";
			ar_worst[a].value = "أي عداد؟";
		}
	}
	for (size_t i = 0; i < catalog_nkeys(); i++) {
		const char *key = catalog_key(i);

		for (int worst = 0; worst < 2; worst++) {
			const struct catalog_arg *en =
				worst ? en_worst : en_args;
			const struct catalog_arg *ar =
				worst ? ar_worst : ar_args;
			int n, limit = worst || !is_long_ok(key) ? 160 : 306;

			assert_true(catalog_render(c, key, CATALOG_EN, en,
						   NARGS, out,
						   sizeof(out)) > 0);
			n = septets(out);
			if (n < 0 || n > limit) {
				print_error("%s.en: %d septets (max %d): %s\n",
					    key, n, limit, out);
				fail();
			}
			assert_true(catalog_render(c, key, CATALOG_AR, ar,
						   NARGS, out,
						   sizeof(out)) > 0);
			n = ucs2_parts(out);
			if (n < 1 || n > 3) {
				print_error("%s.ar: %d UCS-2 parts: %s\n", key,
					    n, out);
				fail();
			}
		}
	}
	catalog_free(c);
}

static void
test_names(void **state)
{
	static const char *const names[] = {
		"kind.complaint",       "kind.suggestion",
		"kind.enquiry",         "status.received",
		"status.acknowledged",  "status.in_progress",
		"status.awaiting_info", "status.responded",
		"status.closed",        "status.reopened",
	};
	struct catalog *c = parse_shipped();

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *ar = catalog_text(c, names[i], CATALOG_AR);
		const char *en = catalog_text(c, names[i], CATALOG_EN);

		assert_non_null(ar);
		assert_non_null(en);
		assert_true(strlen(ar) > 0 && strlen(en) > 0);
		assert_null(strchr(en, '\n'));
	}
	assert_string_equal(catalog_text(c, "kind.complaint", CATALOG_EN),
			    "complaint");
	assert_string_equal(catalog_text(c, "kind.complaint", CATALOG_AR),
			    "شكوى");
	assert_non_null(catalog_text(c, "help", CATALOG_AR));
	/* keys with placeholders go through catalog_render() */
	assert_null(catalog_text(c, "case_filed", CATALOG_EN));
	assert_null(catalog_text(c, "no_such_key", CATALOG_EN));
	assert_null(catalog_text(c, "help", (enum catalog_lang)2));
	assert_null(catalog_text(NULL, "help", CATALOG_EN));
	catalog_free(c);
}

static void
test_render(void **state)
{
	struct catalog *c = parse_shipped();
	const struct catalog_arg ref[] = {{"ref", "483 920 1753"}};
	const struct catalog_arg bad[] = {{"ref", "48\xff"}};
	const struct catalog_arg null_value[] = {{"ref", NULL}};
	char out[OUT];
	int n;

	n = catalog_render(c, "survey", CATALOG_EN, en_args, NARGS, out,
			   sizeof(out));
	assert_int_equal(n, (int)strlen(out));
	assert_non_null(strstr(out, "case 483 920 1753"));
	assert_non_null(strstr(out, "1 (very poor) to 5 (excellent)"));
	assert_int_equal(catalog_render(c, "survey", CATALOG_EN, ref, 1, out,
					sizeof(out)),
			 n);

	/* exact fit, one byte short, nothing */
	assert_int_equal(catalog_render(c, "survey", CATALOG_EN, ref, 1, out,
					(size_t)n + 1),
			 n);
	memset(out, 'x', sizeof(out));
	assert_int_equal(
		catalog_render(c, "survey", CATALOG_EN, ref, 1, out, (size_t)n),
		-ENOSPC);
	assert_int_equal(out[0], '\0');
	assert_int_equal(
		catalog_render(c, "survey", CATALOG_EN, ref, 1, out, 0),
		-ENOSPC);
	assert_int_equal(out[0], '\0');

	/* missing placeholder, unknown key, bad language or value */
	memset(out, 'x', sizeof(out));
	assert_int_equal(catalog_render(c, "survey", CATALOG_EN, NULL, 0, out,
					sizeof(out)),
			 -EINVAL);
	assert_int_equal(out[0], '\0');
	assert_int_equal(catalog_render(c, "case_filed", CATALOG_AR, ref, 1,
					out, sizeof(out)),
			 -EINVAL);
	assert_int_equal(
		catalog_render(c, "nope", CATALOG_EN, ref, 1, out, sizeof(out)),
		-ENOENT);
	assert_int_equal(catalog_render(c, "survey", (enum catalog_lang)7, ref,
					1, out, sizeof(out)),
			 -EINVAL);
	assert_int_equal(catalog_render(c, "survey", CATALOG_EN, bad, 1, out,
					sizeof(out)),
			 -EILSEQ);
	assert_int_equal(catalog_render(c, "survey", CATALOG_EN, null_value, 1,
					out, sizeof(out)),
			 -EINVAL);
	assert_int_equal(catalog_render(NULL, "survey", CATALOG_EN, ref, 1, out,
					sizeof(out)),
			 -EINVAL);
	/* a key without placeholders needs no args; extra ones are ignored */
	assert_true(catalog_render(c, "help", CATALOG_EN, NULL, 0, out,
				   sizeof(out)) > 0);
	assert_string_equal(out, catalog_text(c, "help", CATALOG_EN));
	catalog_free(c);
}

/* ---- variants of the shipped file ---------------------------------------- */

/* Line number (1-based) of the first line starting with prefix, or 0. */
static unsigned
line_of(const char *buf, const char *prefix)
{
	unsigned line = 1;
	size_t pl = strlen(prefix);

	for (const char *s = buf; *s; line++) {
		const char *e = strchr(s, '\n');

		if (strncmp(s, prefix, pl) == 0)
			return line;
		if (!e)
			break;
		s = e + 1;
	}
	return 0;
}

static unsigned
count_lines(const char *buf)
{
	unsigned n = 0;

	for (const char *s = buf; *s; s++)
		n += *s == '\n';
	return n;
}

/*
 * The shipped file with each line starting with prefix[i] replaced by
 * with[i] (a NULL prefix: with[i] appended at the end). New string.
 */
static char *
edited(const char *const prefix[2], const char *const with[2])
{
	size_t cap = shipped_len + 4096, o = 0;
	char *out = malloc(cap);

	assert_non_null(out);
	for (const char *s = shipped; *s;) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) + 1 : strlen(s);
		int done = 0;

		for (int i = 0; i < 2 && !done; i++) {
			if (prefix[i] &&
			    strncmp(s, prefix[i], strlen(prefix[i])) == 0) {
				o += (size_t)snprintf(out + o, cap - o, "%s\n",
						      with[i]);
				done = 1;
			}
		}
		if (!done) {
			memcpy(out + o, s, n);
			o += n;
		}
		s += n;
	}
	for (int i = 0; i < 2; i++)
		if (!prefix[i] && with[i])
			o += (size_t)snprintf(out + o, cap - o, "%s\n",
					      with[i]);
	out[o] = '\0';
	return out;
}

enum at {
	AT_EDIT,  /* the error names the (first) edited line */
	AT_WHERE, /* ... the line starting with `where` */
	AT_FILE,  /* ... no line */
};

/* Replace the line starting with p by w; append w; expect e in the error. */
#define EDIT(p, w, e)                                                          \
	{                                                                      \
		{p, NULL}, {w, NULL}, e, AT_EDIT, NULL                         \
	}
#define APPEND(w, e)                                                           \
	{                                                                      \
		{NULL, NULL}, {w, NULL}, e, AT_EDIT, NULL                      \
	}

static const struct {
	const char *prefix[2];
	const char *with[2];
	const char *expect;
	enum at at;
	const char *where;
} bad_cases[] = {
	EDIT("help.en =", "help.fr = Help", "unknown language suffix '.fr'"),
	EDIT("help.en =", "help.en Help", "missing '='"),
	EDIT("help.en =", "= Help", "missing key"),
	EDIT("help.en =", "help = Help", "no language suffix"),
	EDIT("help.en =", "Help.en = Help", "bad key 'Help.en'"),
	EDIT("help.en =", "help en.en = Help", "bad key"),
	APPEND("helpp.en = Help", "unknown key 'helpp.en'"),
	APPEND("help.en = Again", "duplicate key 'help.en' (first on line"),
	EDIT("help.en =", "help.en =  \t ", "empty text for 'help.en'"),
	EDIT("help.en =", "help.en = Send \\t for help", "bad escape"),
	EDIT("help.en =", "help.en = Send HELP \\", "bad escape"),
	EDIT("help.en =", "help.en = Send {ref for help",
	     "unterminated placeholder"),
	EDIT("help.en =", "help.en = Send { ref } now", "bad placeholder"),
	EDIT("help.en =", "help.en = Send {} now", "bad placeholder"),
	EDIT("help.en =", "help.en = Send {REF} now", "bad placeholder"),
	EDIT("help.en =", "help.en = a } b", "unmatched '}'"),
	EDIT("survey.en =", "survey.en = Rate {ref} {foo}",
	     "unknown placeholder {foo}"),
	EDIT("survey.en =", "survey.en = Rate case {ref} due {due}",
	     "placeholder {due} not allowed in 'survey.en'"),
	EDIT("help.en =", "help.en = Send HELP for {ref}",
	     "placeholder {ref} not allowed in 'help.en'"),
	EDIT("survey.en =", "survey.en = Please rate the response.",
	     "'survey.en' must use placeholder {ref}"),
	EDIT("case_filed.ar =", "case_filed.ar = تم تسجيل {kind} برقم {ref}",
	     "'case_filed.ar' must use placeholder {entity}"),
	EDIT("help.en =", "help.en = Bad \xff byte", "invalid UTF-8"),
	EDIT("help.en =", "help.en = Overlong \xc0\xaf", "invalid UTF-8"),
	EDIT("# ----", "# comments too are UTF-8 \xed\xa0\x80",
	     "invalid UTF-8"),
	EDIT("help.en =", "help.en = a\tb", "control character U+0009"),
	EDIT("help.en =", "help.en = a\xc2\x85 b", "control character U+0085"),
	EDIT("help.ar =", "help.ar = EN: English", "Arabic letter"),
	EDIT("survey.ar =", "survey.ar = {ref} يرجى تقييم الرد",
	     "Arabic letter"),
	EDIT("help.ar =", "help.ar = 5 شكوى", "Arabic letter"),
	EDIT("help.ar =", "help.ar = ٥ شكوى", "Arabic letter"),
	EDIT("help.ar =", "help.ar = \xe2\x80\x8fشكوى", "Arabic letter"),
	EDIT("help.ar =", "help.ar = ـشكوى", "Arabic letter"), /* tatweel */
	EDIT("help.en =", "help.en = Send \xe2\x80\x9c C\xe2\x80\x9d for help",
	     "U+201C in 'help.en' is not in the GSM 7-bit alphabet"),
	EDIT("help.en =", "help.en = C \xe2\x80\x93 complaint", "U+2013"),
	EDIT("help.en =", "help.en = مساعدة", "GSM 7-bit"),
	EDIT("help.en =", "help.en = caf\xc3\xa7", "U+00E7"), /* only Ç */
	{{"help.en =", NULL},
	 {"# help.en removed", NULL},
	 "'help.ar' has no 'help.en'",
	 AT_WHERE,
	 "help.ar ="},
	{{"survey.ar =", NULL},
	 {"#", NULL},
	 "'survey.en' has no 'survey.ar'",
	 AT_WHERE,
	 "survey.en ="},
	{{"help.ar =", "help.en ="},
	 {"#", "#"},
	 "missing key 'help'",
	 AT_FILE,
	 NULL},
};

static void
check_error(size_t i, const char *text, size_t len, const char *expect,
	    unsigned line)
{
	char err[CATALOG_ERR_SIZE], want[64];
	struct catalog *c;

	memset(err, 'x', sizeof(err));
	c = catalog_parse(LABEL, text, len, err, sizeof(err));
	if (c) {
		print_error("case %zu (%s): accepted\n", i, expect);
		catalog_free(c);
		fail();
	}
	if (line)
		snprintf(want, sizeof(want), LABEL ":%u: ", line);
	else
		snprintf(want, sizeof(want), LABEL ": ");
	if (strncmp(err, want, strlen(want)) != 0 || !strstr(err, expect) ||
	    strchr(err, '\n')) {
		print_error("case %zu: got \"%s\"\n  want \"%s...%s\"\n", i,
			    err, want, expect);
		fail();
	}
}

static void
test_errors(void **state)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		char *text = edited(bad_cases[i].prefix, bad_cases[i].with);
		unsigned line = 0;

		switch (bad_cases[i].at) {
		case AT_EDIT:
			line = bad_cases[i].prefix[0]
				       ? line_of(shipped,
						 bad_cases[i].prefix[0])
				       : count_lines(shipped) + 1;
			break;
		case AT_WHERE:
			line = line_of(shipped, bad_cases[i].where);
			break;
		case AT_FILE:
			break;
		}
		assert_true(bad_cases[i].at == AT_FILE || line > 0);
		check_error(i, text, strlen(text), bad_cases[i].expect, line);
		free(text);
	}
}

/* Errors that C strings cannot express, and the size limits. */
static void
test_errors_raw(void **state)
{
	char *buf = malloc(CATALOG_FILE_MAX + 2048);
	unsigned help = line_of(shipped, "help.en =");
	size_t n = 0, o;
	char err[8];

	assert_non_null(buf);
	/* a NUL byte inside a text */
	o = (size_t)(strstr(shipped, "help.en =") - shipped) + 12;
	memcpy(buf, shipped, shipped_len);
	buf[o] = '\0';
	check_error(100, buf, shipped_len, "NUL byte", help);

	/* a line of 1025 bytes, in a comment */
	memcpy(buf, shipped, shipped_len);
	n = shipped_len;
	buf[n++] = '#';
	memset(buf + n, 'x', CATALOG_LINE_MAX);
	n += CATALOG_LINE_MAX;
	buf[n++] = '\n';
	check_error(101, buf, n, "line longer than 1024 bytes",
		    count_lines(shipped) + 1);
	/* 1024 bytes plus CR LF is fine */
	buf[n - 2] = '\r';
	buf[n - 1] = '\n';
	{
		char e[CATALOG_ERR_SIZE];
		struct catalog *c = catalog_parse(LABEL, buf, n, e, sizeof(e));

		if (!c)
			print_error("%s\n", e);
		assert_non_null(c);
		catalog_free(c);
	}

	/* over 64 KiB */
	memcpy(buf, shipped, shipped_len);
	n = shipped_len;
	while (n <= CATALOG_FILE_MAX) {
		memcpy(buf + n, "# padding\n", 10);
		n += 10;
	}
	check_error(102, buf, n, "file larger than 65536 bytes", 0);

	/* empty input and NULL text */
	check_error(103, "", 0, "missing key 'case_filed'", 0);
	check_error(104, NULL, 1, "no text", 0);
	assert_null(catalog_parse(NULL, "x", 1, NULL, 0));

	/* a short error buffer is truncated, still terminated */
	memset(err, 'x', sizeof(err));
	assert_null(catalog_parse(LABEL, "x", 1, err, sizeof(err)));
	assert_int_equal(strlen(err), sizeof(err) - 1);
	free(buf);
}

/* Syntax that must be accepted: CRLF, BOM, no final newline, blanks,
 * escapes, '#' inside text. */
static void
test_syntax_ok(void **state)
{
	char *buf = malloc(2 * shipped_len + 16);
	char out[OUT], err[CATALOG_ERR_SIZE];
	const char *const pre[2] = {"help.en =", NULL};
	const char *const with[2] = {
		"  help.en\t=\t a\\nb \\\\ \\{x\\} #c \\{\\}  \t", NULL};
	struct catalog *c;
	size_t n = 0;
	char *t;

	assert_non_null(buf);
	/* BOM + CRLF + no newline at the end */
	memcpy(buf, "\xEF\xBB\xBF", 3);
	n = 3;
	for (size_t i = 0; i < shipped_len; i++) {
		if (shipped[i] == '\n')
			buf[n++] = '\r';
		buf[n++] = shipped[i];
	}
	n -= 2;
	c = catalog_parse(LABEL, buf, n, err, sizeof(err));
	if (!c)
		print_error("%s\n", err);
	assert_non_null(c);
	assert_string_equal(catalog_text(c, "kind.enquiry", CATALOG_EN),
			    "enquiry");
	assert_true(catalog_render(c, "survey_invalid", CATALOG_EN, NULL, 0,
				   out, sizeof(out)) > 0);
	assert_null(strchr(out, '\r'));
	catalog_free(c);
	free(buf);

	/* blanks around '=' and at the end, escapes, '#' inside text */
	t = edited(pre, with);
	c = catalog_parse(LABEL, t, strlen(t), err, sizeof(err));
	if (!c)
		print_error("%s\n", err);
	assert_non_null(c);
	assert_string_equal(catalog_text(c, "help", CATALOG_EN),
			    "a\nb \\ {x} #c {}");
	assert_int_equal(catalog_render(c, "help", CATALOG_EN, NULL, 0, out,
					sizeof(out)),
			 15);
	assert_string_equal(out, "a\nb \\ {x} #c {}");
	catalog_free(c);
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_parses),
		cmocka_unit_test(test_every_key_renders),
		cmocka_unit_test(test_arabic_first_word),
		cmocka_unit_test(test_sms_sizes),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_errors_raw),
		cmocka_unit_test(test_syntax_ok),
	};
	return cmocka_run_group_tests(tests, load_shipped, free_shipped);
}
