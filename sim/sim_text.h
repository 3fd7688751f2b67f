/*
 * sim_text.h - the simulator's text conversions: UTF-8 to and from GSM 03.38
 * (unpacked septets, extension table), UCS-2 (UTF-16BE), Latin-1 and ASCII,
 * and splitting an encoded body into parts without cutting a character.
 *
 * Kept apart so that it can later be replaced by the project's text engine.
 * Bodies are octet strings (GSM '@' is 0x00): every function takes lengths.
 */
#ifndef TAWASUL_SIM_TEXT_H
#define TAWASUL_SIM_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* data_coding values the simulator knows */
#define SIM_DCS_GSM7   0
#define SIM_DCS_ASCII  1
#define SIM_DCS_LATIN1 3
#define SIM_DCS_BINARY 4
#define SIM_DCS_UCS2   8

/* Single-message and per-part capacities (characters / septets). */
#define SIM_GSM7_SINGLE 160
#define SIM_GSM7_PART   153
#define SIM_UCS2_SINGLE 70
#define SIM_UCS2_PART   67

/*
 * Decodes one code point from s (n > 0 bytes). Returns the bytes used
 * (>= 1); *cp is U+FFFD for an invalid or truncated sequence (then one
 * byte is used), overlong forms and surrogates included.
 */
size_t sim_text_utf8_next(const uint8_t *s, size_t n, uint32_t *cp);

/* 1 when every character of the UTF-8 text fits GSM 03.38 (with the
 * extension table), else 0. */
int sim_text_is_gsm7(const char *s, size_t n);

/*
 * Encoders from UTF-8 into out (cap bytes). Return the octets written,
 * -EILSEQ when a character has no representation (GSM 7-bit, Latin-1,
 * ASCII), -ENOSPC when out is too small. GSM is unpacked: one septet per
 * octet, extension characters as 0x1B + code. UCS-2 writes UTF-16BE
 * (characters beyond the BMP as surrogate pairs).
 */
int sim_text_to_gsm7(const char *s, size_t n, uint8_t *out, size_t cap);
int sim_text_to_ucs2(const char *s, size_t n, uint8_t *out, size_t cap);
int sim_text_to_latin1(const char *s, size_t n, uint8_t *out, size_t cap);

/*
 * Decodes body (n octets, data_coding dcs) into UTF-8 in out (cap bytes,
 * always NUL-terminated when cap > 0; cut at a character boundary).
 * dcs 0 GSM unpacked, 1 ASCII, 3 Latin-1, 8 UCS-2 (broken surrogates become
 * U+FFFD); any other dcs is shown as Latin-1 with controls as '.'.
 * Returns the length written.
 */
size_t sim_text_decode(uint8_t dcs, const uint8_t *body, size_t n, char *out,
		       size_t cap);

/* Length in octets of the character starting at enc[i] in an encoded body
 * of n octets: 2 for a GSM escape pair / a UCS-2 unit, 4 for a surrogate
 * pair, else 1 (or 2 for UCS-2). Never past n. */
size_t sim_text_unit_len(uint8_t dcs, const uint8_t *enc, size_t n, size_t i);

/* Characters in an encoded body (GSM escape pairs count 2 septets, as on
 * the air: the return value is septets for GSM, UTF-16 units for UCS-2). */
size_t sim_text_count(uint8_t dcs, const uint8_t *enc, size_t n);

/*
 * Splits an encoded body into parts. With nparts > 0: exactly that many
 * parts of near-equal size; returns nparts, or -EINVAL when the body is
 * too short for that many non-empty parts. With nparts == 0: as many parts
 * as needed for at most per_part octets each (a single part when the body
 * fits single octets). Never splits a GSM escape pair or a surrogate pair.
 * ends[k] is the end offset of part k (max entries). -E2BIG when more than
 * max parts would be needed.
 */
int sim_text_split(uint8_t dcs, const uint8_t *enc, size_t n, int nparts,
		   size_t single, size_t per_part, size_t *ends, int max);

/* Appends the UTF-8 form of cp to out at *off (cap bytes, room for the
 * NUL kept); returns 0 or -ENOSPC (nothing written). */
int sim_text_put_utf8(char *out, size_t cap, size_t *off, uint32_t cp);

#endif
