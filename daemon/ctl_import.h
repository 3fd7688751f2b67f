/*
 * ctl_import.h - the rows of an entity import and their checks (SPEC
 * §7): one entity per CSV record, validated field by field, with an
 * index of codes and aliases as the matcher sees them. Private to
 * tawasulctl; ctl_entities.c does the file and database work.
 */
#ifndef TAWASUL_CTL_IMPORT_H
#define TAWASUL_CTL_IMPORT_H

#include <stddef.h>

struct csv_record;

#define CTL_IMPORT_FIELDS      9
#define CTL_IMPORT_FILE_MAX    (4 * 1024 * 1024) /* bytes */
#define CTL_IMPORT_ROWS_MAX    2000
#define CTL_IMPORT_ALIASES_MAX 64 /* per entity and language */
/* Bytes of one alias (UTF-8); the daemon's directory skips longer ones. */
#define CTL_IMPORT_ALIAS_BYTES 128

/* The header, exactly: the column names in order. */
extern const char *const ctl_import_fields[CTL_IMPORT_FIELDS];

/* One entity as it will be written. */
struct ctl_import_row {
	unsigned long line; /* where its record starts in the file */
	char *code;
	char *name_en;
	char *name_ar;
	char *aliases[2]; /* English, Arabic: "a|b|c", possibly "" */
	int sla[3];       /* complaint, suggestion, enquiry: 0..365 days */
	int active;
	int existed; /* already in the table (set by check_existing) */
};

struct ctl_import_key;

struct ctl_import {
	const char *path; /* borrowed, for messages */
	struct ctl_import_row *rows;
	size_t nrows, rowcap;
	struct ctl_import_key *keys; /* open addressing, power of 2 */
	size_t nkeys, keycap;
	size_t added, updated; /* set by the caller while writing */
	size_t others;         /* entities in the table, not in the file */
	int cur_other;         /* check_existing: current code not in file */
	unsigned long conflict_line; /* earliest clash with the table */
	char conflict[640];
};

/* Starts an empty import of the file path (borrowed). */
void ctl_import_init(struct ctl_import *im, const char *path);

/* Frees what the import holds; im may then be initialised again. */
void ctl_import_free(struct ctl_import *im);

/* Prints "tawasulctl: FILE:LINE: reason" on stderr. */
void ctl_import_error(const struct ctl_import *im, unsigned long line,
		      const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Checks one data record and adds it as a row: 9 fields, valid UTF-8,
 * code ^[A-Z][A-Z0-9_]{0,15}$, names not empty and without control
 * characters (runs of white space, line breaks included, become one
 * space; ends trimmed), aliases split on '|' and normalised the same way
 * (empty ones dropped, repeats within the entity dropped, at most
 * CTL_IMPORT_ALIAS_BYTES each), SLAs whole
 * days 0..365, active one of 1/0/true/false/yes/no (any case). No code
 * may repeat, and no alias may belong to two entities or be another
 * entity's code, comparing the matching forms (textnorm: case, Arabic
 * letter variants, digits folded). Returns CTL_EXIT_OK, CTL_EXIT_USER
 * after printing the first problem, or CTL_EXIT_SYSTEM (out of memory).
 */
int ctl_import_add_row(struct ctl_import *im, const struct csv_record *rec);

/*
 * Feeds one (code, alias) pair of the table's entities, ordered by code;
 * first is 1 on a code's first pair, alias NULL for an entity without
 * aliases. Marks the file's rows that exist, counts the others, and
 * notes the earliest clash of a file row with the codes and aliases of
 * an entity the file does not mention. Returns CTL_EXIT_OK or
 * CTL_EXIT_SYSTEM (out of memory).
 */
int ctl_import_check_existing(struct ctl_import *im, const char *code,
			      const char *alias, int first);

/*
 * After every pair: CTL_EXIT_USER after printing the earliest clash
 * found by check_existing, else CTL_EXIT_OK.
 */
int ctl_import_report(const struct ctl_import *im);

#endif
