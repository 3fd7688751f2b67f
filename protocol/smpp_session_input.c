/*
 * smpp_session_input.c - what the peer sends to an SMPP session, and the
 * MOs handed up (SPEC §2; contract in include/smpp_session.h, lifecycle in
 * smpp_session.c).
 *
 * Owns: matching responses to our requests (the bind, enquire_link,
 * unbind, submits), the throttling rule, the table of requests an ESME
 * answers, the MO slots (max_mo_pending) with their tokens and the read
 * backpressure, and the answers to PDUs that failed to decode.
 *
 * Does not: decode (the caller hands us structs or a decode error), send
 * anything but responses, or keep an MO's content (borrowed for ops->mo).
 *
 * Decisions:
 *   - Throttling (ESME_RTHROTTLED, ESME_RMSGQFUL on a submit_sm_resp or a
 *     generic_nack): the submit goes back to the head of its destination,
 *     all submits pause until SMPP_T_THROTTLE (re-armed by each new one)
 *     fires; throttled destinations go first then, in the order throttled.
 *     While stopping, a throttled submit completes SMPP_SUBMIT_STOPPED.
 *   - MO tokens are (connection generation << 32 | sequence); the
 *     generation counts connections (never 0), so a completion for an
 *     earlier connection is ignored. More MOs than max_mo_pending (the
 *     caller read on after read_pause(1)) are answered ESME_RX_T_APPN.
 *     Finding a token's slot is a scan of max_mo_pending slots.
 *   - Input in the wrong state: deliver_sm / data_sm outside BOUND, or on
 *     a transmitter, get their response with ESME_RINVBNDSTS;
 *     enquire_link and unbind are answered in every connected state;
 *     outbind and alert_notification are ignored; any other request
 *     (submit_sm, bind_*, query_sm, unknown ids...) gets generic_nack
 *     ESME_RINVCMDID.
 *   - Nothing with the response bit set is ever answered, not even when it
 *     fails to decode (no nack ping-pong); a response we do not expect
 *     (unknown sequence, or not the response of that request) is ignored.
 *     A response that fails to decode ends its request all the same: a
 *     submit with SMPP_SUBMIT_BAD_RESPONSE, a bind as a refusal, an
 *     enquire_link or unbind as answered.
 *   - A request that fails to decode: a bad header (ESME_RINVCMDLEN,
 *     ESME_RINVCMDID) gets generic_nack with that status; a bad body gets
 *     its own response with the error status when we answer that command
 *     (deliver_sm, data_sm, enquire_link, unbind), silence for outbind /
 *     alert_notification, else generic_nack with the error status. The
 *     link stays up.
 */
#include "smpp_session_impl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* ---- responses ----------------------------------------------------------- */

static void
session_on_bind_resp(struct smpp_session *s, uint32_t id, uint32_t status,
		     int bad)
{
	s->bind_seq = 0;
	if (!bad && id != SMPP_GENERIC_NACK && status == SMPP_ESME_ROK) {
		backoff_reset(&s->backoff);
		s->st.binds++;
		smpp_sess_set_state(s, SMPP_S_BOUND, "bound");
		return;
	}
	if (bad)
		snprintf(s->reason, sizeof(s->reason),
			 "bind response not decodable");
	else
		snprintf(s->reason, sizeof(s->reason),
			 "bind refused status=0x%08x", status);
	smpp_sess_link_down(s, s->reason, 1);
}

/* A response (or a response that failed to decode: bad). */
static void
session_on_response(struct smpp_session *s, uint32_t id, uint32_t seq,
		    uint32_t status, const char *message_id, int bad)
{
	struct smpp_submitq_req *r;
	struct smpp_submitq_item *it;

	if (s->state == SMPP_S_BINDING) {
		if (seq == s->bind_seq &&
		    (id == SMPP_GENERIC_NACK ||
		     id == (smpp_sess_bind_id(s) | SMPP_RESP_BIT)))
			session_on_bind_resp(s, id, status, bad);
		return; /* anything else: not expected, ignored */
	}
	r = smpp_sess_req_find(s, seq);
	if (!r ||
	    (id != SMPP_GENERIC_NACK && id != (r->command_id | SMPP_RESP_BIT)))
		return; /* not expected: ignored, never answered */
	smpp_sess_req_remove(s, r);
	if (r == &s->enquire)
		return;
	if (r == &s->unbind) {
		smpp_sess_link_down(s, "unbound", 1);
		return;
	}
	it = smpp_sess_item(r);
	if (bad) {
		smpp_sess_submit_finish(s, it, SMPP_SUBMIT_BAD_RESPONSE, "");
		return;
	}
	if (status == SMPP_ESME_RTHROTTLED || status == SMPP_ESME_RMSGQFUL) {
		s->st.throttled++;
		if (s->stopping) {
			smpp_sess_submit_finish(s, it, SMPP_SUBMIT_STOPPED, "");
			return;
		}
		smpp_submitq_retry(&s->q, it);
		s->throttled = 1;
		smpp_sess_timer_arm(s, SMPP_T_THROTTLE);
		return;
	}
	smpp_sess_submit_finish(s, it, status,
				id == SMPP_GENERIC_NACK ? "" : message_id);
}

static void
session_on_mo(struct smpp_session *s, const struct smpp_pdu *pdu)
{
	uint32_t resp = pdu->command_id | SMPP_RESP_BIT;
	struct smpp_sess_mo *m = s->mo;

	if (s->cfg.mode == SMPP_BIND_TX) {
		smpp_sess_reply(s, resp, SMPP_ESME_RINVBNDSTS, pdu->sequence);
		return;
	}
	if (!s->ops.mo || s->mo_pending >= s->cfg.max_mo_pending) {
		/* the caller read on after read_pause(1): the SMSC retries */
		smpp_sess_reply(s, resp, SMPP_ESME_RX_T_APPN, pdu->sequence);
		return;
	}
	while (m->used)
		m++; /* a free slot exists: mo_pending < max_mo_pending */
	m->used = 1;
	m->sequence = pdu->sequence;
	m->resp_id = resp;
	s->mo_pending++;
	s->st.mo_received++;
	s->depth++;
	s->ops.mo(s->ops.arg, pdu, (uint64_t)s->gen << 32 | pdu->sequence);
	s->depth--;
	if (!s->read_paused && s->mo_pending >= s->cfg.max_mo_pending)
		smpp_sess_cb_read_pause(s, 1);
}

static void
session_on_enquire_link(struct smpp_session *s, const struct smpp_pdu *pdu)
{
	smpp_sess_reply(s, SMPP_ENQUIRE_LINK_RESP, SMPP_ESME_ROK,
			pdu->sequence);
}

static void
session_on_unbind(struct smpp_session *s, const struct smpp_pdu *pdu)
{
	smpp_sess_reply(s, SMPP_UNBIND_RESP, SMPP_ESME_ROK, pdu->sequence);
	smpp_sess_link_down(s, "unbind from peer", 1);
}

/* Requests we handle; any other request gets generic_nack RINVCMDID. */
static const struct session_req_rule {
	uint32_t command_id;
	unsigned states; /* handled there; elsewhere ESME_RINVBNDSTS */
	void (*handle)(struct smpp_session *s, const struct smpp_pdu *pdu);
} req_table[] = {
	{SMPP_DELIVER_SM, S(BOUND), session_on_mo},
	{SMPP_DATA_SM, S(BOUND), session_on_mo},
	{SMPP_ENQUIRE_LINK, CONNECTED, session_on_enquire_link},
	{SMPP_UNBIND, CONNECTED, session_on_unbind},
	{SMPP_OUTBIND, CONNECTED, NULL},            /* ignored */
	{SMPP_ALERT_NOTIFICATION, CONNECTED, NULL}, /* no response */
};

static const struct session_req_rule *
session_req_rule(uint32_t id)
{
	for (size_t i = 0; i < sizeof(req_table) / sizeof(req_table[0]); i++)
		if (req_table[i].command_id == id)
			return &req_table[i];
	return NULL;
}

static void
session_on_request(struct smpp_session *s, const struct smpp_pdu *pdu)
{
	const struct session_req_rule *r = session_req_rule(pdu->command_id);

	if (!r)
		smpp_sess_reply(s, SMPP_GENERIC_NACK, SMPP_ESME_RINVCMDID,
				pdu->sequence);
	else if (!((r->states >> s->state) & 1u))
		smpp_sess_reply(s, pdu->command_id | SMPP_RESP_BIT,
				SMPP_ESME_RINVBNDSTS, pdu->sequence);
	else if (r->handle)
		r->handle(s, pdu);
}

/* ---- the API ------------------------------------------------------------- */

void
smpp_session_input(struct smpp_session *s, const struct smpp_pdu *pdu)
{
	char id[SMPP_MESSAGE_ID_MAX];

	smpp_sess_enter(s);
	if (!smpp_sess_accepts(s, EV_INPUT))
		return; /* a stale PDU of a closed connection */
	if (s->state == SMPP_S_BOUND)
		smpp_sess_timer_arm(s, SMPP_T_ENQUIRE); /* not idle */
	if (pdu->command_id & SMPP_RESP_BIT) {
		memcpy(id, pdu->message_id, sizeof(id));
		id[sizeof(id) - 1] = '\0';
		session_on_response(s, pdu->command_id, pdu->sequence,
				    pdu->command_status, id, 0);
	} else {
		session_on_request(s, pdu);
	}
	smpp_sess_leave(s);
}

void
smpp_session_input_error(struct smpp_session *s,
			 const struct smpp_decode_error *err)
{
	const struct session_req_rule *r;

	smpp_sess_enter(s);
	if (!smpp_sess_accepts(s, EV_INPUT))
		return;
	if (s->state == SMPP_S_BOUND)
		smpp_sess_timer_arm(s, SMPP_T_ENQUIRE);
	if (err->command_id & SMPP_RESP_BIT) {
		/* never answered; the request it answers ends */
		session_on_response(s, err->command_id, err->sequence, 0, "",
				    1);
	} else if (err->status == SMPP_ESME_RINVCMDLEN ||
		   err->status == SMPP_ESME_RINVCMDID) {
		/* the header itself is bad */
		smpp_sess_reply(s, SMPP_GENERIC_NACK, err->status,
				err->sequence);
	} else if ((r = session_req_rule(err->command_id))) {
		if (r->handle) /* its own response, with the error */
			smpp_sess_reply(s, err->command_id | SMPP_RESP_BIT,
					err->status, err->sequence);
	} else {
		smpp_sess_reply(s, SMPP_GENERIC_NACK, err->status,
				err->sequence);
	}
	smpp_sess_leave(s);
}

int
smpp_session_mo_complete(struct smpp_session *s, uint64_t token,
			 uint32_t status)
{
	uint32_t gen = (uint32_t)(token >> 32), seq = (uint32_t)token;
	struct smpp_pdu p;
	struct smpp_sess_mo *m = NULL;
	int rc;

	if (!smpp_sess_accepts(s, EV_MO_COMPLETE) || gen != s->gen || !gen)
		return -ENOENT;
	for (unsigned i = 0; i < s->cfg.max_mo_pending; i++) {
		if (s->mo[i].used && s->mo[i].sequence == seq) {
			m = &s->mo[i];
			break;
		}
	}
	if (!m)
		return -ENOENT;
	m->used = 0;
	s->mo_pending--;
	smpp_sess_pdu_init(&p, m->resp_id, status, seq);
	rc = smpp_sess_send_ctl(s, &p);
	if (s->read_paused && s->mo_pending < s->cfg.max_mo_pending)
		smpp_sess_cb_read_pause(s, 0);
	smpp_sess_leave(s);
	return rc < 0 ? -EPIPE : 0;
}
