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
};

/* Result of a submit: status is the SMSC's command_status (data, not an
 * error code), or SMPP_SUBMIT_LINK_LOST when the link went down before an
 * answer (the caller decides whether to resend: at least once), or
 * SMPP_SUBMIT_STOPPED when the session was stopped with it queued. */
#define SMPP_SUBMIT_LINK_LOST 0xffffff01u
#define SMPP_SUBMIT_STOPPED   0xffffff02u

struct smpp_session_ops {
	void *arg;
	/* Open the transport; later call smpp_session_connected() or
	 * smpp_session_closed(). Return <0 to fail at once. */
	int (*connect)(void *arg);
	/* Close the transport (no smpp_session_closed() call follows). */
	void (*disconnect)(void *arg);
	/* Encode and write one PDU; <0 means the transport is gone. */
	int (*send)(void *arg, const struct smpp_pdu *pdu);
	void (*timer_start)(void *arg, enum smpp_timer t, unsigned ms);
	void (*timer_stop)(void *arg, enum smpp_timer t);
	/* After every state change. */
	void (*state)(void *arg, enum smpp_session_state old,
		      enum smpp_session_state now, const char *reason);
	/* An MO (deliver_sm or data_sm) for the upper layer, which must
	 * answer later with smpp_session_mo_complete(token, status). pdu is
	 * borrowed for the call. */
	void (*mo)(void *arg, const struct smpp_pdu *pdu, uint64_t token);
	/* The outcome of smpp_session_submit(). message_id is borrowed
	 * ("" when the SMSC gave none). */
	void (*submit_done)(void *arg, void *cookie, uint32_t status,
			    const char *message_id);
	/* Backpressure: 1 = stop reading (max_mo_pending reached), 0 = go. */
	void (*read_pause)(void *arg, int paused);
};

/* Returns a new session (IDLE), free with smpp_session_free(). The config
 * is copied; ops is copied. */
struct smpp_session *smpp_session_new(const struct smpp_session_config *cfg,
				      const struct smpp_session_ops *ops);
void smpp_session_free(struct smpp_session *s);

/* IDLE -> CONNECTING. */
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
 * header / unknown command) or the request's response carrying
 * err->status (bad body); the link stays up. */
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
 * ops->submit_done(). Returns 0, -ENOTCONN when the session is stopped,
 * -ENOMEM.
 */
int smpp_session_submit(struct smpp_session *s, const struct smpp_pdu *pdu,
			void *cookie);

/* Answers the MO behind token with status (ESME_ROK once committed,
 * ESME_RX_T_APPN to have the SMSC keep it). A token from a connection
 * that has since closed is ignored (the SMSC redelivers). Returns 0 or
 * -ENOENT. */
int smpp_session_mo_complete(struct smpp_session *s, uint64_t token,
			     uint32_t status);

enum smpp_session_state smpp_session_state(const struct smpp_session *s);
const char *smpp_session_state_name(enum smpp_session_state st);
const char *smpp_timer_name(enum smpp_timer t);

struct smpp_session_stats {
	unsigned submits_queued, submits_outstanding, mo_pending;
	unsigned long long submits_ok, submits_failed, throttled, mo_received,
		nacks_sent, binds, reconnects;
};
void smpp_session_stats(const struct smpp_session *s,
			struct smpp_session_stats *out);

#endif
