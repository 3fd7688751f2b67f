/*
 * smpp_session.c - the ESME side of one SMPP 3.4 connection as a pure
 * state machine (SPEC §2; the contract is include/smpp_session.h). This
 * half holds the lifecycle; smpp_session_input.c what the peer sends.
 *
 * Owns: the state (state_table below, changed only by smpp_sess_set_state),
 * the named timers (timer_table), sequence numbers (1..0x7fffffff, then 1
 * again, running on across reconnects), the list of our outstanding
 * requests (enquire_link, unbind, submits; the bind is tracked on its own
 * under SMPP_T_BIND) with the response timer, the submit queue
 * (smpp_submitq.c), the reconnect backoff, and the deferred work of
 * smpp_sess_leave().
 *
 * Does not: touch sockets, clocks or logs, encode or decode (the caller
 * does, with smpp_frame / smpp_pdu), or allocate anything but submits
 * (one deep copy each) and a destination record per busy address.
 *
 * Decisions:
 *   - Response timeout: SMPP_T_RESPONSE runs for the oldest outstanding
 *     request. When that one is answered the timer restarts for the next
 *     oldest, which may then get up to response_ms more than its age (no
 *     clock here); a request the peer never answers still times out once
 *     it is the oldest, so one lost submit cannot hold its destination.
 *   - Idle: any PDU received (good or not) restarts SMPP_T_ENQUIRE in
 *     BOUND; what we send does not count. One enquire_link at a time.
 *   - The backoff is reset by a successful bind, so the first delay after
 *     a bound link drops is short again.
 *   - A failed write (ops->send < 0, not -EINVAL) only marks the session
 *     broken; the link is torn down when the outermost session call
 *     returns, so no teardown runs inside a half-finished handler. A submit
 *     whose write failed was never sent: it goes back to its queue.
 *   - Re-entrancy: every ops call runs with depth > 0. From there submit,
 *     mo_complete and stop (deferred) are allowed; the transport and timer
 *     entry points and free abort (see the header). Submits queued from a
 *     callback go out when the outermost call returns.
 *   - A transition the table does not allow aborts: a bug, never input.
 */
#include "smpp_session_impl.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MO_PENDING_MAX  65536u
#define BIND_IF_VERSION 0x34

#define NO_TIMER        SMPP_T__COUNT

/* clang-format off */
static const struct session_state_rule {
	const char *name;
	unsigned events;       /* accepted */
	unsigned next;         /* allowed next states */
	enum smpp_timer timer; /* armed on entry, stopped on exit */
} state_table[SMPP_S__COUNT] = {
	[SMPP_S_IDLE] = {"IDLE",
		E(START) | E(STOP) | E(SUBMIT),
		S(CONNECTING) | S(STOPPED),
		NO_TIMER},
	[SMPP_S_CONNECTING] = {"CONNECTING",
		E(STOP) | E(CONNECTED) | E(CLOSED) | E(SUBMIT) | ET(CONNECT),
		S(BINDING) | S(BACKOFF) | S(STOPPED),
		SMPP_T_CONNECT},
	[SMPP_S_BINDING] = {"BINDING",
		E(STOP) | E(CLOSED) | E(INPUT) | E(SUBMIT) | ET(BIND),
		S(BOUND) | S(BACKOFF) | S(STOPPED),
		SMPP_T_BIND},
	[SMPP_S_BOUND] = {"BOUND",
		E(STOP) | E(CLOSED) | E(INPUT) | E(SUBMIT) | E(MO_COMPLETE) |
		ET(ENQUIRE) | ET(RESPONSE) | ET(THROTTLE),
		S(UNBINDING) | S(BACKOFF),
		SMPP_T_ENQUIRE},
	[SMPP_S_UNBINDING] = {"UNBINDING",
		E(CLOSED) | E(INPUT) | E(MO_COMPLETE) | ET(RESPONSE),
		S(STOPPED),
		NO_TIMER},
	[SMPP_S_BACKOFF] = {"BACKOFF",
		E(STOP) | E(SUBMIT) | ET(BACKOFF),
		S(CONNECTING) | S(STOPPED),
		SMPP_T_BACKOFF},
	[SMPP_S_STOPPED] = {"STOPPED",
		E(START),
		S(CONNECTING),
		NO_TIMER},
};
/* clang-format on */

/* The named timers and the config field each one runs for. */
static const struct session_timer_rule {
	const char *name;
	size_t cfg_ms; /* offsetof() in struct smpp_session_config */
	int backoff;   /* 1: the next backoff delay instead */
} timer_table[SMPP_T__COUNT] = {
#define TIMER_CFG(field) .cfg_ms = offsetof(struct smpp_session_config, field)
	[SMPP_T_CONNECT] = {.name = "connect", TIMER_CFG(connect_ms)},
	[SMPP_T_BIND] = {.name = "bind", TIMER_CFG(bind_ms)},
	[SMPP_T_ENQUIRE] = {.name = "enquire", TIMER_CFG(enquire_ms)},
	[SMPP_T_RESPONSE] = {.name = "response", TIMER_CFG(response_ms)},
	[SMPP_T_BACKOFF] = {.name = "backoff", .backoff = 1},
	[SMPP_T_THROTTLE] = {.name = "throttle", TIMER_CFG(throttle_ms)},
#undef TIMER_CFG
};

/* ---- small helpers ------------------------------------------------------- */

int
smpp_sess_accepts(const struct smpp_session *s, unsigned ev)
{
	return (state_table[s->state].events >> ev) & 1u;
}

int
smpp_sess_connected(const struct smpp_session *s)
{
	return (CONNECTED >> s->state) & 1u;
}

/* Entry points that ops callbacks must not reach. */
void
smpp_sess_enter(const struct smpp_session *s)
{
	if (s->depth)
		abort();
}

static uint32_t
session_next_seq(struct smpp_session *s)
{
	uint32_t seq = s->next_seq;

	s->next_seq = seq >= SMPP_SEQ_MAX ? 1 : seq + 1;
	return seq;
}

void
smpp_sess_pdu_init(struct smpp_pdu *p, uint32_t id, uint32_t status,
		   uint32_t seq)
{
	memset(p, 0, sizeof(*p));
	p->command_id = id;
	p->command_status = status;
	p->sequence = seq;
}

uint32_t
smpp_sess_bind_id(const struct smpp_session *s)
{
	switch (s->cfg.mode) {
	case SMPP_BIND_TX:
		return SMPP_BIND_TRANSMITTER;
	case SMPP_BIND_RX:
		return SMPP_BIND_RECEIVER;
	default:
		return SMPP_BIND_TRANSCEIVER;
	}
}

struct smpp_submitq_item *
smpp_sess_item(struct smpp_submitq_req *r)
{
	return (struct smpp_submitq_item *)((char *)r -
					    offsetof(struct smpp_submitq_item,
						     req));
}

/* ---- ops calls (depth counted) ------------------------------------------- */

static void
session_cb_state(struct smpp_session *s, enum smpp_session_state old,
		 const char *reason)
{
	if (!s->ops.state)
		return;
	s->depth++;
	s->ops.state(s->ops.arg, old, s->state, reason);
	s->depth--;
}

static void
session_cb_disconnect(struct smpp_session *s)
{
	if (!s->ops.disconnect)
		return;
	s->depth++;
	s->ops.disconnect(s->ops.arg);
	s->depth--;
}

void
smpp_sess_cb_read_pause(struct smpp_session *s, int paused)
{
	s->read_paused = paused;
	if (!s->ops.read_pause)
		return;
	s->depth++;
	s->ops.read_pause(s->ops.arg, paused);
	s->depth--;
}

void
smpp_sess_timer_arm(struct smpp_session *s, enum smpp_timer t)
{
	const struct session_timer_rule *r = &timer_table[t];
	unsigned ms;

	if (r->backoff)
		ms = backoff_next(&s->backoff);
	else
		memcpy(&ms, (const char *)&s->cfg + r->cfg_ms, sizeof(ms));
	s->armed |= 1u << t;
	s->depth++;
	s->ops.timer_start(s->ops.arg, t, ms);
	s->depth--;
}

static void
session_timer_disarm(struct smpp_session *s, enum smpp_timer t)
{
	if (!(s->armed & (1u << t)))
		return;
	s->armed &= ~(1u << t);
	s->depth++;
	s->ops.timer_stop(s->ops.arg, t);
	s->depth--;
}

/* Returns 0, -EINVAL (this PDU cannot be encoded; not sent) or -EPIPE (the
 * transport is gone: s->broken is set). */
static int
session_send(struct smpp_session *s, const struct smpp_pdu *pdu)
{
	int rc;

	if (s->broken)
		return -EPIPE;
	s->depth++;
	rc = s->ops.send(s->ops.arg, pdu);
	s->depth--;
	if (rc >= 0)
		return 0;
	if (rc == -EINVAL || rc == -ENOSPC || rc == -EPROTO)
		return -EINVAL;
	s->broken = "write failed";
	return -EPIPE;
}

/* A PDU of ours that is not a submit: if it cannot be encoded the link
 * cannot work either. */
int
smpp_sess_send_ctl(struct smpp_session *s, const struct smpp_pdu *pdu)
{
	int rc = session_send(s, pdu);

	if (rc == -EINVAL) {
		s->broken = "PDU not encodable";
		rc = -EPIPE;
	}
	return rc;
}

void
smpp_sess_reply(struct smpp_session *s, uint32_t id, uint32_t status,
		uint32_t seq)
{
	struct smpp_pdu p;

	smpp_sess_pdu_init(&p, id, status, seq);
	if (id == SMPP_GENERIC_NACK)
		s->st.nacks_sent++;
	smpp_sess_send_ctl(s, &p);
}

/* ---- the state setter ---------------------------------------------------- */

void
smpp_sess_set_state(struct smpp_session *s, enum smpp_session_state now,
		    const char *reason)
{
	enum smpp_session_state old = s->state;

	if (!(state_table[old].next & (1u << now)))
		abort(); /* not in the table: a bug */
	if (state_table[old].timer != NO_TIMER)
		session_timer_disarm(s, state_table[old].timer);
	s->state = now;
	session_cb_state(s, old, reason);
	if (state_table[now].timer != NO_TIMER)
		smpp_sess_timer_arm(s, state_table[now].timer);
}

/* ---- outstanding requests ------------------------------------------------ */

static void
session_req_add(struct smpp_session *s, struct smpp_submitq_req *r, uint32_t id,
		uint32_t seq)
{
	r->command_id = id;
	r->sequence = seq;
	r->next = NULL;
	r->prev = s->req_tail;
	if (s->req_tail)
		s->req_tail->next = r;
	else
		s->req_head = r;
	s->req_tail = r;
	r->linked = 1;
	if (s->req_head == r)
		smpp_sess_timer_arm(s, SMPP_T_RESPONSE);
}

void
smpp_sess_req_remove(struct smpp_session *s, struct smpp_submitq_req *r)
{
	int was_oldest = r == s->req_head;

	if (r->prev)
		r->prev->next = r->next;
	else
		s->req_head = r->next;
	if (r->next)
		r->next->prev = r->prev;
	else
		s->req_tail = r->prev;
	r->prev = r->next = NULL;
	r->linked = 0;
	if (!s->req_head)
		session_timer_disarm(s, SMPP_T_RESPONSE);
	else if (was_oldest)
		smpp_sess_timer_arm(s, SMPP_T_RESPONSE); /* the next oldest */
}

struct smpp_submitq_req *
smpp_sess_req_find(const struct smpp_session *s, uint32_t seq)
{
	struct smpp_submitq_req *r;

	for (r = s->req_head; r; r = r->next)
		if (r->sequence == seq)
			return r;
	return NULL;
}

/* ---- submits ------------------------------------------------------------- */

/* The end of a submit: its outcome goes up, it is freed. */
void
smpp_sess_submit_finish(struct smpp_session *s, struct smpp_submitq_item *it,
			uint32_t status, const char *message_id)
{
	smpp_submitq_done(&s->q, it); /* no-op unless outstanding */
	if (status == SMPP_ESME_ROK)
		s->st.submits_ok++;
	else
		s->st.submits_failed++;
	if (s->ops.submit_done) {
		s->depth++;
		s->ops.submit_done(s->ops.arg, it->cookie, status, message_id);
		s->depth--;
	}
	smpp_submitq_item_free(it);
}

static void
session_fail_queued(struct smpp_session *s)
{
	struct smpp_submitq_item *it = smpp_submitq_take_queued(&s->q), *nx;

	for (; it; it = nx) {
		nx = it->next;
		smpp_sess_submit_finish(s, it, SMPP_SUBMIT_STOPPED, "");
	}
}

static void
session_pump(struct smpp_session *s)
{
	struct smpp_submitq_item *it;

	while (s->state == SMPP_S_BOUND && !s->throttled && !s->broken &&
	       (it = smpp_submitq_next(&s->q))) {
		uint32_t seq = session_next_seq(s);
		int rc;

		it->pdu.sequence = seq;
		rc = session_send(s, &it->pdu);
		if (rc == 0)
			session_req_add(s, &it->req, it->pdu.command_id, seq);
		else if (rc == -EINVAL)
			smpp_sess_submit_finish(s, it, SMPP_SUBMIT_UNENCODABLE,
						"");
		else
			smpp_submitq_retry(&s->q, it); /* never sent */
	}
}

/* ---- going down ---------------------------------------------------------- */

/* The connection is over (or never came): BACKOFF, or STOPPED when
 * stopping. Outstanding submits complete with SMPP_SUBMIT_LINK_LOST after
 * the state change; queued ones stay unless stopping. */
void
smpp_sess_link_down(struct smpp_session *s, const char *reason, int disconnect)
{
	enum smpp_session_state to =
		s->stopping ? SMPP_S_STOPPED : SMPP_S_BACKOFF;
	struct smpp_submitq_item *lost = NULL, **tail = &lost, *it;
	struct smpp_submitq_req *r, *nx;

	s->broken = NULL;
	if (disconnect)
		session_cb_disconnect(s);
	session_timer_disarm(s, SMPP_T_RESPONSE);
	session_timer_disarm(s, SMPP_T_THROTTLE);
	s->throttled = 0;
	smpp_submitq_retry_end(&s->q);
	for (r = s->req_head; r; r = nx) {
		nx = r->next;
		r->prev = r->next = NULL;
		r->linked = 0;
		if (r == &s->enquire || r == &s->unbind)
			continue;
		it = smpp_sess_item(r);
		*tail = it;
		tail = &it->next;
	}
	*tail = NULL;
	s->req_head = s->req_tail = NULL;
	memset(s->mo, 0, s->cfg.max_mo_pending * sizeof(*s->mo));
	s->mo_pending = 0;
	s->bind_seq = 0;
	if (s->read_paused)
		smpp_sess_cb_read_pause(s, 0);
	smpp_sess_set_state(s, to, reason);
	while ((it = lost)) {
		lost = it->next;
		smpp_sess_submit_finish(s, it, SMPP_SUBMIT_LINK_LOST, "");
	}
	if (to == SMPP_S_STOPPED)
		session_fail_queued(s);
}

static void
session_do_stop(struct smpp_session *s)
{
	struct smpp_pdu p;
	uint32_t seq;

	s->stopping = 1;
	switch (s->state) {
	case SMPP_S_IDLE:
	case SMPP_S_BACKOFF:
		smpp_sess_set_state(s, SMPP_S_STOPPED, "stopped");
		session_fail_queued(s);
		break;
	case SMPP_S_CONNECTING:
	case SMPP_S_BINDING:
		smpp_sess_link_down(s, "stopped", 1);
		break;
	case SMPP_S_BOUND:
		session_timer_disarm(s, SMPP_T_THROTTLE);
		s->throttled = 0;
		smpp_submitq_retry_end(&s->q);
		smpp_sess_set_state(s, SMPP_S_UNBINDING, "stopping");
		seq = session_next_seq(s);
		smpp_sess_pdu_init(&p, SMPP_UNBIND, 0, seq);
		if (smpp_sess_send_ctl(s, &p) == 0)
			session_req_add(s, &s->unbind, SMPP_UNBIND, seq);
		session_fail_queued(s);
		break;
	default:
		break;
	}
}

/* Runs what was deferred while inside callbacks: a teardown after a failed
 * write, a stop(), queued submits. Only at the outermost level. */
void
smpp_sess_leave(struct smpp_session *s)
{
	if (s->depth)
		return;
	for (;;) {
		if (s->broken) {
			if (smpp_sess_connected(s))
				smpp_sess_link_down(s, s->broken, 1);
			s->broken = NULL;
			continue;
		}
		if (s->stop_pending) {
			s->stop_pending = 0;
			if (smpp_sess_accepts(s, EV_STOP))
				session_do_stop(s);
			continue;
		}
		if (s->state == SMPP_S_BOUND && !s->throttled &&
		    s->q.ready_head && s->q.outstanding < s->q.window) {
			session_pump(s);
			continue;
		}
		break;
	}
}

static void
session_connect(struct smpp_session *s, const char *reason)
{
	int rc;

	smpp_sess_set_state(s, SMPP_S_CONNECTING, reason);
	s->depth++;
	rc = s->ops.connect(s->ops.arg);
	s->depth--;
	if (rc < 0 && s->state == SMPP_S_CONNECTING)
		smpp_sess_set_state(s, SMPP_S_BACKOFF, "connect failed");
}

/* ---- the API ------------------------------------------------------------- */

struct smpp_session *
smpp_session_new(const struct smpp_session_config *cfg,
		 const struct smpp_session_ops *ops)
{
	struct smpp_session *s;

	if (!cfg || !ops || !ops->connect || !ops->send || !ops->timer_start ||
	    !ops->timer_stop)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->cfg = *cfg;
	s->cfg.system_id[sizeof(s->cfg.system_id) - 1] = '\0';
	s->cfg.password[sizeof(s->cfg.password) - 1] = '\0';
	s->cfg.system_type[sizeof(s->cfg.system_type) - 1] = '\0';
	if (!s->cfg.window)
		s->cfg.window = 1;
	if (!s->cfg.max_mo_pending)
		s->cfg.max_mo_pending = 1;
	if (s->cfg.max_mo_pending > MO_PENDING_MAX)
		s->cfg.max_mo_pending = MO_PENDING_MAX;
	s->ops = *ops;
	s->state = SMPP_S_IDLE;
	s->next_seq =
		cfg->first_sequence >= 1 && cfg->first_sequence <= SMPP_SEQ_MAX
			? cfg->first_sequence
			: 1;
	backoff_init(&s->backoff, cfg->backoff_min_ms, cfg->backoff_max_ms,
		     cfg->seed);
	smpp_submitq_init(&s->q, s->cfg.window);
	s->mo = calloc(s->cfg.max_mo_pending, sizeof(*s->mo));
	if (!s->mo) {
		free(s);
		return NULL;
	}
	return s;
}

void
smpp_session_free(struct smpp_session *s)
{
	struct smpp_submitq_req *r, *nx;

	if (!s)
		return;
	smpp_sess_enter(s);
	for (r = s->req_head; r; r = nx) {
		nx = r->next;
		if (r != &s->enquire && r != &s->unbind)
			smpp_submitq_item_free(smpp_sess_item(r));
	}
	smpp_submitq_fini(&s->q);
	free(s->mo);
	free(s);
}

int
smpp_session_start(struct smpp_session *s)
{
	smpp_sess_enter(s);
	if (!smpp_sess_accepts(s, EV_START))
		return -EALREADY;
	s->stopping = 0;
	session_connect(s, "start");
	smpp_sess_leave(s);
	return 0;
}

void
smpp_session_stop(struct smpp_session *s)
{
	if (s->depth) {
		s->stop_pending = 1; /* from a callback: on the way out */
		return;
	}
	if (smpp_sess_accepts(s, EV_STOP))
		session_do_stop(s);
	smpp_sess_leave(s);
}

void
smpp_session_connected(struct smpp_session *s)
{
	struct smpp_pdu p;

	smpp_sess_enter(s);
	if (!smpp_sess_accepts(s, EV_CONNECTED))
		return;
	if (++s->gen == 0)
		s->gen = 1;
	smpp_sess_set_state(s, SMPP_S_BINDING, "connected");
	s->bind_seq = session_next_seq(s);
	smpp_sess_pdu_init(&p, smpp_sess_bind_id(s), 0, s->bind_seq);
	memcpy(p.system_id, s->cfg.system_id, sizeof(p.system_id));
	memcpy(p.password, s->cfg.password, sizeof(p.password));
	memcpy(p.system_type, s->cfg.system_type, sizeof(p.system_type));
	p.interface_version = BIND_IF_VERSION;
	smpp_sess_send_ctl(s, &p);
	smpp_sess_leave(s);
}

void
smpp_session_closed(struct smpp_session *s, const char *reason)
{
	smpp_sess_enter(s);
	if (smpp_sess_accepts(s, EV_CLOSED))
		smpp_sess_link_down(s, reason ? reason : "closed", 0);
	smpp_sess_leave(s);
}

void
smpp_session_timer(struct smpp_session *s, enum smpp_timer t)
{
	struct smpp_pdu p;
	uint32_t seq;

	smpp_sess_enter(s);
	if ((unsigned)t >= SMPP_T__COUNT || !(s->armed & (1u << t)))
		return; /* stopped meanwhile */
	s->armed &= ~(1u << t);
	if (!smpp_sess_accepts(s, EV_TIMER0 + (unsigned)t))
		return;
	switch (t) {
	case SMPP_T_CONNECT:
		smpp_sess_link_down(s, "connect timeout", 1);
		break;
	case SMPP_T_BIND:
		smpp_sess_link_down(s, "bind timeout", 1);
		break;
	case SMPP_T_ENQUIRE:
		if (!s->enquire.linked) {
			seq = session_next_seq(s);
			smpp_sess_pdu_init(&p, SMPP_ENQUIRE_LINK, 0, seq);
			if (smpp_sess_send_ctl(s, &p) == 0)
				session_req_add(s, &s->enquire,
						SMPP_ENQUIRE_LINK, seq);
		}
		smpp_sess_timer_arm(s, SMPP_T_ENQUIRE);
		break;
	case SMPP_T_RESPONSE:
		smpp_sess_link_down(s, "response timeout", 1);
		break;
	case SMPP_T_BACKOFF:
		s->st.reconnects++;
		session_connect(s, "reconnect");
		break;
	case SMPP_T_THROTTLE:
		s->throttled = 0;
		smpp_submitq_retry_end(&s->q);
		break;
	default:
		break;
	}
	smpp_sess_leave(s);
}

int
smpp_session_submit(struct smpp_session *s, const struct smpp_pdu *pdu,
		    void *cookie)
{
	struct smpp_submitq_item *it;
	int rc;

	if (s->stopping || !smpp_sess_accepts(s, EV_SUBMIT))
		return -ENOTCONN;
	if (s->cfg.mode == SMPP_BIND_RX)
		return -EOPNOTSUPP;
	rc = smpp_submitq_item_new(pdu, cookie, &it);
	if (rc < 0)
		return rc;
	rc = smpp_submitq_push(&s->q, it);
	if (rc < 0) {
		smpp_submitq_item_free(it);
		return rc;
	}
	smpp_sess_leave(s); /* sends now unless inside a callback */
	return 0;
}

enum smpp_session_state
smpp_session_state(const struct smpp_session *s)
{
	return s->state;
}

const char *
smpp_session_state_name(enum smpp_session_state st)
{
	return (unsigned)st < SMPP_S__COUNT ? state_table[st].name : "?";
}

const char *
smpp_timer_name(enum smpp_timer t)
{
	return (unsigned)t < SMPP_T__COUNT ? timer_table[t].name : "?";
}

void
smpp_session_stats(const struct smpp_session *s, struct smpp_session_stats *out)
{
	*out = s->st;
	out->submits_queued = s->q.queued;
	out->submits_outstanding = s->q.outstanding;
	out->submits_ready = s->q.nready;
	out->mo_pending = s->mo_pending;
}
