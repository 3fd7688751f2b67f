/*
 * concat.c - finds the concatenation data of an MO (SPEC §2: "long MO is
 * reassembled from UDH (8- and 16-bit references), SAR TLVs or
 * message_payload").
 *
 * A UDH is UDHL (one octet) and then information elements (IEI, IEDL,
 * data). Every length is checked against the body before it is used. The
 * rules of thumb carriers and handsets break most often are tolerated:
 * other elements before or after the concatenation element (ports, text
 * formatting) are skipped; an element with impossible numbers makes the
 * message a whole one rather than an orphan part that would wait for
 * siblings that never come. Does not reassemble: that needs shared state.
 */
#include "concat.h"

#include <string.h>

#define UDHI 0x40

static void
whole(const uint8_t *body, size_t len, struct concat_info *out)
{
	out->kind = CONCAT_NONE;
	out->ref = 0;
	out->total = out->seq = 1;
	out->ud = body;
	out->ud_len = len;
}

int
concat_parse_body(const uint8_t *body, size_t len, int udhi,
		  struct concat_info *out)
{
	memset(out, 0, sizeof(*out));
	whole(body, len, out);
	if (!udhi)
		return 0;
	if (len < 1 || (size_t)body[0] + 1 > len) {
		out->bad_udh = 1; /* UDHL beyond the body */
		return 0;
	}
	size_t udhl = body[0], pos = 1, end = 1 + udhl;
	struct concat_info found = {.kind = CONCAT_NONE};

	while (pos < end) {
		if (end - pos < 2) {
			out->bad_udh = 1;
			return 0;
		}
		uint8_t iei = body[pos], iedl = body[pos + 1];
		const uint8_t *d = body + pos + 2;
		if ((size_t)iedl > end - pos - 2) {
			out->bad_udh = 1; /* element runs past the UDH */
			return 0;
		}
		if (iei == 0x00 && iedl == 3) {
			found.kind = CONCAT_UDH8;
			found.ref = d[0];
			found.total = d[1];
			found.seq = d[2];
		} else if (iei == 0x08 && iedl == 4) {
			found.kind = CONCAT_UDH16;
			found.ref = (uint16_t)(d[0] << 8 | d[1]);
			found.total = d[2];
			found.seq = d[3];
		}
		pos += 2 + (size_t)iedl;
	}
	/* The UDH was well formed: the user data follows it either way. */
	out->ud = body + end;
	out->ud_len = len - end;
	if (found.kind != CONCAT_NONE && found.total >= 2 && found.seq >= 1 &&
	    found.seq <= found.total) {
		out->kind = found.kind;
		out->ref = found.ref;
		out->total = found.total;
		out->seq = found.seq;
	}
	return 0;
}

int
concat_parse(const struct smpp_pdu *pdu, struct concat_info *out)
{
	const uint8_t *body = pdu->short_message;
	size_t len = pdu->sm_length;

	if (pdu->has_payload) {
		body = pdu->message_payload;
		len = pdu->message_payload_len;
	}
	if (!body)
		len = 0;
	concat_parse_body(body, len, (pdu->esm_class & UDHI) != 0, out);
	if (out->kind == CONCAT_NONE && !(pdu->esm_class & UDHI) &&
	    pdu->has_sar && pdu->sar_total_segments >= 2 &&
	    pdu->sar_segment_seqnum >= 1 &&
	    pdu->sar_segment_seqnum <= pdu->sar_total_segments) {
		out->kind = CONCAT_SAR;
		out->ref = pdu->sar_msg_ref_num;
		out->total = pdu->sar_total_segments;
		out->seq = pdu->sar_segment_seqnum;
	}
	return 0;
}
