/*
 * sim_script.c - runs a parsed scenario (sim_scenario.c) against the live
 * simulator: expect lines consume what ESMEs sent, send lines inject MOs,
 * USSD steps and raw bytes, fault and set lines change the SMSC's
 * behaviour, wait lines wait. A failed expectation ends the run with exit
 * status 1 and one clear line; the end of the script ends it with 0
 * (unless --stay).
 *
 * Owns the scenario, the queue of received PDUs and events not yet
 * consumed (copies, at most RXQ_MAX: the oldest go first) and two events
 * (the step timer and a zero-delay "run" event, so steps never run inside
 * a connection's callback). Does not answer PDUs: sim_smsc.c did that
 * before the runner sees them.
 */
#include "sim.h"

#include <errno.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "loop.h"
#include "sim_scenario.h"
#include "sim_text.h"

#define RXQ_MAX 4096

struct rx_item {
	struct rx_item *next;
	uint32_t cmd; /* command id or SIM_CMD_* */
	unsigned conn_id;
	int decoded;
	struct smpp_pdu p; /* borrows raw */
	size_t len;
	uint8_t raw[];
};

struct sim_script {
	struct sim *s;
	struct sim_scenario *sc;
	size_t pc;
	int started; /* the current step's deadline is set */
	unsigned long long deadline;
	unsigned step_timeout;
	struct rx_item *head, *tail;
	size_t nq;
	unsigned long dropped;
	struct event *timer, *run_ev;
	unsigned default_timeout;
	unsigned spread_rr;
	int done, failed, fail_line;
	char why[1280];
};

static void
schedule(struct sim_script *r)
{
	if (r->run_ev)
		event_active(r->run_ev, EV_TIMEOUT, 0);
}

static void
arm(struct sim_script *r, unsigned long long at)
{
	unsigned long long now = loop_now_ms(), ms = at > now ? at - now : 0;
	struct timeval tv = {(time_t)(ms / 1000),
			     (suseconds_t)(ms % 1000) * 1000};

	evtimer_add(r->timer, &tv);
}

static void
push(struct sim_script *r, uint32_t cmd, unsigned conn_id, const uint8_t *raw,
     size_t len)
{
	struct rx_item *it;
	struct smpp_decode_error err;

	if (r->done)
		return;
	if (r->nq == RXQ_MAX) {
		it = r->head;
		r->head = it->next;
		if (!r->head)
			r->tail = NULL;
		free(it);
		r->nq--;
		if (!r->dropped++)
			LOG(LC_APP, LL_WARN,
			    "scenario=running queue=full dropping=oldest "
			    "max=%d",
			    RXQ_MAX);
	}
	it = calloc(1, sizeof(*it) + len);
	if (!it)
		return;
	it->cmd = cmd;
	it->conn_id = conn_id;
	it->len = len;
	if (len)
		memcpy(it->raw, raw, len);
	if (cmd != SIM_CMD_CONNECT && cmd != SIM_CMD_DISCONNECT &&
	    cmd != SIM_CMD_UNDECODABLE)
		it->decoded =
			smpp_pdu_decode(it->raw, it->len, &it->p, &err) == 0;
	if (r->tail)
		r->tail->next = it;
	else
		r->head = it;
	r->tail = it;
	r->nq++;
	schedule(r);
}

void
sim_script_on_pdu(struct sim_script *r, struct sim_conn *c,
		  const struct smpp_pdu *p, const uint8_t *raw, size_t len)
{
	push(r, p ? p->command_id : SIM_CMD_UNDECODABLE, c->id, raw, len);
}

void
sim_script_on_event(struct sim_script *r, struct sim_conn *c, enum sim_event ev)
{
	if (ev == SIM_EV_CONNECT)
		push(r, SIM_CMD_CONNECT, c->id, NULL, 0);
	else if (ev == SIM_EV_CLOSED)
		push(r, SIM_CMD_DISCONNECT, c->id, NULL, 0);
	else
		schedule(r); /* a send may be waiting for a receiver */
}

static size_t
text_of(const struct smpp_pdu *p, char *out, size_t cap)
{
	struct sim_body b;

	sim_body_of(p, &b);
	return sim_text_decode(p->data_coding, b.ud, b.ud_len, out, cap);
}

static int
is_bind(uint32_t cmd)
{
	return cmd == SMPP_BIND_TRANSCEIVER || cmd == SMPP_BIND_TRANSMITTER ||
	       cmd == SMPP_BIND_RECEIVER;
}

static int
matches(const struct sim_match *m, const struct rx_item *it)
{
	const struct smpp_pdu *p = &it->p;

	if (m->cmd == SIM_CMD_BIND) {
		if (!is_bind(it->cmd))
			return 0;
	} else if (it->cmd != m->cmd)
		return 0;
	if (!it->decoded)
		return m->what == 0;
	if ((m->what & SIM_M_STATUS) && p->command_status != m->status)
		return 0;
	if ((m->what & SIM_M_SYSTEM_ID) && strcmp(p->system_id, m->system_id))
		return 0;
	if ((m->what & SIM_M_PASSWORD) && strcmp(p->password, m->password))
		return 0;
	if ((m->what & SIM_M_SRC) && strcmp(p->source.addr, m->src))
		return 0;
	if ((m->what & SIM_M_DST) && strcmp(p->dest.addr, m->dst))
		return 0;
	if ((m->what & SIM_M_SERVICE_TYPE) &&
	    strcmp(p->service_type, m->service_type))
		return 0;
	if ((m->what & SIM_M_DCS) && p->data_coding != m->dcs)
		return 0;
	if ((m->what & SIM_M_ESM) && p->esm_class != m->esm)
		return 0;
	if ((m->what & SIM_M_RD) && p->registered_delivery != m->rd)
		return 0;
	if ((m->what & SIM_M_OP) &&
	    (!p->has_ussd_op || p->ussd_service_op != m->op))
		return 0;
	if ((m->what & SIM_M_SESSION) &&
	    (!p->has_its_session || ((unsigned)p->its_session_info[0] << 8 |
				     p->its_session_info[1]) != m->session))
		return 0;
	if (m->what & (SIM_M_TEXT | SIM_M_TEXT_SUB)) {
		char text[4 * SMPP_PAYLOAD_MAX];
		size_t n = text_of(p, text, sizeof(text));
		if ((m->what & SIM_M_TEXT) &&
		    (n != m->text_len || memcmp(text, m->text, n)))
			return 0;
		if ((m->what & SIM_M_TEXT_SUB) && m->text_len &&
		    !memmem(text, n, m->text, m->text_len))
			return 0;
	}
	if (m->what & SIM_M_HEX) {
		struct sim_body b;
		sim_body_of(p, &b);
		if (b.all_len != m->hex_len ||
		    (b.all_len && memcmp(b.all, m->hex, b.all_len)))
			return 0;
	}
	return 1;
}

/* One line describing a received item, for failure messages. */
static void
describe(const struct rx_item *it, char *out, size_t n)
{
	const struct smpp_pdu *p = &it->p;
	char text[256];

	if (!it->decoded) {
		snprintf(out, n, "%s conn=%u len=%zu",
			 sim_scenario_cmd_name(it->cmd), it->conn_id, it->len);
		return;
	}
	text_of(p, text, sizeof(text));
	snprintf(out, n,
		 "%s conn=%u seq=%u status=0x%x system_id=%s src=%s dst=%s "
		 "dcs=%u esm=0x%02x text=\"%s\"",
		 smpp_cmd_name(p->command_id), it->conn_id, p->sequence,
		 p->command_status, p->system_id, p->source.addr, p->dest.addr,
		 p->data_coding, p->esm_class, text);
}

static void
fail(struct sim_script *r, const struct sim_step *st, const char *reason)
{
	char step[512], seen[600] = "";
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f) {
		sim_scenario_print_step(st, f);
		fclose(f);
	}
	snprintf(step, sizeof(step), "%s", buf ? buf : "?");
	free(buf);
	if (st->kind == SIM_STEP_EXPECT) {
		/* the last unconsumed item of that kind helps the reader */
		const struct rx_item *last = NULL;
		for (const struct rx_item *it = r->head; it; it = it->next)
			if (it->cmd == st->m.cmd ||
			    (st->m.cmd == SIM_CMD_BIND && is_bind(it->cmd)))
				last = it;
		if (last) {
			char d[512];
			describe(last, d, sizeof(d));
			snprintf(seen, sizeof(seen), "; last seen: %s", d);
		}
	}
	snprintf(r->why, sizeof(r->why), "%s: %s%s", step, reason, seen);
	r->failed = 1;
	r->done = 1;
	r->fail_line = st->line;
	LOG(LC_APP, LL_ERROR, "scenario=failed line=%d", st->line);
	sim_finish(r->s, 1);
}

/* A connection to send to; NULL when none yet. */
static struct sim_conn *
target(struct sim_script *r, const struct sim_step *st)
{
	struct sim *s = r->s;

	switch (st->kind) {
	case SIM_STEP_SEND_MO:
		return sim_conn_pick_rx(s, NULL);
	case SIM_STEP_SEND_PDU:
		return sim_conn_latest(s, 1);
	default: {
		struct sim_conn *c = sim_conn_latest(s, 1);
		return c ? c : sim_conn_latest(s, 0);
	}
	}
}

struct emit_ctx {
	struct sim_script *r;
	struct sim_conn *c;
	int spread, err;
};

static struct sim_conn *
rx_nth(struct sim *s, unsigned k)
{
	unsigned n = 0;
	struct sim_conn *c;

	for (c = s->conns; c; c = c->next)
		n += sim_conn_is_rx(c);
	if (!n)
		return NULL;
	k %= n;
	for (c = s->conns; c; c = c->next)
		if (sim_conn_is_rx(c) && k-- == 0)
			return c;
	return NULL;
}

static void
emit(void *arg, const uint8_t *pdu, size_t len, int part, int total)
{
	struct emit_ctx *e = arg;
	struct sim_conn *c = e->c;

	if (e->spread)
		c = rx_nth(e->r->s, e->r->spread_rr++);
	if (sim_deliver_queue(e->r->s, c, pdu, len, 0, 0, NULL, NULL, 0) < 0)
		e->err = 1;
}

static void
apply_fault(struct sim_script *r, const struct sim_step *st, struct sim_conn *c)
{
	struct sim *s = r->s;
	uint8_t buf[SMPP_PDU_MAX + 16];
	size_t n;

	switch ((enum sim_fault_op)st->op) {
	case SIM_F_THROTTLE:
		s->fault.throttle_left = st->n;
		break;
	case SIM_F_QUEUE_FULL:
		s->fault.queue_full_left = st->n;
		break;
	case SIM_F_DROP:
		s->st.dropped_conns += s->nconns;
		sim_conn_close_all(s, 0, "fault_drop");
		break;
	case SIM_F_DELAY:
		s->fault.delay_ms = st->n;
		break;
	case SIM_F_MALFORMED:
		n = sim_fault_malformed_build((int)st->n, sim_conn_next_seq(c),
					      buf, sizeof(buf));
		sim_conn_send_raw(c, buf, n);
		s->st.malformed_sent++;
		break;
	case SIM_F_MUTE_ENQUIRE:
		s->fault.mute_enquire = st->n != 0;
		break;
	case SIM_F_BIND_STATUS:
		s->fault.bind_fail_status = st->status;
		s->fault.bind_fail_left = st->n;
		break;
	case SIM_F_CLEAR:
		memset(&s->fault, 0, sizeof(s->fault));
		break;
	}
	LOG(LC_APP, LL_INFO, "scenario=running line=%d fault=applied",
	    st->line);
}

static void
apply_set(struct sim_script *r, const struct sim_step *st)
{
	struct sim *s = r->s;

	switch ((enum sim_set_op)st->op) {
	case SIM_SET_DLR:
		s->o.dlr = st->n != 0;
		break;
	case SIM_SET_DLR_STAT:
		memcpy(s->o.dlr_stat, st->word, sizeof(s->o.dlr_stat));
		break;
	case SIM_SET_REDELIVER:
		s->o.redeliver_ms = st->n;
		break;
	case SIM_SET_TIMEOUT:
		r->default_timeout = st->n;
		break;
	case SIM_SET_MSGID:
		s->o.msgid_fmt = st->n ? SIM_ID_DEC : SIM_ID_HEX;
		break;
	}
}

/* Runs one step: 1 done, 0 must wait (timer armed), -1 failed. */
static int
step(struct sim_script *r, const struct sim_step *st)
{
	struct sim *s = r->s;
	unsigned long long now = loop_now_ms();
	struct sim_conn *c = NULL;

	if (!r->started) {
		unsigned t = st->kind == SIM_STEP_WAIT ? st->n
			     : st->timeout_ms          ? st->timeout_ms
						       : r->default_timeout;
		r->deadline = now + t;
		r->step_timeout = t;
		r->started = 1;
	}
	switch (st->kind) {
	case SIM_STEP_EXPECT: {
		struct rx_item **pp, *it;
		for (pp = &r->head; (it = *pp); pp = &it->next)
			if (matches(&st->m, it))
				break;
		if (it) {
			*pp = it->next;
			if (r->tail == it) {
				struct rx_item *t = r->head;
				while (t && t->next)
					t = t->next;
				r->tail = t;
			}
			r->nq--;
			free(it);
			return 1;
		}
		break;
	}
	case SIM_STEP_WAIT:
		if (now >= r->deadline)
			return 1;
		arm(r, r->deadline);
		return 0;
	case SIM_STEP_SET:
		apply_set(r, st);
		return 1;
	case SIM_STEP_FAULT:
		if (st->op != SIM_F_MALFORMED) {
			apply_fault(r, st, NULL);
			return 1;
		}
		c = target(r, st);
		if (!c)
			break;
		apply_fault(r, st, c);
		return 1;
	default:
		c = target(r, st);
		if (!c)
			break;
		if (st->kind == SIM_STEP_SEND_RAW) {
			sim_conn_send_raw(c, st->raw, st->raw_len);
			s->st.raw_sent++;
		} else if (st->kind == SIM_STEP_SEND_PDU) {
			struct smpp_pdu p;
			smpp_pdu_init(&p, st->cmd, 0, sim_conn_next_seq(c));
			if (st->cmd == SMPP_UNBIND)
				s->st.unbinds_sent++;
			sim_conn_send_pdu(c, &p, 0);
		} else {
			struct emit_ctx e = {r, c, st->mo.spread, 0};
			const char *why = "";
			if (sim_mo_build(&st->mo, &s->next_ref, emit, &e,
					 &why) < 0) {
				fail(r, st, why);
				return -1;
			}
			if (e.err) {
				fail(r, st, "too many deliver_sm in flight");
				return -1;
			}
		}
		return 1;
	}
	if (now >= r->deadline) {
		char reason[96];
		snprintf(reason, sizeof(reason), "%s within %u ms",
			 st->kind == SIM_STEP_EXPECT
				 ? "not received"
				 : "no connection to send to",
			 r->step_timeout);
		fail(r, st, reason);
		return -1;
	}
	arm(r, r->deadline);
	return 0;
}

static void
run(struct sim_script *r)
{
	while (!r->done && r->pc < r->sc->n) {
		const struct sim_step *st = &r->sc->steps[r->pc];
		int rc = step(r, st);
		if (rc <= 0)
			return;
		LOG(LC_APP, LL_DEBUG, "scenario=running line=%d step=done",
		    st->line);
		r->pc++;
		r->started = 0;
	}
	if (!r->done && r->pc == r->sc->n) {
		r->done = 1;
		LOG(LC_APP, LL_INFO, "scenario=done steps=%zu", r->sc->n);
		if (!r->s->o.stay)
			sim_finish(r->s, 0);
	}
}

static void
on_run(evutil_socket_t fd, short what, void *arg)
{
	run(arg);
}

struct sim_script *
sim_script_new(struct sim *s, struct sim_scenario *sc)
{
	struct sim_script *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->s = s;
	r->sc = sc;
	r->default_timeout = s->o.timeout_ms;
	r->timer = evtimer_new(s->base, on_run, r);
	r->run_ev = event_new(s->base, -1, 0, on_run, r);
	if (!r->timer || !r->run_ev) {
		r->sc = NULL;
		sim_script_free(r);
		return NULL;
	}
	return r;
}

void
sim_script_start(struct sim_script *r)
{
	schedule(r);
}

void
sim_script_free(struct sim_script *r)
{
	struct rx_item *it;

	if (!r)
		return;
	while ((it = r->head)) {
		r->head = it->next;
		free(it);
	}
	if (r->timer)
		event_free(r->timer);
	if (r->run_ev)
		event_free(r->run_ev);
	sim_scenario_free(r->sc);
	free(r);
}

int
sim_script_report(struct sim_script *r, FILE *f)
{
	if (r->failed) {
		fprintf(f, "scenario failed line=%d: %s\n", r->fail_line,
			r->why);
		fflush(f);
		return 1;
	}
	if (r->done) {
		fprintf(f, "scenario ok steps=%zu\n", r->sc->n);
		fflush(f);
		return 0;
	}
	fprintf(f, "scenario interrupted line=%d steps_done=%zu/%zu\n",
		r->pc < r->sc->n ? r->sc->steps[r->pc].line : 0, r->pc,
		r->sc->n);
	fflush(f);
	return 1;
}
