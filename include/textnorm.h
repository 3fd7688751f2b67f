/*
 * textnorm.h - normalised copy of UTF-8 text for keyword matching
 * (SPEC §3 "Matching is done on a normalised copy"). Pure computation:
 * no I/O, no logging. The original text is kept by the caller.
 */
#ifndef TAWASUL_TEXTNORM_H
#define TAWASUL_TEXTNORM_H

#include <stddef.h>
#include <stdint.h>

/*
 * Worst-case output size of textnorm() for `len` input bytes. The largest
 * expansion is U+FDFA (3 bytes), whose compatibility decomposition is an
 * 18-character phrase of 33 UTF-8 bytes; an invalid byte becomes U+FFFD
 * (3 bytes); nothing else grows more than 11 times either.
 */
#define TEXTNORM_EXPANSION 11
#define TEXTNORM_MAX(len)  ((len)*TEXTNORM_EXPANSION)

enum text_script {
	TEXT_SCRIPT_NONE = 0, /* no Arabic or Latin letters */
	TEXT_SCRIPT_ARABIC,
	TEXT_SCRIPT_LATIN,
};

/*
 * Writes the matching form of `in` (len bytes of UTF-8, need not be
 * valid, may contain NUL) to `out`, which is NOT NUL-terminated.
 * Returns the number of bytes written (0 for empty or blank input),
 * -ENOSPC if the result does not fit in `cap` bytes (out is then
 * unspecified), -ENOMEM, or -EOVERFLOW when len > INT_MAX / 11.
 * Borrows both buffers for the call only.
 * cap >= TEXTNORM_MAX(len) always suffices.
 *
 * Rules, in order:
 *  - invalid UTF-8 (bad lead, truncated, overlong, surrogate, >U+10FFFF)
 *    becomes one U+FFFD per maximal invalid subpart; decoding goes on;
 *  - compatibility decomposition (NFKD) of the whole text: folds Arabic
 *    presentation forms (U+FB50-FDFF, U+FE70-FEFF; ﻻ -> لا), fullwidth
 *    forms, ligatures such as "ﬁ";
 *  - removed: bidi and zero-width controls U+200B-200F, U+202A-202E,
 *    U+2066-2069, U+061C, U+FEFF (also U+00AD, U+2060-2064); tatweel
 *    U+0640; Arabic marks U+0610-061A, U+064B-065F, U+0670, U+06D6-06ED.
 *    As hamza marks go, أ إ آ ؤ ئ become ا ا ا و ي;
 *  - ٱ U+0671, ٲ ٳ -> ا; ى -> ي; ة -> ه; ی U+06CC -> ي; ک U+06A9 -> ك;
 *  - digits ٠-٩ and ۰-۹ -> 0-9;
 *  - simple lower-case mapping of every letter (Latin, Greek, ...);
 *  - Arabic comma U+060C, semicolon U+061B and question mark U+061F
 *    become ASCII spaces (separators); ASCII , ; ? are left as they are;
 *  - every Unicode white space and every other control character
 *    (C0, DEL, C1) becomes a space;
 *  - canonical composition (so the result is in NFC);
 *  - runs of spaces collapse to one; leading/trailing spaces go.
 * textnorm() is idempotent: textnorm(textnorm(x)) == textnorm(x).
 */
int textnorm(const uint8_t *in, size_t len, uint8_t *out, size_t cap);

/*
 * Which script the text is mainly written in, by counting letters
 * (general category L*) of the Arabic and the Latin script; marks,
 * digits, punctuation and other scripts do not count. A tie with at
 * least one letter answers TEXT_SCRIPT_ARABIC (the service's default
 * language); no letter at all answers TEXT_SCRIPT_NONE. Invalid UTF-8
 * is skipped. Borrows utf8 for the call.
 */
enum text_script textnorm_script(const uint8_t *utf8, size_t len);

/* 1 for the tatweel and the Arabic marks textnorm() removes. */
int textnorm_is_arabic_mark(uint32_t c);

#endif
