/*
 * smpp_pdu.c - the SMPP 3.4 encoder: our struct smpp_pdu packed through
 * libsmpp34's smpp34_pack() (SPEC §2, DESIGN §2). The only file of the
 * daemon that includes libsmpp34 headers.
 *
 * Owns: nothing past the call. libsmpp34's structs, its TLV list (16
 * nodes of 1040 bytes) and a 4 KiB scratch buffer live on the stack,
 * about 22 KiB in all; nothing is allocated, so there is nothing of
 * libsmpp34's to free: we link its tlv_t list ourselves, in our order,
 * instead of calling build_tlv(), which mallocs each node and prepends it
 * (the "list built in reverse" trap).
 * Does not: decode (smpp_pdu_decode.c: libsmpp34 never sees inbound
 * bytes), log, do I/O.
 *
 * libsmpp34 traps, each guarded here:
 *   - C-Octet strings longer than its field are truncated silently: every
 *     string is measured against the libsmpp34 field (sizeof) first and
 *     refused with -EINVAL. Its fields are the SMPP 3.4 limits except
 *     data_sm source_addr (21, spec 65) and deliver_sm
 *     schedule_delivery_time / validity_period and deliver_sm_resp
 *     message_id (1: empty only).
 *   - It refuses values outside its own tables: command_status (vendor
 *     codes), sequence 0, TON > 6, NPIs not in SMPP 3.4 §5.2.6,
 *     interface_version != 0x34 in bind_transmitter/transceiver. We pack a
 *     listed placeholder and patch the real octet at the offset we
 *     computed (the header is always rewritten).
 *   - Every write needs one spare byte in the output, and sm_length 254 is
 *     refused: we pack into a SMPP_PDU_MAX + 1 scratch buffer, and refuse
 *     sm_length > SMPP_SHORT_MESSAGE_ENCODE_MAX (253).
 *   - Its TLV value holds 1024 octets, it types some tags as integers
 *     (per command) and caps others (receipted_message_id 65...), and
 *     data_sm_resp, submit_sm_resp, bind_* and query/cancel/replace have
 *     no TLV list at all. The tags' types come from its own def_frame/
 *     *.tlv tables (included below as X-macros), so they always match the
 *     installed library. TLVs go through libsmpp34 while they fit its
 *     table; from the first that does not (a 2000-octet message_payload,
 *     say), that TLV and all after it are appended by us in order, and
 *     command_length is patched.
 *   - Packing writes a trace into the global 2048-byte smpp34_strerror
 *     with no bound check once it is full. At most SMPP_MAX_TLVS (16)
 *     TLVs reach it and every string is within its field, so the trace
 *     stays under 1500 bytes (measured worst case 1466: submit_sm with
 *     every string at its limit and 16 TLVs; smpp_diff_fuzz.c aborts past
 *     1900 after every encode).
 *   - Header-only PDUs (generic_nack, unbind(_resp), enquire_link(_resp),
 *     cancel_sm_resp, replace_sm_resp) are written directly: there is
 *     nothing to pack but 16 bytes, and generic_nack must be able to carry
 *     sequence 0 (the header could not be read).
 * After packing, the length libsmpp34 reports is checked against the
 * layout we computed; a mismatch is -EPROTO, never a wrong PDU.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "smpp_pdu.h"

#include <smpp34.h>
#include <smpp34_structs.h>
#include <smpp34_params.h>

#include "smpp_l34_kinds.h"

union l34 {
	generic_nack_t hdr; /* the common initial sequence */
	bind_transmitter_t bind;
	bind_receiver_t bind_rx;
	bind_transceiver_t bind_trx;
	bind_transmitter_resp_t bind_resp;
	bind_receiver_resp_t bind_rx_resp;
	bind_transceiver_resp_t bind_trx_resp;
	outbind_t outbind;
	submit_sm_t submit;
	submit_sm_resp_t submit_resp;
	deliver_sm_t deliver;
	deliver_sm_resp_t deliver_resp;
	data_sm_t data;
	data_sm_resp_t data_resp;
	query_sm_t query;
	query_sm_resp_t query_resp;
	cancel_sm_t cancel;
	replace_sm_t replace;
	alert_notification_t alert;
};

/* Mirror of the layout libsmpp34 is about to write. */
struct enc {
	size_t pos;
	int err, npatch;
	struct {
		size_t off;
		uint8_t val;
	} patch[8];
};

static void
enc_str(struct enc *e, uint8_t *dst, size_t cap, const char *src, size_t srccap)
{
	size_t l = strnlen(src, srccap);

	if (l == srccap || l + 1 > cap) {
		e->err = -EINVAL;
		return;
	}
	memcpy(dst, src, l + 1);
	e->pos += l + 1;
}

/* An octet libsmpp34 may refuse: pack placeholder, patch val later. */
static void
enc_patched(struct enc *e, uint8_t *dst, uint8_t val, uint8_t placeholder)
{
	*dst = placeholder;
	if (val != placeholder) {
		if (e->npatch == 8) {
			e->err = -EPROTO; /* cannot happen: 4 at most */
			return;
		}
		e->patch[e->npatch].off = e->pos;
		e->patch[e->npatch].val = val;
		e->npatch++;
	}
	e->pos++;
}

#define STR(dst, src) enc_str(&e, (dst), sizeof(dst), (src), sizeof(src))
#define OCT(dst, v)                                                            \
	do {                                                                   \
		(dst) = (v);                                                   \
		e.pos++;                                                       \
	} while (0)
#define ADDR(d_ton, d_npi, d_addr, a)                                          \
	do {                                                                   \
		enc_patched(&e, &(d_ton), (a)->ton, 0);                        \
		enc_patched(&e, &(d_npi), (a)->npi, 0);                        \
		STR(d_addr, (a)->addr);                                        \
	} while (0)
#define SHORT_MESSAGE(s)                                                       \
	do {                                                                   \
		if (p->sm_length > SMPP_SHORT_MESSAGE_ENCODE_MAX ||            \
		    (p->sm_length && !p->short_message)) {                     \
			e.err = -EINVAL;                                       \
			break;                                                 \
		}                                                              \
		OCT((s)->sm_length, p->sm_length);                             \
		if (p->sm_length)                                              \
			memcpy((s)->short_message, p->short_message,           \
			       p->sm_length);                                  \
		e.pos += p->sm_length;                                         \
	} while (0)
#define BIND(b)                                                                \
	do {                                                                   \
		STR((b)->system_id, p->system_id);                             \
		STR((b)->password, p->password);                               \
		STR((b)->system_type, p->system_type);                         \
		enc_patched(&e, &(b)->interface_version, p->interface_version, \
			    0x34);                                             \
		ADDR((b)->addr_ton, (b)->addr_npi, (b)->address_range,         \
		     &p->address_range);                                       \
	} while (0)
#define SM_FIELDS(s)                                                           \
	do {                                                                   \
		STR((s)->service_type, p->service_type);                       \
		ADDR((s)->source_addr_ton, (s)->source_addr_npi,               \
		     (s)->source_addr, &p->source);                            \
		ADDR((s)->dest_addr_ton, (s)->dest_addr_npi,                   \
		     (s)->destination_addr, &p->dest);                         \
		OCT((s)->esm_class, p->esm_class);                             \
		OCT((s)->protocol_id, p->protocol_id);                         \
		OCT((s)->priority_flag, p->priority_flag);                     \
		STR((s)->schedule_delivery_time, p->schedule_delivery_time);   \
		STR((s)->validity_period, p->validity_period);                 \
		OCT((s)->registered_delivery, p->registered_delivery);         \
		OCT((s)->replace_if_present_flag, p->replace_if_present_flag); \
		OCT((s)->data_coding, p->data_coding);                         \
		OCT((s)->sm_default_msg_id, p->sm_default_msg_id);             \
		SHORT_MESSAGE(s);                                              \
	} while (0)

/*
 * Fills u for p's command (ntlv TLVs to follow), mirroring the layout
 * in e; sets *list to the
 * command's TLV list head (NULL when libsmpp34 has none) and *kind to its
 * tag table. Returns 1 when libsmpp34 packs it, 0 for header-only PDUs
 * (written by us), -EINVAL for commands we do not encode.
 */
static int
fill(const struct smpp_pdu *p, int ntlv, union l34 *u, struct enc *pe,
     tlv_t ***list, struct tlv_kind (**kind)(uint16_t))
{
	struct enc e = *pe;
	int packed = 1;

	*list = NULL;
	*kind = NULL;
	switch (p->command_id) {
	case SMPP_GENERIC_NACK:
	case SMPP_UNBIND:
	case SMPP_UNBIND_RESP:
	case SMPP_ENQUIRE_LINK:
	case SMPP_ENQUIRE_LINK_RESP:
	case SMPP_CANCEL_SM_RESP:
	case SMPP_REPLACE_SM_RESP:
		packed = 0;
		break;
	case SMPP_BIND_TRANSMITTER:
		BIND(&u->bind);
		break;
	case SMPP_BIND_RECEIVER:
		BIND(&u->bind_rx);
		break;
	case SMPP_BIND_TRANSCEIVER:
		BIND(&u->bind_trx);
		break;
	case SMPP_BIND_TRANSMITTER_RESP:
		STR(u->bind_resp.system_id, p->system_id);
		*list = &u->bind_resp.tlv;
		*kind = kind_bind_resp;
		break;
	case SMPP_BIND_RECEIVER_RESP:
		STR(u->bind_rx_resp.system_id, p->system_id);
		*list = &u->bind_rx_resp.tlv;
		*kind = kind_bind_resp;
		break;
	case SMPP_BIND_TRANSCEIVER_RESP:
		STR(u->bind_trx_resp.system_id, p->system_id);
		*list = &u->bind_trx_resp.tlv;
		*kind = kind_bind_resp;
		break;
	case SMPP_OUTBIND:
		STR(u->outbind.system_id, p->system_id);
		STR(u->outbind.password, p->password);
		break;
	case SMPP_SUBMIT_SM:
		SM_FIELDS(&u->submit);
		*list = &u->submit.tlv;
		*kind = kind_submit_sm;
		break;
	case SMPP_DELIVER_SM:
		SM_FIELDS(&u->deliver);
		*list = &u->deliver.tlv;
		*kind = kind_deliver_sm;
		break;
	case SMPP_SUBMIT_SM_RESP:
		/* libsmpp34 writes no body when the status is non-zero: use
		 * that for an empty message_id and no TLVs (which would then
		 * be read as the message_id), a zero placeholder else. */
		if (p->command_status && !p->message_id[0] && !ntlv)
			u->hdr.command_status = ESME_RSYSERR;
		else
			STR(u->submit_resp.message_id, p->message_id);
		break;
	case SMPP_DELIVER_SM_RESP:
		STR(u->deliver_resp.message_id, p->message_id);
		break;
	case SMPP_DATA_SM:
		STR(u->data.service_type, p->service_type);
		ADDR(u->data.source_addr_ton, u->data.source_addr_npi,
		     u->data.source_addr, &p->source);
		ADDR(u->data.dest_addr_ton, u->data.dest_addr_npi,
		     u->data.destination_addr, &p->dest);
		OCT(u->data.esm_class, p->esm_class);
		OCT(u->data.registered_delivery, p->registered_delivery);
		OCT(u->data.data_coding, p->data_coding);
		*list = &u->data.tlv;
		*kind = kind_data_sm;
		break;
	case SMPP_DATA_SM_RESP:
		STR(u->data_resp.message_id, p->message_id);
		break;
	case SMPP_QUERY_SM:
		STR(u->query.message_id, p->message_id);
		ADDR(u->query.source_addr_ton, u->query.source_addr_npi,
		     u->query.source_addr, &p->source);
		break;
	case SMPP_QUERY_SM_RESP:
		STR(u->query_resp.message_id, p->message_id);
		STR(u->query_resp.final_date, p->final_date);
		OCT(u->query_resp.message_state, p->query_state);
		OCT(u->query_resp.error_code, p->error_code);
		break;
	case SMPP_CANCEL_SM:
		STR(u->cancel.service_type, p->service_type);
		STR(u->cancel.message_id, p->message_id);
		ADDR(u->cancel.source_addr_ton, u->cancel.source_addr_npi,
		     u->cancel.source_addr, &p->source);
		ADDR(u->cancel.dest_addr_ton, u->cancel.dest_addr_npi,
		     u->cancel.destination_addr, &p->dest);
		break;
	case SMPP_REPLACE_SM:
		STR(u->replace.message_id, p->message_id);
		ADDR(u->replace.source_addr_ton, u->replace.source_addr_npi,
		     u->replace.source_addr, &p->source);
		STR(u->replace.schedule_delivery_time,
		    p->schedule_delivery_time);
		STR(u->replace.validity_period, p->validity_period);
		OCT(u->replace.registered_delivery, p->registered_delivery);
		OCT(u->replace.sm_default_msg_id, p->sm_default_msg_id);
		SHORT_MESSAGE(&u->replace);
		break;
	case SMPP_ALERT_NOTIFICATION:
		ADDR(u->alert.source_addr_ton, u->alert.source_addr_npi,
		     u->alert.source_addr, &p->source);
		ADDR(u->alert.esme_addr_ton, u->alert.esme_addr_npi,
		     u->alert.esme_addr, &p->dest);
		*list = &u->alert.tlv;
		*kind = kind_alert;
		break;
	default:
		return -EINVAL;
	}
	*pe = e;
	return e.err ? e.err : packed;
}

/* A TLV node as libsmpp34 wants it for this tag, or -1 if it cannot
 * carry it (we append that one ourselves). */
static int
tlv_node(tlv_t *n, struct tlv_kind k, const struct smpp_tlv *t)
{
	memset(n, 0, offsetof(tlv_t, value));
	n->next = NULL;
	n->tag = t->tag;
	n->length = t->len;
	if (k.size) {
		if (t->len != k.size)
			return -1;
		if (k.size == 1)
			n->value.val08 = t->val[0];
		else if (k.size == 2)
			n->value.val16 = (uint16_t)(t->val[0] << 8 | t->val[1]);
		else
			n->value.val32 = (uint32_t)t->val[0] << 24 |
					 (uint32_t)t->val[1] << 16 |
					 (uint32_t)t->val[2] << 8 | t->val[3];
		return 0;
	}
	if (k.max < 0 || t->len > k.max || t->len > MAX_TLV_SIZE)
		return -1;
	if (t->len)
		memcpy(n->value.octet, t->val, t->len);
	return 0;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

int
smpp_pdu_encode(const struct smpp_pdu *pdu, uint8_t *buf, size_t cap)
{
	union l34 u;
	tlv_t nodes[SMPP_MAX_TLVS];
	struct smpp_tlv tlvs[SMPP_MAX_TLVS];
	uint8_t scratch[SMPP_TLVS_SCRATCH];
	uint8_t out[SMPP_PDU_MAX + 1];
	struct enc e = {SMPP_HEADER_LEN, 0, 0, {{0, 0}}};
	struct tlv_kind (*kind)(uint16_t);
	tlv_t **list;
	size_t total, plen;
	int nt, nlib = 0, packed;

	memset(&u, 0, sizeof(u));
	u.hdr.command_id = pdu->command_id;
	u.hdr.sequence_number = 1;
	nt = smpp_pdu_tlvs(pdu, tlvs, scratch);
	if (nt < 0)
		return nt;
	packed = fill(pdu, nt, &u, &e, &list, &kind);
	if (packed < 0)
		return packed;
	total = e.pos;
	for (int i = 0; i < nt; i++)
		total += 4 + (size_t)tlvs[i].len;
	if (total > SMPP_PDU_MAX || total > cap)
		return -ENOSPC;

	/* The prefix of TLVs libsmpp34 can carry, linked in our order. */
	for (; list && nlib < nt; nlib++) {
		tlv_t *node = &nodes[nlib];
		if (tlv_node(node, kind(tlvs[nlib].tag), &tlvs[nlib]) < 0)
			break;
		if (nlib > 0)
			nodes[nlib - 1].next = node;
	}
	if (list)
		*list = nlib ? &nodes[0] : NULL;

	if (packed) {
		int l = 0;
		if (smpp34_pack(pdu->command_id, out, (int)sizeof(out), &l,
				&u) != 0)
			return -EPROTO;
		plen = e.pos;
		for (int i = 0; i < nlib; i++)
			plen += 4 + (size_t)tlvs[i].len;
		if (l < 0 || (size_t)l != plen)
			return -EPROTO;
	} else {
		plen = SMPP_HEADER_LEN;
		put32(out + 4, pdu->command_id);
	}
	for (int i = 0; i < e.npatch; i++)
		out[e.patch[i].off] = e.patch[i].val;
	put32(out + 8, pdu->command_status);
	put32(out + 12, pdu->sequence);
	for (int i = nlib; i < nt; i++) {
		out[plen] = (uint8_t)(tlvs[i].tag >> 8);
		out[plen + 1] = (uint8_t)tlvs[i].tag;
		out[plen + 2] = (uint8_t)(tlvs[i].len >> 8);
		out[plen + 3] = (uint8_t)tlvs[i].len;
		if (tlvs[i].len)
			memcpy(out + plen + 4, tlvs[i].val, tlvs[i].len);
		plen += 4 + (size_t)tlvs[i].len;
	}
	put32(out, (uint32_t)plen);
	memcpy(buf, out, plen);
	return (int)plen;
}
