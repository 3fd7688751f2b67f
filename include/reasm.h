/*
 * reasm.h - joining the parts of a long MO into one text (SPEC §2, §3):
 * parts in any order; consecutive parts joined as octets before decoding
 * (so a surrogate or escape pair a sender split across parts survives);
 * missing parts, when a reassembly times out, shown as a visible gap
 * marker so nothing that did arrive is dropped. Pure: the parts' storage
 * (Redis, shared by gateway instances) is the caller's.
 */
#ifndef TAWASUL_REASM_H
#define TAWASUL_REASM_H

#include <stddef.h>
#include <stdint.h>

#define REASM_PARTS_MAX 255
#define REASM_GAP       "[…]" /* in UTF-8, where parts are missing */

struct reasm_part {
	uint8_t seq;         /* 1..total */
	uint8_t data_coding; /* of this part (0, 1, 3, 8) */
	const uint8_t *ud;   /* user data, UDH stripped; borrowed */
	size_t len;
};

/* Bytes of out enough for any parts whose user data add up to total_len
 * (decoding takes at most 3 bytes per input octet, plus markers). */
#define REASM_OUT_MAX(total_len, total)                                        \
	(3 * (total_len) + 3 * (size_t)(total) + sizeof(REASM_GAP) * (total))

/*
 * Joins n parts of a message of `total` parts into UTF-8 in out. Parts may
 * come in any order; a duplicate seq is ignored (the first one stands);
 * seq 0 or above total is ignored. Where parts are missing, REASM_GAP is
 * written once per run of missing parts. *complete says whether every
 * part was there. Returns the bytes written, or -ENOSPC / -EINVAL
 * (total 0 or above REASM_PARTS_MAX).
 */
int reasm_join(const struct reasm_part *parts, size_t n, unsigned total,
	       uint8_t *out, size_t cap, int *complete);

#endif
