/*
 * mtplan.h - planning an MT text as SMS parts (SPEC §3): GSM 7-bit when
 * every character fits, else UCS-2; one part up to 160 septets / 70 UCS-2
 * units, else concatenated parts of 153 / 67 (152 / 66 with a 16-bit
 * reference) behind a concatenation UDH; never a GSM escape pair or a
 * surrogate pair across parts; at most max_parts parts, the last one
 * ending in a truncation marker when the text is longer.
 */
#ifndef TAWASUL_MTPLAN_H
#define TAWASUL_MTPLAN_H

#include <stddef.h>
#include <stdint.h>

#define MTPLAN_PARTS_MAX 16
#define MTPLAN_OCTETS    140 /* one SMS */
#define MTPLAN_TEXT_MAX  (MTPLAN_PARTS_MAX * 160)

/* One part as short_message octets: the UDH (if any) then the user data,
 * GSM as unpacked septets (one per octet, as SMPP carries data_coding 0),
 * UCS-2 as UTF-16BE. */
struct mtplan_part {
	size_t len;
	uint8_t octets[7 + 160];
};

struct mtplan {
	uint8_t data_coding; /* 0 (GSM 7-bit) or 8 (UCS-2) */
	uint8_t esm_class;   /* 0x40 (UDH indicator) when concatenated */
	int truncated;       /* the text did not fit in max_parts */
	int nparts;
	struct mtplan_part part[MTPLAN_PARTS_MAX];
};

struct mtplan_opts {
	unsigned max_parts; /* 1..MTPLAN_PARTS_MAX; 0 = 6 */
	int ref16;          /* 16-bit concatenation reference */
	uint16_t ref;       /* the reference (8-bit: low byte) */
};

/* Plans utf8[0..len) (ill-formed UTF-8 goes as U+FFFD in UCS-2). Returns
 * 0, or -EMSGSIZE when the text is empty, or -E2BIG when it is over
 * MTPLAN_TEXT_MAX bytes. */
int mtplan_build(const uint8_t *utf8, size_t len,
		 const struct mtplan_opts *opts, struct mtplan *out);

#endif
