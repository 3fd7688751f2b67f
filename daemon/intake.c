/*
 * intake.c - what an SMS to the service does (SPEC §5 commands, §4
 * references, §7 due dates, §8 direct replies).
 *
 * Each message goes through three steps, all asynchronous:
 *   1. Redis, one script: counts this message in the loop counter of its
 *      exact text and the rate counter of its command's class (taken back
 *      if it is not committed), and reads the sender's guided draft and
 *      the draft they filed last;
 *   2. PostgreSQL, one read job: the sender's saved language and opt-out,
 *      a case of theirs awaiting information, and what the command asks
 *      about (a case by reference and owner, or their open cases; for
 *      free text, the case it went to as information just before);
 *   3. PostgreSQL, one write transaction: the inbound record, the effect
 *      (case, note, opt-out, mute, language) and the reply's outbox row.
 * Only when step 3 has committed is the carrier told (intake_cb 1), and
 * the reply is sent (reply.c). Any failure before that answers 0: the
 * carrier keeps the MO and redelivers it, and the new-case function in
 * the schema returns the existing case for the same text from the same
 * sender within duplicate_window, so redelivery never files twice.
 *
 * Case details go only to the number that filed the case: every lookup
 * is by reference AND owner, and a stranger's reference gets the same
 * reply as an unknown one.
 *
 * Reference numbers: sequence values are fetched from PostgreSQL in
 * blocks (seq pool) and mapped through the keyed permutation of
 * reference.c, so filing a case is still one round trip.
 *
 * This file runs the steps; intake_decide.c decides what each command
 * does and says. Owns the messages in flight and the pool. Does not own
 * the links, the clients, the catalogue or the directory (env).
 */
#include "config.h"

#include "intake.h"

#include <errno.h>
#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>
#include <libpq-fe.h>

#include "catalog.h"
#include "command.h"
#include "conf.h"
#include "directory.h"
#include "env.h"
#include "log.h"
#include "loop.h"
#include "pg_client.h"
#include "redis_client.h"
#include "refdisplay.h"
#include "reference.h"
#include "reply.h"
#include "siphash.h"
#include "textnorm.h"
#include "workdays.h"

#include "intake_impl.h"

static const char *const kind_sql[] = {"", "complaint", "suggestion",
				       "enquiry"};
const char *const intake_kind_key[] = {"", "kind.complaint", "kind.suggestion",
				       "kind.enquiry"};

/* Counts this message, so that messages from one sender in flight
 * together are counted exactly. KEYS: loop counter, rate counter, draft,
 * filed draft; ARGV: the rate window in seconds (0: not counted in a
 * class). Returns {loops, count, draft or nil, filed draft or nil}: what
 * earlier messages counted. */
static const char pre_lua[] =
	"local loops = redis.call('INCR', KEYS[1])\n"
	"if loops == 1 then\n"
	"  redis.call('EXPIRE', KEYS[1], " INTAKE_STR(
		LOOP_WINDOW_S) ")\n"
			       "end\n"
			       "local count = 0\n"
			       "if ARGV[1] ~= '0' then\n"
			       "  count = redis.call('INCR', KEYS[2])\n"
			       "  if count == 1 then\n"
			       "    redis.call('EXPIRE', KEYS[2], "
			       "tonumber(ARGV[1]))\n"
			       "  end\n"
			       "end\n"
			       "return {loops - 1, math.max(count - 1, 0), "
			       "redis.call('GET', "
			       "KEYS[3]),\n"
			       "        redis.call('GET', KEYS[4])}\n";

/* Takes a count back: a message that was not committed (the carrier
 * redelivers it, and it is counted then), or a filed case's rate count.
 * KEYS: the counters. A counter that expired meanwhile stays gone. */
static const char refund_lua[] =
	"for _, k in ipairs(KEYS) do\n"
	"  if tonumber(redis.call('GET', k) or '0') > 0 then\n"
	"    redis.call('DECR', k)\n"
	"  end\n"
	"end\n"
	"return 0\n";

/* Sends refund_lua for keys; returns 0, or -1 when it could not be sent
 * (it certainly did not run). */
static int
refund_keys(struct intake *in, const char *const *keys, unsigned n)
{
	const char *argv[3 + OWED_MAX];
	size_t lens[3 + OWED_MAX];
	char nk[12];

	if (!n)
		return 0;
	snprintf(nk, sizeof(nk), "%u", n);
	argv[0] = "EVAL";
	argv[1] = refund_lua;
	argv[2] = nk;
	for (unsigned i = 0; i < n; i++)
		argv[3 + i] = keys[i];
	for (unsigned i = 0; i < 3 + n; i++)
		lens[i] = strlen(argv[i]);
	return redis_client_command(in->env->redis, (int)(3 + n), argv, lens,
				    NULL, NULL) < 0
		       ? -1
		       : 0;
}

/* Counts to take back that could not be sent wait for the next message
 * that reaches Redis (bounded: beyond OWED_MAX they expire with their
 * window). */
static void
owe(struct intake *in, const char *const *keys, unsigned n)
{
	for (unsigned i = 0; i < n && in->nowed < OWED_MAX; i++)
		snprintf(in->owed[in->nowed++], KEY_MAX, "%s", keys[i]);
}

static void
pay_owed(struct intake *in)
{
	const char *keys[OWED_MAX];
	unsigned n = in->nowed;

	for (unsigned i = 0; i < n; i++)
		keys[i] = in->owed[i];
	if (refund_keys(in, keys, n) == 0)
		in->nowed = 0;
}

static void
refund(struct req *q, int loop, int rate)
{
	const char *keys[2];
	unsigned n = 0;

	if (loop)
		keys[n++] = q->kloop;
	if (rate && strcmp(q->win, "0") != 0)
		keys[n++] = q->klim;
	if (refund_keys(q->in, keys, n) < 0)
		owe(q->in, keys, n);
}

/* ---- completion ---------------------------------------------------------- */

static void
req_free(struct req *q)
{
	free(q->text);
	free(q->norm);
	free(q->draft);
	free(q->filed);
	free(q->reply);
	free(q->reasm_id);
	free(q);
}

void
intake_finish(struct req *q, int committed)
{
	struct intake *in = q->in;

	if (committed) {
		in->handled++;
	} else {
		in->deferred++;
		if (q->counted)
			refund(q, 1, 1);
	}
	in->pending--;
	q->cb(q->arg, committed);
	req_free(q);
}

/* The rate classes count help and lookup replies. A message that turned
 * out to be something else (a case filed from a draft, information for a
 * case, a cancelled draft) gives its count back. */
static int
in_class(const struct req *q)
{
	static const char *const own[] = {"help",   "draft", "draft_expired",
					  "status", "list",  "limited",
					  "loop"};

	if (q->kind) /* went the new-case way */
		return 0;
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (strcmp(q->outcome, own[i]) == 0)
			return 1;
	return 0;
}

/* ---- step 3: the write transaction ----------------------------------------- */

/*
 * What a committed message does to the sender's guided draft, in one
 * step, so that messages committing in another order than they came
 * (a "1" waiting for a sequence value, another instance) never drop a
 * newer draft. KEYS: draft, filed; ARGV: action, text, TTL in ms.
 *   set     the text becomes the draft, and no draft is filed any more;
 *   cancel  the draft goes if it is still the text, the filed one too;
 *   filed   the draft goes if it is still the text, which is kept as
 *           filed: a "1" redelivered after its acknowledgement was lost
 *           finds the case again (for the duplicate window from the
 *           case's creation);
 *   again   (the case was there already, or over the limit) the draft
 *           goes if it is still the text.
 */
static const char draft_lua[] =
	"if ARGV[1] == 'set' then\n"
	"  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])\n"
	"  redis.call('DEL', KEYS[2])\n"
	"  return 0\n"
	"end\n"
	"if redis.call('GET', KEYS[1]) == ARGV[2] then\n"
	"  redis.call('DEL', KEYS[1])\n"
	"end\n"
	"if ARGV[1] == 'cancel' then\n"
	"  redis.call('DEL', KEYS[2])\n"
	"elseif ARGV[1] == 'filed' then\n"
	"  redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])\n"
	"end\n"
	"return 0\n";

static void
draft_done(struct req *q)
{
	struct env *env = q->in->env;
	const char *pfx = env->conf->redis_prefix, *action, *text;
	char kdraft[64], kfiled[64], ttl[16];
	size_t tlen;
	unsigned ms;

	switch (q->post) {
	case POST_SET_DRAFT:
		action = "set";
		text = q->text;
		tlen = q->len;
		ms = env->conf->timers.ms[T_DRAFT_TTL];
		break;
	case POST_DEL_DRAFT:
		action = "cancel";
		text = q->draft ? q->draft : "";
		tlen = strlen(text);
		ms = 0;
		break;
	default: /* POST_FILE_DRAFT */
		action = strcmp(q->outcome, "case") == 0 ? "filed" : "again";
		text = q->case_text;
		tlen = q->case_text_len;
		ms = env->conf->timers.ms[T_DUP_WINDOW];
		break;
	}
	snprintf(kdraft, sizeof(kdraft), "%sdraft:%s", pfx, q->src);
	snprintf(kfiled, sizeof(kfiled), "%sfiled:%s", pfx, q->src);
	snprintf(ttl, sizeof(ttl), "%u", ms);
	const char *argv[] = {"EVAL", draft_lua, "2",  kdraft,
			      kfiled, action,    text, ttl};
	size_t lens[] = {4,
			 strlen(draft_lua),
			 1,
			 strlen(kdraft),
			 strlen(kfiled),
			 strlen(action),
			 tlen,
			 strlen(ttl)};
	redis_client_command(env->redis, 8, argv, lens, NULL, NULL);
}

static void
after_commit(struct req *q, const char *outbox_id)
{
	if (q->counted && !in_class(q))
		refund(q, 0, 1);
	if (q->post != POST_NONE)
		draft_done(q);
	if (outbox_id && outbox_id[0] && q->reply)
		reply_send(q->in->reply, outbox_id, q->link, q->src, q->reply,
			   strlen(q->reply));
}

static void
on_written(void *arg, const struct pg_outcome *out)
{
	struct req *q = arg;
	char val[200];

	if (!out->ok) {
		LOG(LC_PG, LL_WARN, "intake=not_committed reason=%s",
		    log_value(val, sizeof(val), out->err));
		intake_finish(q, 0);
		return;
	}
	PGresult *last = out->results[out->nresults - 1];
	intake_committed(q, PQntuples(last) ? PQgetvalue(last, 0, 0) : "");
}

/* The write step committed: tell the carrier, then send the reply. */
void
intake_committed(struct req *q, const char *ob)
{
	char tag[LOG_TAG_LEN];

	log_msisdn_tag(q->src, strlen(q->src), tag);
	LOG(LC_APP, LL_INFO, "intake=%s from=%s command=%s lang=%s reply=%s",
	    q->outcome, tag, command_kind_name(q->cmd.kind),
	    intake_lang_code(q->lang), ob[0] ? "yes" : "no");
	after_commit(q, ob);
	intake_finish(q, 1);
}

/*
 * The loop guard (SPEC §5: not answered): the message still has its
 * effect (an opt-out is honoured, a draft filed), only the reply goes;
 * messages whose only effect is the reply are recorded as "loop".
 */
static void
loop_filter(struct req *q)
{
	static const char *const reply_only[] = {
		"status",        "list",  "help",    "draft",
		"draft_expired", "usage", "limited", "info"};

	if (!q->looping)
		return;
	free(q->reply);
	q->reply = NULL;
	for (size_t i = 0;
	     q->outcome && i < sizeof(reply_only) / sizeof(reply_only[0]); i++)
		if (strcmp(q->outcome, reply_only[i]) == 0)
			q->outcome = "loop";
}

/*
 * Records the message with q->outcome, q->case_id, q->note and q->reply
 * in one transaction, after extra_sql (one statement with $1 = the
 * sender, $2 = extra_p1) when given.
 */
void
intake_write_record(struct req *q, const char *extra_sql, const char *extra_p1)
{
	struct env *env = q->in->env;
	struct pg_job *job = pg_job_new();
	char parts[8], dur[32];
	char *note = NULL;

	if (!job) {
		intake_finish(q, 0);
		return;
	}
	if (extra_sql) {
		const char *p[] = {q->src, extra_p1};
		pg_job_add(job, extra_sql, extra_p1 ? 2 : 1, p);
	}
	if (q->note) {
		note = strndup(q->note, q->note_len);
		if (!note) {
			pg_job_free(job);
			intake_finish(q, 0);
			return;
		}
	}
	snprintf(parts, sizeof(parts), "%u", q->parts);
	snprintf(dur, sizeof(dur), "%u milliseconds",
		 env->conf->timers.ms[T_DUP_WINDOW]);
	loop_filter(q);
	const char *p[] = {q->src,
			   q->dst,
			   q->link,
			   parts,
			   q->complete ? "t" : "f",
			   q->text,
			   q->outcome,
			   q->case_id[0] ? q->case_id : NULL,
			   note,
			   intake_lang_code(q->lang),
			   q->reply,
			   q->reasm_id,
			   dur};
	pg_job_add(job,
		   "SELECT tawasul_record($1, $2, 'sms', $3, $4::integer, "
		   "$5::boolean, $6, $7, $8::bigint, $9, $10, $11, $12, "
		   "$13::interval)",
		   13, p);
	free(note);
	if (pg_client_cb_lost(env->pg,
			      pg_client_submit(env->pg, job, on_written, q)))
		intake_finish(q, 0);
}

/* ---- new cases ------------------------------------------------------------- */

static void
on_case(void *arg, const struct pg_outcome *out)
{
	struct req *q = arg;
	char val[200];

	if (!out->ok || out->nresults != 1 || PQntuples(out->results[0]) != 1) {
		LOG(LC_PG, LL_WARN, "intake=case_not_committed reason=%s",
		    log_value(val, sizeof(val), out->ok ? "no row" : out->err));
		intake_finish(q, 0);
		return;
	}
	PGresult *r = out->results[0];
	int created = PQgetvalue(r, 0, 0)[0] == 't';
	if (!created && PQgetvalue(r, 0, 7)[0] == 't') {
		/* the daily limit, counted under the sender's lock; a
		 * guided draft stays for later */
		q->outcome = "limited";
		q->post = POST_NONE;
		if (intake_render_plain(q, "limit_cases") < 0) {
			intake_finish(q, 0);
			return;
		}
		intake_write_record(q, NULL, NULL);
		return;
	}
	if (!created && PQgetisnull(r, 0, 1)) {
		q->outcome = "already_recorded"; /* a reassembly seen twice */
		intake_committed(q, "");
		return;
	}
	if (created) {
		q->in->cases++;
		q->outcome = "case";
		intake_committed(q, PQgetvalue(r, 0, 6));
		return;
	}
	/* The same text from the same sender within the window: quote the
	 * case already filed, record this message and its reply. */
	q->in->duplicates++;
	char ref[REF_EN_SIZE], due[11], entity[17];
	snprintf(q->case_id, sizeof(q->case_id), "%s", PQgetvalue(r, 0, 1));
	snprintf(ref, sizeof(ref), "%s", PQgetvalue(r, 0, 2));
	snprintf(entity, sizeof(entity), "%s", PQgetvalue(r, 0, 4));
	snprintf(due, sizeof(due), "%s", PQgetvalue(r, 0, 5));
	const char *kind = PQgetvalue(r, 0, 3);
	int k = strcmp(kind, "suggestion") == 0 ? 2
		: strcmp(kind, "enquiry") == 0  ? 3
						: 1;
	char shown[REF_EN_SIZE];
	intake_fmt_ref(q, ref, shown, sizeof(shown));
	struct catalog_arg a[] = {
		{"kind", intake_text_of(q, intake_kind_key[k])},
		{"ref", shown},
		{"entity", intake_entity_name(q, entity)},
		{"due", due}};
	if (intake_render(q, "case_filed", a, 4) < 0) {
		intake_finish(q, 0);
		return;
	}
	q->outcome = "duplicate";
	q->note = NULL;
	intake_write_record(q, NULL, NULL);
}

static void refill(struct intake *in);

/* Files q->case_text as a q->kind case (entity resolved already). */
void
intake_new_case(struct req *q)
{
	struct intake *in = q->in;
	struct env *env = in->env;
	const struct directory_entity *e =
		directory_entity(env->dir, q->entity);
	char seq[24], dur[32], parts[8], shown[REF_EN_SIZE], limit[16];
	unsigned mask = 0;
	size_t nh;
	const int32_t *hol = directory_holidays(env->dir, &nh);
	int32_t due;

	if (!in->nseq) { /* wait for a block of sequence values */
		q->next = NULL;
		if (in->wait_tail)
			in->wait_tail->next = q;
		else
			in->wait_head = q;
		in->wait_tail = q;
		refill(in);
		return;
	}
	q->seq = in->seq[--in->nseq];
	if (in->nseq < SEQ_BLOCK / 4)
		refill(in);
	reference_from_seq(env->secret.ref_key, q->seq, q->ref);
	workdays_parse_weekend(env->conf->weekend, &mask);
	if (workdays_add(intake_today(), e ? (unsigned)e->sla[q->kind - 1] : 5,
			 mask, hol, nh, &due) < 0)
		due = intake_today();
	workdays_format_date(due, q->due);
	intake_fmt_ref(q, q->ref, shown, sizeof(shown));
	struct catalog_arg a[] = {
		{"kind", intake_text_of(q, intake_kind_key[q->kind])},
		{"ref", shown},
		{"entity", intake_entity_name(q, q->entity)},
		{"due", q->due}};
	if (intake_render(q, "case_filed", a, 4) < 0) {
		intake_finish(q, 0);
		return;
	}
	snprintf(seq, sizeof(seq), "%llu", (unsigned long long)q->seq);
	/* Under the loop guard the same text is the same case for as long
	 * as the guard counts (an hour): nothing is filed unanswered. */
	unsigned window = env->conf->timers.ms[T_DUP_WINDOW];
	if (q->looping && window < LOOP_WINDOW_S * 1000u)
		window = LOOP_WINDOW_S * 1000u;
	snprintf(dur, sizeof(dur), "%u milliseconds", window);
	snprintf(limit, sizeof(limit), "%d", env->conf->limit_cases_day);
	snprintf(parts, sizeof(parts), "%u", q->parts);
	/* The loop guard does not hold back a case filed now (the text
	 * differs from the one filed, say in case): only a duplicate's
	 * reply is dropped, in intake_write_record(). */
	q->outcome = "case";
	char *ctext = strndup(q->case_text, q->case_text_len);
	if (!ctext) {
		intake_finish(q, 0);
		return;
	}
	const char *p[] = {q->src,
			   q->dst,
			   q->link,
			   parts,
			   q->complete ? "t" : "f",
			   seq,
			   q->ref,
			   kind_sql[q->kind],
			   q->entity,
			   intake_lang_code(q->lang),
			   ctext,
			   q->due,
			   q->reply,
			   dur,
			   q->reasm_id,
			   limit,
			   env->conf->timezone};
	int r = pg_client_query(env->pg,
				"SELECT created, case_id, reference, kind, "
				"entity, due_date, outbox_id, limited FROM "
				"tawasul_new_case($1, $2, 'sms', $3, "
				"$4::integer, $5::boolean, $6::bigint, $7, "
				"$8::case_kind, $9, $10, $11, $12::date, $13, "
				"$14::interval, $15, $16::integer, $17)",
				17, p, on_case, q);
	free(ctext);
	if (pg_client_cb_lost(env->pg, r))
		intake_finish(q, 0);
}

static void
on_refill(void *arg, const struct pg_outcome *out)
{
	struct intake *in = arg;
	struct req *q;

	in->refilling = 0;
	if (out->ok && out->nresults == 1) {
		PGresult *r = out->results[0];
		for (int i = 0; i < PQntuples(r) && in->nseq < SEQ_BLOCK; i++)
			in->seq[in->nseq++] =
				strtoull(PQgetvalue(r, i, 0), NULL, 10);
	}
	while ((q = in->wait_head)) {
		if (!in->nseq && !out->ok)
			break;
		in->wait_head = q->next;
		if (!in->wait_head)
			in->wait_tail = NULL;
		if (!in->nseq) {
			/* more waiters than values: back in line */
			in->wait_head = q;
			if (!in->wait_tail)
				in->wait_tail = q;
			refill(in);
			return;
		}
		intake_new_case(q);
	}
	/* the fetch failed: the waiting messages are redelivered later */
	while ((q = in->wait_head)) {
		in->wait_head = q->next;
		intake_finish(q, 0);
	}
	in->wait_tail = NULL;
}

static void
refill(struct intake *in)
{
	char n[16];

	if (in->refilling)
		return;
	snprintf(n, sizeof(n), "%d", SEQ_BLOCK - (int)in->nseq);
	const char *p[] = {n};
	in->refilling = 1;
	int r = pg_client_query(in->env->pg,
				"SELECT nextval('case_seq') FROM "
				"generate_series(1, $1::integer)",
				1, p, on_refill, in);
	if (pg_client_cb_lost(in->env->pg, r)) {
		struct pg_outcome fail = {.ok = 0, .err = "not submitted"};
		on_refill(in, &fail);
	}
}

static void
on_read(void *arg, const struct pg_outcome *out)
{
	struct req *q = arg;
	char val[200];

	if (!out->ok || out->nresults < 2) {
		LOG(LC_PG, LL_WARN, "intake=lookup_failed reason=%s",
		    log_value(val, sizeof(val),
			      out->ok ? "results" : out->err));
		intake_finish(q, 0);
		return;
	}
	intake_decide(q, out);
}

static void
read_step(struct req *q)
{
	struct env *env = q->in->env;
	struct pg_job *job = pg_job_new();
	const char *p1[] = {q->src};

	if (!job) {
		intake_finish(q, 0);
		return;
	}
	pg_job_add(job,
		   "SELECT coalesce(lang, ''), opted_out FROM subscribers "
		   "WHERE msisdn = $1",
		   1, p1);
	pg_job_add(job,
		   "SELECT id, reference FROM cases WHERE msisdn = $1 AND "
		   "status = 'awaiting_info' AND updated_at > now() - "
		   "interval '" AWAIT_WINDOW "' ORDER BY updated_at DESC "
		   "LIMIT 1",
		   1, p1);
	if (q->cmd.ref_state == COMMAND_REF_OK &&
	    (q->cmd.kind == COMMAND_STATUS || q->cmd.kind == COMMAND_INFO ||
	     q->cmd.kind == COMMAND_STOP)) {
		const char *p[] = {q->cmd.ref, q->src, env->conf->timezone};
		pg_job_add(job,
			   "SELECT id, reference, status, entity, due_date, "
			   "to_char(updated_at AT TIME ZONE $3, "
			   "'YYYY-MM-DD HH24:MI'), due_date < (now() AT TIME "
			   "ZONE $3)::date AND status NOT IN ('responded', "
			   "'closed') FROM cases WHERE reference = $1 AND "
			   "msisdn = $2",
			   3, p);
	} else if (q->cmd.kind == COMMAND_MY) {
		pg_job_add(job,
			   "SELECT reference, status, entity FROM cases WHERE "
			   "msisdn = $1 AND status <> 'closed' ORDER BY "
			   "created_at DESC LIMIT 5",
			   1, p1);
	} else if (q->cmd.kind == COMMAND_TEXT) {
		/* Free text that the sender's last message already was,
		 * taken as information within the duplicate window (a
		 * redelivery, or sent again): that case's note path, which
		 * records it once. */
		char dur[32];
		snprintf(dur, sizeof(dur), "%u milliseconds",
			 env->conf->timers.ms[T_DUP_WINDOW]);
		const char *p[] = {q->src, q->text, dur};
		pg_job_add(
			job,
			"SELECT c.id, c.reference FROM (SELECT case_id, "
			"body, outcome, received_at FROM inbound_messages "
			"WHERE msisdn = $1 ORDER BY received_at DESC, id "
			"DESC LIMIT 1) i JOIN cases c ON c.id = i.case_id "
			"WHERE i.outcome IN ('note', 'note_again') AND "
			"i.body = $2 AND i.received_at > now() - "
			"$3::interval AND EXISTS (SELECT 1 FROM case_notes n "
			"WHERE n.case_id = c.id AND n.author = 'citizen' AND "
			"n.body = $2 AND n.created_at > now() - "
			"$3::interval)",
			3, p);
	}
	if (pg_client_cb_lost(env->pg,
			      pg_client_submit(env->pg, job, on_read, q)))
		intake_finish(q, 0);
}

/* ---- step 1: Redis --------------------------------------------------------- */

static void
on_pre(void *arg, const redisReply *reply, const char *err)
{
	struct req *q = arg;
	char val[200];

	if (!reply || reply->type != REDIS_REPLY_ARRAY ||
	    reply->elements != 4 ||
	    reply->element[0]->type != REDIS_REPLY_INTEGER) {
		LOG(LC_REDIS, LL_WARN, "intake=redis_failed reason=%s",
		    log_value(val, sizeof(val), redis_client_why(reply, err)));
		/* Sent and not answered (a timeout, a lost connection): the
		 * script may have counted, so it is taken back (at most to
		 * 0). One that failed before it was sent counted nothing. */
		q->counted = !reply && !q->unsent;
		intake_finish(q, 0);
		return;
	}
	q->counted = 1;
	q->loops = reply->element[0]->integer;
	q->count = reply->element[1]->type == REDIS_REPLY_INTEGER
			   ? reply->element[1]->integer
			   : 0;
	for (int i = 2; i <= 3; i++) {
		const redisReply *e = reply->element[i];
		if (e->type != REDIS_REPLY_STRING)
			continue;
		char *d = strndup(e->str, e->len);
		if (!d) {
			intake_finish(q, 0);
			return;
		}
		if (i == 2)
			q->draft = d;
		else
			q->filed = d;
	}
	read_step(q);
}

static enum limit_class
limit_of(enum command_kind k)
{
	switch (k) {
	case COMMAND_STATUS:
	case COMMAND_MY:
		return LIM_LOOKUPS;
	case COMMAND_HELP:
	case COMMAND_TEXT:
		return LIM_HELP;
	default:
		return LIM_NONE;
	}
}

static void
pre_step(struct req *q)
{
	struct env *env = q->in->env;
	char kdraft[64], kfiled[64];
	uint8_t hkey[16];

	memcpy(hkey, env->secret.log_key, sizeof(hkey));
	const char *pfx = env->conf->redis_prefix;

	snprintf(q->kloop, sizeof(q->kloop), "%sloop:%s:%016llx", pfx, q->src,
		 (unsigned long long)siphash(hkey, q->norm, q->nlen));
	q->lim = limit_of(q->cmd.kind);
	/* an hour from the first message counted */
	snprintf(q->klim, sizeof(q->klim), "%srl:%c:%s", pfx,
		 q->lim == LIM_LOOKUPS ? 'l' : 'h', q->src);
	snprintf(q->win, sizeof(q->win), "%s",
		 q->lim == LIM_NONE ? "0" : "3600");
	snprintf(kdraft, sizeof(kdraft), "%sdraft:%s", pfx, q->src);
	snprintf(kfiled, sizeof(kfiled), "%sfiled:%s", pfx, q->src);
	const char *argv[] = {"EVAL",  pre_lua, "4",    q->kloop,
			      q->klim, kdraft,  kfiled, q->win};
	size_t lens[8];
	for (int i = 0; i < 8; i++)
		lens[i] = strlen(argv[i]);
	/* counts owed from earlier messages go first, so this one reads
	 * them taken back (one connection: Redis runs them in order) */
	pay_owed(q->in);
	int r = redis_client_command(env->redis, 8, argv, lens, on_pre, q);
	if (redis_client_cb_lost(env->redis, r))
		intake_finish(q, 0);
	else
		q->unsent = r < 0; /* on_pre runs later, from the loop */
}

/* ---- entry ----------------------------------------------------------------- */

static void
not_ready(void *arg)
{
	struct req *q = arg;
	char tag[LOG_TAG_LEN];

	log_msisdn_tag(q->src, strlen(q->src), tag);
	LOG(LC_APP, LL_INFO,
	    "intake=deferred from=%s reason=\"not ready (PostgreSQL, "
	    "entities, triage entity or catalogue)\"",
	    tag);
	intake_finish(q, 0);
}

/* A number a reply can go to: an optional '+' and 3 to 20 digits. Any
 * other sender (alphanumeric, or with stray characters that would make it
 * someone else's number if dropped) is recorded and not answered. */
static int
msisdn_ok(const char *s)
{
	size_t n = 0;

	if (*s == '+')
		s++;
	for (; *s; s++, n++)
		if (*s < '0' || *s > '9')
			return 0;
	return n >= 3 && n <= 20;
}

/* The address as the sender gave it, printable ASCII only (a record). */
static void
copy_printable(char *dst, size_t cap, const char *src)
{
	size_t n = 0;

	for (const char *p = src; *p && n + 1 < cap; p++)
		dst[n++] = *p > ' ' && *p <= '~' ? *p : '?';
	if (!n && cap > 1)
		dst[n++] = '-';
	dst[n] = '\0';
}

/* Addressed to the service: the short code, with or without a '+'. */
static int
for_service(const struct env *env, const char *dst)
{
	return strcmp(dst[0] == '+' ? dst + 1 : dst, env->conf->short_code) ==
	       0;
}

int
intake_submit(struct intake *in, const struct intake_msg *m, intake_cb *cb,
	      void *arg)
{
	struct env *env = in->env;
	struct req *q = calloc(1, sizeof(*q));

	if (!q)
		return -ENOMEM;
	q->in = in;
	q->cb = cb;
	q->arg = arg;
	/* "+973..." and "973..." are one citizen: kept without the '+'
	 * (replies go out as international numbers). */
	if (msisdn_ok(m->src))
		snprintf(q->src, sizeof(q->src), "%s",
			 m->src + (m->src[0] == '+'));
	if (m->reasm_id && !(q->reasm_id = strdup(m->reasm_id))) {
		free(q);
		return -ENOMEM;
	}
	snprintf(q->dst, sizeof(q->dst), "%s", m->dst);
	snprintf(q->link, sizeof(q->link), "%s", m->link ? m->link : "");
	q->parts = m->parts;
	q->complete = m->complete;
	/* PostgreSQL keeps text without NULs: a GSM '@' decodes to U+0040,
	 * so a NUL here is an actual U+0000, dropped. */
	q->text = malloc(m->len + 1);
	if (!q->text) {
		free(q->reasm_id);
		free(q);
		return -ENOMEM;
	}
	for (size_t i = 0; i < m->len; i++)
		if (m->text[i])
			q->text[q->len++] = (char)m->text[i];
	q->text[q->len] = '\0';
	in->pending++;

	size_t mlen = q->len < TEXT_MAX ? q->len : TEXT_MAX;
	q->norm = malloc(TEXTNORM_MAX(mlen) + 1);
	int n = q->norm ? textnorm((const uint8_t *)q->text, mlen, q->norm,
				   TEXTNORM_MAX(mlen) + 1)
			: -ENOMEM;
	if (n >= 0 && (!q->src[0] || !for_service(env, q->dst)) &&
	    pg_client_state(env->pg) == PG_READY) {
		/* Recorded, never answered: no number to answer, or not
		 * addressed to the service. */
		q->outcome = q->src[0] ? "other_address" : "no_reply_address";
		if (!q->src[0])
			copy_printable(q->src, sizeof(q->src), m->src);
		intake_write_record(q, NULL, NULL);
		return 0;
	}
	if (n < 0 || !env->catalog || !directory_ready(env->dir) ||
	    !directory_entity(env->dir, env->conf->triage_entity) ||
	    pg_client_state(env->pg) != PG_READY) {
		if (!directory_ready(env->dir) &&
		    pg_client_state(env->pg) == PG_READY)
			directory_load(env->dir);
		/* from the loop, as promised */
		/* On failure loop_defer_free() has run not_ready() already. */
		loop_defer_free(env->lp, not_ready, q);
		return 0;
	}
	q->nlen = (size_t)n;
	command_parse((const uint8_t *)q->text, q->len, &q->cmd);
	if (q->nlen == 0) /* blank: tell how to use the service */
		q->cmd.kind = COMMAND_HELP;
	enum text_script s = q->cmd.script;
	q->lang = s == TEXT_SCRIPT_LATIN                       ? CATALOG_EN
		  : s == TEXT_SCRIPT_ARABIC                    ? CATALOG_AR
		  : strcmp(env->conf->default_lang, "en") == 0 ? CATALOG_EN
							       : CATALOG_AR;
	pre_step(q);
	return 0;
}

/* ---- life cycle -------------------------------------------------------------- */

struct intake *
intake_new(struct env *env)
{
	struct intake *in = calloc(1, sizeof(*in));

	if (!in)
		return NULL;
	in->env = env;
	in->reply = reply_new(env);
	if (!in->reply) {
		free(in);
		return NULL;
	}
	return in;
}

void
intake_free(struct intake *in)
{
	struct req *q;

	if (!in)
		return;
	while ((q = in->wait_head)) {
		in->wait_head = q->next;
		intake_finish(q, 0);
	}
	reply_free(in->reply);
	free(in);
}

unsigned
intake_pending(const struct intake *in)
{
	return in ? in->pending + reply_pending(in->reply) : 0;
}

void
intake_reload(struct intake *in)
{
	directory_load(in->env->dir);
}

void
intake_metrics(const struct intake *in, struct evbuffer *out)
{
	unsigned long long sent, failed;

	reply_stats(in->reply, &sent, &failed);
	evbuffer_add_printf(
		out,
		"# HELP tawasul_intake_total SMS messages by result.\n"
		"# TYPE tawasul_intake_total counter\n"
		"tawasul_intake_total{result=\"committed\"} %llu\n"
		"tawasul_intake_total{result=\"deferred\"} %llu\n"
		"tawasul_intake_total{result=\"loop\"} %llu\n"
		"# TYPE tawasul_cases_created_total counter\n"
		"tawasul_cases_created_total %llu\n"
		"# TYPE tawasul_cases_duplicate_total counter\n"
		"tawasul_cases_duplicate_total %llu\n"
		"# TYPE tawasul_replies_total counter\n"
		"tawasul_replies_total{result=\"sent\"} %llu\n"
		"tawasul_replies_total{result=\"failed\"} %llu\n",
		in->handled, in->deferred, in->loops, in->cases, in->duplicates,
		sent, failed);
}
