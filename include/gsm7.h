/*
 * gsm7.h - GSM 03.38 (3GPP TS 23.038) default alphabet with its extension
 * table, and 7-bit packing. Pure: no I/O, no allocation; every output
 * buffer is the caller's and is never written past its cap. Septet
 * strings are octet strings ('@' is 0x00), never C strings.
 */
#ifndef TAWASUL_GSM7_H
#define TAWASUL_GSM7_H

#include <stddef.h>
#include <stdint.h>

#define GSM7_ESC 0x1B

/*
 * UTF-8 -> unpacked septets (one per octet; an extension character is
 * written as the pair 0x1B, code). Returns the septets written, -EILSEQ if
 * the input is not well-formed UTF-8 or a character has no GSM mapping
 * (the caller then picks UCS-2), -ENOSPC if cap is too small. If chars is
 * not NULL it receives the number of characters converted (on -ENOSPC:
 * those that fitted whole; an escape pair is never split). Borrows both
 * buffers for the call.
 */
int gsm7_from_utf8(const uint8_t *in, size_t len, uint8_t *septets, size_t cap,
		   size_t *chars);

/*
 * Septets needed to carry utf8[0..len) (extension characters count two),
 * or -EILSEQ as for gsm7_from_utf8(), or -EOVERFLOW past INT_MAX.
 */
int gsm7_septets_needed(const uint8_t *utf8, size_t len);

/* The character of a default-alphabet septet (0x1B, the escape, reads as
 * a space); above 0x7F, U+FFFD. */
uint32_t gsm7_char(uint8_t septet);
/* 1 when code (the septet after 0x1B) is in the extension table. */
int gsm7_is_ext(uint8_t code);
/* The character ESC + code stands for: the extension table, else the
 * default-table character (TS 23.038 receiving rules). */
uint32_t gsm7_ext_char(uint8_t code);

/*
 * Unpacked septets -> UTF-8. Returns the bytes written or -ENOSPC; at most
 * 3 bytes per septet are ever needed. Receiving rules of TS 23.038: an
 * escape before an undefined extension code yields the default-table
 * character of that code; 0x1B 0x1B and a lone trailing 0x1B yield a
 * space. An octet above 0x7F is not a septet and yields U+FFFD.
 */
int gsm7_to_utf8(const uint8_t *septets, size_t n, uint8_t *out, size_t cap);

/*
 * Packs n septets (each <= 0x7F, else -EINVAL) LSB-first after fill_bits
 * zero bits (0..6, else -EINVAL; after a UDH of k octets the fill is
 * (7 - (8 * k) % 7) % 7). Returns the octets written,
 * (fill_bits + 7 * n + 7) / 8, or -ENOSPC.
 */
int gsm7_pack(const uint8_t *septets, size_t n, unsigned fill_bits,
	      uint8_t *out, size_t cap);

/*
 * Unpacks nseptets septets from packed[0..len) after fill_bits (0..6)
 * leading bits. Returns nseptets, -EINVAL if fill_bits is out of range or
 * len holds fewer than fill_bits + 7 * nseptets bits, -ENOSPC if cap <
 * nseptets.
 */
int gsm7_unpack(const uint8_t *packed, size_t len, unsigned fill_bits,
		size_t nseptets, uint8_t *out, size_t cap);

#endif
