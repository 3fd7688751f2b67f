/*
 * mo.c - routes what carriers deliver (DESIGN §1, SPEC §2, §3): delivery
 * receipts to their table, one SMS part to the reassembly store, a whole
 * message to intake; and answers each deliver_sm/data_sm once what it
 * carries is committed.
 *
 * Acknowledgement rule (SPEC §2: acknowledged only after what it carries
 * is committed):
 *   - a whole message: ESME_ROK once intake committed it, else
 *     ESME_RX_T_APPN so the SMSC keeps and redelivers it;
 *   - a part that does not complete its message: ESME_ROK once it is in
 *     Redis (which our services run with an append-only file). Holding
 *     every part unanswered until the whole message commits would tie up
 *     the SMSC's window for as long as the slowest part, and a part that
 *     never comes would leave the others unanswered for ever;
 *   - the part that completes a message: like a whole message, so the
 *     message and its effects are in PostgreSQL before the carrier is
 *     told; on failure the claim is released and the redelivered part
 *     completes it again (the store ignores the duplicate part);
 *   - a late duplicate of a delivered message's part: ESME_ROK.
 * Parts of a message that never completes are delivered joined with gap
 * markers by the periodic sweep, after the reassembly timeout.
 *
 * USSD (ussd_service_op present) gets ESME_RX_P_APPN until the USSD
 * dialogue exists: the network ends the session instead of redelivering.
 *
 * Owns the MOs in flight; the link that took an MO is found again by its
 * id, also when a reload has retired it and it is still unbinding (a
 * rebuilt link of the same name never answers its predecessor's MOs).
 */
#include "config.h"

#include "mo.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "concat.h"
#include "conf.h"
#include "env.h"
#include "intake.h"
#include "links.h"
#include "log.h"
#include "loop.h"
#include "pg_client.h"
#include "reasm_store.h"
#include "smsc_link.h"
#include "ucs2.h"

#define SWEEP_MAX   32
#define CLAIM_LEASE 300000 /* ms a completer holds a message */

struct mo {
	struct env *env;
	struct intake *intake;
	struct event *sweep_ev;
	int sweeping;
	unsigned pending; /* MOs not answered yet, sweeps in flight */
	unsigned long long whole, parts, joined, swept, receipts, deferred,
		failed;
};

/* One MO being handled. */
struct mo_job {
	struct mo *mo;
	char link[CONF_NAME_MAX];
	uint64_t link_id;
	struct smsc_mo_ref ref;
	int answer;               /* 0 for a swept message */
	struct reasm_claim claim; /* a completed reassembly (key set) */
	char reasm_id[24];
	char src[SMPP_ADDR_MAX], dst[SMPP_ADDR_MAX];
	const char *what; /* for the log */
};

/* Copies a string from the network as printable ASCII ('?' for anything
 * else), so that it is safe as a text parameter, a key or a log value. */
static void
printable(char *dst, size_t cap, const char *src)
{
	size_t n = 0;

	for (const char *p = src; *p && n + 1 < cap; p++)
		dst[n++] = *p >= ' ' && *p <= '~' ? *p : '?';
	dst[n] = '\0';
}

/*
 * The alphabet of an SMPP data_coding, as text_decode_mo() takes it: the
 * SMPP values 0-15 as they are (0 GSM, 1 IA5, 3 Latin-1, 8 UCS-2; the
 * rest are octets, kept as Latin-1), and the GSM 03.38 data coding
 * schemes above (general data coding 0x00-0x3F and 0xF0-0xFF by their
 * alphabet bits, message waiting groups 0xC0-0xEF), so that an Arabic
 * flash SMS (0x18) is read as UCS-2. Compressed text (0x20-0x3F) is kept
 * as octets: we do not decompress.
 */
static uint8_t
alphabet(uint8_t dcs)
{
	if (dcs <= 0x0f)
		return dcs == 0 || dcs == 1 || dcs == 8 ? dcs : 3;
	if (dcs <= 0x3f) {
		unsigned a = (dcs >> 2) & 3;
		if (dcs & 0x20) /* compressed: no text to read, keep octets */
			return 3;
		return a == 0 ? 0 : a == 2 ? 8 : 3;
	}
	if (dcs >= 0xc0 && dcs <= 0xdf)
		return 0;
	if (dcs >= 0xe0 && dcs <= 0xef)
		return 8;
	if (dcs >= 0xf0)
		return dcs & 0x04 ? 3 : 0;
	return 3; /* reserved groups: keep the octets */
}

/*
 * The sender as a citizen is known by (their cases, limits, replies,
 * which go out as international numbers): international digits. A '+'
 * goes; a national number (TON 2) gets the country code, its trunk
 * '0's dropped; a number of unknown type (TON 0) written "00..." loses
 * the "00". Anything else is kept as sent (printable).
 */
static void
sender(char *dst, size_t cap, const struct smpp_addr *a, const char *cc)
{
	char s[SMPP_ADDR_MAX];
	const char *p = s;

	printable(s, sizeof(s), a->addr);
	size_t n = strlen(s);
	int digits = n > 0 && strspn(s, "0123456789") == n;
	if (s[0] == '+') {
		p++;
	} else if (digits && a->ton == 0 && n > 4 && s[0] == '0' &&
		   s[1] == '0') {
		p += 2;
	} else if (digits && a->ton == 2 && cc && cc[0]) {
		while (*p == '0')
			p++;
		if (*p && strlen(cc) + strlen(p) <= 15) { /* E.164 */
			snprintf(dst, cap, "%s%s", cc, p);
			return;
		}
		p = s;
	}
	snprintf(dst, cap, "%s", p);
}

static struct mo_job *
job_new(struct mo *mo, struct smsc_link *l, const struct smpp_pdu *pdu,
	struct smsc_mo_ref ref)
{
	struct mo_job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->mo = mo;
	if (l) {
		snprintf(j->link, sizeof(j->link), "%s", smsc_link_name(l));
		j->link_id = smsc_link_id(l);
		j->ref = ref;
		j->answer = 1;
	}
	if (pdu) {
		sender(j->src, sizeof(j->src), &pdu->source,
		       mo->env->conf->country_code);
		printable(j->dst, sizeof(j->dst), pdu->dest.addr);
	}
	mo->pending++;
	return j;
}

/* Answers the MO (when it has one) and frees the job. */
static void
job_done(struct mo_job *j, uint32_t status)
{
	struct mo *mo = j->mo;
	char tag[LOG_TAG_LEN];

	if (j->answer) {
		struct smsc_link *l = links_find_id(mo->env->links, j->link_id);
		int r = l ? smsc_link_mo_complete(l, j->ref, status) : -ENOENT;
		log_msisdn_tag(j->src, strlen(j->src), tag);
		LOG(LC_APP, r < 0 ? LL_WARN : LL_INFO,
		    "link=%s mo=%s from=%s status=0x%02x%s", j->link, j->what,
		    tag, status, r < 0 ? " answered=no" : "");
	}
	if (j->answer && status != SMPP_ESME_ROK)
		mo->deferred++;
	mo->pending--;
	free(j);
}

static struct reasm_store_opts
store_opts(const struct mo *mo)
{
	struct reasm_store_opts o = {
		.timeout_ms = mo->env->conf->timers.ms[T_REASM_TIMEOUT],
		.lease_ms = CLAIM_LEASE,
		.prefix = mo->env->conf->redis_prefix,
	};
	return o;
}

/* ---- whole messages ------------------------------------------------------ */

static void
on_committed(void *arg, int committed)
{
	struct mo_job *j = arg;
	struct mo *mo = j->mo;

	if (j->claim.key[0]) {
		if (committed)
			reasm_store_finish(mo->env->redis, &j->claim);
		else
			reasm_store_release(mo->env->redis, &j->claim);
	}
	job_done(j, committed ? SMPP_ESME_ROK : SMPP_ESME_RX_T_APPN);
}

static void
to_intake(struct mo_job *j, const uint8_t *text, size_t len, unsigned parts,
	  int complete, const char *link)
{
	struct intake_msg m = {
		.src = j->src,
		.dst = j->dst,
		.link = link,
		.text = text,
		.len = len,
		.parts = parts,
		.complete = complete,
		.reasm_id = j->reasm_id[0] ? j->reasm_id : NULL,
	};

	if (intake_submit(j->mo->intake, &m, on_committed, j) < 0) {
		j->mo->failed++;
		on_committed(j, 0);
	}
}

/* ---- parts --------------------------------------------------------------- */

static void
on_part(void *arg, enum reasm_store_result r, struct reasm_msg *msg,
	const char *err)
{
	struct mo_job *j = arg;
	char val[128];

	switch (r) {
	case REASM_STORE_COMPLETE:
		j->what = "joined";
		j->mo->joined++;
		j->claim = msg->claim;
		snprintf(j->reasm_id, sizeof(j->reasm_id), "%s", msg->id);
		to_intake(j, msg->text, msg->len, msg->have, msg->complete,
			  j->link);
		return;
	case REASM_STORE_RETRY:
		j->what = "part_later"; /* its message is being delivered */
		job_done(j, SMPP_ESME_RX_T_APPN);
		return;
	case REASM_STORE_STORED:
		j->what = "part_stored";
		break;
	case REASM_STORE_BUSY:
		j->what = "part_completing_elsewhere";
		break;
	case REASM_STORE_ERROR:
	default:
		j->what = "part_not_stored";
		LOG(LC_REDIS, LL_WARN, "reassembly=failed reason=%s",
		    log_value(val, sizeof(val), err ? err : "?"));
		job_done(j, SMPP_ESME_RX_T_APPN);
		return;
	}
	job_done(j, SMPP_ESME_ROK);
}

/* ---- receipts ------------------------------------------------------------ */

static void
on_receipt_saved(void *arg, const struct pg_outcome *out)
{
	struct mo_job *j = arg;
	char val[200];

	if (!out->ok)
		LOG(LC_PG, LL_WARN, "receipt=not_saved reason=%s",
		    log_value(val, sizeof(val), out->err));
	job_done(j, out->ok ? SMPP_ESME_ROK : SMPP_ESME_RX_T_APPN);
}

/* Copies the value after "name:" in a receipt text (up to a space), as
 * printable ASCII. */
static void
receipt_field(const char *text, const char *name, char *out, size_t cap)
{
	const char *p = strstr(text, name);
	char raw[128];

	out[0] = '\0';
	if (!p)
		return;
	p += strlen(name);
	size_t n = strcspn(p, " ");
	if (n >= sizeof(raw))
		n = sizeof(raw) - 1;
	memcpy(raw, p, n);
	raw[n] = '\0';
	printable(out, cap, raw);
}

static void
receipt(struct mo *mo, struct mo_job *j, const struct smpp_pdu *pdu)
{
	static const char sql[] =
		"INSERT INTO delivery_receipts (link, msisdn, message_id, "
		"stat, body) VALUES ($1, $2, NULLIF($3, ''), NULLIF($4, ''), "
		"$5)";
	const uint8_t *body =
		pdu->has_payload ? pdu->message_payload : pdu->short_message;
	size_t len =
		pdu->has_payload ? pdu->message_payload_len : pdu->sm_length;
	char text[3 * 1024 + 4], id[SMPP_MESSAGE_ID_MAX], stat[16];
	int n = text_decode_mo(1, body, len < 1024 ? len : 1024,
			       (uint8_t *)text, sizeof(text) - 1);

	text[n < 0 ? 0 : n] = '\0';
	if (pdu->has_receipted_id)
		printable(id, sizeof(id), pdu->receipted_message_id);
	else
		receipt_field(text, "id:", id, sizeof(id));
	receipt_field(text, "stat:", stat, sizeof(stat));
	const char *params[] = {j->link, j->src, id, stat, text};
	j->what = "receipt";
	mo->receipts++;
	int r = pg_client_query(mo->env->pg, sql, 5, params, on_receipt_saved,
				j);
	if (pg_client_cb_lost(mo->env->pg, r))
		job_done(j, SMPP_ESME_RX_T_APPN);
}

/* ---- entry --------------------------------------------------------------- */

void
mo_deliver(struct mo *mo, struct smsc_link *l, const struct smpp_pdu *pdu,
	   struct smsc_mo_ref ref)
{
	struct mo_job *j = job_new(mo, l, pdu, ref);
	struct concat_info ci;

	if (!j) {
		smsc_link_mo_complete(l, ref, SMPP_ESME_RX_T_APPN);
		return;
	}
	if (mo->env->draining) {
		j->what = "refused_draining";
		job_done(j, SMPP_ESME_RX_T_APPN);
		return;
	}
	if (pdu->esm_class & 0x3c) { /* receipt or acknowledgement */
		receipt(mo, j, pdu);
		return;
	}
	if (pdu->has_ussd_op) {
		/* No USSD dialogue yet: a permanent refusal ends the session
		 * at once instead of a redelivery loop. */
		j->what = "ussd_not_served";
		job_done(j, SMPP_ESME_RX_P_APPN);
		return;
	}
	concat_parse(pdu, &ci);
	if (ci.kind != CONCAT_NONE) {
		struct reasm_store_opts o = store_opts(mo);
		mo->parts++;
		if (reasm_store_add(mo->env->redis, &o, j->src, j->dst, j->link,
				    alphabet(pdu->data_coding), &ci, on_part,
				    j) < 0)
			on_part(j, REASM_STORE_ERROR, NULL, "not stored");
		return;
	}
	size_t cap = 3 * ci.ud_len + 3;
	uint8_t *text = malloc(cap);
	int n = text ? text_decode_mo(alphabet(pdu->data_coding), ci.ud,
				      ci.ud_len, text, cap)
		     : -ENOMEM;
	if (n < 0) {
		free(text);
		j->what = "undecodable";
		job_done(j, SMPP_ESME_RX_T_APPN);
		return;
	}
	j->what = "whole";
	mo->whole++;
	to_intake(j, text, (size_t)n, 1, 1, j->link);
	free(text);
}

/* ---- the sweep ----------------------------------------------------------- */

static void
on_swept(void *arg, struct reasm_msg *msg, const char *err)
{
	struct mo *mo = arg;
	char val[128];

	if (!msg) {
		if (err)
			LOG(LC_REDIS, LL_WARN,
			    "reassembly_sweep=failed reason=%s",
			    log_value(val, sizeof(val), err));
		mo->sweeping = 0;
		mo->pending--;
		return;
	}
	struct mo_job *j = job_new(mo, NULL, NULL, (struct smsc_mo_ref){0});
	if (!j) {
		reasm_store_release(mo->env->redis, &msg->claim);
		return;
	}
	snprintf(j->src, sizeof(j->src), "%s", msg->src);
	snprintf(j->dst, sizeof(j->dst), "%s", msg->dst);
	j->claim = msg->claim;
	snprintf(j->reasm_id, sizeof(j->reasm_id), "%s", msg->id);
	snprintf(j->link, sizeof(j->link), "%s", msg->link);
	j->what = "swept";
	mo->swept++;
	LOG(LC_APP, LL_NOTICE,
	    "mo=reassembly_timeout link=%s parts=%u of=%u "
	    "delivered=joined_with_"
	    "gaps",
	    j->link, msg->have, msg->total);
	to_intake(j, msg->text, msg->len, msg->have, msg->complete, j->link);
}

static void
sweep(evutil_socket_t fd, short what, void *arg)
{
	struct mo *mo = arg;
	unsigned ms = mo->env->conf->timers.ms[T_REASM_SWEEP];
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};

	if (!mo->sweeping && !mo->env->draining) {
		struct reasm_store_opts o = store_opts(mo);
		mo->sweeping = 1;
		mo->pending++;
		if (reasm_store_sweep(mo->env->redis, &o, SWEEP_MAX, on_swept,
				      mo) < 0) {
			mo->sweeping = 0;
			mo->pending--;
		}
	}
	evtimer_add(mo->sweep_ev, &tv);
}

/* ---- life cycle ---------------------------------------------------------- */

struct mo *
mo_new(struct env *env, struct intake *in)
{
	struct mo *mo = calloc(1, sizeof(*mo));
	struct timeval tv = {1, 0};

	if (!mo)
		return NULL;
	mo->env = env;
	mo->intake = in;
	mo->sweep_ev = evtimer_new(loop_base(env->lp), sweep, mo);
	if (!mo->sweep_ev) {
		free(mo);
		return NULL;
	}
	evtimer_add(mo->sweep_ev, &tv);
	return mo;
}

void
mo_free(struct mo *mo)
{
	if (!mo)
		return;
	event_free(mo->sweep_ev);
	free(mo);
}

unsigned
mo_pending(const struct mo *mo)
{
	return mo ? mo->pending : 0;
}

void
mo_metrics(const struct mo *mo, struct evbuffer *out)
{
	evbuffer_add_printf(
		out,
		"# HELP tawasul_mo_total MOs by what they were.\n"
		"# TYPE tawasul_mo_total counter\n"
		"tawasul_mo_total{kind=\"whole\"} %llu\n"
		"tawasul_mo_total{kind=\"part\"} %llu\n"
		"tawasul_mo_total{kind=\"receipt\"} %llu\n"
		"# HELP tawasul_mo_joined_total Long MOs joined from parts.\n"
		"# TYPE tawasul_mo_joined_total counter\n"
		"tawasul_mo_joined_total{how=\"complete\"} %llu\n"
		"tawasul_mo_joined_total{how=\"timeout\"} %llu\n"
		"# HELP tawasul_mo_deferred_total MOs answered "
		"ESME_RX_T_APPN (redelivered later).\n"
		"# TYPE tawasul_mo_deferred_total counter\n"
		"tawasul_mo_deferred_total %llu\n",
		mo->whole, mo->parts, mo->receipts, mo->joined, mo->swept,
		mo->deferred);
}
