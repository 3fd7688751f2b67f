/*
 * smsc_link.h - one carrier link ([smsc NAME]): its TCP or TLS
 * connection(s), SMPP sessions, throughput cap and submit API (SPEC §2).
 *
 * bind = transceiver runs one session; bind = pair runs a transmitter and
 * a receiver, each on its own connection. MTs go out on the transmitting
 * session, MOs come up from the receiving one.
 */
#ifndef TAWASUL_SMSC_LINK_H
#define TAWASUL_SMSC_LINK_H

#include <stdint.h>

#include "smpp_pdu.h"

struct event_base;
struct conf_smsc;
struct smsc_link;

/* Identifies an MO to answer: which connection, which PDU. */
struct smsc_mo_ref {
	unsigned conn;
	uint64_t token;
};

struct smsc_link_ops {
	void *arg;
	/* An MO (deliver_sm or data_sm); answer later with
	 * smsc_link_mo_complete(). pdu is borrowed for the call. */
	void (*mo)(void *arg, struct smsc_link *l, const struct smpp_pdu *pdu,
		   struct smsc_mo_ref ref);
	/* The link's ability to send changed (bound for submits or not). */
	void (*state)(void *arg, struct smsc_link *l, int can_submit);
};

/* The outcome of a submit: status is the SMSC's command_status (or
 * SMPP_SUBMIT_LINK_LOST / SMPP_SUBMIT_STOPPED); message_id is borrowed. */
typedef void smsc_submit_cb(void *arg, uint32_t status, const char *message_id);

/* Returns a new link (not started), free with smsc_link_free(); NULL with
 * a reason in err. The conf section is copied. */
struct smsc_link *smsc_link_new(struct event_base *base,
				const struct conf_smsc *c,
				const struct smsc_link_ops *ops, char *err,
				size_t errlen);
int smsc_link_start(struct smsc_link *l);
/* Graceful: unbind every session; queued submits end SMPP_SUBMIT_STOPPED.
 * smsc_link_stopped() turns true when every session is STOPPED and every
 * submit callback has run. */
void smsc_link_stop(struct smsc_link *l);
int smsc_link_stopped(const struct smsc_link *l);
/* Runs every submit callback still owed before it returns (STOPPED for
 * queued ones, LINK_LOST for ones the SMSC had not answered). Not from
 * inside this link's callbacks. Accepts NULL. */
void smsc_link_free(struct smsc_link *l);

const char *smsc_link_name(const struct smsc_link *l);
/* Unique among the links this process created: a link rebuilt by a reload
 * under the same name has another id (MO references do not carry over). */
uint64_t smsc_link_id(const struct smsc_link *l);
int smsc_link_can_submit(const struct smsc_link *l);

/* Queues a submit_sm/data_sm behind the link's tps cap; pdu is copied.
 * cb runs exactly once, from the loop (never inside this call, nor inside
 * smsc_link_stop()). Returns 0, or -EINVAL (not a submit_sm/data_sm, or
 * unencodable) / -ENOTCONN (stopped) / -ENOBUFS / -ENOMEM, and then cb
 * never runs. */
int smsc_link_submit(struct smsc_link *l, const struct smpp_pdu *pdu,
		     smsc_submit_cb *cb, void *arg);

/* Answers an MO (see smpp_session_mo_complete()). */
int smsc_link_mo_complete(struct smsc_link *l, struct smsc_mo_ref ref,
			  uint32_t status);

struct smsc_link_stats {
	unsigned long long submits_ok, submits_failed, throttled, mo_received,
		nacks_sent, binds, reconnects;
	unsigned queued, outstanding, mo_pending;
	int bound;
};
void smsc_link_stats(const struct smsc_link *l, struct smsc_link_stats *out);

#endif
