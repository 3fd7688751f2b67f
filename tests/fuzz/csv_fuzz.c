/*
 * csv_fuzz.c - fuzz target for the CSV reader: on any input it ends
 * (at the end or at a sticky error), every record has 1..CSV_FIELDS_MAX
 * fields within the caps, NUL-terminated and NUL-free, lines never go
 * backwards, and each record written back in quoted form reads back to
 * the same fields.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every field quoted, quotes doubled, fields joined by ',', then LF. */
static size_t
quote_record(const struct csv_record *rec, uint8_t *out)
{
	size_t n = 0;

	for (size_t i = 0; i < rec->nfields; i++) {
		const char *f = csv_field(rec, i);
		if (i)
			out[n++] = ',';
		out[n++] = '"';
		for (size_t k = 0; k < rec->len[i]; k++) {
			if (f[k] == '"')
				out[n++] = '"';
			out[n++] = (uint8_t)f[k];
		}
		out[n++] = '"';
	}
	out[n++] = '\n';
	return n;
}

static void
check_record(const struct csv_record *rec)
{
	size_t total = 0;

	if (rec->nfields < 1 || rec->nfields > CSV_FIELDS_MAX)
		abort();
	for (size_t i = 0; i < rec->nfields; i++) {
		const char *f = csv_field(rec, i);
		if (rec->len[i] > CSV_FIELD_MAX || strlen(f) != rec->len[i])
			abort();
		total += rec->len[i];
	}
	if (total > CSV_RECORD_MAX)
		abort();
}

static void
roundtrip(const struct csv_record *rec, struct csv_record *again, uint8_t *buf)
{
	struct csv_reader r;
	size_t n = quote_record(rec, buf);

	csv_reader_init(&r, buf, n);
	if (csv_next(&r, again) != 1 || csv_next(&r, again + 1) != 0)
		abort();
	if (again->nfields != rec->nfields)
		abort();
	for (size_t i = 0; i < rec->nfields; i++)
		if (again->len[i] != rec->len[i] ||
		    memcmp(csv_field(again, i), csv_field(rec, i),
			   rec->len[i]) != 0)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_record *rec = malloc(3 * sizeof(*rec));
	uint8_t *buf = malloc(2 * CSV_RECORD_MAX + 3 * CSV_FIELDS_MAX + 2);
	unsigned long line = 1;
	struct csv_reader r;
	size_t pos = 0;
	int rc;

	if (!rec || !buf)
		abort();
	csv_reader_init(&r, data, size);
	while ((rc = csv_next(&r, rec)) == 1) {
		if (rec->line < line || r.pos <= pos || r.pos > size)
			abort();
		line = rec->line;
		pos = r.pos;
		check_record(rec);
		roundtrip(rec, rec + 1, buf);
	}
	if (rc < 0) {
		if (r.err == CSV_OK || r.err_line < line ||
		    csv_next(&r, rec) != rc)
			abort();
	} else if (rc != 0 || r.pos != size) {
		abort();
	}
	free(rec);
	free(buf);
	return 0;
}
