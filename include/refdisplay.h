/*
 * refdisplay.h - case reference numbers as shown to and typed by
 * citizens (SPEC §4 "Display", "Parsing is lenient"). Digits only: the
 * Damm check digit is verified elsewhere. Pure, no I/O.
 */
#ifndef TAWASUL_REFDISPLAY_H
#define TAWASUL_REFDISPLAY_H

#include <stddef.h>
#include <stdint.h>

#define REF_DIGITS 10
/* Buffer sizes, NUL included. */
#define REF_EN_SIZE 13 /* "483 920 1753" */
#define REF_AR_SIZE 11 /* "4839201753" */

/*
 * English display: "483 920 1753" (3-3-4 groups, ASCII spaces),
 * NUL-terminated. `digits` is 10 ASCII digits (need not be terminated).
 * Returns the length written without the NUL (12), -EINVAL if a digit is
 * not 0-9, -ENOSPC if cap < REF_EN_SIZE (out untouched).
 */
int ref_format_en(const char digits[10], char *out, size_t cap);

/*
 * Arabic display: one unbroken ASCII digit run "4839201753", so a
 * right-to-left paragraph cannot reorder the groups. NUL-terminated.
 * Returns 10, -EINVAL if a digit is not 0-9, -ENOSPC if
 * cap < REF_AR_SIZE (out untouched).
 */
int ref_format_ar(const char digits[10], char *out, size_t cap);

/*
 * Lenient parse of a typed reference: digits of any of the scripts
 * ASCII 0-9, Arabic-Indic U+0660-0669, Persian U+06F0-06F9 and fullwidth
 * U+FF10-FF19; ignored: white space (ASCII and Unicode spaces, no-break
 * spaces), hyphens and dashes (- U+2010-2015 U+2212 U+FE63 U+FF0D, soft
 * hyphen), dots (. U+00B7 U+06D4 U+2024 U+FF0E), Arabic decimal and
 * thousands separators U+066B U+066C, bidi and zero-width controls
 * (U+061C U+200B-200F U+202A-202E U+2060 U+2066-2069 U+FEFF).
 * Returns 0 with exactly 10 ASCII digits and a NUL in out; -EINVAL for
 * anything else (another character, invalid UTF-8, not 10 digits), out
 * then holding an empty string. Borrows utf8 for the call.
 */
int ref_parse(const uint8_t *utf8, size_t len, char out[11]);

/* The value 0-9 of a digit in a script ref_parse() accepts (ASCII,
 * Arabic-Indic, Persian, fullwidth), or -1. */
int ref_digit_value(uint32_t c);

#endif
