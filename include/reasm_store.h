/*
 * reasm_store.h - the parts of long MOs, kept in Redis so that parts
 * arriving on different links or gateway instances join (SPEC §2, §3,
 * DESIGN §5). The join itself is reasm_join() (protocol/reasm.c).
 *
 * A message is identified by sender, recipient, reference kind (8-bit,
 * 16-bit or SAR), reference and part count. Storing a part and noticing
 * that the message is complete is one Lua script, so exactly one caller
 * sees it complete and takes a claim on it (a lease with an owner
 * token). That caller commits the message and then calls
 * reasm_store_finish() (which keeps digests of the delivered parts so
 * that a redelivered copy is not delivered again), or, when the commit
 * failed,
 * reasm_store_release() so a redelivered part or the sweep completes it
 * again. A claim whose holder died runs out after the lease. While a
 * message is claimed, a part it does not hold yet is refused (RETRY: the
 * carrier keeps it and offers it again), so no part is stored into a
 * message that is being delivered and then forgotten with it.
 *
 * reasm_store_sweep() claims messages whose first part came more than the
 * reassembly timeout ago and hands over what arrived, joined with a
 * visible gap marker. A part that comes after that is a message of its
 * own (joined with gap markers in turn).
 */
#ifndef TAWASUL_REASM_STORE_H
#define TAWASUL_REASM_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "concat.h"
#include "smpp_pdu.h"

struct redis_client;

/* Keys: prefix (< 32) + "mrd:" + two addresses hex-encoded (2 * 129) +
 * kind, reference and total: always below this. */
#define REASM_STORE_KEY_MAX  400
#define REASM_STORE_LINK_MAX 32

/* What finish / release need: the keys as they were built (a reload that
 * changes the prefix does not matter) and the claim's owner token. */
struct reasm_claim {
	char key[REASM_STORE_KEY_MAX];
	char tomb[REASM_STORE_KEY_MAX];
	char due[48];
	char token[24];
};

/* A whole message out of the store: joined UTF-8 text. */
struct reasm_msg {
	struct reasm_claim claim;
	char id[24]; /* unique per reassembly (made at its first part) */
	char src[SMPP_ADDR_MAX], dst[SMPP_ADDR_MAX];
	char link[REASM_STORE_LINK_MAX]; /* the link of the first part */
	uint8_t *text;                   /* malloc'ed UTF-8, not terminated */
	size_t len;
	unsigned total, have; /* parts announced and parts that arrived */
	int complete;
};

void reasm_msg_clear(struct reasm_msg *m);

enum reasm_store_result {
	REASM_STORE_ERROR = -1,   /* Redis unavailable or failed: not stored */
	REASM_STORE_STORED = 0,   /* kept; the message is not complete yet */
	REASM_STORE_COMPLETE = 1, /* complete: msg filled, claimed by us */
	REASM_STORE_BUSY = 2,     /* held already; another caller is on it */
	REASM_STORE_RETRY = 4,    /* not stored: the message is being
				     delivered; offer the part again later */
};

/*
 * The result of reasm_store_add(): msg is filled for COMPLETE only and
 * borrowed for the call (take msg->text by setting it NULL to keep it).
 */
typedef void reasm_store_cb(void *arg, enum reasm_store_result r,
			    struct reasm_msg *msg, const char *err);

struct reasm_store_opts {
	const char *prefix;  /* of every key, e.g. "tw:" */
	unsigned timeout_ms; /* reassembly timeout */
	unsigned lease_ms;   /* how long a claim holds */
};

/*
 * Stores one part (ci from concat_parse(), kind != CONCAT_NONE) of an MO
 * from src to dst that came in on link; data_coding as text_decode_mo()
 * takes it. cb runs exactly once, from the loop, when this returns 0;
 * never when it returns a negative errno (-ENOMEM, -EINVAL).
 */
int reasm_store_add(struct redis_client *rc, const struct reasm_store_opts *o,
		    const char *src, const char *dst, const char *link,
		    uint8_t data_coding, const struct concat_info *ci,
		    reasm_store_cb *cb, void *arg);

/* Forgets a committed message, if the claim is still ours, and keeps a
 * digest of each delivered part for an hour: copies of delivered parts
 * that never make a whole message again are dropped by the sweep instead
 * of being delivered as a fragment. Returns 0 or a negative errno;
 * failures are logged. */
int reasm_store_finish(struct redis_client *rc, const struct reasm_claim *c);

/* Gives up our claim after a failed commit (only if still ours). */
int reasm_store_release(struct redis_client *rc, const struct reasm_claim *c);

/* Called once per timed-out message the sweep claimed (msg borrowed as
 * for reasm_store_cb); then once with msg NULL when the sweep is over
 * (err set when it failed). */
typedef void reasm_sweep_cb(void *arg, struct reasm_msg *msg, const char *err);

/* Claims at most max timed-out messages. cb runs as for
 * reasm_store_add(). */
int reasm_store_sweep(struct redis_client *rc, const struct reasm_store_opts *o,
		      unsigned max, reasm_sweep_cb *cb, void *arg);

#endif
