/*
 * sim_mo.c - builds the deliver_sm PDUs of one mobile-originated message
 * or USSD step for the SMSC simulator (SPEC §2 "long MO is reassembled from
 * UDH (8- and 16-bit references), SAR TLVs or message_payload, in any
 * order", SPEC §6 USSD TLVs).
 *
 * Owns nothing beyond the call: the text is encoded into a stack buffer,
 * split by sim_text_split() (never inside a GSM escape or a surrogate
 * pair), each part packed with smpp_pdu_encode() and handed to the emit
 * callback in the requested order. Does not send, queue or retry: that is
 * sim_deliver.c.
 */
#include "sim_mo.h"

#include <errno.h>
#include <string.h>

#include "sim_text.h"
#include "smpp_pdu.h"

#define SM_MAX      SMPP_SHORT_MESSAGE_ENCODE_MAX /* 253: the encoder limit */
#define PAYLOAD_MAX 1024 /* libsmpp34 limit on message_payload */

int
sim_mo_encode_body(const struct sim_mo_spec *spec, uint8_t *out, size_t cap,
		   uint8_t *dcs)
{
	const char *s = (const char *)spec->body;
	size_t n = spec->body_len;
	int rc;

	switch (spec->enc) {
	case SIM_ENC_HEX:
		if (n > cap)
			return -ENOSPC;
		memcpy(out, spec->body, n);
		*dcs = spec->dcs >= 0 ? (uint8_t)spec->dcs : SIM_DCS_BINARY;
		return (int)n;
	case SIM_ENC_GSM7:
		*dcs = SIM_DCS_GSM7;
		return sim_text_to_gsm7(s, n, out, cap);
	case SIM_ENC_UCS2:
		*dcs = SIM_DCS_UCS2;
		return sim_text_to_ucs2(s, n, out, cap);
	case SIM_ENC_LATIN1:
		*dcs = SIM_DCS_LATIN1;
		return sim_text_to_latin1(s, n, out, cap);
	case SIM_ENC_TEXT:
		break;
	}
	switch (spec->dcs) {
	case -1:
		if (sim_text_is_gsm7(s, n)) {
			*dcs = SIM_DCS_GSM7;
			return sim_text_to_gsm7(s, n, out, cap);
		}
		*dcs = SIM_DCS_UCS2;
		return sim_text_to_ucs2(s, n, out, cap);
	case SIM_DCS_GSM7:
		*dcs = SIM_DCS_GSM7;
		return sim_text_to_gsm7(s, n, out, cap);
	case SIM_DCS_ASCII:
		*dcs = SIM_DCS_ASCII;
		rc = sim_text_to_latin1(s, n, out, cap);
		for (int i = 0; i < rc; i++)
			if (out[i] >= 0x80)
				return -EILSEQ;
		return rc;
	case SIM_DCS_LATIN1:
		*dcs = SIM_DCS_LATIN1;
		return sim_text_to_latin1(s, n, out, cap);
	case SIM_DCS_UCS2:
		*dcs = SIM_DCS_UCS2;
		return sim_text_to_ucs2(s, n, out, cap);
	default:
		return -EINVAL;
	}
}

/* Octets of UDH (with its length octet) per part for a concatenation. */
static size_t
udh_len(enum sim_mo_concat c)
{
	return c == SIM_CAT_UDH8 ? 6 : c == SIM_CAT_UDH16 ? 7 : 0;
}

/* Standard capacities in octets of the encoded body. */
static void
capacities(uint8_t dcs, enum sim_mo_concat c, size_t *single, size_t *part)
{
	int gsm = dcs == SIM_DCS_GSM7;

	*single = gsm ? SIM_GSM7_SINGLE : 2 * SIM_UCS2_SINGLE;
	if (c == SIM_CAT_SAR)
		*part = *single;
	else if (c == SIM_CAT_UDH16)
		*part = gsm ? SIM_GSM7_PART - 1 : 2 * SIM_UCS2_PART - 2;
	else
		*part = gsm ? SIM_GSM7_PART : 2 * SIM_UCS2_PART;
}

/* Shared by plan and build: encodes and splits. Returns parts or <0. */
static int
layout(const struct sim_mo_spec *spec, uint8_t *body, size_t *blen,
       uint8_t *dcs, size_t *ends, const char **why)
{
	size_t single, part;
	int n, rc, want;

	rc = sim_mo_encode_body(spec, body, SIM_MO_BODY_MAX, dcs);
	if (rc < 0) {
		*why = rc == -EILSEQ   ? "text does not fit that encoding"
		       : rc == -ENOSPC ? "message too long"
				       : "data_coding does not suit text";
		return rc;
	}
	*blen = (size_t)rc;
	if (spec->concat == SIM_CAT_PAYLOAD) {
		if (*blen > PAYLOAD_MAX) {
			*why = "message_payload over 1024 octets";
			return -E2BIG;
		}
		if (spec->parts > 1) {
			*why = "message_payload carries one part";
			return -EINVAL;
		}
		ends[0] = *blen;
		return 1;
	}
	capacities(*dcs, spec->concat, &single, &part);
	/* a USSD step is one PDU: never split */
	want = spec->ussd && !spec->parts ? 1 : spec->parts;
	if (want == 1 && *blen == 0) {
		ends[0] = 0; /* an empty body is one empty part */
		n = 1;
	} else {
		n = sim_text_split(*dcs, body, *blen, want, single, part, ends,
				   SIM_MO_MAX_PARTS);
	}
	if (n == -E2BIG) {
		*why = "more than 32 parts";
		return n;
	}
	if (n < 0) {
		*why = "text too short for that many parts";
		return n;
	}
	for (int k = 0; k < n; k++) {
		size_t len = ends[k] - (k ? ends[k - 1] : 0);
		if (len + (n > 1 ? udh_len(spec->concat) : 0) > SM_MAX) {
			*why = "a part is over 253 octets";
			return -E2BIG;
		}
	}
	if (spec->norder && spec->norder != n) {
		*why = "order= does not list every part";
		return -EINVAL;
	}
	return n;
}

int
sim_mo_plan(const struct sim_mo_spec *spec, const char **why)
{
	uint8_t body[SIM_MO_BODY_MAX];
	size_t ends[SIM_MO_MAX_PARTS], blen;
	uint8_t dcs;

	return layout(spec, body, &blen, &dcs, ends, why);
}

int
sim_mo_build(const struct sim_mo_spec *spec, unsigned *ref_counter,
	     sim_mo_emit_fn *emit, void *arg, const char **why)
{
	uint8_t body[SIM_MO_BODY_MAX], pdu_buf[SMPP_PDU_MAX], sm[SM_MAX];
	size_t ends[SIM_MO_MAX_PARTS], blen;
	uint8_t dcs;
	unsigned ref;
	int n;

	n = layout(spec, body, &blen, &dcs, ends, why);
	if (n < 0)
		return n;
	if (spec->ref >= 0)
		ref = (unsigned)spec->ref;
	else
		ref = (*ref_counter)++;
	ref &= spec->concat == SIM_CAT_UDH8 ? 0xffu : 0xffffu;

	for (int i = 0; i < n; i++) {
		int k = spec->norder ? spec->order[i] - 1 : i;
		size_t start = k ? ends[k - 1] : 0, len = ends[k] - start;
		struct smpp_pdu p;
		size_t o = 0;
		int rc;

		if (spec->skip == k + 1 && n > 1)
			continue; /* lost on the way */

		smpp_pdu_init(&p, SMPP_DELIVER_SM, 0, 1);
		if (spec->service_type[0])
			memcpy(p.service_type, spec->service_type,
			       sizeof(p.service_type));
		else if (spec->ussd)
			memcpy(p.service_type, "USSD", 5);
		p.source.ton = spec->has_ton ? spec->ton : 1;
		p.source.npi = 1;
		memcpy(p.source.addr, spec->from, sizeof(spec->from));
		p.dest.ton = 0;
		p.dest.npi = 1;
		memcpy(p.dest.addr, spec->to, sizeof(spec->to));
		p.esm_class = spec->esm_class;
		p.registered_delivery = spec->registered_delivery;
		p.data_coding = dcs;
		if (spec->concat == SIM_CAT_PAYLOAD) {
			p.has_payload = 1;
			p.message_payload = body;
			p.message_payload_len = (uint16_t)blen;
		} else {
			if (n > 1 && spec->concat == SIM_CAT_UDH8) {
				sm[o++] = 5;
				sm[o++] = 0x00;
				sm[o++] = 3;
				sm[o++] = (uint8_t)ref;
			} else if (n > 1 && spec->concat == SIM_CAT_UDH16) {
				sm[o++] = 6;
				sm[o++] = 0x08;
				sm[o++] = 4;
				sm[o++] = (uint8_t)(ref >> 8);
				sm[o++] = (uint8_t)ref;
			}
			if (o) {
				sm[o++] = (uint8_t)n;
				sm[o++] = (uint8_t)(k + 1);
				p.esm_class |= 0x40;
			}
			if (n > 1 && spec->concat == SIM_CAT_SAR) {
				p.has_sar = 1;
				p.sar_msg_ref_num = (uint16_t)ref;
				p.sar_total_segments = (uint8_t)n;
				p.sar_segment_seqnum = (uint8_t)(k + 1);
			}
			memcpy(sm + o, body + start, len);
			p.sm_length = (uint8_t)(o + len);
			p.short_message = sm;
		}
		if (spec->ussd) {
			p.has_ussd_op = 1;
			p.ussd_service_op = spec->ussd_op;
		}
		if (spec->has_session) {
			p.has_its_session = 1;
			p.its_session_info[0] = (uint8_t)(spec->session >> 8);
			p.its_session_info[1] = (uint8_t)spec->session;
		}
		rc = smpp_pdu_encode(&p, pdu_buf, sizeof(pdu_buf));
		if (rc < 0) {
			*why = "the PDU encoder refused the message";
			return rc;
		}
		emit(arg, pdu_buf, (size_t)rc, k, n);
	}
	return n;
}
