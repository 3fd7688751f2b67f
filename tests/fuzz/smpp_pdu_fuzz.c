/*
 * smpp_pdu_fuzz.c - fuzz target for the PDU codec (protocol/smpp_pdu*.c).
 *
 * The input is decoded twice: as it is, and with its command_length set
 * to its size (so mutations are not all spent on the length check). Each
 * decode either fails with a decode error naming a status, or succeeds;
 * then (abort() on violation):
 *   - smpp_pdu_format() fits what it says it needs, NUL-terminates a
 *     short buffer with a prefix of the full text;
 *   - smpp_pdu_encode() succeeds, except with -EINVAL for exactly the
 *     documented cases (sm_length > 253, deliver_sm with a schedule or
 *     validity time, deliver_sm_resp with a message_id, data_sm with a
 *     source_addr over 20 characters), also into a buffer of exactly the
 *     encoded size;
 *   - the encoding is byte for byte the input, except a response whose
 *     body was absent (re-encoded with its empty fields) and a
 *     submit_sm_resp error whose body was just an empty message_id
 *     (re-encoded without): only command_length differs there;
 *   - the encoding decodes again, to the same struct in every field
 *     (pointers compared by content) but command_length in those cases.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smpp_pdu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
same_bytes(const uint8_t *a, const uint8_t *b, size_t n)
{
	return n == 0 || (a && b && memcmp(a, b, n) == 0);
}

/* Every field, pointer fields by content; command_length when asked. */
static int
same_pdu(const struct smpp_pdu *a, const struct smpp_pdu *b, int with_len)
{
	struct smpp_pdu x = *a, y = *b;

	if (!same_bytes(a->short_message, b->short_message, a->sm_length) ||
	    !same_bytes(a->message_payload, b->message_payload,
			a->message_payload_len) ||
	    a->ntlv != b->ntlv)
		return 0;
	for (int i = 0; i < a->ntlv; i++)
		if (a->tlv[i].tag != b->tlv[i].tag ||
		    a->tlv[i].len != b->tlv[i].len ||
		    !same_bytes(a->tlv[i].val, b->tlv[i].val, a->tlv[i].len) ||
		    (a->tlv[i].val == NULL) != (b->tlv[i].val == NULL))
			return 0;
	/* the rest compared bytewise: decode zeroes the struct first */
	x.short_message = y.short_message = NULL;
	x.message_payload = y.message_payload = NULL;
	for (int i = 0; i < SMPP_MAX_TLVS; i++)
		x.tlv[i].val = y.tlv[i].val = NULL;
	if (!with_len)
		x.command_length = y.command_length = 0;
	return memcmp(&x, &y, sizeof(x)) == 0;
}

/* The documented reasons a decoded PDU cannot be re-encoded. */
static int
unencodable(const struct smpp_pdu *p)
{
	switch (p->command_id) {
	case SMPP_SUBMIT_SM:
	case SMPP_REPLACE_SM:
		return p->sm_length > SMPP_SHORT_MESSAGE_ENCODE_MAX;
	case SMPP_DELIVER_SM:
		return p->sm_length > SMPP_SHORT_MESSAGE_ENCODE_MAX ||
		       p->schedule_delivery_time[0] || p->validity_period[0];
	case SMPP_DELIVER_SM_RESP:
		return p->message_id[0] != '\0';
	case SMPP_DATA_SM:
		return strlen(p->source.addr) > 20;
	default:
		return 0;
	}
}

static void
check(const uint8_t *in, size_t len)
{
	static uint8_t out[SMPP_PDU_MAX], out2[SMPP_PDU_MAX];
	static char text[20000], small[64];
	struct smpp_pdu p, q;
	struct smpp_decode_error err;
	int n;

	if (smpp_pdu_decode(in, len, &p, &err) != 0) {
		if (!err.reason || !err.status)
			abort();
		return;
	}
	if (p.command_length != len)
		abort();

	size_t need = smpp_pdu_format(&p, text, sizeof(text));
	if (need >= sizeof(text) || strlen(text) != need ||
	    memchr(text, '\n', need))
		abort();
	size_t need2 = smpp_pdu_format(&p, small, sizeof(small));
	if (need2 != need || strlen(small) != (need < 63 ? need : 63) ||
	    strncmp(small, text, strlen(small)))
		abort();

	n = smpp_pdu_encode(&p, out, sizeof(out));
	if (n < 0) {
		if (n != -EINVAL || !unencodable(&p))
			abort();
		return;
	}
	if (unencodable(&p))
		abort();
	if (smpp_pdu_encode(&p, out2, (size_t)n) != n ||
	    memcmp(out, out2, (size_t)n) != 0)
		abort();
	if (smpp_pdu_encode(&p, out2, (size_t)n - 1) != -ENOSPC)
		abort();

	/* byte for byte, or one of the two documented exceptions */
	int exact = (size_t)n == len && memcmp(out, in, len) == 0;
	int bodiless =
		smpp_cmd_is_response(p.command_id) && len == SMPP_HEADER_LEN;
	int empty_err = p.command_id == SMPP_SUBMIT_SM_RESP &&
			p.command_status != 0 && len == SMPP_HEADER_LEN + 1 &&
			p.ntlv == 0 && n == SMPP_HEADER_LEN;
	if (!exact && !bodiless && !empty_err)
		abort();

	if (smpp_pdu_decode(out, (size_t)n, &q, &err) != 0)
		abort();
	if (!same_pdu(&p, &q, exact))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[SMPP_PDU_MAX];

	check(data, size);
	if (size >= SMPP_HEADER_LEN && size <= SMPP_PDU_MAX) {
		memcpy(buf, data, size);
		buf[0] = (uint8_t)(size >> 24);
		buf[1] = (uint8_t)(size >> 16);
		buf[2] = (uint8_t)(size >> 8);
		buf[3] = (uint8_t)size;
		check(buf, size);
	}
	return 0;
}
