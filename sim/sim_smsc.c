/*
 * sim_smsc.c - what the simulated SMSC answers (SPEC §2 from the carrier's
 * side): bind_transceiver/transmitter/receiver checked against the
 * configured credentials (ESME_RINVSYSID, ESME_RINVPASWD, ESME_RALYBND),
 * enquire_link, unbind (answered, then the connection closes), submit_sm
 * and data_sm (fresh message id, hex or decimal; the faults of sim_fault.c
 * applied; a delivery receipt when asked for and enabled), generic_nack
 * for what does not decode or is unknown.
 *
 * Decodes with our bounded decoder (smpp_pdu_decode): the simulator is as
 * strict as the gateway it tests. Owns nothing; every received PDU is
 * passed on to the observers (scenario runner, flood, console) after it
 * was answered.
 */
#include "sim.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "sim_text.h"

#define DELIVER_ADDR_MAX 21

void
sim_body_of(const struct smpp_pdu *p, struct sim_body *b)
{
	memset(b, 0, sizeof(*b));
	if (p->has_payload) {
		b->all = p->message_payload;
		b->all_len = p->message_payload_len;
	} else {
		b->all = p->short_message;
		b->all_len = p->sm_length;
	}
	b->ud = b->all;
	b->ud_len = b->all_len;
	if ((p->esm_class & 0x40) && b->all_len >= 1 &&
	    (size_t)b->all[0] + 1 <= b->all_len) {
		size_t udhl = b->all[0];
		const uint8_t *ie = b->all + 1;
		/* walk the information elements, bounded by udhl */
		for (size_t i = 0; i + 2 <= udhl;) {
			uint8_t iei = ie[i], iel = ie[i + 1];
			if (i + 2 + iel > udhl)
				break;
			if (iei == 0x00 && iel == 3) {
				b->concat = 8;
				b->ref = ie[i + 2];
				b->total = ie[i + 3];
				b->seq = ie[i + 4];
			} else if (iei == 0x08 && iel == 4) {
				b->concat = 16;
				b->ref = (unsigned)ie[i + 2] << 8 | ie[i + 3];
				b->total = ie[i + 4];
				b->seq = ie[i + 5];
			}
			i += 2 + (size_t)iel;
		}
		b->ud = b->all + 1 + udhl;
		b->ud_len = b->all_len - 1 - udhl;
	}
	if (!b->concat && p->has_sar) {
		b->concat = 'S';
		b->ref = p->sar_msg_ref_num;
		b->total = p->sar_total_segments;
		b->seq = p->sar_segment_seqnum;
	}
}

static void
format_id(uint64_t id, enum sim_msgid_fmt fmt, char *out, size_t n)
{
	if (fmt == SIM_ID_DEC)
		snprintf(out, n, "%llu", (unsigned long long)id);
	else
		snprintf(out, n, "%llx", (unsigned long long)id);
}

void
sim_smsc_msgid(struct sim *s, char *out, size_t n)
{
	format_id(s->next_msgid++, s->o.msgid_fmt, out, n);
}

static void
respond(struct sim_conn *c, uint32_t cmd, uint32_t status, uint32_t seq,
	const char *message_id)
{
	struct smpp_pdu r;

	smpp_pdu_init(&r, cmd, status, seq);
	if (message_id)
		snprintf(r.message_id, sizeof(r.message_id), "%s", message_id);
	if (cmd == SMPP_GENERIC_NACK)
		c->sim->st.nacks_sent++;
	sim_conn_send_pdu(c, &r, 1);
}

static int
is_known_request(uint32_t cmd)
{
	switch (cmd) {
	case SMPP_BIND_RECEIVER:
	case SMPP_BIND_TRANSMITTER:
	case SMPP_BIND_TRANSCEIVER:
	case SMPP_SUBMIT_SM:
	case SMPP_DATA_SM:
	case SMPP_DELIVER_SM:
	case SMPP_QUERY_SM:
	case SMPP_CANCEL_SM:
	case SMPP_REPLACE_SM:
	case SMPP_UNBIND:
	case SMPP_ENQUIRE_LINK:
		return 1;
	default:
		return 0;
	}
}

void
sim_smsc_bad_length(struct sim_conn *c, const uint8_t *hdr, size_t n)
{
	uint32_t len = 0, id = 0, status = 0, seq = 0;

	if (hdr && n >= SMPP_HEADER_LEN)
		smpp_pdu_header(hdr, &len, &id, &status, &seq);
	c->sim->st.decode_errors++;
	LOG(LC_SMPP, LL_WARN,
	    "conn=%u pdu=bad_length command_length=%u answer=generic_nack",
	    c->id, len);
	respond(c, SMPP_GENERIC_NACK, SMPP_ESME_RINVCMDLEN,
		seq <= SMPP_SEQ_MAX ? seq : 0, NULL);
	sim_notify_pdu(c->sim, c, NULL, hdr, hdr ? n : 0);
}

static void
on_bind(struct sim_conn *c, const struct smpp_pdu *p)
{
	struct sim *s = c->sim;
	struct smpp_pdu r;
	uint32_t status = SMPP_ESME_ROK;

	if (c->bound)
		status = SMPP_ESME_RALYBND;
	else if (s->fault.bind_fail_left) {
		s->fault.bind_fail_left--;
		status = s->fault.bind_fail_status;
	} else if (s->o.system_id && strcmp(p->system_id, s->o.system_id))
		status = SMPP_ESME_RINVSYSID;
	else if (s->o.password && strcmp(p->password, s->o.password))
		status = SMPP_ESME_RINVPASWD;

	smpp_pdu_init(&r, p->command_id | 0x80000000u, status, p->sequence);
	snprintf(r.system_id, sizeof(r.system_id), "%s", s->o.smsc_id);
	sim_conn_send_pdu(c, &r, 1);
	if (status != SMPP_ESME_ROK) {
		s->st.binds_refused++;
		LOG(LC_SMPP, LL_INFO, "conn=%u bind=refused cmd=%s status=0x%x",
		    c->id, smpp_cmd_name(p->command_id), status);
		return;
	}
	c->bound = p->command_id;
	memcpy(c->system_id, p->system_id, sizeof(c->system_id));
	s->st.binds_ok++;
	if (p->command_id == SMPP_BIND_TRANSCEIVER)
		s->st.bind_trx++;
	else if (p->command_id == SMPP_BIND_TRANSMITTER)
		s->st.bind_tx++;
	else
		s->st.bind_rx++;
	LOG(LC_SMPP, LL_INFO, "conn=%u state=bound cmd=%s", c->id,
	    smpp_cmd_name(p->command_id));
	sim_notify_event(s, c, SIM_EV_BOUND);
}

static const struct {
	const char *stat;
	uint8_t state;
} dlr_states[] = {
	{"ENROUTE", 1}, {"DELIVRD", 2}, {"EXPIRED", 3}, {"DELETED", 4},
	{"UNDELIV", 5}, {"ACCEPTD", 6}, {"UNKNOWN", 7}, {"REJECTD", 8},
};

static uint8_t
dlr_state(const char *stat)
{
	for (size_t i = 0; i < sizeof(dlr_states) / sizeof(dlr_states[0]); i++)
		if (strcmp(stat, dlr_states[i].stat) == 0)
			return dlr_states[i].state;
	return 7;
}

/* The receipt for an accepted submit: deliver_sm, esm_class 0x04, TLVs
 * receipted_message_id + message_state and the usual text form. */
static void
send_receipt(struct sim_conn *c, const struct smpp_pdu *p, uint64_t id)
{
	struct sim *s = c->sim;
	struct smpp_pdu d;
	struct sim_body b;
	char idbuf[32], date[16], text[64], sm[SMPP_SHORT_MESSAGE_MAX];
	uint8_t buf[SMPP_PDU_MAX];
	struct sim_conn *to;
	time_t now = time(NULL);
	struct tm tm;
	size_t tl, k = 0;
	int n, ok = strcmp(s->o.dlr_stat, "DELIVRD") == 0;

	if (!s->o.dlr || (p->registered_delivery & 0x03) == 0)
		return;
	if ((p->registered_delivery & 0x03) == 2 && ok)
		return; /* receipt on failure only */
	format_id(id,
		  s->o.dlr_id_fmt == SIM_ID_SAME ? s->o.msgid_fmt
						 : s->o.dlr_id_fmt,
		  idbuf, sizeof(idbuf));
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%y%m%d%H%M", &tm);
	sim_body_of(p, &b);
	tl = sim_text_decode(p->data_coding, b.ud, b.ud_len, text,
			     sizeof(text));
	/* first 20 characters, printable ASCII only (the receipt is GSM) */
	for (size_t i = 0; i < tl && k < 20; i++) {
		unsigned char ch = (unsigned char)text[i];
		if ((ch & 0xc0) == 0x80)
			continue;
		text[k++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	text[k] = '\0';
	n = snprintf(sm, sizeof(sm),
		     "id:%s sub:001 dlvrd:%s submit date:%s done date:%s "
		     "stat:%s err:%03u text:%s",
		     idbuf, ok ? "001" : "000", date, date, s->o.dlr_stat,
		     s->o.dlr_err % 1000, text);
	if (n < 0 || (size_t)n >= sizeof(sm))
		n = (int)sizeof(sm) - 1;

	smpp_pdu_init(&d, SMPP_DELIVER_SM, 0, 1);
	d.source = p->dest;
	d.dest = p->source;
	/* deliver_sm addresses are 21 octets; data_sm ones may be longer */
	d.source.addr[DELIVER_ADDR_MAX - 1] = '\0';
	d.dest.addr[DELIVER_ADDR_MAX - 1] = '\0';
	d.esm_class = 0x04;
	d.data_coding = 0;
	d.short_message = (const uint8_t *)sm;
	d.sm_length = (uint8_t)n;
	d.has_receipted_id = 1;
	snprintf(d.receipted_message_id, sizeof(d.receipted_message_id), "%s",
		 idbuf);
	d.has_message_state = 1;
	d.message_state = dlr_state(s->o.dlr_stat);
	n = smpp_pdu_encode(&d, buf, sizeof(buf));
	if (n < 0) {
		LOG(LC_SMPP, LL_ERROR, "conn=%u dlr=encode_failed error=%d",
		    c->id, n);
		return;
	}
	to = sim_conn_is_rx(c) ? c : sim_conn_pick_rx(s, c->system_id);
	if (sim_deliver_queue(s, to, buf, (size_t)n, s->o.dlr_delay_ms,
			      SIM_DELIVER_KEEP, NULL, NULL, 0) == 0)
		s->st.dlr_sent++;
}

static void
on_submit(struct sim_conn *c, const struct smpp_pdu *p)
{
	struct sim *s = c->sim;
	uint32_t resp = p->command_id | 0x80000000u, status = 0;
	char id[32];
	uint64_t n;

	s->st.submits++;
	if (p->command_id == SMPP_DATA_SM)
		s->st.data_sm++;
	if (c->bound != SMPP_BIND_TRANSCEIVER &&
	    c->bound != SMPP_BIND_TRANSMITTER) {
		s->st.submit_refused++;
		respond(c, resp, SMPP_ESME_RINVBNDSTS, p->sequence, NULL);
		return;
	}
	switch (sim_fault_submit(s, s->st.submits, &status)) {
	case SIM_SUBMIT_DROP:
		if (s->o.record_all)
			sim_summary_submit(s->sum, p, "", SIM_SUBMIT_DROPPED);
		s->st.dropped_conns++;
		LOG(LC_SMPP, LL_INFO, "conn=%u fault=drop_after submit=%lu",
		    c->id, s->st.submits);
		sim_conn_close(c, 0, "fault_drop_after");
		return;
	case SIM_SUBMIT_REFUSE:
		if (s->o.record_all)
			sim_summary_submit(s->sum, p, "", status);
		respond(c, resp, status, p->sequence, NULL);
		return;
	case SIM_SUBMIT_OK:
		break;
	}
	n = s->next_msgid;
	sim_smsc_msgid(s, id, sizeof(id));
	respond(c, resp, SMPP_ESME_ROK, p->sequence, id);
	s->st.submits_ok++;
	sim_summary_submit(s->sum, p, id, SMPP_ESME_ROK);
	send_receipt(c, p, n);
}

/* A PDU that did not decode: the error response for a known request,
 * generic_nack for the rest; never an answer to an answer. */
static void
on_decode_error(struct sim_conn *c, const struct smpp_decode_error *err)
{
	char v[96];

	c->sim->st.decode_errors++;
	LOG(LC_SMPP, LL_WARN, "conn=%u pdu=undecodable cmd=0x%08x reason=%s",
	    c->id, err->command_id, log_value(v, sizeof(v), err->reason));
	if (smpp_cmd_is_response(err->command_id))
		return;
	if (is_known_request(err->command_id) &&
	    err->command_id != SMPP_ENQUIRE_LINK &&
	    err->command_id != SMPP_UNBIND)
		respond(c, err->command_id | 0x80000000u, err->status,
			err->sequence, NULL);
	else
		respond(c, SMPP_GENERIC_NACK, err->status, err->sequence, NULL);
}

void
sim_smsc_pdu(struct sim_conn *c, const uint8_t *raw, size_t len)
{
	struct sim *s = c->sim;
	struct smpp_pdu p;
	struct smpp_decode_error err;

	if (smpp_pdu_decode(raw, len, &p, &err) < 0) {
		on_decode_error(c, &err);
		sim_notify_pdu(s, c, NULL, raw, len);
		return;
	}
	LOG(LC_SMPP, LL_DEBUG, "conn=%u received=%s seq=%u status=0x%x", c->id,
	    smpp_cmd_name(p.command_id), p.sequence, p.command_status);
	switch (p.command_id) {
	case SMPP_BIND_RECEIVER:
	case SMPP_BIND_TRANSMITTER:
	case SMPP_BIND_TRANSCEIVER:
		on_bind(c, &p);
		break;
	case SMPP_ENQUIRE_LINK:
		s->st.enquire_received++;
		if (s->fault.mute_enquire) {
			s->st.enquire_muted++;
			break;
		}
		s->st.enquire_answered++;
		respond(c, SMPP_ENQUIRE_LINK_RESP, 0, p.sequence, NULL);
		break;
	case SMPP_UNBIND:
		s->st.unbinds_received++;
		respond(c, SMPP_UNBIND_RESP, 0, p.sequence, NULL);
		c->bound = 0;
		sim_conn_close(c, 1, "unbind");
		break;
	case SMPP_UNBIND_RESP:
		c->bound = 0;
		sim_conn_close(c, 1, "unbind_answered");
		break;
	case SMPP_SUBMIT_SM:
	case SMPP_DATA_SM:
		on_submit(c, &p);
		break;
	case SMPP_GENERIC_NACK:
		s->st.nacks_received++;
		sim_deliver_response(s, c, &p);
		break;
	default:
		if (smpp_cmd_is_response(p.command_id)) {
			sim_deliver_response(s, c, &p);
			break;
		}
		/* deliver_sm, query_sm, cancel_sm, replace_sm, outbind... */
		respond(c, SMPP_GENERIC_NACK, SMPP_ESME_RINVCMDID, p.sequence,
			NULL);
		break;
	}
	sim_notify_pdu(s, c, &p, raw, len);
}
