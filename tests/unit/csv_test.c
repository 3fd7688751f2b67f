/*
 * csv_test.c - the CSV reader: RFC 4180 quoting, LF and CRLF, BOM, line
 * numbers across quoted line breaks, every malformation with its line,
 * and the caps on field length, record length and field count.
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

#include "csv.h"

/* Records as "f1|f2|...", each followed by "@LINE;". */
static void
render(const char *in, size_t len, char *out, size_t cap, int *rc)
{
	struct csv_record *rec = malloc(sizeof(*rec));
	struct csv_reader r;
	size_t n = 0;

	assert_non_null(rec);
	out[0] = '\0';
	csv_reader_init(&r, (const uint8_t *)in, len);
	while ((*rc = csv_next(&r, rec)) == 1) {
		for (size_t i = 0; i < rec->nfields; i++)
			n += (size_t)snprintf(out + n, cap - n, "%s%s",
					      i ? "|" : "", csv_field(rec, i));
		n += (size_t)snprintf(out + n, cap - n, "@%lu;", rec->line);
		assert_true(n < cap);
	}
	free(rec);
}

static const struct {
	const char *in;
	const char *out;
} good[] = {
	{"", ""},
	{"a,b,c", "a|b|c@1;"},
	{"a,b,c\n", "a|b|c@1;"},
	{"a,b\r\nc,d\r\n", "a|b@1;c|d@2;"},
	{"a,b\nc,d", "a|b@1;c|d@2;"},
	{"\xef\xbb\xbf"
	 "code,name\nX,Y\n",
	 "code|name@1;X|Y@2;"},
	{"\"a,b\",c\n", "a,b|c@1;"},
	{"\"say \"\"hi\"\"\",x\n", "say \"hi\"|x@1;"},
	{"\"two\nlines\",x\nnext,y\n", "two\nlines|x@1;next|y@3;"},
	{"\"crlf\r\ninside\",x\r\nnext,y\r\n", "crlf\r\ninside|x@1;next|y@3;"},
	{"\"\",\"\"\n", "|@1;"},
	{",,\n", "||@1;"},
	{"a,\n", "a|@1;"},
	{"a,", "a|@1;"},
	{"\n\nx\n", "@1;@2;x@3;"},
	{" spaced , kept \n", " spaced | kept @1;"},
	{"\"\"\"\"", "\"@1;"},
	{"وزارة الصحة,\"الصحة|مستشفى\"\n", "وزارة الصحة|الصحة|مستشفى@1;"},
	{"\xef\xbb\xbf", ""},
	{"\xef\xbb", "\xef\xbb@1;"},
};

static void
test_good(void **state)
{
	char out[512];
	int rc;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		render(good[i].in, strlen(good[i].in), out, sizeof(out), &rc);
		if (rc != 0 || strcmp(out, good[i].out) != 0)
			fail_msg("case %zu: rc %d, got '%s', want '%s'", i, rc,
				 out, good[i].out);
	}
}

static const struct {
	const char *in;
	int rc;
	enum csv_err err;
	unsigned long line;
	const char *before; /* records read before the error */
} bad[] = {
	{"a,b\"c\n", -EINVAL, CSV_ERR_QUOTE, 1, ""},
	{"ok\n\"ab\"c,d\n", -EINVAL, CSV_ERR_AFTER_QUOTE, 2, "ok@1;"},
	{"ok\n\"ab\" ,d\n", -EINVAL, CSV_ERR_AFTER_QUOTE, 2, "ok@1;"},
	{"a\n\"open\nstill\nopen", -EINVAL, CSV_ERR_UNTERMINATED, 2, "a@1;"},
	{"a\rb\n", -EINVAL, CSV_ERR_BARE_CR, 1, ""},
	{"a\r", -EINVAL, CSV_ERR_BARE_CR, 1, ""},
	{"\"q\"\r", -EINVAL, CSV_ERR_BARE_CR, 1, ""},
	{"x\n\"multi\nline\",y\nz\"\n", -EINVAL, CSV_ERR_QUOTE, 4,
	 "x@1;multi\nline|y@2;"},
};

static void
test_bad(void **state)
{
	struct csv_record rec;
	struct csv_reader r;
	char out[256];
	int rc;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		render(bad[i].in, strlen(bad[i].in), out, sizeof(out), &rc);
		if (rc != bad[i].rc || strcmp(out, bad[i].before) != 0)
			fail_msg("case %zu: rc %d, got '%s'", i, rc, out);
		csv_reader_init(&r, (const uint8_t *)bad[i].in,
				strlen(bad[i].in));
		while ((rc = csv_next(&r, &rec)) == 1)
			;
		assert_int_equal(r.err, bad[i].err);
		assert_int_equal(r.err_line, bad[i].line);
		/* sticky */
		assert_int_equal(csv_next(&r, &rec), bad[i].rc);
		assert_string_not_equal(csv_strerror(r.err), "unknown error");
	}
}

static void
test_nul(void **state)
{
	static const char in[] = "a,b\nc\0d\n";
	static const char q[] = "\"c\0\"\n";
	struct csv_record rec;
	struct csv_reader r;

	csv_reader_init(&r, (const uint8_t *)in, sizeof(in) - 1);
	assert_int_equal(csv_next(&r, &rec), 1);
	assert_int_equal(csv_next(&r, &rec), -EINVAL);
	assert_int_equal(r.err, CSV_ERR_NUL);
	assert_int_equal(r.err_line, 2);
	csv_reader_init(&r, (const uint8_t *)q, sizeof(q) - 1);
	assert_int_equal(csv_next(&r, &rec), -EINVAL);
	assert_int_equal(r.err, CSV_ERR_NUL);
}

static void
test_caps(void **state)
{
	size_t big = CSV_RECORD_MAX * 2 + 16;
	char *in = malloc(big);
	struct csv_record *rec = malloc(sizeof(*rec));
	struct csv_reader r;
	size_t n;

	assert_non_null(in);
	assert_non_null(rec);

	/* A field of exactly CSV_FIELD_MAX bytes, quoted or not. */
	memset(in, 'x', CSV_FIELD_MAX);
	csv_reader_init(&r, (const uint8_t *)in, CSV_FIELD_MAX);
	assert_int_equal(csv_next(&r, rec), 1);
	assert_int_equal(rec->len[0], CSV_FIELD_MAX);
	in[0] = '"';
	memset(in + 1, '"', 2 * CSV_FIELD_MAX); /* doubled quotes */
	in[2 * CSV_FIELD_MAX + 1] = '"';
	csv_reader_init(&r, (const uint8_t *)in, 2 * CSV_FIELD_MAX + 2);
	assert_int_equal(csv_next(&r, rec), 1);
	assert_int_equal(rec->len[0], CSV_FIELD_MAX);

	/* One byte more. */
	memset(in, 'x', CSV_FIELD_MAX + 1);
	csv_reader_init(&r, (const uint8_t *)in, CSV_FIELD_MAX + 1);
	assert_int_equal(csv_next(&r, rec), -EMSGSIZE);
	assert_int_equal(r.err, CSV_ERR_FIELD_TOO_LONG);

	/* A record over CSV_RECORD_MAX in fields within their cap. */
	n = 0;
	while (n < CSV_RECORD_MAX + CSV_FIELD_MAX) {
		memset(in + n, 'y', CSV_FIELD_MAX - 1);
		n += CSV_FIELD_MAX - 1;
		in[n++] = ',';
	}
	csv_reader_init(&r, (const uint8_t *)in, n - 1);
	assert_int_equal(csv_next(&r, rec), -EMSGSIZE);
	assert_int_equal(r.err, CSV_ERR_RECORD_TOO_LONG);

	/* CSV_FIELDS_MAX fields pass, one more does not. */
	memset(in, ',', CSV_FIELDS_MAX - 1);
	csv_reader_init(&r, (const uint8_t *)in, CSV_FIELDS_MAX - 1);
	assert_int_equal(csv_next(&r, rec), 1);
	assert_int_equal(rec->nfields, CSV_FIELDS_MAX);
	memset(in, ',', CSV_FIELDS_MAX);
	csv_reader_init(&r, (const uint8_t *)in, CSV_FIELDS_MAX);
	assert_int_equal(csv_next(&r, rec), -E2BIG);
	assert_int_equal(r.err, CSV_ERR_TOO_MANY_FIELDS);

	free(in);
	free(rec);
}

static void
test_lengths(void **state)
{
	static const char in[] = "\"a\"\"b\",,c";
	struct csv_record rec;
	struct csv_reader r;

	csv_reader_init(&r, (const uint8_t *)in, sizeof(in) - 1);
	assert_int_equal(csv_next(&r, &rec), 1);
	assert_int_equal(rec.nfields, 3);
	assert_int_equal(rec.len[0], 3);
	assert_string_equal(csv_field(&rec, 0), "a\"b");
	assert_int_equal(rec.len[1], 0);
	assert_string_equal(csv_field(&rec, 2), "c");
	assert_int_equal(csv_next(&r, &rec), 0);
	assert_int_equal(csv_next(&r, &rec), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),    cmocka_unit_test(test_bad),
		cmocka_unit_test(test_nul),     cmocka_unit_test(test_caps),
		cmocka_unit_test(test_lengths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
