/*
 * csv.c - bounded reader for RFC 4180 comma-separated values, as
 * spreadsheets export them (SPEC §7: the entity list is imported from a
 * CSV file by tawasulctl).
 *
 * Owns nothing: reads a caller's buffer into a caller's record. Accepts
 * quoted fields (with commas, doubled quotes and line breaks inside),
 * LF or CRLF line ends, a missing final line end and a leading UTF-8
 * byte-order mark. Every copy is capped (field, record, field count), so
 * any input takes time linear in its size and no memory.
 *
 * Deliberately does not: check the character set (the caller validates
 * UTF-8 where it matters), trim spaces (RFC 4180 says they are data),
 * interpret a header, skip blank lines (an empty line is one empty field,
 * as the RFC reads it), accept other separators or a lone CR as a line
 * end (old Mac files), or do any I/O.
 */
#include <errno.h>
#include <string.h>

#include "csv.h"

static const uint8_t bom[3] = {0xEF, 0xBB, 0xBF};

void
csv_reader_init(struct csv_reader *r, const uint8_t *buf, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->len = len;
	r->line = 1;
	if (len >= sizeof(bom) && memcmp(buf, bom, sizeof(bom)) == 0)
		r->pos = sizeof(bom);
}

/* The errno csv_next() reports for err. */
static int
err_errno(enum csv_err err)
{
	switch (err) {
	case CSV_OK:
		return 0;
	case CSV_ERR_FIELD_TOO_LONG:
	case CSV_ERR_RECORD_TOO_LONG:
		return -EMSGSIZE;
	case CSV_ERR_TOO_MANY_FIELDS:
		return -E2BIG;
	default:
		return -EINVAL;
	}
}

/* Records the first error and its line; returns its errno. */
static int
fail(struct csv_reader *r, enum csv_err err, unsigned long line)
{
	r->err = err;
	r->err_line = line;
	return err_errno(err);
}

/* The field being built: where it starts and how much the record holds. */
struct field {
	size_t start; /* offset in rec->data */
	size_t used;  /* bytes of rec->data in use, NULs included */
	size_t body;  /* bytes of field content in the record so far */
};

/* Appends one byte to the current field, within the caps. */
static int
put(struct csv_reader *r, struct csv_record *rec, struct field *f, uint8_t c)
{
	if (f->used - f->start >= CSV_FIELD_MAX)
		return fail(r, CSV_ERR_FIELD_TOO_LONG, r->line);
	if (f->body >= CSV_RECORD_MAX)
		return fail(r, CSV_ERR_RECORD_TOO_LONG, r->line);
	rec->data[f->used++] = (char)c;
	f->body++;
	return 0;
}

/*
 * A quoted field: r->pos is on the opening quote. Leaves r->pos just
 * after the closing quote.
 */
static int
quoted(struct csv_reader *r, struct csv_record *rec, struct field *f)
{
	unsigned long opened = r->line;
	int rc;

	r->pos++;
	for (;;) {
		if (r->pos == r->len)
			return fail(r, CSV_ERR_UNTERMINATED, opened);
		uint8_t c = r->buf[r->pos];
		if (c == '"') {
			if (r->pos + 1 < r->len && r->buf[r->pos + 1] == '"') {
				if ((rc = put(r, rec, f, '"')) < 0)
					return rc;
				r->pos += 2;
				continue;
			}
			r->pos++;
			return 0;
		}
		if (c == '\0')
			return fail(r, CSV_ERR_NUL, r->line);
		if ((rc = put(r, rec, f, c)) < 0)
			return rc;
		if (c == '\n')
			r->line++;
		r->pos++;
	}
}

/* An unquoted field: up to the next comma, line end or the input's end. */
static int
unquoted(struct csv_reader *r, struct csv_record *rec, struct field *f)
{
	int rc;

	while (r->pos < r->len) {
		uint8_t c = r->buf[r->pos];
		if (c == ',' || c == '\n' || c == '\r')
			return 0;
		if (c == '"')
			return fail(r, CSV_ERR_QUOTE, r->line);
		if (c == '\0')
			return fail(r, CSV_ERR_NUL, r->line);
		if ((rc = put(r, rec, f, c)) < 0)
			return rc;
		r->pos++;
	}
	return 0;
}

int
csv_next(struct csv_reader *r, struct csv_record *rec)
{
	struct field f = {0};
	int rc;

	if (r->err != CSV_OK)
		return err_errno(r->err);
	if (r->pos >= r->len)
		return 0;
	rec->line = r->line;
	rec->nfields = 0;
	for (;;) {
		if (rec->nfields == CSV_FIELDS_MAX)
			return fail(r, CSV_ERR_TOO_MANY_FIELDS, r->line);
		f.start = f.used;
		if (r->pos < r->len && r->buf[r->pos] == '"') {
			if ((rc = quoted(r, rec, &f)) < 0)
				return rc;
			if (r->pos < r->len && r->buf[r->pos] != ',' &&
			    r->buf[r->pos] != '\n' && r->buf[r->pos] != '\r')
				return fail(r, CSV_ERR_AFTER_QUOTE, r->line);
		} else if ((rc = unquoted(r, rec, &f)) < 0) {
			return rc;
		}
		/* data has room for one NUL per field beyond the caps. */
		rec->off[rec->nfields] = f.start;
		rec->len[rec->nfields] = f.used - f.start;
		rec->data[f.used++] = '\0';
		rec->nfields++;

		if (r->pos == r->len)
			return 1;
		switch (r->buf[r->pos]) {
		case ',':
			r->pos++;
			break;
		case '\r':
			if (r->pos + 1 == r->len || r->buf[r->pos + 1] != '\n')
				return fail(r, CSV_ERR_BARE_CR, r->line);
			r->pos += 2;
			r->line++;
			return 1;
		default: /* '\n' */
			r->pos++;
			r->line++;
			return 1;
		}
	}
}

const char *
csv_field(const struct csv_record *rec, size_t i)
{
	return rec->data + rec->off[i];
}

const char *
csv_strerror(enum csv_err err)
{
	switch (err) {
	case CSV_OK:
		return "no error";
	case CSV_ERR_FIELD_TOO_LONG:
		return "field too long";
	case CSV_ERR_RECORD_TOO_LONG:
		return "row too long";
	case CSV_ERR_TOO_MANY_FIELDS:
		return "too many fields";
	case CSV_ERR_QUOTE:
		return "quote inside an unquoted field (quote the whole field "
		       "and double the quote)";
	case CSV_ERR_AFTER_QUOTE:
		return "text after a closing quote";
	case CSV_ERR_UNTERMINATED:
		return "quoted field not closed";
	case CSV_ERR_NUL:
		return "NUL byte";
	case CSV_ERR_BARE_CR:
		return "carriage return without line feed";
	}
	return "unknown error";
}
