/*
 * smpp_session.h - the ESME side of one SMPP 3.4 connection, as a pure
 * state machine (SPEC §2, DESIGN §1/§3).
 *
 * No sockets, no clock, no logging here: bytes are framed and decoded by
 * the caller (smpp_frame, smpp_pdu), PDUs to send go out through
 * ops->send(), time comes in through timer callbacks the caller arms with
 * ops->timer_start() and reports with smpp_session_timer(). That makes
 * every transition testable with a fake clock (tests/unit/
 * smpp_session_test.c keeps transcripts).
 *
 * Lifecycle (a table in smpp_session.c):
 *   IDLE -> CONNECTING -> BINDING -> BOUND -> UNBINDING -> STOPPED
 *   any failure -> BACKOFF -> CONNECTING ...
 * A bind answered ESME_RALYBND, any bind refusal, a connect or bind
 * timeout, a response timeout, an incoming unbind (answered first) or a
 * lost connection all go through BACKOFF (exponential, full jitter).
 *
 * Calling rules (the session checks them):
 *   - ops callbacks may call smpp_session_submit(), _mo_complete(),
 *     _stop() (deferred until the outermost session call returns),
 *     _state() and _stats(); submits queued from a callback are sent when
 *     the outermost session call returns.
 *   - ops callbacks must NOT call smpp_session_start(), _connected(),
 *     _closed(), _input(), _input_error(), _timer() or _free(): the
 *     session aborts (a bug, not a runtime condition). In particular
 *     ops->send() and ops->disconnect() report nothing back: a failed
 *     write is send()'s return value.
 *   - timer_start() (re)arms a timer, replacing a pending one; a timer
 *     that fires after timer_stop() is ignored.
 *   - ops->disconnect() should flush what was sent (an unbind_resp, the
 *     last deliver_sm_resp) before closing, best effort.
 */
#ifndef TAWASUL_SMPP_SESSION_H
#define TAWASUL_SMPP_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "smpp_pdu.h"

struct smpp_session;

enum smpp_session_state {
	SMPP_S_IDLE,
	SMPP_S_CONNECTING,
	SMPP_S_BINDING,
	SMPP_S_BOUND,
	SMPP_S_UNBINDING,
	SMPP_S_BACKOFF,
	SMPP_S_STOPPED,
	SMPP_S__COUNT
};

enum smpp_bind_mode {
	SMPP_BIND_TRX, /* bind_transceiver */
	SMPP_BIND_TX,  /* bind_transmitter: submits only */
	SMPP_BIND_RX,  /* bind_receiver: MO only */
};

/* The session's named timers; the caller keeps one real timer each. */
enum smpp_timer {
	SMPP_T_CONNECT,  /* CONNECTING too long */
	SMPP_T_BIND,     /* no bind response */
	SMPP_T_ENQUIRE,  /* idle: send enquire_link */
	SMPP_T_RESPONSE, /* oldest outstanding request unanswered */
	SMPP_T_BACKOFF,  /* reconnect delay */
	SMPP_T_THROTTLE, /* submits paused after RTHROTTLED / RMSGQFUL */
	SMPP_T__COUNT
};

struct smpp_session_config {
	enum smpp_bind_mode mode;
	char system_id[SMPP_SYSTEM_ID_MAX];
	char password[SMPP_PASSWORD_MAX];
	char system_type[SMPP_SYSTEM_TYPE_MAX];
	unsigned window;         /* submits outstanding at most (>= 1) */
	unsigned max_mo_pending; /* MOs handed up, not yet completed */
	unsigned connect_ms, bind_ms, enquire_ms, response_ms;
	unsigned backoff_min_ms, backoff_max_ms, throttle_ms;
	uint64_t seed; /* jitter */
	/* First sequence number (1..0x7fffffff; 0 means 1); tests use it to
	 * start near the wrap. Numbers run on across reconnects. */
	uint32_t first_sequence;
};

/* Result of a submit: status is the SMSC's command_status (data, not an
 * error code), or SMPP_SUBMIT_LINK_LOST when the link went down before an
 * answer (the caller decides whether to resend: at least once), or
 * SMPP_SUBMIT_STOPPED when the session was stopped with it queued. */
#define SMPP_SUBMIT_LINK_LOST 0xffffff01u
#define SMPP_SUBMIT_STOPPED   0xffffff02u
/* ops->send() refused the PDU as unencodable (-EINVAL): permanent, do not
 * resend as is. The link stays up. */
#define SMPP_SUBMIT_UNENCODABLE 0xffffff03u
/* The answer came but could not be decoded: the outcome is unknown (like
 * SMPP_SUBMIT_LINK_LOST, but the link stays up). */
#define SMPP_SUBMIT_BAD_RESPONSE 0xffffff04u

struct smpp_session_ops {
	void *arg;
	/* Open the transport; later call smpp_session_connected() or
	 * smpp_session_closed(). Return <0 to fail at once. */
	int (*connect)(void *arg);
	/* Close the transport (no smpp_session_closed() call follows); best
	 * effort, flush what was written first (an unbind_resp). Not called
	 * after smpp_session_closed(): the caller knows already. */
	void (*disconnect)(void *arg);
	/* Encode and write one PDU. Returns 0; -EINVAL, -ENOSPC or -EPROTO
	 * when this PDU cannot be encoded (not sent; the link is fine: a
	 * submit then completes with SMPP_SUBMIT_UNENCODABLE, anything else
	 * drops the link); any other negative value: the transport is gone
	 * (the session disconnects and backs off). */
	int (*send)(void *arg, const struct smpp_pdu *pdu);
	void (*timer_start)(void *arg, enum smpp_timer t, unsigned ms);
	void (*timer_stop)(void *arg, enum smpp_timer t);
	/* After every state change (reason is borrowed for the call). The
	 * timer armed on entry to `now` is started right after. */
	void (*state)(void *arg, enum smpp_session_state old,
		      enum smpp_session_state now, const char *reason);
	/* An MO (deliver_sm or data_sm) for the upper layer, which must
	 * answer later with smpp_session_mo_complete(token, status), or from
	 * inside this call. pdu is borrowed for the call. The token is
	 * (connection generation << 32 | sequence number). */
	void (*mo)(void *arg, const struct smpp_pdu *pdu, uint64_t token);
	/* The outcome of smpp_session_submit(). message_id is borrowed
	 * ("" when the SMSC gave none). */
	void (*submit_done)(void *arg, void *cookie, uint32_t status,
			    const char *message_id);
	/* Backpressure: 1 = stop reading (max_mo_pending reached): hand no
	 * further PDU to smpp_session_input() until 0 (one that comes anyway
	 * is answered ESME_RX_T_APPN). 0 also comes when the link drops. */
	void (*read_pause)(void *arg, int paused);
};

/* Returns a new session (IDLE), free with smpp_session_free(); NULL when
 * out of memory. The config is copied (window and max_mo_pending of 0
 * count as 1); ops is copied (NULL callbacks are skipped, except connect,
 * send, timer_start and timer_stop which are required; without mo every
 * MO is answered ESME_RX_T_APPN). */
struct smpp_session *smpp_session_new(const struct smpp_session_config *cfg,
				      const struct smpp_session_ops *ops);
/* Frees the session and every submit it holds WITHOUT calling any op (no
 * submit_done, no disconnect, no timer_stop): the caller tears its
 * transport and timers down itself; stop first and wait for STOPPED to
 * get every submit's outcome. Accepts NULL. Never from inside an ops
 * callback (aborts). */
void smpp_session_free(struct smpp_session *s);

/* IDLE or STOPPED -> CONNECTING (calls ops->connect()). Returns 0, or
 * -EALREADY in any other state. */
int smpp_session_start(struct smpp_session *s);
/* Graceful stop: BOUND -> UNBINDING (unbind sent, queued submits fail
 * with SMPP_SUBMIT_STOPPED, outstanding ones wait for their answers until
 * the unbind_resp or the response timeout) -> STOPPED; from any other
 * state straight to STOPPED. */
void smpp_session_stop(struct smpp_session *s);

/* Transport events from the caller. */
void smpp_session_connected(struct smpp_session *s);
void smpp_session_closed(struct smpp_session *s, const char *reason);
/* A decoded PDU from the peer (borrowed for the call). */
void smpp_session_input(struct smpp_session *s, const struct smpp_pdu *pdu);
/* A PDU that failed to frame or decode: answered with generic_nack (bad
 * header / unknown command: ESME_RINVCMDLEN, ESME_RINVCMDID, or a request
 * an ESME does not serve) or the request's response carrying err->status
 * (bad body of deliver_sm, data_sm, enquire_link, unbind); never answered
 * when err->command_id is a response (the request it answers ends: a
 * submit with SMPP_SUBMIT_BAD_RESPONSE). The link stays up. */
void smpp_session_input_error(struct smpp_session *s,
			      const struct smpp_decode_error *err);
/* A timer armed with ops->timer_start() fired. */
void smpp_session_timer(struct smpp_session *s, enum smpp_timer t);

/*
 * Queues a submit_sm (or data_sm) for sending; the PDU is deep-copied
 * (short_message, message_payload and TLV values included), its sequence
 * number is assigned at send time. At most one submit per destination
 * address is outstanding, so order per destination survives throttling
 * and retries; the window caps all outstanding submits. A submit answered
 * ESME_RTHROTTLED or ESME_RMSGQFUL goes back to the head of its queue and
 * the link's submits pause for throttle_ms. cookie comes back in
 * ops->submit_done() exactly once: later, or from inside this call when
 * the session sends at once and the write fails (SMPP_SUBMIT_UNENCODABLE
 * for this one; a transport failure tears the link down and outstanding
 * submits complete with SMPP_SUBMIT_LINK_LOST). Called from inside an ops
 * callback it only queues; the submit goes out when the outermost session
 * call returns. Outstanding submits of a lost link complete with
 * SMPP_SUBMIT_LINK_LOST while queued ones stay for the next bind (a caller
 * resending a lost one puts it behind those queued for its destination).
 * Returns 0, -ENOTCONN when the session is stopped or stopping,
 * -EOPNOTSUPP on a receiver (SMPP_BIND_RX), -EINVAL (not submit_sm /
 * data_sm, or unusable: see smpp_submitq_item_new()), -ENOMEM.
 */
int smpp_session_submit(struct smpp_session *s, const struct smpp_pdu *pdu,
			void *cookie);

/* Answers the MO behind token with status (ESME_ROK once committed,
 * ESME_RX_T_APPN to have the SMSC keep it) in a deliver_sm_resp or
 * data_sm_resp (empty message_id). A token from a connection that has
 * since closed, or already completed, is ignored (the SMSC redelivers).
 * May be called from inside ops->mo(). Returns 0, -ENOENT (unknown or
 * stale token) or -EPIPE (the response could not be written; the link
 * goes down and the SMSC redelivers). */
int smpp_session_mo_complete(struct smpp_session *s, uint64_t token,
			     uint32_t status);

enum smpp_session_state smpp_session_state(const struct smpp_session *s);
const char *smpp_session_state_name(enum smpp_session_state st);
const char *smpp_timer_name(enum smpp_timer t);

struct smpp_session_stats {
	unsigned submits_queued, submits_outstanding, mo_pending;
	/* destinations with a submit that could go now (none outstanding) */
	unsigned submits_ready;
	unsigned long long submits_ok, submits_failed, throttled, mo_received,
		nacks_sent, binds, reconnects;
};
void smpp_session_stats(const struct smpp_session *s,
			struct smpp_session_stats *out);

#endif
