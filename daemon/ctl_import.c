/*
 * ctl_import.c - checks the rows of `tawasulctl entities import` (SPEC
 * §7) before anything is written.
 *
 * Owns the rows (normalised copies of the fields) and an index of every
 * code and alias in its matching form (textnorm(), the form the gateway
 * compares messages in), so two aliases the matcher could not tell
 * apart are caught here rather than at run time. Reports the first
 * problem in file order as "FILE:LINE: reason".
 *
 * Deliberately does not read the file, parse CSV (csv.c) or talk to the
 * database (ctl_entities.c feeds it the table's entities).
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "ctl.h"
#include "ctl_import.h"
#include "textnorm.h"
#include "utf8.h"

enum { F_CODE, F_NAME_EN, F_NAME_AR, F_ALIASES_EN, F_ALIASES_AR, F_SLA };

const char *const ctl_import_fields[CTL_IMPORT_FIELDS] = {
	"code",           "name_en",     "name_ar",
	"aliases_en",     "aliases_ar",  "sla_complaint",
	"sla_suggestion", "sla_enquiry", "active",
};

struct ctl_import_key {
	char *key;   /* matching form; NULL = free slot */
	char *shown; /* as written, for messages */
	size_t row;  /* index in rows */
	int is_code;
};

void
ctl_import_init(struct ctl_import *im, const char *path)
{
	memset(im, 0, sizeof(*im));
	im->path = path;
}

void
ctl_import_free(struct ctl_import *im)
{
	for (size_t i = 0; i < im->nrows; i++) {
		struct ctl_import_row *r = &im->rows[i];
		free(r->code);
		free(r->name_en);
		free(r->name_ar);
		free(r->aliases[0]);
		free(r->aliases[1]);
	}
	free(im->rows);
	for (size_t i = 0; i < im->keycap; i++) {
		free(im->keys[i].key);
		free(im->keys[i].shown);
	}
	free(im->keys);
	ctl_import_init(im, im->path);
}

void
ctl_import_error(const struct ctl_import *im, unsigned long line,
		 const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tawasulctl: %s:%lu: ", im->path, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- the index of codes and aliases -------------------------------- */

static uint64_t
hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

/* The slot holding key, or the free slot where it would go. */
static struct ctl_import_key *
slot(const struct ctl_import *im, const char *key)
{
	size_t i = (size_t)hash(key) & (im->keycap - 1);

	while (im->keys[i].key && strcmp(im->keys[i].key, key) != 0)
		i = (i + 1) & (im->keycap - 1);
	return &im->keys[i];
}

static const struct ctl_import_key *
lookup(const struct ctl_import *im, const char *key)
{
	const struct ctl_import_key *k;

	if (im->keycap == 0)
		return NULL;
	k = slot(im, key);
	return k->key ? k : NULL;
}

/* Keeps the table at most half full. Returns 0 or -1 (out of memory). */
static int
grow(struct ctl_import *im)
{
	struct ctl_import_key *old = im->keys;
	size_t oldcap = im->keycap, cap = oldcap ? oldcap * 2 : 256;

	if (im->nkeys + 1 <= im->keycap / 2)
		return 0;
	if (!(im->keys = calloc(cap, sizeof(*im->keys)))) {
		im->keys = old;
		return -1;
	}
	im->keycap = cap;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].key)
			*slot(im, old[i].key) = old[i];
	free(old);
	return 0;
}

/* Adds key (taken over) for row. Returns 0 or -1 (out of memory). */
static int
insert(struct ctl_import *im, char *key, const char *shown, size_t row,
       int is_code)
{
	struct ctl_import_key *k;

	if (grow(im) < 0)
		goto fail;
	k = slot(im, key);
	if (!(k->shown = strdup(shown)))
		goto fail;
	k->key = key;
	k->row = row;
	k->is_code = is_code;
	im->nkeys++;
	return 0;
fail:
	free(key);
	return -1;
}

/* The matching form of s, a new string; NULL when out of memory. */
static char *
match_key(const char *s)
{
	size_t len = strlen(s), cap = TEXTNORM_MAX(len) + 1;
	char *out = malloc(cap);
	int n;

	if (!out)
		return NULL;
	n = textnorm((const uint8_t *)s, len, (uint8_t *)out, cap - 1);
	if (n < 0) {
		free(out);
		return NULL;
	}
	out[n] = '\0';
	return out;
}

/* ---- fields --------------------------------------------------------- */

/*
 * Copies in to out (at least strlen(in) + 1 bytes): ends trimmed, each
 * run of white space (space, tab, CR, LF) one space. Returns -1 if in
 * holds another control character (C0, DEL, C1), else 0.
 */
static int
norm_space(const char *in, char *out)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t n = 0;
	int space = 0;

	for (; *p; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			space = n > 0;
			continue;
		}
		if (*p < 0x20 || *p == 0x7f ||
		    (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			return -1;
		if (space)
			out[n++] = ' ';
		space = 0;
		out[n++] = (char)*p;
	}
	out[n] = '\0';
	return 0;
}

/* A new normalised copy of field f; NULL with *bad set on bad input. */
static char *
field_text(const struct csv_record *rec, int f, int *bad)
{
	const char *in = csv_field(rec, (size_t)f);
	char *out = malloc(strlen(in) + 1);

	*bad = 0;
	if (out && norm_space(in, out) < 0) {
		free(out);
		*bad = 1;
		return NULL;
	}
	return out;
}

static int
valid_code(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 16 || s[0] < 'A' || s[0] > 'Z')
		return 0;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == n;
}

/* Whole days 0..365, ASCII digits, spaces around allowed; -1 if not. */
static int
parse_days(const char *s)
{
	char t[8];

	if (strlen(s) >= sizeof(t) || norm_space(s, t) < 0 || !t[0] ||
	    strlen(t) > 3 || strspn(t, "0123456789") != strlen(t))
		return -1;
	int v = atoi(t);
	return v <= 365 ? v : -1;
}

/* 1/0/true/false/yes/no in any case; -1 if none. */
static int
parse_bool(const char *s)
{
	static const char *const yes[] = {"1", "true", "yes"};
	static const char *const no[] = {"0", "false", "no"};
	char t[8];

	if (strlen(s) >= sizeof(t) || norm_space(s, t) < 0)
		return -1;
	for (int i = 0; i < 3; i++) {
		if (strcasecmp(t, yes[i]) == 0)
			return 1;
		if (strcasecmp(t, no[i]) == 0)
			return 0;
	}
	return -1;
}

#define EXCERPT_SIZE 48

/*
 * Field text fit for a one-line message, in buf (EXCERPT_SIZE bytes):
 * control characters as '?', cut at a character boundary after at most
 * 40 bytes, "..." marking the cut.
 */
static const char *
excerpt(const char *s, char buf[EXCERPT_SIZE])
{
	size_t n = strlen(s), keep = n;

	if (keep > 40) {
		keep = 40;
		while (keep > 0 && ((unsigned char)s[keep] & 0xc0) == 0x80)
			keep--; /* not inside a UTF-8 sequence */
	}
	for (size_t i = 0; i < keep; i++) {
		unsigned char c = (unsigned char)s[i];
		buf[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	memcpy(buf + keep, keep < n ? "..." : "", keep < n ? 4 : 1);
	return buf;
}

/* "alias 'x' of CODE" or "code CODE", for clash messages. */
static void
describe(char *out, size_t cap, const char *shown, const char *code,
	 int is_code)
{
	if (is_code)
		snprintf(out, cap, "code %s", code);
	else
		snprintf(out, cap, "alias '%s' of %s", shown, code);
}

/*
 * One alias of the row being built (index rowi), already normalised and
 * not empty: checked against the index and appended to *list at *used.
 * Repeats within the entity and the entity's own code are dropped.
 * Returns a CTL_EXIT_* status after printing any problem.
 */
static int
add_alias(struct ctl_import *im, size_t rowi, int lang, const char *alias,
	  int *count, size_t *used)
{
	struct ctl_import_row *row = &im->rows[rowi];
	const char *fname = ctl_import_fields[F_ALIASES_EN + lang];
	const struct ctl_import_key *k;
	char *list = row->aliases[lang];
	char ex[EXCERPT_SIZE], *key;

	if (strlen(alias) > CTL_IMPORT_ALIAS_BYTES) {
		ctl_import_error(
			im, row->line, "%s: alias '%s' is longer than %d bytes",
			fname, excerpt(alias, ex), CTL_IMPORT_ALIAS_BYTES);
		return CTL_EXIT_USER;
	}
	if (!(key = match_key(alias)))
		return CTL_EXIT_SYSTEM;
	if (!key[0]) {
		free(key);
		ctl_import_error(im, row->line,
				 "%s: alias '%s' has nothing to match", fname,
				 alias);
		return CTL_EXIT_USER;
	}
	if ((k = lookup(im, key))) {
		const struct ctl_import_row *o = &im->rows[k->row];
		char what[256];

		free(key);
		if (k->row == rowi)
			return CTL_EXIT_OK;
		describe(what, sizeof(what), k->shown, o->code, k->is_code);
		ctl_import_error(im, row->line,
				 "alias '%s' of %s clashes with %s (line %lu)",
				 alias, row->code, what, o->line);
		return CTL_EXIT_USER;
	}
	if (++*count > CTL_IMPORT_ALIASES_MAX) {
		free(key);
		ctl_import_error(im, row->line, "%s: more than %d aliases",
				 fname, CTL_IMPORT_ALIASES_MAX);
		return CTL_EXIT_USER;
	}
	if (insert(im, key, alias, rowi, 0) < 0)
		return CTL_EXIT_SYSTEM;
	if (*used)
		list[(*used)++] = '|';
	memcpy(list + *used, alias, strlen(alias) + 1);
	*used += strlen(alias);
	return CTL_EXIT_OK;
}

/*
 * Adds the aliases of the record's field for lang (0 English, 1 Arabic)
 * to the row being built: split on '|', normalised, empty ones dropped.
 * Returns a CTL_EXIT_* status after printing any problem.
 */
static int
add_aliases(struct ctl_import *im, const struct csv_record *rec, int lang)
{
	size_t rowi = im->nrows - 1, used = 0;
	const char *p = csv_field(rec, F_ALIASES_EN + (size_t)lang);
	size_t flen = strlen(p);
	char *piece = malloc(flen + 1), *alias = malloc(flen + 1);
	int count = 0, rc = CTL_EXIT_SYSTEM;

	/* Normalised aliases joined by '|' never outgrow the field. */
	if (!piece || !alias ||
	    !(im->rows[rowi].aliases[lang] = calloc(1, flen + 1)))
		goto out;
	for (rc = CTL_EXIT_OK; rc == CTL_EXIT_OK; p++) {
		size_t n = strcspn(p, "|");

		memcpy(piece, p, n);
		piece[n] = '\0';
		p += n;
		if (norm_space(piece, alias) < 0) {
			ctl_import_error(
				im, rec->line,
				"%s: an alias has a control character",
				ctl_import_fields[F_ALIASES_EN + lang]);
			rc = CTL_EXIT_USER;
		} else if (alias[0]) {
			rc = add_alias(im, rowi, lang, alias, &count, &used);
		}
		if (!*p)
			break;
	}
out:
	free(piece);
	free(alias);
	return rc;
}

/* Appends a zeroed row. Returns 0 or -1 (out of memory). */
static int
new_row(struct ctl_import *im, unsigned long line)
{
	if (im->nrows == im->rowcap) {
		size_t cap = im->rowcap ? im->rowcap * 2 : 64;
		struct ctl_import_row *r = realloc(im->rows, cap * sizeof(*r));
		if (!r)
			return -1;
		im->rows = r;
		im->rowcap = cap;
	}
	memset(&im->rows[im->nrows], 0, sizeof(im->rows[0]));
	im->rows[im->nrows++].line = line;
	return 0;
}

int
ctl_import_add_row(struct ctl_import *im, const struct csv_record *rec)
{
	const struct ctl_import_key *k;
	struct ctl_import_row *row;
	unsigned long line = rec->line;
	char ex[EXCERPT_SIZE], *key;
	int bad, v;

	if (rec->nfields != CTL_IMPORT_FIELDS) {
		ctl_import_error(im, line, "expected %d fields, found %zu",
				 CTL_IMPORT_FIELDS, rec->nfields);
		return CTL_EXIT_USER;
	}
	for (int f = 0; f < CTL_IMPORT_FIELDS; f++) {
		if (!utf8_valid((const uint8_t *)csv_field(rec, (size_t)f),
				rec->len[f])) {
			ctl_import_error(im, line,
					 "%s is not valid UTF-8 (save the "
					 "file as UTF-8)",
					 ctl_import_fields[f]);
			return CTL_EXIT_USER;
		}
	}
	if (im->nrows == CTL_IMPORT_ROWS_MAX) {
		ctl_import_error(im, line, "more than %d entities",
				 CTL_IMPORT_ROWS_MAX);
		return CTL_EXIT_USER;
	}
	if (new_row(im, line) < 0)
		return CTL_EXIT_SYSTEM;
	row = &im->rows[im->nrows - 1];

	if (!(row->code = field_text(rec, F_CODE, &bad)) && !bad)
		return CTL_EXIT_SYSTEM;
	if (bad || !valid_code(row->code)) {
		ctl_import_error(
			im, line,
			"bad code '%s': A-Z first, then up to 15 of "
			"A-Z 0-9 _",
			excerpt(row->code ? row->code : csv_field(rec, F_CODE),
				ex));
		return CTL_EXIT_USER;
	}
	for (int f = F_NAME_EN; f <= F_NAME_AR; f++) {
		char **dst = f == F_NAME_EN ? &row->name_en : &row->name_ar;

		if (!(*dst = field_text(rec, f, &bad)) && !bad)
			return CTL_EXIT_SYSTEM;
		if (bad || !**dst) {
			ctl_import_error(
				im, line, "%s %s", ctl_import_fields[f],
				bad ? "has a control character" : "is empty");
			return CTL_EXIT_USER;
		}
	}
	for (int i = 0; i < 3; i++) {
		if ((v = parse_days(csv_field(rec, F_SLA + (size_t)i))) < 0) {
			ctl_import_error(
				im, line,
				"%s must be whole days 0-365, not "
				"'%s'",
				ctl_import_fields[F_SLA + i],
				excerpt(csv_field(rec, F_SLA + (size_t)i), ex));
			return CTL_EXIT_USER;
		}
		row->sla[i] = v;
	}
	if ((v = parse_bool(csv_field(rec, CTL_IMPORT_FIELDS - 1))) < 0) {
		ctl_import_error(
			im, line,
			"active must be 1/0, true/false or yes/no, "
			"not '%s'",
			excerpt(csv_field(rec, CTL_IMPORT_FIELDS - 1), ex));
		return CTL_EXIT_USER;
	}
	row->active = v;

	if (!(key = match_key(row->code)))
		return CTL_EXIT_SYSTEM;
	if ((k = lookup(im, key))) {
		const struct ctl_import_row *o = &im->rows[k->row];
		free(key);
		if (k->is_code)
			ctl_import_error(
				im, line,
				"duplicate code %s (first on line %lu)",
				row->code, o->line);
		else
			ctl_import_error(im, line,
					 "code %s is an alias of %s (line %lu)",
					 row->code, o->code, o->line);
		return CTL_EXIT_USER;
	}
	if (insert(im, key, row->code, im->nrows - 1, 1) < 0)
		return CTL_EXIT_SYSTEM;
	for (int lang = 0; lang < 2; lang++)
		if ((v = add_aliases(im, rec, lang)) != CTL_EXIT_OK)
			return v;
	return CTL_EXIT_OK;
}

/* ---- the table's entities ------------------------------------------- */

/* Notes a clash of file entry k with the table's entity code. */
static void
clash(struct ctl_import *im, const struct ctl_import_key *k, const char *code,
      const char *shown, int is_code)
{
	const struct ctl_import_row *row = &im->rows[k->row];
	char mine[256], theirs[256];

	if (im->conflict_line && im->conflict_line <= row->line)
		return;
	describe(mine, sizeof(mine), k->shown, row->code, k->is_code);
	describe(theirs, sizeof(theirs), shown, code, is_code);
	im->conflict_line = row->line;
	snprintf(im->conflict, sizeof(im->conflict),
		 "%s clashes with %s, which is in the database but not in "
		 "this file",
		 mine, theirs);
}

int
ctl_import_check_existing(struct ctl_import *im, const char *code,
			  const char *alias, int first)
{
	const struct ctl_import_key *k;
	char *key;

	if (first) {
		if (!(key = match_key(code)))
			return CTL_EXIT_SYSTEM;
		k = lookup(im, key);
		free(key);
		im->cur_other = !(k && k->is_code);
		if (!im->cur_other) {
			im->rows[k->row].existed = 1;
		} else {
			im->others++;
			if (k)
				clash(im, k, code, code, 1);
		}
	}
	if (!im->cur_other || !alias)
		return CTL_EXIT_OK;
	if (!(key = match_key(alias)))
		return CTL_EXIT_SYSTEM;
	if ((k = lookup(im, key)))
		clash(im, k, code, alias, 0);
	free(key);
	return CTL_EXIT_OK;
}

int
ctl_import_report(const struct ctl_import *im)
{
	if (!im->conflict_line)
		return CTL_EXIT_OK;
	ctl_import_error(im, im->conflict_line, "%s", im->conflict);
	return CTL_EXIT_USER;
}
