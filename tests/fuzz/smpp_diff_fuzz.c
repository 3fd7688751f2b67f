/*
 * smpp_diff_fuzz.c - differential fuzz target: our decoder
 * (protocol/smpp_pdu_decode.c) against libsmpp34's smpp34_unpack() on
 * every input both accept; any disagreement in any field abort()s.
 *
 * The input's command_length is set to its size (16..4096). libsmpp34 is
 * only called on PDUs our decoder accepted (so at most 16 TLVs, every
 * string terminated within its limit) and that avoid its known bugs:
 *   - it reads an integer TLV (per its per-command table) without looking
 *     at the length field, so a sar_total_segments of length 3 desyncs the
 *     rest: inputs with such a TLV are skipped (we reject those we use);
 *   - it leaks the TLV node of a failed TLV decode: its allocator is ours
 *     here (smpp34_set_memory_functions) and everything it still holds
 *     after the call is freed;
 *   - its C-Octet reader may look past the PDU for a NUL: the PDU sits in
 *     a zero-padded buffer.
 * Where libsmpp34 is stricter (TON > 6, unlisted NPI, vendor status,
 * sequence 0, interface_version != 0x34 in bind_transmitter/transceiver,
 * data_sm source over 20 characters, TLVs after PDUs it gives no TLV
 * list, error responses with an empty body...) it refuses and nothing is
 * compared. Its global 2048-byte trace is checked after each call (and
 * after our encoder's, which also writes it): more than 1900 bytes would
 * be near the overflow DESIGN §2 describes, and aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smpp_pdu.h"

#include <smpp34.h>
#include <smpp34_structs.h>
#include <smpp34_params.h>
#include <smpp34_heap.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TRACE_LIMIT 1900

/* libsmpp34's allocations, to free what it leaks */
static void *held[256];
static int nheld;

static void *
track_malloc(size_t n)
{
	void *p = malloc(n);
	if (p && nheld < 256)
		held[nheld++] = p;
	else if (p)
		abort();
	return p;
}

static void *
track_realloc(void *p, size_t n)
{
	(void)p;
	(void)n;
	abort(); /* libsmpp34 does not realloc while unpacking */
}

static void
track_free(void *p)
{
	for (int i = 0; i < nheld; i++)
		if (held[i] == p) {
			held[i] = held[--nheld];
			break;
		}
	free(p);
}

static void
free_held(void)
{
	while (nheld)
		free(held[--nheld]);
}

/* How libsmpp34 types a tag in a command (shared with smpp_pdu.c). */
#include "../../protocol/smpp_l34_kinds.h"

static struct tlv_kind (*kind_of(uint32_t id))(uint16_t)
{
	switch (id) {
	case SMPP_ALERT_NOTIFICATION:
		return kind_alert;
	case SMPP_BIND_TRANSMITTER_RESP:
	case SMPP_BIND_RECEIVER_RESP:
	case SMPP_BIND_TRANSCEIVER_RESP:
		return kind_bind_resp;
	case SMPP_DATA_SM:
		return kind_data_sm;
	case SMPP_DELIVER_SM:
		return kind_deliver_sm;
	case SMPP_SUBMIT_SM:
		return kind_submit_sm;
	default:
		return NULL;
	}
}

union l34 {
	generic_nack_t hdr;
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

static int bad;

#define STR(l, ours)                                                           \
	do {                                                                   \
		if (strcmp((const char *)(l), (ours)) != 0)                    \
			bad = __LINE__;                                        \
	} while (0)
#define OCT(l, ours)                                                           \
	do {                                                                   \
		if ((l) != (ours))                                             \
			bad = __LINE__;                                        \
	} while (0)
#define ADDR(lton, lnpi, laddr, a)                                             \
	do {                                                                   \
		OCT(lton, (a)->ton);                                           \
		OCT(lnpi, (a)->npi);                                           \
		STR(laddr, (a)->addr);                                         \
	} while (0)
#define SMS(l, p)                                                              \
	do {                                                                   \
		OCT((l)->sm_length, (p)->sm_length);                           \
		if ((p)->sm_length &&                                          \
		    memcmp((l)->short_message, (p)->short_message,             \
			   (p)->sm_length))                                    \
			bad = __LINE__;                                        \
	} while (0)
#define SM_FIELDS(l, p)                                                        \
	do {                                                                   \
		STR((l)->service_type, (p)->service_type);                     \
		ADDR((l)->source_addr_ton, (l)->source_addr_npi,               \
		     (l)->source_addr, &(p)->source);                          \
		ADDR((l)->dest_addr_ton, (l)->dest_addr_npi,                   \
		     (l)->destination_addr, &(p)->dest);                       \
		OCT((l)->esm_class, (p)->esm_class);                           \
		OCT((l)->protocol_id, (p)->protocol_id);                       \
		OCT((l)->priority_flag, (p)->priority_flag);                   \
		STR((l)->schedule_delivery_time, (p)->schedule_delivery_time); \
		STR((l)->validity_period, (p)->validity_period);               \
		OCT((l)->registered_delivery, (p)->registered_delivery);       \
		OCT((l)->replace_if_present_flag,                              \
		    (p)->replace_if_present_flag);                             \
		OCT((l)->data_coding, (p)->data_coding);                       \
		OCT((l)->sm_default_msg_id, (p)->sm_default_msg_id);           \
		SMS(l, p);                                                     \
	} while (0)
#define BIND(l, p)                                                             \
	do {                                                                   \
		STR((l)->system_id, (p)->system_id);                           \
		STR((l)->password, (p)->password);                             \
		STR((l)->system_type, (p)->system_type);                       \
		OCT((l)->interface_version, (p)->interface_version);           \
		ADDR((l)->addr_ton, (l)->addr_npi, (l)->address_range,         \
		     &(p)->address_range);                                     \
	} while (0)

/* The value of a TLV as libsmpp34 holds it, as big-endian bytes. */
static void
l34_bytes(const tlv_t *t, struct tlv_kind k, uint8_t *b)
{
	if (k.size == 1) {
		b[0] = t->value.val08;
	} else if (k.size == 2) {
		b[0] = (uint8_t)(t->value.val16 >> 8);
		b[1] = (uint8_t)t->value.val16;
	} else if (k.size == 4) {
		b[0] = (uint8_t)(t->value.val32 >> 24);
		b[1] = (uint8_t)(t->value.val32 >> 16);
		b[2] = (uint8_t)(t->value.val32 >> 8);
		b[3] = (uint8_t)t->value.val32;
	} else {
		memcpy(b, t->value.octet, t->length);
	}
}

/* Our typed fields against the last TLV of each known tag libsmpp34
 * decoded (v in wire order). */
static void
compare_known(tlv_t *const *v, int n, const struct smpp_pdu *p,
	      struct tlv_kind (*kind)(uint16_t))
{
	unsigned sar = 0;
	int seen_payload = 0, seen_receipt = 0, seen_state = 0, seen_ussd = 0;
	int seen_its = 0, seen_umr = 0, seen_net = 0;

	uint16_t done[SMPP_MAX_TLVS];
	int ndone = 0;

	for (int i = n - 1; i >= 0; i--) { /* the last of each tag counts */
		const tlv_t *t = v[i];
		uint8_t b[MAX_TLV_SIZE];
		int dup = 0;
		for (int j = 0; j < ndone; j++)
			dup |= done[j] == t->tag;
		if (dup)
			continue;
		done[ndone++] = t->tag;
		l34_bytes(t, kind(t->tag), b);
		switch (t->tag) {
		case SMPP_TAG_SAR_MSG_REF_NUM:
			OCT(p->sar_msg_ref_num, (uint16_t)(b[0] << 8 | b[1]));
			sar |= 1;
			break;
		case SMPP_TAG_SAR_TOTAL_SEGMENTS:
			OCT(p->sar_total_segments, b[0]);
			sar |= 2;
			break;
		case SMPP_TAG_SAR_SEGMENT_SEQNUM:
			OCT(p->sar_segment_seqnum, b[0]);
			sar |= 4;
			break;
		case SMPP_TAG_MESSAGE_STATE:
			OCT(p->message_state, b[0]);
			seen_state = 1;
			break;
		case SMPP_TAG_USSD_SERVICE_OP:
			OCT(p->ussd_service_op, b[0]);
			seen_ussd = 1;
			break;
		case SMPP_TAG_ITS_SESSION_INFO:
			if (memcmp(p->its_session_info, b, 2))
				bad = __LINE__;
			seen_its = 1;
			break;
		case SMPP_TAG_USER_MESSAGE_REFERENCE:
			OCT(p->user_message_reference,
			    (uint16_t)(b[0] << 8 | b[1]));
			seen_umr = 1;
			break;
		case SMPP_TAG_NETWORK_ERROR_CODE:
			if (memcmp(p->network_error_code, b, 3))
				bad = __LINE__;
			seen_net = 1;
			break;
		case SMPP_TAG_MESSAGE_PAYLOAD:
			OCT(p->message_payload_len, t->length);
			if (t->length &&
			    memcmp(p->message_payload, b, t->length))
				bad = __LINE__;
			seen_payload = 1;
			break;
		case SMPP_TAG_RECEIPTED_MESSAGE_ID: {
			const uint8_t *z = memchr(b, 0, t->length);
			size_t l = z ? (size_t)(z - b) : t->length;
			if (strlen(p->receipted_message_id) != l ||
			    memcmp(p->receipted_message_id, b, l))
				bad = __LINE__;
			seen_receipt = 1;
			break;
		}
		}
	}
	OCT(p->has_sar, sar == 7);
	OCT(p->has_payload, seen_payload);
	OCT(p->has_receipted_id, seen_receipt);
	OCT(p->has_message_state, seen_state);
	OCT(p->has_ussd_op, seen_ussd);
	OCT(p->has_its_session, seen_its);
	OCT(p->has_umr, seen_umr);
	OCT(p->has_network_error, seen_net);
}

/* libsmpp34's TLV list (built in reverse) against our tlv[]. */
static void
compare_tlvs(tlv_t *list, const struct smpp_pdu *p,
	     struct tlv_kind (*kind)(uint16_t))
{
	tlv_t *v[SMPP_MAX_TLVS + 1];
	int n = 0;

	for (tlv_t *t = list; t; t = t->next) {
		if (n > SMPP_MAX_TLVS) {
			bad = __LINE__;
			return;
		}
		v[n++] = t;
	}
	if (n != p->ntlv) {
		bad = __LINE__;
		return;
	}
	for (int i = 0; i < n; i++) {
		const tlv_t *t = v[n - 1 - i];
		const struct smpp_tlv *o = &p->tlv[i];
		struct tlv_kind k = kind(o->tag);
		uint32_t want = 0;

		OCT(t->tag, o->tag);
		OCT(t->length, o->len);
		if (k.size) {
			for (int j = 0; j < k.size; j++)
				want = want << 8 | o->val[j];
			OCT(k.size == 1   ? t->value.val08
			    : k.size == 2 ? t->value.val16
					  : t->value.val32,
			    want);
		} else if (o->len && memcmp(t->value.octet, o->val, o->len)) {
			bad = __LINE__;
		}
	}
	for (int i = 0; i < n / 2; i++) { /* into wire order */
		tlv_t *x = v[i];
		v[i] = v[n - 1 - i];
		v[n - 1 - i] = x;
	}
	compare_known(v, n, p, kind);
}

static void
compare(const union l34 *u, const struct smpp_pdu *p)
{
	OCT(u->hdr.command_length, p->command_length);
	OCT(u->hdr.command_id, p->command_id);
	OCT(u->hdr.command_status, p->command_status);
	OCT(u->hdr.sequence_number, p->sequence);
	switch (p->command_id) {
	case SMPP_BIND_TRANSMITTER:
		BIND(&u->bind, p);
		break;
	case SMPP_BIND_RECEIVER:
		BIND(&u->bind_rx, p);
		break;
	case SMPP_BIND_TRANSCEIVER:
		BIND(&u->bind_trx, p);
		break;
	case SMPP_BIND_TRANSMITTER_RESP:
		STR(u->bind_resp.system_id, p->system_id);
		compare_tlvs(u->bind_resp.tlv, p, kind_bind_resp);
		break;
	case SMPP_BIND_RECEIVER_RESP:
		STR(u->bind_rx_resp.system_id, p->system_id);
		compare_tlvs(u->bind_rx_resp.tlv, p, kind_bind_resp);
		break;
	case SMPP_BIND_TRANSCEIVER_RESP:
		STR(u->bind_trx_resp.system_id, p->system_id);
		compare_tlvs(u->bind_trx_resp.tlv, p, kind_bind_resp);
		break;
	case SMPP_OUTBIND:
		STR(u->outbind.system_id, p->system_id);
		STR(u->outbind.password, p->password);
		break;
	case SMPP_SUBMIT_SM:
		SM_FIELDS(&u->submit, p);
		compare_tlvs(u->submit.tlv, p, kind_submit_sm);
		break;
	case SMPP_DELIVER_SM:
		SM_FIELDS(&u->deliver, p);
		compare_tlvs(u->deliver.tlv, p, kind_deliver_sm);
		break;
	case SMPP_SUBMIT_SM_RESP:
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
		compare_tlvs(u->data.tlv, p, kind_data_sm);
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
		SMS(&u->replace, p);
		break;
	case SMPP_ALERT_NOTIFICATION:
		ADDR(u->alert.source_addr_ton, u->alert.source_addr_npi,
		     u->alert.source_addr, &p->source);
		ADDR(u->alert.esme_addr_ton, u->alert.esme_addr_npi,
		     u->alert.esme_addr, &p->dest);
		compare_tlvs(u->alert.tlv, p, kind_alert);
		break;
	default: /* header-only: nothing else */
		break;
	}
	/* PDUs without a TLV list in libsmpp34 had none (or it refused) */
	if (!kind_of(p->command_id) && p->ntlv)
		bad = __LINE__;
}

static tlv_t *
tlv_list(union l34 *u, uint32_t id)
{
	switch (id) {
	case SMPP_ALERT_NOTIFICATION:
		return u->alert.tlv;
	case SMPP_BIND_TRANSMITTER_RESP:
		return u->bind_resp.tlv;
	case SMPP_BIND_RECEIVER_RESP:
		return u->bind_rx_resp.tlv;
	case SMPP_BIND_TRANSCEIVER_RESP:
		return u->bind_trx_resp.tlv;
	case SMPP_DATA_SM:
		return u->data.tlv;
	case SMPP_DELIVER_SM:
		return u->deliver.tlv;
	case SMPP_SUBMIT_SM:
		return u->submit.tlv;
	default:
		return NULL;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[SMPP_PDU_MAX + 4096]; /* zero padding after */
	static uint8_t out[SMPP_PDU_MAX];
	static int init;
	static union l34 u;
	struct smpp_pdu p;
	struct tlv_kind (*kind)(uint16_t);

	if (!init) {
		static const struct smpp34_memory_functions mf = {
			track_malloc, track_realloc, track_free};
		smpp34_set_memory_functions(&mf);
		init = 1;
	}
	if (size < SMPP_HEADER_LEN || size > SMPP_PDU_MAX)
		return 0;
	memset(buf, 0, sizeof(buf));
	memcpy(buf, data, size);
	buf[0] = (uint8_t)(size >> 24);
	buf[1] = (uint8_t)(size >> 16);
	buf[2] = (uint8_t)(size >> 8);
	buf[3] = (uint8_t)size;
	if (smpp_pdu_decode(buf, size, &p, NULL) != 0)
		return 0;

	/* our encoder's use of libsmpp34 keeps its trace bounded too */
	if (smpp_pdu_encode(&p, out, sizeof(out)) > 0 &&
	    strnlen(smpp34_strerror, sizeof(smpp34_strerror)) > TRACE_LIMIT)
		abort();

	kind = kind_of(p.command_id);
	for (int i = 0; kind && i < p.ntlv; i++) {
		struct tlv_kind k = kind(p.tlv[i].tag);
		if (k.size && p.tlv[i].len != k.size)
			return 0; /* libsmpp34 would misread it */
	}

	memset(&u, 0, sizeof(u));
	bad = 0;
	int r = smpp34_unpack(p.command_id, &u, buf, (int)size);
	if (strnlen(smpp34_strerror, sizeof(smpp34_strerror)) > TRACE_LIMIT)
		abort();
	if (r == 0)
		compare(&u, &p);
	destroy_tlv(tlv_list(&u, p.command_id));
	free_held();
	if (bad)
		abort(); /* bad holds the line of the first disagreement */
	return 0;
}
