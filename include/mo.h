/*
 * mo.h - routing of what carriers deliver: receipts, long-MO parts,
 * whole messages; each answered once committed (SPEC §2, §3).
 */
#ifndef TAWASUL_MO_H
#define TAWASUL_MO_H

#include "smsc_link.h"

struct env;
struct evbuffer;
struct intake;
struct mo;

/* Returns a new router over env and in (both borrowed, must outlive it),
 * with its reassembly sweep armed; free with mo_free(). */
struct mo *mo_new(struct env *env, struct intake *in);
void mo_free(struct mo *mo);

/* The smsc_link_ops.mo handler: takes the MO (pdu borrowed for the call)
 * and answers it through the link later, from the loop. */
void mo_deliver(struct mo *mo, struct smsc_link *l, const struct smpp_pdu *pdu,
		struct smsc_mo_ref ref);

/* MOs not answered yet (drain waits for them). */
unsigned mo_pending(const struct mo *mo);

void mo_metrics(const struct mo *mo, struct evbuffer *out);

#endif
