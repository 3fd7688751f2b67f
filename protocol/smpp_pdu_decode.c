/*
 * smpp_pdu_decode.c - our own bounded SMPP 3.4 decoder, and what shares
 * its per-command field tables: the one-line text form
 * (smpp_pdu_format), the TLV list the encoder emits (smpp_pdu_tlvs),
 * names, header reader, initialiser (SPEC §2, DESIGN §2, SMPP 3.4 §4-5).
 *
 * This is the security boundary for inbound bytes: libsmpp34 never sees
 * them (DESIGN §2). Each command is a table of mandatory fields walked
 * with a cursor that never passes len; whatever follows the mandatory
 * fields is a TLV stream (at most SMPP_MAX_TLVS, unknown tags kept and
 * skipped, known tags length-checked). No allocation, no I/O, no logging:
 * errors come back as the command_status to answer with. Pure: no
 * libsmpp34 here either, so framer and decoder link without it.
 *
 * Owns: nothing; a decoded struct borrows from the caller's buffer.
 * Does not: encode (smpp_pdu.c, through libsmpp34), frame a stream
 * (smpp_frame.c), decide what to do with a PDU (smpp_session.c).
 * submit_multi is not supported (an ESME never receives it; the
 * simulator answers it ESME_RINVCMDID).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "smpp_pdu.h"

/*
 * Mandatory fields in PDU order, per command (SMPP 3.4 §4). X8 is an
 * octet printed in hex, SECRET a C-Octet string never printed; key is the
 * field's name in smpp_pdu_format().
 */
enum smpp_field_kind {
	SMPP_F_END,
	SMPP_F_CSTR,
	SMPP_F_SECRET,
	SMPP_F_U8,
	SMPP_F_X8,
	SMPP_F_ADDR,
	SMPP_F_SM
};

struct smpp_field {
	uint8_t kind;
	uint8_t max;  /* CSTR, SECRET, ADDR: octets with the NUL */
	uint16_t off; /* in struct smpp_pdu */
	const char *key;
};

struct smpp_cmd_desc {
	uint32_t id;
	const char *name;
	const struct smpp_field *fields;
};

#define FLD(k, m, f, key)                                                      \
	{                                                                      \
		SMPP_F_##k, m, offsetof(struct smpp_pdu, f), key               \
	}
#define CSTR(f, m, key) FLD(CSTR, m, f, key)
#define U8(f, key)      FLD(U8, 1, f, key)
#define X8(f, key)      FLD(X8, 1, f, key)
#define ADDR(f, m, key) FLD(ADDR, m, f, key)
#define SM              FLD(SM, 0, sm_length, "sm")
#define END             FLD(END, 0, command_length, NULL)

static const struct smpp_field f_none[] = {END};
static const struct smpp_field f_bind[] = {
	CSTR(system_id, 16, "sysid"),     FLD(SECRET, 9, password, "pw"),
	CSTR(system_type, 13, "systype"), X8(interface_version, "if"),
	ADDR(address_range, 41, "range"), END};
static const struct smpp_field f_bind_resp[] = {CSTR(system_id, 16, "sysid"),
						END};
static const struct smpp_field f_outbind[] = {
	CSTR(system_id, 16, "sysid"), FLD(SECRET, 9, password, "pw"), END};
static const struct smpp_field f_sm[] = {
	CSTR(service_type, 6, "svc"),
	ADDR(source, 21, "src"),
	ADDR(dest, 21, "dst"),
	X8(esm_class, "esm"),
	U8(protocol_id, "pid"),
	U8(priority_flag, "prio"),
	CSTR(schedule_delivery_time, 17, "sched"),
	CSTR(validity_period, 17, "valid"),
	X8(registered_delivery, "rd"),
	U8(replace_if_present_flag, "replace"),
	X8(data_coding, "dcs"),
	U8(sm_default_msg_id, "defid"),
	SM,
	END};
static const struct smpp_field f_data_sm[] = {CSTR(service_type, 6, "svc"),
					      ADDR(source, 65, "src"),
					      ADDR(dest, 65, "dst"),
					      X8(esm_class, "esm"),
					      X8(registered_delivery, "rd"),
					      X8(data_coding, "dcs"),
					      END};
static const struct smpp_field f_msgid[] = {CSTR(message_id, 65, "msgid"), END};
static const struct smpp_field f_query[] = {CSTR(message_id, 65, "msgid"),
					    ADDR(source, 21, "src"), END};
static const struct smpp_field f_query_resp[] = {
	CSTR(message_id, 65, "msgid"), CSTR(final_date, 17, "final"),
	U8(query_state, "state"), U8(error_code, "err"), END};
static const struct smpp_field f_cancel[] = {
	CSTR(service_type, 6, "svc"), CSTR(message_id, 65, "msgid"),
	ADDR(source, 21, "src"), ADDR(dest, 21, "dst"), END};
static const struct smpp_field f_replace[] = {
	CSTR(message_id, 65, "msgid"),
	ADDR(source, 21, "src"),
	CSTR(schedule_delivery_time, 17, "sched"),
	CSTR(validity_period, 17, "valid"),
	X8(registered_delivery, "rd"),
	U8(sm_default_msg_id, "defid"),
	SM,
	END};
static const struct smpp_field f_alert[] = {ADDR(source, 65, "src"),
					    ADDR(dest, 65, "esme"), END};

static const struct smpp_cmd_desc cmds[] = {
	{SMPP_GENERIC_NACK, "generic_nack", f_none},
	{SMPP_BIND_RECEIVER, "bind_receiver", f_bind},
	{SMPP_BIND_RECEIVER_RESP, "bind_receiver_resp", f_bind_resp},
	{SMPP_BIND_TRANSMITTER, "bind_transmitter", f_bind},
	{SMPP_BIND_TRANSMITTER_RESP, "bind_transmitter_resp", f_bind_resp},
	{SMPP_QUERY_SM, "query_sm", f_query},
	{SMPP_QUERY_SM_RESP, "query_sm_resp", f_query_resp},
	{SMPP_SUBMIT_SM, "submit_sm", f_sm},
	{SMPP_SUBMIT_SM_RESP, "submit_sm_resp", f_msgid},
	{SMPP_DELIVER_SM, "deliver_sm", f_sm},
	{SMPP_DELIVER_SM_RESP, "deliver_sm_resp", f_msgid},
	{SMPP_UNBIND, "unbind", f_none},
	{SMPP_UNBIND_RESP, "unbind_resp", f_none},
	{SMPP_REPLACE_SM, "replace_sm", f_replace},
	{SMPP_REPLACE_SM_RESP, "replace_sm_resp", f_none},
	{SMPP_CANCEL_SM, "cancel_sm", f_cancel},
	{SMPP_CANCEL_SM_RESP, "cancel_sm_resp", f_none},
	{SMPP_BIND_TRANSCEIVER, "bind_transceiver", f_bind},
	{SMPP_BIND_TRANSCEIVER_RESP, "bind_transceiver_resp", f_bind_resp},
	{SMPP_OUTBIND, "outbind", f_outbind},
	{SMPP_ENQUIRE_LINK, "enquire_link", f_none},
	{SMPP_ENQUIRE_LINK_RESP, "enquire_link_resp", f_none},
	{SMPP_ALERT_NOTIFICATION, "alert_notification", f_alert},
	{SMPP_DATA_SM, "data_sm", f_data_sm},
	{SMPP_DATA_SM_RESP, "data_sm_resp", f_msgid},
};

static const struct smpp_cmd_desc *
cmd_desc(uint32_t command_id)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (cmds[i].id == command_id)
			return &cmds[i];
	return NULL;
}

const char *
smpp_cmd_name(uint32_t command_id)
{
	const struct smpp_cmd_desc *d = cmd_desc(command_id);

	if (d)
		return d->name;
	if (command_id == SMPP_SUBMIT_MULTI)
		return "submit_multi";
	if (command_id == SMPP_SUBMIT_MULTI_RESP)
		return "submit_multi_resp";
	return "unknown";
}

int
smpp_cmd_is_response(uint32_t command_id)
{
	return (command_id & 0x80000000u) != 0;
}

const char *
smpp_status_name(uint32_t status)
{
	switch (status) {
	case SMPP_ESME_ROK:
		return "ESME_ROK";
	case SMPP_ESME_RINVMSGLEN:
		return "ESME_RINVMSGLEN";
	case SMPP_ESME_RINVCMDLEN:
		return "ESME_RINVCMDLEN";
	case SMPP_ESME_RINVCMDID:
		return "ESME_RINVCMDID";
	case SMPP_ESME_RINVBNDSTS:
		return "ESME_RINVBNDSTS";
	case SMPP_ESME_RALYBND:
		return "ESME_RALYBND";
	case 0x06:
		return "ESME_RINVPRTFLG";
	case 0x07:
		return "ESME_RINVREGDLVFLG";
	case SMPP_ESME_RSYSERR:
		return "ESME_RSYSERR";
	case SMPP_ESME_RINVSRCADR:
		return "ESME_RINVSRCADR";
	case SMPP_ESME_RINVDSTADR:
		return "ESME_RINVDSTADR";
	case 0x0c:
		return "ESME_RINVMSGID";
	case SMPP_ESME_RBINDFAIL:
		return "ESME_RBINDFAIL";
	case SMPP_ESME_RINVPASWD:
		return "ESME_RINVPASWD";
	case SMPP_ESME_RINVSYSID:
		return "ESME_RINVSYSID";
	case 0x11:
		return "ESME_RCANCELFAIL";
	case 0x13:
		return "ESME_RREPLACEFAIL";
	case SMPP_ESME_RMSGQFUL:
		return "ESME_RMSGQFUL";
	case 0x15:
		return "ESME_RINVSERTYP";
	case 0x33:
		return "ESME_RINVNUMDESTS";
	case 0x34:
		return "ESME_RINVDLNAME";
	case 0x40:
		return "ESME_RINVDESTFLAG";
	case 0x42:
		return "ESME_RINVSUBREP";
	case 0x43:
		return "ESME_RINVESMCLASS";
	case 0x44:
		return "ESME_RCNTSUBDL";
	case 0x45:
		return "ESME_RSUBMITFAIL";
	case 0x48:
		return "ESME_RINVSRCTON";
	case 0x49:
		return "ESME_RINVSRCNPI";
	case 0x50:
		return "ESME_RINVDSTTON";
	case 0x51:
		return "ESME_RINVDSTNPI";
	case 0x53:
		return "ESME_RINVSYSTYP";
	case 0x54:
		return "ESME_RINVREPFLAG";
	case 0x55:
		return "ESME_RINVNUMMSGS";
	case SMPP_ESME_RTHROTTLED:
		return "ESME_RTHROTTLED";
	case 0x61:
		return "ESME_RINVSCHED";
	case 0x62:
		return "ESME_RINVEXPIRY";
	case 0x63:
		return "ESME_RINVDFTMSGID";
	case SMPP_ESME_RX_T_APPN:
		return "ESME_RX_T_APPN";
	case SMPP_ESME_RX_P_APPN:
		return "ESME_RX_P_APPN";
	case SMPP_ESME_RX_R_APPN:
		return "ESME_RX_R_APPN";
	case 0x67:
		return "ESME_RQUERYFAIL";
	case SMPP_ESME_RINVTLVSTREAM:
		return "ESME_RINVTLVSTREAM";
	case 0xc1:
		return "ESME_RTLVNOTALLWD";
	case SMPP_ESME_RINVTLVLEN:
		return "ESME_RINVTLVLEN";
	case SMPP_ESME_RMISSINGTLV:
		return "ESME_RMISSINGTLV";
	case 0xc4:
		return "ESME_RINVTLVVAL";
	case 0xfe:
		return "ESME_RDELIVERYFAILURE";
	case SMPP_ESME_RUNKNOWNERR:
		return "ESME_RUNKNOWNERR";
	default:
		return NULL;
	}
}

void
smpp_pdu_init(struct smpp_pdu *pdu, uint32_t command_id,
	      uint32_t command_status, uint32_t sequence)
{
	memset(pdu, 0, sizeof(*pdu));
	pdu->command_id = command_id;
	pdu->command_status = command_status;
	pdu->sequence = sequence;
	pdu->interface_version = 0x34;
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

void
smpp_pdu_header(const uint8_t *buf, uint32_t *command_length,
		uint32_t *command_id, uint32_t *command_status,
		uint32_t *sequence)
{
	*command_length = be32(buf);
	*command_id = be32(buf + 4);
	*command_status = be32(buf + 8);
	*sequence = be32(buf + 12);
}

const struct smpp_tlv *
smpp_pdu_tlv_find(const struct smpp_pdu *pdu, uint16_t tag)
{
	for (int i = 0; i < pdu->ntlv && i < SMPP_MAX_TLVS; i++)
		if (pdu->tlv[i].tag == tag)
			return &pdu->tlv[i];
	return NULL;
}

/* Copies a C-Octet string of at most max octets (NUL included) from
 * buf[*pos..len) into dst; returns 0 or -1 (no NUL within reach). */
static int
take_cstr(const uint8_t *buf, size_t len, size_t *pos, char *dst, size_t max)
{
	size_t room = len - *pos;
	const uint8_t *nul;

	if (room > max)
		room = max;
	nul = memchr(buf + *pos, 0, room);
	if (!nul)
		return -1;
	size_t n = (size_t)(nul - (buf + *pos));
	memcpy(dst, buf + *pos, n + 1);
	*pos += n + 1;
	return 0;
}

static int
walk_fields(const struct smpp_field *f, const uint8_t *buf, size_t len,
	    struct smpp_pdu *out)
{
	size_t pos = SMPP_HEADER_LEN;
	uint8_t *base = (uint8_t *)out;

	for (; f->kind != SMPP_F_END; f++) {
		switch (f->kind) {
		case SMPP_F_CSTR:
		case SMPP_F_SECRET:
			if (take_cstr(buf, len, &pos, (char *)(base + f->off),
				      f->max) < 0)
				return -1;
			break;
		case SMPP_F_U8:
		case SMPP_F_X8:
			if (pos >= len)
				return -1;
			base[f->off] = buf[pos++];
			break;
		case SMPP_F_ADDR: {
			struct smpp_addr *a =
				(struct smpp_addr *)(base + f->off);
			if (len - pos < 2)
				return -1;
			a->ton = buf[pos];
			a->npi = buf[pos + 1];
			pos += 2;
			if (take_cstr(buf, len, &pos, a->addr, f->max) < 0)
				return -1;
			break;
		}
		case SMPP_F_SM:
			if (pos >= len)
				return -1;
			out->sm_length = buf[pos++];
			if (out->sm_length > len - pos)
				return -1;
			out->short_message = out->sm_length ? buf + pos : NULL;
			pos += out->sm_length;
			break;
		}
	}
	return (int)pos;
}

/* Decodes a known tag into its typed field; -1 on a bad length. */
static int
known_tlv(struct smpp_pdu *out, const struct smpp_tlv *t, unsigned *sar)
{
	const uint8_t *v = t->val;

	switch (t->tag) {
	case SMPP_TAG_SAR_MSG_REF_NUM:
		if (t->len != 2)
			return -1;
		out->sar_msg_ref_num = be16(v);
		*sar |= 1;
		break;
	case SMPP_TAG_SAR_TOTAL_SEGMENTS:
		if (t->len != 1)
			return -1;
		out->sar_total_segments = v[0];
		*sar |= 2;
		break;
	case SMPP_TAG_SAR_SEGMENT_SEQNUM:
		if (t->len != 1)
			return -1;
		out->sar_segment_seqnum = v[0];
		*sar |= 4;
		break;
	case SMPP_TAG_MESSAGE_PAYLOAD:
		out->message_payload = v;
		out->message_payload_len = t->len;
		out->has_payload = 1;
		break;
	case SMPP_TAG_RECEIPTED_MESSAGE_ID: {
		const uint8_t *nul = t->len ? memchr(v, 0, t->len) : NULL;
		size_t n = nul ? (size_t)(nul - v) : t->len;
		if (n >= SMPP_MESSAGE_ID_MAX)
			return -1;
		if (n)
			memcpy(out->receipted_message_id, v, n);
		out->receipted_message_id[n] = '\0';
		out->has_receipted_id = 1;
		break;
	}
	case SMPP_TAG_MESSAGE_STATE:
		if (t->len != 1)
			return -1;
		out->message_state = v[0];
		out->has_message_state = 1;
		break;
	case SMPP_TAG_USSD_SERVICE_OP:
		if (t->len != 1)
			return -1;
		out->ussd_service_op = v[0];
		out->has_ussd_op = 1;
		break;
	case SMPP_TAG_ITS_SESSION_INFO:
		if (t->len != 2)
			return -1;
		memcpy(out->its_session_info, v, 2);
		out->has_its_session = 1;
		break;
	case SMPP_TAG_USER_MESSAGE_REFERENCE:
		if (t->len != 2)
			return -1;
		out->user_message_reference = be16(v);
		out->has_umr = 1;
		break;
	case SMPP_TAG_NETWORK_ERROR_CODE:
		if (t->len != 3)
			return -1;
		memcpy(out->network_error_code, v, 3);
		out->has_network_error = 1;
		break;
	case SMPP_TAG_DEST_ADDR_SUBUNIT:
	case SMPP_TAG_SC_INTERFACE_VERSION:
	case SMPP_TAG_DELIVERY_FAILURE_REASON:
		if (t->len != 1)
			return -1;
		break;
	case SMPP_TAG_SOURCE_PORT:
	case SMPP_TAG_DEST_PORT:
		if (t->len != 2)
			return -1;
		break;
	}
	return 0;
}

static int
fail(struct smpp_decode_error *err, uint32_t status, const char *reason)
{
	if (err) {
		err->status = status;
		err->reason = reason;
	}
	return -EBADMSG;
}

int
smpp_pdu_decode(const uint8_t *buf, size_t len, struct smpp_pdu *out,
		struct smpp_decode_error *err)
{
	const struct smpp_cmd_desc *d;
	unsigned sar = 0;
	size_t pos;
	int r;

	memset(out, 0, sizeof(*out));
	if (err)
		memset(err, 0, sizeof(*err));
	if (len < SMPP_HEADER_LEN)
		return fail(err, SMPP_ESME_RINVCMDLEN, "shorter than a header");
	smpp_pdu_header(buf, &out->command_length, &out->command_id,
			&out->command_status, &out->sequence);
	if (err) {
		err->command_id = out->command_id;
		err->sequence = out->sequence;
	}
	if (out->command_length != len)
		return fail(err, SMPP_ESME_RINVCMDLEN,
			    "command_length differs from the PDU size");
	if (len > SMPP_PDU_MAX)
		return fail(err, SMPP_ESME_RINVCMDLEN, "longer than 4096");
	d = cmd_desc(out->command_id);
	if (!d)
		return fail(err, SMPP_ESME_RINVCMDID, "unsupported command_id");
	/* A response without any body: error responses often omit it. */
	if (smpp_cmd_is_response(out->command_id) && len == SMPP_HEADER_LEN)
		return 0;
	r = walk_fields(d->fields, buf, len, out);
	if (r < 0)
		return fail(err, SMPP_ESME_RINVMSGLEN,
			    "mandatory field missing, unterminated or too "
			    "long");
	pos = (size_t)r;
	while (pos < len) {
		struct smpp_tlv *t;

		if (len - pos < 4)
			return fail(err, SMPP_ESME_RINVTLVSTREAM,
				    "truncated TLV header");
		if (out->ntlv == SMPP_MAX_TLVS)
			return fail(err, SMPP_ESME_RINVTLVSTREAM,
				    "more than 16 TLVs");
		t = &out->tlv[out->ntlv];
		t->tag = be16(buf + pos);
		t->len = be16(buf + pos + 2);
		pos += 4;
		if (t->len > len - pos)
			return fail(err, SMPP_ESME_RINVTLVSTREAM,
				    "TLV value runs past the end");
		t->val = t->len ? buf + pos : NULL;
		pos += t->len;
		out->ntlv++;
		if (known_tlv(out, t, &sar) < 0)
			return fail(err, SMPP_ESME_RINVTLVLEN,
				    "known TLV with a bad length");
	}
	out->has_sar = sar == 7;
	return 0;
}

static void
put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static int
add_known(const struct smpp_pdu *pdu, struct smpp_tlv *out, int *n,
	  uint16_t tag, uint16_t len, const uint8_t *val)
{
	if (smpp_pdu_tlv_find(pdu, tag))
		return 0;
	if (*n == SMPP_MAX_TLVS)
		return -EINVAL;
	out[*n].tag = tag;
	out[*n].len = len;
	out[*n].val = len ? val : NULL;
	(*n)++;
	return 0;
}

int
smpp_pdu_tlvs(const struct smpp_pdu *pdu, struct smpp_tlv *out,
	      uint8_t *scratch)
{
	int n = 0, r = 0;

	if (pdu->ntlv < 0 || pdu->ntlv > SMPP_MAX_TLVS)
		return -EINVAL;
	if (pdu->has_umr) {
		put_be16(scratch, pdu->user_message_reference);
		r |= add_known(pdu, out, &n, SMPP_TAG_USER_MESSAGE_REFERENCE, 2,
			       scratch);
	}
	if (pdu->has_sar) {
		put_be16(scratch + 2, pdu->sar_msg_ref_num);
		r |= add_known(pdu, out, &n, SMPP_TAG_SAR_MSG_REF_NUM, 2,
			       scratch + 2);
		r |= add_known(pdu, out, &n, SMPP_TAG_SAR_TOTAL_SEGMENTS, 1,
			       &pdu->sar_total_segments);
		r |= add_known(pdu, out, &n, SMPP_TAG_SAR_SEGMENT_SEQNUM, 1,
			       &pdu->sar_segment_seqnum);
	}
	if (pdu->has_ussd_op)
		r |= add_known(pdu, out, &n, SMPP_TAG_USSD_SERVICE_OP, 1,
			       &pdu->ussd_service_op);
	if (pdu->has_its_session)
		r |= add_known(pdu, out, &n, SMPP_TAG_ITS_SESSION_INFO, 2,
			       pdu->its_session_info);
	if (pdu->has_receipted_id) {
		size_t l =
			strnlen(pdu->receipted_message_id, SMPP_MESSAGE_ID_MAX);
		if (l == SMPP_MESSAGE_ID_MAX)
			return -EINVAL;
		r |= add_known(pdu, out, &n, SMPP_TAG_RECEIPTED_MESSAGE_ID,
			       (uint16_t)(l + 1),
			       (const uint8_t *)pdu->receipted_message_id);
	}
	if (pdu->has_message_state)
		r |= add_known(pdu, out, &n, SMPP_TAG_MESSAGE_STATE, 1,
			       &pdu->message_state);
	if (pdu->has_network_error)
		r |= add_known(pdu, out, &n, SMPP_TAG_NETWORK_ERROR_CODE, 3,
			       pdu->network_error_code);
	if (pdu->has_payload) {
		if (pdu->message_payload_len && !pdu->message_payload)
			return -EINVAL;
		r |= add_known(pdu, out, &n, SMPP_TAG_MESSAGE_PAYLOAD,
			       pdu->message_payload_len, pdu->message_payload);
	}
	if (r)
		return -EINVAL;
	for (int i = 0; i < pdu->ntlv; i++) {
		if (n == SMPP_MAX_TLVS)
			return -EINVAL;
		if (pdu->tlv[i].len && !pdu->tlv[i].val)
			return -EINVAL;
		out[n++] = pdu->tlv[i];
	}
	return n;
}

/* Text output that never overflows and counts what it would need. */
struct smpp_out {
	char *buf;
	size_t n, len;
};

static void
out_raw(struct smpp_out *o, const char *s, size_t l)
{
	if (o->len < o->n) {
		size_t room = o->n - o->len - 1;
		memcpy(o->buf + o->len, s, l < room ? l : room);
		o->buf[o->len + (l < room ? l : room)] = '\0';
	}
	o->len += l;
}

static void
out_str(struct smpp_out *o, const char *s)
{
	out_raw(o, s, strlen(s));
}

static void
out_u32(struct smpp_out *o, uint32_t v, int hex, int width)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16];
	int i = (int)sizeof(tmp);
	unsigned base = hex ? 16 : 10;

	do {
		tmp[--i] = digits[v % base];
		v /= base;
		width--;
	} while (v || width > 0);
	if (hex) {
		tmp[--i] = 'x';
		tmp[--i] = '0';
	}
	out_raw(o, tmp + i, sizeof(tmp) - (size_t)i);
}

static void
out_hex(struct smpp_out *o, const uint8_t *p, size_t l)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < l; i++) {
		char h[2] = {digits[p[i] >> 4], digits[p[i] & 15]};
		out_raw(o, h, 2);
	}
}

static void
out_quoted(struct smpp_out *o, const char *s, size_t max)
{
	static const char digits[] = "0123456789abcdef";

	out_raw(o, "\"", 1);
	for (size_t i = 0; i < max && s[i]; i++) {
		uint8_t c = (uint8_t)s[i];
		if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
			char e[4] = {'\\', 'x', digits[c >> 4], digits[c & 15]};
			out_raw(o, e, 4);
		} else {
			out_raw(o, s + i, 1);
		}
	}
	out_raw(o, "\"", 1);
}

static void
out_field(struct smpp_out *o, const struct smpp_pdu *pdu,
	  const struct smpp_field *f)
{
	const uint8_t *base = (const uint8_t *)pdu;

	out_raw(o, " ", 1);
	out_str(o, f->key);
	out_raw(o, "=", 1);
	switch (f->kind) {
	case SMPP_F_CSTR:
		out_quoted(o, (const char *)(base + f->off), f->max);
		break;
	case SMPP_F_SECRET:
		out_str(o, base[f->off] ? "\"***\"" : "\"\"");
		break;
	case SMPP_F_U8:
		out_u32(o, base[f->off], 0, 1);
		break;
	case SMPP_F_X8:
		out_u32(o, base[f->off], 1, 2);
		break;
	case SMPP_F_ADDR: {
		const struct smpp_addr *a =
			(const struct smpp_addr *)(base + f->off);
		out_u32(o, a->ton, 0, 1);
		out_raw(o, "/", 1);
		out_u32(o, a->npi, 0, 1);
		out_raw(o, "/", 1);
		out_quoted(o, a->addr, sizeof(a->addr));
		break;
	}
	case SMPP_F_SM:
		out_u32(o, pdu->sm_length, 0, 1);
		out_raw(o, ":", 1);
		if (pdu->sm_length && !pdu->short_message)
			out_str(o, "(null)");
		else
			out_hex(o, pdu->short_message, pdu->sm_length);
		break;
	}
}

size_t
smpp_pdu_format(const struct smpp_pdu *pdu, char *buf, size_t n)
{
	struct smpp_out o = {buf, n, 0};
	const struct smpp_cmd_desc *d = cmd_desc(pdu->command_id);
	const char *status = smpp_status_name(pdu->command_status);
	struct smpp_tlv tlvs[SMPP_MAX_TLVS];
	uint8_t scratch[SMPP_TLVS_SCRATCH];
	int nt;

	if (n)
		buf[0] = '\0';
	if (d) {
		out_str(&o, d->name);
	} else {
		out_str(&o, "cmd_");
		out_u32(&o, pdu->command_id, 1, 8);
	}
	out_str(&o, " len=");
	out_u32(&o, pdu->command_length, 0, 1);
	out_str(&o, " seq=");
	out_u32(&o, pdu->sequence, 0, 1);
	out_str(&o, " status=");
	if (status)
		out_str(&o, status);
	else
		out_u32(&o, pdu->command_status, 1, 8);
	for (const struct smpp_field *f = d ? d->fields : f_none;
	     f->kind != SMPP_F_END; f++)
		out_field(&o, pdu, f);
	nt = smpp_pdu_tlvs(pdu, tlvs, scratch);
	if (nt < 0)
		out_str(&o, " tlv=invalid");
	for (int i = 0; i < nt; i++) {
		out_str(&o, " tlv=");
		out_u32(&o, tlvs[i].tag, 1, 4);
		out_raw(&o, ":", 1);
		out_u32(&o, tlvs[i].len, 0, 1);
		out_raw(&o, ":", 1);
		out_hex(&o, tlvs[i].val, tlvs[i].len);
	}
	return o.len;
}
