/*
 * sim_deliver.c - the simulated SMSC's store of deliver_sm it must get
 * answered: MOs from scenarios, the flood and the console, and delivery
 * receipts (SPEC §2 "the SMSC keeps the message and redelivers it").
 *
 * Owns every struct sim_mo: a copy of the encoded PDU, where it went and
 * under which sequence number. An entry waits for a receiver (or its
 * delay), is sent, and ends when answered: deliver_sm_resp 0 is success;
 * an error status or a lost connection is final unless --redeliver-ms is
 * set, when a temporary error (ESME_RX_T_APPN, ESME_RTHROTTLED,
 * ESME_RMSGQFUL, ESME_RSYSERR) or a lost connection sends it again later
 * on any receiver (a new sequence number, the same bytes). Receipts are
 * always kept that way (SIM_DELIVER_KEEP, retried after 1 s by default). The owner's
 * done callback hears the outcome once, after the entry was unlinked.
 */
#include "sim.h"

#include <errno.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "loop.h"

enum { MO_WAITING, MO_INFLIGHT };

struct sim_mo {
	struct sim_mo *next;
	int state;
	unsigned conn_id; /* pinned (waiting) or where it went (in flight) */
	uint32_t seq;
	unsigned long long due_ms;
	unsigned attempts;
	unsigned keep : 1; /* stored until delivered */
	sim_mo_done_fn *done;
	void *arg;
	uint64_t tag;
	size_t len;
	uint8_t pdu[];
};

/* Waiting entries: s->mo_head..mo_tail in FIFO order; in flight:
 * s->mo_inflight (newest first). */

/* Retry delay of an entry, 0 when it is not retried. */
static unsigned
retry_ms(const struct sim *s, const struct sim_mo *m)
{
	if (s->o.redeliver_ms)
		return s->o.redeliver_ms;
	return m->keep ? 1000 : 0;
}

static int
temporary(uint32_t status)
{
	return status == SMPP_ESME_RX_T_APPN ||
	       status == SMPP_ESME_RTHROTTLED || status == SMPP_ESME_RMSGQFUL ||
	       status == SMPP_ESME_RSYSERR;
}

static void
append_waiting(struct sim *s, struct sim_mo *m)
{
	m->state = MO_WAITING;
	m->next = NULL;
	if (s->mo_tail)
		s->mo_tail->next = m;
	else
		s->mo_head = m;
	s->mo_tail = m;
}

static void
finish(struct sim *s, struct sim_mo *m, uint32_t status)
{
	sim_mo_done_fn *done = m->done;
	void *arg = m->arg;
	uint64_t tag = m->tag;
	unsigned conn = m->conn_id;

	s->mo_count--;
	free(m);
	if (done)
		done(arg, tag, status, conn);
}

static void
arm(struct sim *s, unsigned long long due)
{
	unsigned long long now = loop_now_ms(), ms = due > now ? due - now : 0;
	struct timeval tv = {(time_t)(ms / 1000),
			     (suseconds_t)(ms % 1000) * 1000};

	if (s->mo_timer)
		evtimer_add(s->mo_timer, &tv);
}

/* Sends every waiting entry that is due and has a receiver. */
static void
kick(struct sim *s)
{
	struct sim_mo **pp = &s->mo_head, *m;
	unsigned long long now = loop_now_ms(), next_due = 0;
	struct sim_mo *lost = NULL;

	s->mo_tail = NULL;
	while ((m = *pp)) {
		struct sim_conn *c = NULL;

		if (m->due_ms > now) {
			if (!next_due || m->due_ms < next_due)
				next_due = m->due_ms;
			s->mo_tail = m;
			pp = &m->next;
			continue;
		}
		if (m->conn_id) {
			c = sim_conn_find(s, m->conn_id);
			if (!c || !sim_conn_is_rx(c)) {
				c = NULL;
				if (retry_ms(s, m))
					m->conn_id = 0;
			}
		}
		if (!m->conn_id)
			c = sim_conn_pick_rx(s, NULL);
		if (!c && m->conn_id) {
			/* its connection went and nothing redelivers */
			*pp = m->next;
			m->next = lost;
			lost = m;
			continue;
		}
		if (!c) {
			s->mo_tail = m;
			pp = &m->next;
			continue;
		}
		*pp = m->next;
		m->seq = sim_conn_next_seq(c);
		m->pdu[12] = (uint8_t)(m->seq >> 24);
		m->pdu[13] = (uint8_t)(m->seq >> 16);
		m->pdu[14] = (uint8_t)(m->seq >> 8);
		m->pdu[15] = (uint8_t)m->seq;
		m->conn_id = c->id;
		m->state = MO_INFLIGHT;
		m->next = s->mo_inflight;
		s->mo_inflight = m;
		if (m->attempts++)
			s->st.mo_redelivered++;
		s->st.mo_sent++;
		sim_conn_send(c, m->pdu, m->len, 0);
	}
	if (next_due)
		arm(s, next_due);
	while ((m = lost)) {
		lost = m->next;
		s->st.mo_lost++;
		finish(s, m, SIM_MO_LOST);
	}
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	kick(arg);
}

int
sim_deliver_queue(struct sim *s, struct sim_conn *c, const uint8_t *pdu,
		  size_t len, unsigned delay_ms, unsigned flags,
		  sim_mo_done_fn *done, void *arg, uint64_t tag)
{
	struct sim_mo *m;

	if (len < SMPP_HEADER_LEN || len > SMPP_PDU_MAX)
		return -EINVAL;
	if (s->mo_count >= SIM_MO_INFLIGHT_MAX)
		return -ENOBUFS;
	if (!s->mo_timer)
		s->mo_timer = evtimer_new(s->base, on_timer, s);
	m = calloc(1, sizeof(*m) + len);
	if (!m)
		return -ENOMEM;
	memcpy(m->pdu, pdu, len);
	m->len = len;
	m->conn_id = c ? c->id : 0;
	m->keep = (flags & SIM_DELIVER_KEEP) != 0;
	m->due_ms = delay_ms ? loop_now_ms() + delay_ms : 0;
	m->done = done;
	m->arg = arg;
	m->tag = tag;
	s->mo_count++;
	append_waiting(s, m);
	kick(s);
	return 0;
}

int
sim_deliver_response(struct sim *s, struct sim_conn *c,
		     const struct smpp_pdu *p)
{
	struct sim_mo **pp, *m;
	uint32_t status = p->command_status;

	for (pp = &s->mo_inflight; (m = *pp); pp = &m->next)
		if (m->conn_id == c->id && m->seq == p->sequence)
			break;
	if (!m)
		return 0;
	*pp = m->next;
	if (status == SMPP_ESME_ROK) {
		s->st.mo_acked++;
		finish(s, m, status);
		return 1;
	}
	s->st.mo_errors++;
	if (retry_ms(s, m) && temporary(status)) {
		LOG(LC_SMPP, LL_INFO,
		    "conn=%u deliver_sm=refused seq=%u status=0x%x "
		    "redeliver_in_ms=%u",
		    c->id, m->seq, status, retry_ms(s, m));
		m->conn_id = 0;
		m->due_ms = loop_now_ms() + retry_ms(s, m);
		append_waiting(s, m);
		kick(s);
		return 1;
	}
	finish(s, m, status);
	return 1;
}

void
sim_deliver_conn_event(struct sim *s, struct sim_conn *c, enum sim_event ev)
{
	struct sim_mo **pp, *m, *gone = NULL;

	if (ev == SIM_EV_BOUND) {
		kick(s);
		return;
	}
	if (ev != SIM_EV_CLOSED)
		return;
	/* take its in-flight entries off first: done callbacks may queue */
	for (pp = &s->mo_inflight; (m = *pp);) {
		if (m->conn_id != c->id) {
			pp = &m->next;
			continue;
		}
		*pp = m->next;
		m->next = gone;
		gone = m;
	}
	while ((m = gone)) {
		gone = m->next;
		if (retry_ms(s, m)) {
			m->conn_id = 0;
			m->due_ms = loop_now_ms() + retry_ms(s, m);
			append_waiting(s, m);
		} else {
			s->st.mo_lost++;
			finish(s, m, SIM_MO_LOST);
		}
	}
	kick(s); /* also fails entries pinned to c */
}

unsigned
sim_deliver_pending(const struct sim *s)
{
	return s->mo_count;
}

void
sim_deliver_free_all(struct sim *s)
{
	struct sim_mo *m;

	while ((m = s->mo_head)) {
		s->mo_head = m->next;
		free(m);
	}
	s->mo_tail = NULL;
	while ((m = s->mo_inflight)) {
		s->mo_inflight = m->next;
		free(m);
	}
	s->mo_count = 0;
	if (s->mo_timer) {
		event_free(s->mo_timer);
		s->mo_timer = NULL;
	}
}
