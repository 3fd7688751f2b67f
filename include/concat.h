/*
 * concat.h - what makes an MO one part of a longer message (SPEC §2, §3):
 * a concatenation information element in the UDH (8-bit reference, IEI
 * 0x00, or 16-bit, IEI 0x08), or the SAR TLVs. Pure parsing; reassembly
 * keeps its state elsewhere (in Redis, so parts may arrive on any link or
 * gateway instance).
 */
#ifndef TAWASUL_CONCAT_H
#define TAWASUL_CONCAT_H

#include <stddef.h>
#include <stdint.h>

#include "smpp_pdu.h"

enum concat_kind {
	CONCAT_NONE, /* a whole message */
	CONCAT_UDH8,
	CONCAT_UDH16,
	CONCAT_SAR,
};

struct concat_info {
	enum concat_kind kind;
	uint16_t ref;
	uint8_t total, seq; /* 1 <= seq <= total, total >= 2 */
	/* The user data, the UDH stripped (borrowed from the PDU). */
	const uint8_t *ud;
	size_t ud_len;
	int bad_udh; /* a UDH was announced but malformed: ud is the raw body */
};

/*
 * Reads the part information of a deliver_sm/data_sm. The body is
 * short_message, or message_payload when that TLV is present; with the
 * UDHI bit (esm_class 0x40) the UDH is parsed and stripped; else the SAR
 * TLVs are used. A malformed UDH, or a concatenation element with seq 0,
 * seq > total or total < 2, never loses the text: the message is taken as
 * whole (kind CONCAT_NONE), bad_udh set for a malformed UDH. Never reads
 * outside the body. Always returns 0.
 */
int concat_parse(const struct smpp_pdu *pdu, struct concat_info *out);

/* The same for a bare body: esm_class's UDHI bit says whether a UDH leads. */
int concat_parse_body(const uint8_t *body, size_t len, int udhi,
		      struct concat_info *out);

#endif
