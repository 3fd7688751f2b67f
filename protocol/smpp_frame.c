/*
 * smpp_frame.c - cuts an SMPP byte stream into whole PDUs by their
 * command_length (SPEC §2, SMPP 3.4 §3.2).
 *
 * Owns: at most one partial PDU, copied into f->buf (SMPP_PDU_MAX bytes).
 * A PDU that arrives whole in one chunk is handed out in place, without a
 * copy. Never allocates, never reads past len.
 * Does not: look past the header (smpp_pdu_decode does), answer anything
 * (the session answers generic_nack), read the socket.
 *
 * Bad command_length (outside 16..4096), exactly what happens:
 *   1. The framer waits for the whole 16-byte header (so the caller can
 *      read command_id and sequence for its generic_nack), then returns
 *      SMPP_FRAME_BAD_LENGTH with *pdu, *pdu_len = those 16 bytes (copied
 *      into f->buf). They are consumed.
 *   2. Resynchronisation, counted from the first byte of that header:
 *      - command_length < 16: nothing more is dropped (the 16 header bytes
 *        already cover what the length claimed and more);
 *      - 4096 < command_length <= 65536 (SMPP_FRAME_RESYNC_MAX): the rest
 *        of the claimed PDU, command_length - 16 further bytes, is
 *        discarded as it arrives, across calls (f->discard); an honest but
 *        oversized PDU is skipped and the stream stays in step;
 *      - command_length > 65536 (2^31, garbage): every byte left in the
 *        chunk passed to this same call is discarded, and framing resumes
 *        with the next chunk.
 * Every call with len > 0 consumes at least one byte, so a loop of
 * feed-until-used-everything always terminates.
 */
#include <string.h>

#include "smpp_frame.h"

#define SMPP_FRAME_RESYNC_MAX 65536u

static uint32_t
frame_len(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static int
len_ok(uint32_t l)
{
	return l >= SMPP_PDU_MIN && l <= SMPP_PDU_MAX;
}

void
smpp_frame_init(struct smpp_frame *f)
{
	f->have = 0;
	f->discard = 0;
}

enum smpp_frame_result
smpp_frame_feed(struct smpp_frame *f, const uint8_t *data, size_t len,
		size_t *used, const uint8_t **pdu, size_t *pdu_len)
{
	size_t pos = 0;

	*pdu = NULL;
	*pdu_len = 0;

	/* Still throwing away the rest of an oversized PDU. */
	if (f->discard) {
		size_t n = f->discard < len ? (size_t)f->discard : len;
		f->discard -= n;
		pos = n;
	}

	/* Fast path: a whole PDU at the start of the chunk, nothing held. */
	if (f->have == 0 && len - pos >= 4) {
		uint32_t l = frame_len(data + pos);
		if (len_ok(l) && len - pos >= l) {
			*pdu = data + pos;
			*pdu_len = l;
			*used = pos + l;
			return SMPP_FRAME_PDU;
		}
	}

	while (pos < len) {
		uint32_t l;
		size_t want, n;

		/* Complete the header first (4 bytes decide, 16 report). */
		if (f->have < 4) {
			want = 4;
		} else {
			l = frame_len(f->buf);
			want = len_ok(l) ? l : SMPP_HEADER_LEN;
		}
		n = want - f->have;
		if (n > len - pos)
			n = len - pos;
		memcpy(f->buf + f->have, data + pos, n);
		f->have += n;
		pos += n;
		if (f->have < want)
			continue; /* loop again: more header, or out of data */
		if (want == 4)
			continue; /* length known: go for the rest */

		l = frame_len(f->buf);
		*pdu = f->buf;
		f->have = 0;
		if (len_ok(l)) {
			*pdu_len = l;
			*used = pos;
			return SMPP_FRAME_PDU;
		}
		*pdu_len = SMPP_HEADER_LEN;
		if (l > SMPP_FRAME_RESYNC_MAX)
			pos = len;
		else if (l > SMPP_HEADER_LEN)
			f->discard = l - SMPP_HEADER_LEN;
		if (f->discard && pos < len) {
			size_t d = f->discard < len - pos ? (size_t)f->discard
							  : len - pos;
			f->discard -= d;
			pos += d;
		}
		*used = pos;
		return SMPP_FRAME_BAD_LENGTH;
	}
	*used = pos;
	return SMPP_FRAME_NEED_MORE;
}
