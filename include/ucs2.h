/*
 * ucs2.h - UTF-8 <-> UTF-16BE (SMPP data_coding 8, "UCS-2", surrogate
 * pairs tolerated) and the MO body decoder for every data_coding the
 * gateway accepts (SPEC §3). Pure: no I/O, no allocation; output buffers
 * are the caller's and are never written past cap.
 */
#ifndef TAWASUL_UCS2_H
#define TAWASUL_UCS2_H

#include <stddef.h>
#include <stdint.h>

/*
 * UTF-8 -> UTF-16BE. Ill-formed UTF-8 becomes U+FFFD (one per maximal
 * ill-formed subpart); characters above U+FFFF become surrogate pairs.
 * Returns the bytes written (even) or -ENOSPC; 2 bytes per input byte is
 * always enough. A surrogate pair is never split by -ENOSPC.
 */
int ucs2_from_utf8(const uint8_t *in, size_t len, uint8_t *be, size_t cap);

/*
 * UTF-16BE -> UTF-8. A high surrogate followed by a low one is one
 * character; lone, reversed or unpaired surrogates become U+FFFD, and so
 * does an odd final byte. The output is always well-formed UTF-8. Returns
 * the bytes written or -ENOSPC; 3 * ((len + 1) / 2) bytes is always
 * enough (a pair takes 4 bytes for 4 input bytes).
 */
int ucs2_to_utf8(const uint8_t *be, size_t len, uint8_t *out, size_t cap);

/*
 * Decodes an MO short_message body to UTF-8 by SMPP data_coding: 0 GSM
 * 03.38 unpacked (one septet per octet), 1 IA5/ASCII (octets above 0x7F
 * -> U+FFFD), 3 Latin-1, 8 UCS-2/UTF-16BE. Any other value -> -ENOTSUP.
 * Returns the bytes written or -ENOSPC; 3 * len + 3 bytes is always
 * enough. body is an octet string (may contain 0x00), never a C string.
 */
int text_decode_mo(unsigned data_coding, const uint8_t *body, size_t len,
		   uint8_t *out, size_t cap);

#endif
