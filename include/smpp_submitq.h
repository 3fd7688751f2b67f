/*
 * smpp_submitq.h - the submits of one SMPP session: a FIFO per destination
 * address, at most one outstanding per destination, at most `window`
 * outstanding in all (SPEC §2 "window", "order per destination is kept").
 *
 * A pure data structure used by smpp_session.c: no callbacks, no I/O. The
 * session takes the next sendable item with smpp_submitq_next(), links it
 * in its list of outstanding requests (the req member), and gives it back
 * with smpp_submitq_done() (answered or lost: the caller frees it) or
 * smpp_submitq_retry() (throttled: back at the head of its destination).
 */
#ifndef TAWASUL_SMPP_SUBMITQ_H
#define TAWASUL_SMPP_SUBMITQ_H

#include <stddef.h>
#include <stdint.h>

#include "smpp_pdu.h"

/* A request of ours waiting for its response, linked by the session in
 * the order sent (oldest first). */
struct smpp_submitq_req {
	struct smpp_submitq_req *prev, *next;
	uint32_t sequence;
	uint32_t command_id;
	int linked;
};

struct smpp_submitq_dest; /* private to smpp_submitq.c */

/* One submit_sm / data_sm with a deep copy of its PDU: short_message,
 * message_payload and TLV values point into data[]. */
struct smpp_submitq_item {
	struct smpp_submitq_req req;    /* while outstanding */
	struct smpp_submitq_item *next; /* in its destination's queue */
	struct smpp_submitq_dest *dest;
	void *cookie;
	struct smpp_pdu pdu;
	uint8_t data[];
};

struct smpp_submitq {
	unsigned window;      /* outstanding at most (>= 1) */
	unsigned queued;      /* waiting, all destinations */
	unsigned outstanding; /* taken by smpp_submitq_next(), not back yet */
	unsigned nready;      /* destinations in the ready list */
	unsigned ndest, nbuckets;
	struct smpp_submitq_dest **buckets;
	/* destinations with a queued item and none outstanding, in the order
	 * they will be served */
	struct smpp_submitq_dest *ready_head, *ready_tail;
	/* last destination put back by smpp_submitq_retry() since
	 * smpp_submitq_retry_end(): the next one goes after it */
	struct smpp_submitq_dest *retry_pos;
	struct smpp_submitq_dest *spare; /* a few freed ones, reused */
	unsigned nspare;
};

void smpp_submitq_init(struct smpp_submitq *q, unsigned window);
/* Frees every queued item and destination (items taken with
 * smpp_submitq_next() and not given back are the caller's). */
void smpp_submitq_fini(struct smpp_submitq *q);

/*
 * Deep-copies pdu (submit_sm or data_sm) into a new item; free it with
 * smpp_submitq_item_free(). Returns 0, -EINVAL (another command, a NULL
 * pointer with a non-zero length, ntlv out of range, more variable data
 * than a PDU can carry) or -ENOMEM.
 */
int smpp_submitq_item_new(const struct smpp_pdu *pdu, void *cookie,
			  struct smpp_submitq_item **out);
void smpp_submitq_item_free(struct smpp_submitq_item *it);

/* Appends it to its destination's queue (keyed by dest.addr). Returns 0
 * or -ENOMEM (it is not queued then). */
int smpp_submitq_push(struct smpp_submitq *q, struct smpp_submitq_item *it);
/* The next item to send, or NULL (window full, or every destination with
 * a queued item has one outstanding). The item counts as outstanding. */
struct smpp_submitq_item *smpp_submitq_next(struct smpp_submitq *q);
/* An outstanding item is finished (answered or lost); its destination may
 * send again. The item stays the caller's. */
void smpp_submitq_done(struct smpp_submitq *q, struct smpp_submitq_item *it);
/* An outstanding item goes back to the head of its destination's queue;
 * destinations put back are served first, in the order put back. */
void smpp_submitq_retry(struct smpp_submitq *q, struct smpp_submitq_item *it);
/* The pause is over: later retries go to the front again. */
void smpp_submitq_retry_end(struct smpp_submitq *q);
/* Removes every queued item and returns them as a list linked by next
 * (per destination in order). Outstanding items are not touched. */
struct smpp_submitq_item *smpp_submitq_take_queued(struct smpp_submitq *q);

#endif
