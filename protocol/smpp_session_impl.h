/*
 * smpp_session_impl.h - internals shared by the two halves of the SMPP
 * session: smpp_session.c (state table, timers, sending, lifecycle,
 * submits) and smpp_session_input.c (what the peer sends, MOs). Not for
 * any other file: the contract is include/smpp_session.h.
 */
#ifndef TAWASUL_SMPP_SESSION_IMPL_H
#define TAWASUL_SMPP_SESSION_IMPL_H

#include <stdint.h>

#include "backoff.h"
#include "smpp_session.h"
#include "smpp_submitq.h"

#define SMPP_RESP_BIT 0x80000000u

/* Events a state may accept; others are ignored (a stale timer, a late
 * transport event) or refused (-EALREADY, -ENOTCONN). */
enum session_event {
	EV_START,
	EV_STOP,
	EV_CONNECTED,
	EV_CLOSED,
	EV_INPUT,
	EV_SUBMIT,
	EV_MO_COMPLETE,
	EV_TIMER0 /* + enum smpp_timer */
};

#define E(x)      (1u << EV_##x)
#define ET(x)     (1u << (EV_TIMER0 + SMPP_T_##x))
#define S(x)      (1u << SMPP_S_##x)
#define CONNECTED (S(BINDING) | S(BOUND) | S(UNBINDING))

struct smpp_sess_mo {
	uint32_t sequence;
	uint32_t resp_id; /* deliver_sm_resp or data_sm_resp */
	int used;
};

struct smpp_session {
	struct smpp_session_config cfg;
	struct smpp_session_ops ops;
	enum smpp_session_state state;
	unsigned armed;     /* bit per enum smpp_timer */
	unsigned depth;     /* > 0 while inside an ops call */
	int stopping;       /* stop() seen: end in STOPPED */
	int stop_pending;   /* stop() from inside a callback */
	int throttled;      /* submits paused until SMPP_T_THROTTLE */
	int read_paused;    /* read_pause(1) reported */
	const char *broken; /* a write failed: tear down on the way out */
	uint32_t next_seq, gen, bind_seq;
	struct backoff backoff;
	struct smpp_submitq q;
	/* our outstanding requests but the bind, oldest first */
	struct smpp_submitq_req *req_head, *req_tail;
	struct smpp_submitq_req enquire, unbind;
	struct smpp_sess_mo *mo; /* cfg.max_mo_pending slots */
	unsigned mo_pending;
	struct smpp_session_stats st;
	char reason[64];
};

/* ---- smpp_session.c ------------------------------------------------------ */

/* 1 when state s accepts event ev (enum session_event). */
int smpp_sess_accepts(const struct smpp_session *s, unsigned ev);
/* 1 in BINDING, BOUND, UNBINDING. */
int smpp_sess_connected(const struct smpp_session *s);
/* Entry points ops callbacks must not reach: aborts when depth > 0. */
void smpp_sess_enter(const struct smpp_session *s);
/* Runs what was deferred (teardown, stop, sending queued submits) when
 * back at the outermost level; no-op inside callbacks. */
void smpp_sess_leave(struct smpp_session *s);
/* The one setter: checks the table, moves the entry timers, reports. */
void smpp_sess_set_state(struct smpp_session *s, enum smpp_session_state now,
			 const char *reason);
/* The connection is over: BACKOFF (STOPPED when stopping). */
void smpp_sess_link_down(struct smpp_session *s, const char *reason,
			 int disconnect);
void smpp_sess_pdu_init(struct smpp_pdu *p, uint32_t id, uint32_t status,
			uint32_t seq);
int smpp_sess_send_ctl(struct smpp_session *s, const struct smpp_pdu *pdu);
void smpp_sess_reply(struct smpp_session *s, uint32_t id, uint32_t status,
		     uint32_t seq);
void smpp_sess_timer_arm(struct smpp_session *s, enum smpp_timer t);
void smpp_sess_cb_read_pause(struct smpp_session *s, int paused);
uint32_t smpp_sess_bind_id(const struct smpp_session *s);
struct smpp_submitq_req *smpp_sess_req_find(const struct smpp_session *s,
					    uint32_t seq);
void smpp_sess_req_remove(struct smpp_session *s, struct smpp_submitq_req *r);
struct smpp_submitq_item *smpp_sess_item(struct smpp_submitq_req *r);
/* Completes a submit: outcome up through ops->submit_done, then freed. */
void smpp_sess_submit_finish(struct smpp_session *s,
			     struct smpp_submitq_item *it, uint32_t status,
			     const char *message_id);

#endif
