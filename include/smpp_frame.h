/*
 * smpp_frame.h - length-prefixed framing of an SMPP byte stream (SPEC §2).
 *
 * Feed it whatever the socket gave; take whole PDUs out. It holds at most
 * one partial PDU (<= SMPP_PDU_MAX bytes) and never allocates.
 */
#ifndef TAWASUL_SMPP_FRAME_H
#define TAWASUL_SMPP_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "smpp_pdu.h"

struct smpp_frame {
	uint8_t buf[SMPP_PDU_MAX];
	size_t have;
	/* After a bad command_length: bytes still to throw away. */
	uint64_t discard;
};

enum smpp_frame_result {
	SMPP_FRAME_NEED_MORE = 0, /* nothing complete yet */
	SMPP_FRAME_PDU = 1,       /* *pdu, *pdu_len: one whole PDU */
	SMPP_FRAME_BAD_LENGTH = 2 /* command_length outside 16..4096 */
};

void smpp_frame_init(struct smpp_frame *f);

/*
 * Consumes bytes from data (len) and returns what it found, with *used
 * set to the bytes consumed (the caller calls again with the rest).
 *
 * SMPP_FRAME_PDU: *pdu points at the whole PDU (in f->buf or directly in
 * data, valid until the next call), *pdu_len is its command_length.
 *
 * SMPP_FRAME_BAD_LENGTH: a header whose command_length is outside
 * 16..4096. The framer waits for the whole 16-byte header, then *pdu
 * (in f->buf) / *pdu_len (16) give it, so the caller can answer
 * generic_nack ESME_RINVCMDLEN with the sequence number. It then
 * resynchronises, counting from the start of that header: a length under
 * 16 drops just the header; a length up to 64 KiB drops the whole claimed
 * PDU (the rest as it arrives, across calls); a larger one (2^31: garbage)
 * drops the rest of the chunk given to this call. The link stays usable.
 *
 * Every call with len > 0 consumes at least one byte (*used > 0).
 */
enum smpp_frame_result smpp_frame_feed(struct smpp_frame *f,
				       const uint8_t *data, size_t len,
				       size_t *used, const uint8_t **pdu,
				       size_t *pdu_len);

#endif
