/*
 * reply.c - sends a committed outbox row at once and records the result
 * on it (SPEC §8 direct replies, routing; §3 MT segmentation).
 *
 * The text is planned by mtplan (GSM 7-bit or UCS-2, concatenated parts
 * with an 8-bit reference), every part is submitted on the link the MO
 * came in on when that link can submit, else on any link that can. When
 * every part has its submit_sm_resp, one UPDATE records state, status,
 * message ids (in part order) and the part count. The row was written
 * 'sending'; it becomes 'sent', 'failed' (the SMSC refused it for good),
 * or 'pending' with the reason in last_error when another attempt makes
 * sense (no bound link, link lost, throttled, queue full, system error),
 * for the dispatcher to retry.
 *
 * Owns the sends in flight (reply_pending() counts them for the drain).
 */
#include "reply.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "env.h"
#include "links.h"
#include "log.h"
#include "mtplan.h"
#include "pg_client.h"
#include "smpp_session.h"
#include "smsc_link.h"

struct send;

/* The cookie of one part's submit. */
struct part {
	struct send *s;
	int idx;
};

struct send {
	struct reply *r;
	char outbox_id[24];
	char link[CONF_NAME_MAX];
	int nparts, answered, failed;
	uint32_t status; /* the first failure, else 0 */
	char ids[MTPLAN_PARTS_MAX][SMPP_MESSAGE_ID_MAX];
	struct part parts[MTPLAN_PARTS_MAX];
	int truncated;
};

/* SMSC answers worth another attempt later; anything else is final. */
static int
temporary(uint32_t status)
{
	switch (status) {
	case 0x08: /* ESME_RSYSERR */
	case 0x14: /* ESME_RMSGQFUL */
	case 0x58: /* ESME_RTHROTTLED */
	case 0x64: /* ESME_RX_T_APPN */
		return 1;
	case SMPP_SUBMIT_LINK_LOST:
	case SMPP_SUBMIT_STOPPED:
		return 1;
	default:
		return 0;
	}
}

struct reply {
	struct env *env;
	unsigned pending;
	uint8_t next_ref;
	unsigned long long sent, failed;
};

struct reply *
reply_new(struct env *env)
{
	struct reply *r = calloc(1, sizeof(*r));

	if (r) {
		r->env = env;
		r->next_ref = (uint8_t)(rand() & 0xff);
	}
	return r;
}

void
reply_free(struct reply *r)
{
	free(r);
}

unsigned
reply_pending(const struct reply *r)
{
	return r ? r->pending : 0;
}

static void
on_recorded(void *arg, const struct pg_outcome *out)
{
	struct reply *r = arg;
	char val[200];

	if (!out->ok)
		LOG(LC_PG, LL_WARN, "outbox=not_updated reason=%s",
		    log_value(val, sizeof(val), out->err));
	r->pending--;
}

/* Writes the outcome on the outbox row (state sent, failed, or still
 * pending with the reason). */
static void
record(struct reply *r, const char *outbox_id, const char *state, int parts,
       uint32_t status, const char *ids, const char *why)
{
	static const char sql[] =
		"UPDATE outbox SET state = $2, parts = NULLIF($3, "
		"'0')::smallint, "
		"submit_status = $4::bigint, message_ids = $5::text[], "
		"last_error = $6, attempts = attempts + 1, "
		"sent_at = CASE WHEN $2 = 'sent' THEN now() END, "
		"next_attempt = now() + interval '1 minute' WHERE id = $1";
	char sparts[8], sstatus[16];

	snprintf(sparts, sizeof(sparts), "%d", parts);
	snprintf(sstatus, sizeof(sstatus), "%lu", (unsigned long)status);
	const char *params[] = {outbox_id, state, sparts, sstatus, ids, why};
	r->pending++;
	if (pg_client_cb_lost(r->env->pg,
			      pg_client_query(r->env->pg, sql, 6, params,
					      on_recorded, r)))
		r->pending--;
}

static void
on_part_sent(void *arg, uint32_t status, const char *message_id)
{
	struct part *pt = arg;
	struct send *s = pt->s;
	struct reply *r = s->r;

	if (status != 0 && !s->failed) {
		s->failed = 1;
		s->status = status;
	}
	/* printable ASCII: it goes into a text[] literal and PostgreSQL */
	size_t k = 0;
	for (const char *p = message_id ? message_id : "";
	     *p && k + 1 < sizeof(s->ids[0]); p++)
		s->ids[pt->idx][k++] = *p > ' ' && *p <= '~' ? *p : '?';
	s->ids[pt->idx][k] = '\0';
	if (++s->answered < s->nparts)
		return;

	/* A text[] literal of the ids: {"a","b"} (ids are printable). */
	char ids[MTPLAN_PARTS_MAX * (SMPP_MESSAGE_ID_MAX + 3) + 3];
	size_t pos = 0;
	ids[pos++] = '{';
	for (int i = 0; i < s->nparts; i++) {
		pos += (size_t)snprintf(ids + pos, sizeof(ids) - pos, "%s\"",
					i ? "," : "");
		for (const char *p = s->ids[i]; *p && pos + 4 < sizeof(ids);
		     p++)
			if (*p != '"' && *p != '\\')
				ids[pos++] = *p;
		ids[pos++] = '"';
	}
	ids[pos++] = '}';
	ids[pos] = '\0';
	if (s->failed) {
		char why[64];
		r->failed++;
		snprintf(why, sizeof(why), "submit_sm status 0x%x", s->status);
		/* Link lost or stopped: worth another try; an SMSC refusal
		 * was final for this attempt. */
		record(r, s->outbox_id,
		       temporary(s->status) ? "pending" : "failed", s->nparts,
		       s->status, ids, why);
	} else {
		r->sent++;
		record(r, s->outbox_id, "sent", s->nparts, 0, ids, NULL);
	}
	LOG(LC_APP, s->failed ? LL_WARN : LL_INFO,
	    "outbox=%s link=%s parts=%d state=%s%s", s->outbox_id, s->link,
	    s->nparts, s->failed ? "failed" : "sent",
	    s->truncated ? " truncated=yes" : "");
	r->pending--;
	free(s);
}

static struct smsc_link *
route(struct reply *r, const char *link)
{
	struct links *ls = r->env->links;
	struct smsc_link *l = link ? links_find(ls, link) : NULL;

	if (l && smsc_link_can_submit(l))
		return l;
	for (size_t i = 0; i < links_count(ls); i++)
		if (smsc_link_can_submit(links_get(ls, i)))
			return links_get(ls, i);
	return NULL;
}

int
reply_send(struct reply *r, const char *outbox_id, const char *link,
	   const char *msisdn, const char *text, size_t len)
{
	struct mtplan *plan = calloc(1, sizeof(*plan));
	struct send *s = calloc(1, sizeof(*s));
	struct mtplan_opts o = {
		.max_parts = (unsigned)r->env->conf->max_mt_parts,
		.ref = r->next_ref++,
	};
	struct smsc_link *l = route(r, link);
	int e = 0;

	if (!plan || !s) {
		e = -ENOMEM;
		goto out;
	}
	s->r = r;
	snprintf(s->outbox_id, sizeof(s->outbox_id), "%s", outbox_id);
	if (!l) {
		record(r, outbox_id, "pending", 0, 0, NULL, "no bound link");
		goto out;
	}
	snprintf(s->link, sizeof(s->link), "%s", smsc_link_name(l));
	if ((e = mtplan_build((const uint8_t *)text, len, &o, plan)) < 0) {
		record(r, outbox_id, "failed", 0, 0, NULL, "text not sendable");
		goto out;
	}
	s->nparts = plan->nparts;
	s->truncated = plan->truncated;
	r->pending++;
	for (int i = 0; i < plan->nparts; i++) {
		struct smpp_pdu p;
		smpp_pdu_init(&p, SMPP_SUBMIT_SM, 0, 0);
		p.source.ton = 0;
		p.source.npi = 0;
		snprintf(p.source.addr, sizeof(p.source.addr), "%s",
			 r->env->conf->short_code);
		p.dest.ton = 1;
		p.dest.npi = 1;
		snprintf(p.dest.addr, sizeof(p.dest.addr), "%s", msisdn);
		p.esm_class = plan->esm_class;
		p.data_coding = plan->data_coding;
		p.registered_delivery = 1;
		p.short_message = plan->part[i].octets;
		p.sm_length = (uint8_t)plan->part[i].len;
		s->parts[i] = (struct part){s, i};
		if (smsc_link_submit(l, &p, on_part_sent, &s->parts[i]) < 0) {
			/* the parts after it are not sent; the row is
			 * marked for another attempt (pending) */
			for (int k = i; k < plan->nparts; k++)
				on_part_sent(&s->parts[k], SMPP_SUBMIT_STOPPED,
					     "");
			break;
		}
	}
	s = NULL; /* owned by the callbacks now */
out:
	free(plan);
	free(s);
	return e;
}

void
reply_stats(const struct reply *r, unsigned long long *sent,
	    unsigned long long *failed)
{
	*sent = r ? r->sent : 0;
	*failed = r ? r->failed : 0;
}
