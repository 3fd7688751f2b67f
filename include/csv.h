/*
 * csv.h - bounded RFC 4180 reader (SPEC §7 "tawasulctl entities import").
 * Pure: works on a caller's buffer, no I/O, no allocation.
 */
#ifndef TAWASUL_CSV_H
#define TAWASUL_CSV_H

#include <stddef.h>
#include <stdint.h>

/* Caps, checked before anything is copied. */
#define CSV_FIELD_MAX  4096  /* bytes of one field, after unquoting */
#define CSV_RECORD_MAX 16384 /* bytes of all fields of one record */
#define CSV_FIELDS_MAX 64    /* fields in one record */

/* Why the last csv_next() failed (also in struct csv_reader.err). */
enum csv_err {
	CSV_OK = 0,
	CSV_ERR_FIELD_TOO_LONG,  /* a field over CSV_FIELD_MAX */
	CSV_ERR_RECORD_TOO_LONG, /* a record over CSV_RECORD_MAX */
	CSV_ERR_TOO_MANY_FIELDS, /* more than CSV_FIELDS_MAX */
	CSV_ERR_QUOTE,           /* '"' inside an unquoted field */
	CSV_ERR_AFTER_QUOTE,     /* text after a closing quote */
	CSV_ERR_UNTERMINATED,    /* input ends inside a quoted field */
	CSV_ERR_NUL,             /* a NUL byte */
	CSV_ERR_BARE_CR,         /* CR not followed by LF outside quotes */
};

/*
 * A position in the input. Initialise with csv_reader_init(); the buffer
 * is borrowed for the reader's whole life.
 */
struct csv_reader {
	const uint8_t *buf;
	size_t len;
	size_t pos;
	unsigned long line;     /* physical line of buf[pos], from 1 */
	enum csv_err err;       /* sticky once set */
	unsigned long err_line; /* line the error was found on */
};

/*
 * One record. Field i is data + off[i], len[i] bytes, NUL-terminated
 * (fields never contain NUL). Quotes are removed and doubled quotes
 * undone; line breaks inside quoted fields are kept as they were (CRLF
 * or LF). About 17 KiB: keep one per reader, not one per row.
 */
struct csv_record {
	unsigned long line; /* physical line the record starts on */
	size_t nfields;     /* 1..CSV_FIELDS_MAX */
	size_t off[CSV_FIELDS_MAX];
	size_t len[CSV_FIELDS_MAX];
	char data[CSV_RECORD_MAX + CSV_FIELDS_MAX];
};

/*
 * Starts reading buf[0..len); a leading UTF-8 byte-order mark is
 * skipped. Records end at LF or CRLF; the last one needs no line end.
 */
void csv_reader_init(struct csv_reader *r, const uint8_t *buf, size_t len);

/*
 * Reads the next record into *rec. Returns 1 with a record, 0 at the end
 * of the input, or a negative errno: -EMSGSIZE (a field or record over
 * its cap), -E2BIG (too many fields) or -EINVAL (malformed), with r->err
 * and r->err_line saying what and where; every later call then returns
 * the same error. An empty line is a record of one empty field. No
 * character set is checked: bytes pass through, delimiters are ASCII.
 */
int csv_next(struct csv_reader *r, struct csv_record *rec);

/* Field i of rec (i < rec->nfields), NUL-terminated, borrowed from rec. */
const char *csv_field(const struct csv_record *rec, size_t i);

/* A short English description of err, for "FILE:LINE: reason" lines. */
const char *csv_strerror(enum csv_err err);

#endif
