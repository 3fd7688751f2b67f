/*
 * catalog.h - the bilingual reply catalogue (config/messages.conf): every
 * text the gateway sends a citizen, in Arabic and English, with
 * placeholders (SPEC §3 "Arabic replies start with an Arabic word", §5,
 * §7, §8). Pure: parses a buffer the caller has read and renders into
 * caller buffers; no file I/O, no logging.
 *
 * File format (one entry per line, UTF-8):
 *
 *   # a comment (a line whose first non-blank character is '#')
 *   case_filed.ar = شكرا لك. تم تسجيل {kind} برقم {ref} ...
 *   case_filed.en = Thank you. Your {kind} {ref} is filed with ...
 *
 *  - KEY is one of the schema's keys (catalog_key()), lower-case ASCII
 *    letters, digits, '_' and '.'; the suffix after the last '.' is the
 *    language, "ar" or "en". Every key needs both languages, once each.
 *  - Blanks (space, tab) around '=' and at the end of the line are
 *    dropped, as is a CR before the LF; the text must not be empty.
 *  - {name} is a placeholder, one of kind ref entity due status updated
 *    count text, and one the key allows; some keys also require some of
 *    theirs (the schema table in catalog.c, documented in the file).
 *  - Escapes: \n line break, \\ \{ \} literal characters; any other
 *    backslash, a lone '}' or an unterminated '{' is an error.
 *  - Text has no control characters (use \n); Arabic text starts with an
 *    Arabic letter; English text is GSM 03.38 only (default alphabet and
 *    extension table), placeholders aside.
 *  - Limits: CATALOG_FILE_MAX bytes, CATALOG_LINE_MAX bytes a line.
 */
#ifndef TAWASUL_CATALOG_H
#define TAWASUL_CATALOG_H

#include <stddef.h>

#define CATALOG_FILE_MAX (64 * 1024)
#define CATALOG_LINE_MAX 1024 /* bytes, without the line end */
#define CATALOG_ERR_SIZE 256  /* enough for any error message */

enum catalog_lang {
	CATALOG_AR = 0,
	CATALOG_EN = 1,
};
#define CATALOG_NLANG 2

/* One placeholder value: both strings NUL-terminated, value UTF-8. */
struct catalog_arg {
	const char *name;
	const char *value;
};

struct catalog;

/*
 * Parses text[0..len) (need not be NUL-terminated; a leading UTF-8 BOM is
 * skipped). Returns a new catalogue, free with catalog_free(); it copies
 * what it keeps, text is borrowed for the call. On error returns NULL and
 * writes one line (no newline) to err[0..errlen) if err is not NULL:
 * "LABEL:N: problem" for a problem on line N, "LABEL: problem" for the
 * file as a whole (too large, a key missing in both languages). Errors:
 * file over CATALOG_FILE_MAX, line over CATALOG_LINE_MAX, invalid UTF-8
 * or a NUL byte, missing '=', bad key syntax, unknown key, unknown
 * language suffix, duplicate key, empty text, control character, bad
 * escape, bad or unterminated placeholder, unknown placeholder, one not
 * allowed for the key or a required one missing, Arabic text not
 * starting with an Arabic letter, English text with a non-GSM character,
 * a key present in one language only, a key missing; also out of memory.
 */
struct catalog *catalog_parse(const char *label, const char *text, size_t len,
			      char *err, size_t errlen);

/* Frees c and everything it holds; NULL is allowed. */
void catalog_free(struct catalog *c);

/*
 * Renders key in lang into out[0..cap), NUL-terminated, replacing each
 * placeholder with the value of the arg of that name (the first one if a
 * name is repeated). Arguments the text does not use are ignored, so a
 * caller may pass the same set for both languages; the caller must pass
 * every placeholder the key allows (the schema in catalog.c).
 * Values are copied as they are: {ref} is formatted by the caller
 * (ref_format_en() / ref_format_ar()), {kind} and {status} come from
 * catalog_text() in the same language.
 * Returns the bytes written without the NUL; -ENOENT for an unknown key,
 * -EINVAL for a bad lang, a NULL name or value, or a placeholder with no
 * arg (nothing half-filled is ever sent); -EILSEQ if a used value is not
 * valid UTF-8; -ENOSPC if the result and its NUL do not fit in cap. On
 * every error out holds "" when cap > 0. Borrows everything for the call.
 */
int catalog_render(const struct catalog *c, const char *key,
		   enum catalog_lang lang, const struct catalog_arg *args,
		   size_t nargs, char *out, size_t cap);

/*
 * The text of a key that allows no placeholder (kind.*, status.* and
 * plain replies), NUL-terminated, valid as long as c. NULL for an
 * unknown key, a bad lang or a key that allows placeholders (use
 * catalog_render() for those).
 */
const char *catalog_text(const struct catalog *c, const char *key,
			 enum catalog_lang lang);

/* Number of keys in the schema; every one is required in both languages. */
size_t catalog_nkeys(void);

/* Name of the i-th key of the schema (0 <= i < catalog_nkeys()), else
 * NULL. Static storage. */
const char *catalog_key(size_t i);

#endif
