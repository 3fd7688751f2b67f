/*
 * utf8.h - strict UTF-8 decoder/encoder shared by the text codecs
 * (gsm7.c, ucs2.c). Pure: no I/O, no allocation.
 */
#ifndef TAWASUL_UTF8_H
#define TAWASUL_UTF8_H

#include <stddef.h>
#include <stdint.h>

#define UTF8_REPLACEMENT 0xFFFDu

/*
 * Decodes one character from in[0..len) (len > 0). Strict: overlong forms,
 * UTF-16 surrogates (U+D800..U+DFFF) and values above U+10FFFF are
 * rejected. Returns 0 with *cp set, or -EILSEQ with *cp = U+FFFD. *used is
 * always set to at least 1: on error it is the length of the maximal
 * ill-formed subpart (Unicode 3.9, "U+FFFD substitution of maximal
 * subparts"), so a caller that replaces and skips *used bytes resyncs at
 * the next possible lead byte. Returns -EINVAL if len is 0.
 */
int utf8_decode(const uint8_t *in, size_t len, uint32_t *cp, size_t *used);

/*
 * Encodes cp into out[0..cap). Returns the bytes written (1..4), -EINVAL
 * for a surrogate or a value above U+10FFFF, -ENOSPC if cap is too small.
 */
int utf8_encode(uint32_t cp, uint8_t *out, size_t cap);

/*
 * Appends cp to out[0..cap) at *o and advances *o. Returns 0, or the
 * negative errno of utf8_encode() (nothing written).
 */
int utf8_append(uint32_t cp, uint8_t *out, size_t cap, size_t *o);

/* Decodes one code point for a scan that never stops: an ill-formed
 * sequence gives U+FFFD and the length of its maximal subpart. Returns
 * the bytes consumed (at least 1); len must be at least 1. */
size_t utf8_next(const uint8_t *in, size_t len, uint32_t *cp);

/* Returns 1 if in[0..len) is entirely well-formed UTF-8, else 0. */
int utf8_valid(const uint8_t *in, size_t len);

#endif
