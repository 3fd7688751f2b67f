/*
 * intake.c - what an SMS to the service does (SPEC §5 commands, §4
 * references, §7 due dates, §8 direct replies).
 *
 * Each message goes through three steps, all asynchronous:
 *   1. Redis, one script: the loop counter of this exact text, the rate
 *      counter of the command's class, the sender's guided draft;
 *   2. PostgreSQL, one read job: the sender's saved language and opt-out,
 *      a case of theirs awaiting information, and what the command asks
 *      about (a case by reference and owner, or their open cases);
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
 * Owns the messages in flight and the pool. Does not own the links, the
 * clients, the catalogue or the directory (env).
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

#define SEQ_BLOCK 32
#define REPLY_MAX 4096
#define TEXT_MAX                                                               \
	8192 /* longer messages are kept whole in PostgreSQL
			     but matched on their first TEXT_MAX bytes */
#define AWAIT_WINDOW "7 days"

enum limit_class { LIM_NONE, LIM_CASES, LIM_LOOKUPS, LIM_HELP };

enum post_action { POST_NONE, POST_SET_DRAFT, POST_DEL_DRAFT };

struct req {
	struct intake *in;
	intake_cb *cb;
	void *arg;
	struct req *next; /* waiting for a sequence value */
	char src[24], dst[24], link[CONF_NAME_MAX];
	char *text; /* NUL-terminated copy */
	size_t len;
	unsigned parts;
	int complete;
	struct command cmd;
	uint8_t *norm;
	size_t nlen;
	enum limit_class lim;
	long long loops, count; /* earlier messages, committed */
	char kloop[96], klim[96], win[16];
	char *draft; /* the guided draft, if any */
	enum catalog_lang lang;
	int has_pref; /* lang is the sender's saved choice */
	int opted_out;
	char await_id[24];
	/* what the write step records */
	const char *outcome;
	char case_id[24];
	const char *note; /* borrowed from text/draft */
	size_t note_len;
	char *reply;
	enum post_action post;
	/* a new case */
	const char *case_text;
	size_t case_text_len;
	enum command_case_kind kind;
	char entity[17];
	char due[11];
	uint64_t seq;
	char ref[11];
};

struct intake {
	struct env *env;
	struct reply *reply;
	unsigned pending;
	uint64_t seq[SEQ_BLOCK];
	unsigned nseq;
	int refilling;
	struct req *wait_head, *wait_tail;
	unsigned long long handled, deferred, loops, cases, duplicates;
};

static const char *const kind_sql[] = {"", "complaint", "suggestion",
				       "enquiry"};
static const char *const kind_key[] = {"", "kind.complaint", "kind.suggestion",
				       "kind.enquiry"};

/* KEYS: loop counter, rate counter, draft. Returns {loops, count, draft
 * or nil}: what earlier, committed messages counted. */
static const char pre_lua[] =
	"return {tonumber(redis.call('GET', KEYS[1]) or '0'),\n"
	"        tonumber(redis.call('GET', KEYS[2]) or '0'),\n"
	"        redis.call('GET', KEYS[3])}\n";

/* After the commit: counts this message. KEYS: loop counter, rate
 * counter; ARGV: the rate window in seconds (0: no rate class). */
static const char count_lua[] =
	"if redis.call('INCR', KEYS[1]) == 1 then\n"
	"  redis.call('EXPIRE', KEYS[1], 3600)\n"
	"end\n"
	"if ARGV[1] ~= '0' and redis.call('INCR', KEYS[2]) == 1 then\n"
	"  redis.call('EXPIRE', KEYS[2], tonumber(ARGV[1]))\n"
	"end\n"
	"return 0\n";

static void write_record(struct req *q, const char *extra_sql,
			 const char *extra_p1);
static void committed(struct req *q, const char *outbox_id);
static void new_case(struct req *q);

/* ---- completion ---------------------------------------------------------- */

static void
req_free(struct req *q)
{
	free(q->text);
	free(q->norm);
	free(q->draft);
	free(q->reply);
	free(q);
}

static void
finish(struct req *q, int committed)
{
	struct intake *in = q->in;

	if (committed)
		in->handled++;
	else
		in->deferred++;
	in->pending--;
	q->cb(q->arg, committed);
	req_free(q);
}

/* ---- rendering ----------------------------------------------------------- */

static const char *
lang_code(enum catalog_lang l)
{
	return l == CATALOG_EN ? "en" : "ar";
}

static void
fmt_ref(const struct req *q, const char *digits, char *out, size_t cap)
{
	if (q->lang == CATALOG_EN)
		ref_format_en(digits, out, cap);
	else
		ref_format_ar(digits, out, cap);
}

static const char *
text_of(const struct req *q, const char *key)
{
	const char *t = catalog_text(q->in->env->catalog, key, q->lang);

	return t ? t : key;
}

static const char *
entity_name(const struct req *q, const char *code)
{
	const struct directory_entity *e =
		directory_entity(q->in->env->dir, code);

	if (!e)
		return code;
	return q->lang == CATALOG_EN ? e->name_en : e->name_ar;
}

/* Renders key into q->reply (replacing it); 0 or a negative errno. */
static int
render(struct req *q, const char *key, const struct catalog_arg *args,
       size_t nargs)
{
	char *out = malloc(REPLY_MAX);
	int n;

	if (!out)
		return -ENOMEM;
	n = catalog_render(q->in->env->catalog, key, q->lang, args, nargs, out,
			   REPLY_MAX);
	if (n < 0) {
		char val[64];
		LOG(LC_APP, LL_ERROR, "catalog=render_failed key=%s err=%d",
		    log_value(val, sizeof(val), key), n);
		free(out);
		return n;
	}
	free(q->reply);
	q->reply = out;
	return 0;
}

static int
render_plain(struct req *q, const char *key)
{
	return render(q, key, NULL, 0);
}

static int
render_ref(struct req *q, const char *key, const char *digits)
{
	char ref[REF_EN_SIZE];
	struct catalog_arg a[] = {{"ref", ref}};

	fmt_ref(q, digits, ref, sizeof(ref));
	return render(q, key, a, 1);
}

/* The local date today, as days since 1970-01-01 (TZ set from config). */
static int32_t
today(void)
{
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	return workdays_from_civil(tm.tm_year + 1900, tm.tm_mon + 1,
				   tm.tm_mday);
}

/* ---- step 3: the write transaction ----------------------------------------- */

static void
after_commit(struct req *q, const char *outbox_id)
{
	struct env *env = q->in->env;
	char key[64];

	const char *cargv[] = {"EVAL",   count_lua, "2",
			       q->kloop, q->klim,   q->win};
	size_t clens[6];
	for (int i = 0; i < 6; i++)
		clens[i] = strlen(cargv[i]);
	redis_client_command(env->redis, 6, cargv, clens, NULL, NULL);
	snprintf(key, sizeof(key), "%sdraft:%s", env->conf->redis_prefix,
		 q->src);
	if (q->post == POST_SET_DRAFT) {
		char ttl[16];
		snprintf(ttl, sizeof(ttl), "%u",
			 env->conf->timers.ms[T_DRAFT_TTL]);
		const char *argv[] = {"SET", key, q->text, "PX", ttl};
		size_t lens[] = {3, strlen(key), q->len, 2, strlen(ttl)};
		redis_client_command(env->redis, 5, argv, lens, NULL, NULL);
	} else if (q->post == POST_DEL_DRAFT) {
		const char *argv[] = {"DEL", key};
		size_t lens[] = {3, strlen(key)};
		redis_client_command(env->redis, 2, argv, lens, NULL, NULL);
	}
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
		finish(q, 0);
		return;
	}
	PGresult *last = out->results[out->nresults - 1];
	committed(q, PQntuples(last) ? PQgetvalue(last, 0, 0) : "");
}

/* The write step committed: tell the carrier, then send the reply. */
static void
committed(struct req *q, const char *ob)
{
	char tag[LOG_TAG_LEN];

	log_msisdn_tag(q->src, strlen(q->src), tag);
	LOG(LC_APP, LL_INFO, "intake=%s from=%s command=%s lang=%s reply=%s",
	    q->outcome, tag, command_kind_name(q->cmd.kind), lang_code(q->lang),
	    ob[0] ? "yes" : "no");
	after_commit(q, ob);
	finish(q, 1);
}

/*
 * Records the message with q->outcome, q->case_id, q->note and q->reply
 * in one transaction, after extra_sql (one statement with $1 = the
 * sender, $2 = extra_p1) when given.
 */
static void
write_record(struct req *q, const char *extra_sql, const char *extra_p1)
{
	struct env *env = q->in->env;
	struct pg_job *job = pg_job_new();
	char parts[8];
	char *note = NULL;

	if (!job) {
		finish(q, 0);
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
			finish(q, 0);
			return;
		}
	}
	snprintf(parts, sizeof(parts), "%u", q->parts);
	const char *p[] = {q->src,
			   q->dst,
			   q->link,
			   parts,
			   q->complete ? "t" : "f",
			   q->text,
			   q->outcome,
			   q->case_id[0] ? q->case_id : NULL,
			   note,
			   lang_code(q->lang),
			   q->reply};
	pg_job_add(job,
		   "SELECT tawasul_record($1, $2, 'sms', $3, $4::integer, "
		   "$5::boolean, $6, $7, $8::bigint, $9, $10, $11)",
		   11, p);
	free(note);
	if (pg_client_cb_lost(env->pg,
			      pg_client_submit(env->pg, job, on_written, q)))
		finish(q, 0);
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
		finish(q, 0);
		return;
	}
	PGresult *r = out->results[0];
	int created = PQgetvalue(r, 0, 0)[0] == 't';
	if (created) {
		q->in->cases++;
		q->outcome = "case";
		committed(q, PQgetvalue(r, 0, 6));
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
	fmt_ref(q, ref, shown, sizeof(shown));
	struct catalog_arg a[] = {{"kind", text_of(q, kind_key[k])},
				  {"ref", shown},
				  {"entity", entity_name(q, entity)},
				  {"due", due}};
	if (render(q, "case_filed", a, 4) < 0) {
		finish(q, 0);
		return;
	}
	q->outcome = "duplicate";
	q->note = NULL;
	write_record(q, NULL, NULL);
}

static void refill(struct intake *in);

/* Files q->case_text as a q->kind case (entity resolved already). */
static void
new_case(struct req *q)
{
	struct intake *in = q->in;
	struct env *env = in->env;
	const struct directory_entity *e =
		directory_entity(env->dir, q->entity);
	char seq[24], dur[32], parts[8], shown[REF_EN_SIZE];
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
	if (workdays_add(today(), e ? (unsigned)e->sla[q->kind - 1] : 5, mask,
			 hol, nh, &due) < 0)
		due = today();
	workdays_format_date(due, q->due);
	fmt_ref(q, q->ref, shown, sizeof(shown));
	struct catalog_arg a[] = {{"kind", text_of(q, kind_key[q->kind])},
				  {"ref", shown},
				  {"entity", entity_name(q, q->entity)},
				  {"due", q->due}};
	if (render(q, "case_filed", a, 4) < 0) {
		finish(q, 0);
		return;
	}
	snprintf(seq, sizeof(seq), "%llu", (unsigned long long)q->seq);
	snprintf(dur, sizeof(dur), "%u milliseconds",
		 env->conf->timers.ms[T_DUP_WINDOW]);
	snprintf(parts, sizeof(parts), "%u", q->parts);
	char *ctext = strndup(q->case_text, q->case_text_len);
	if (!ctext) {
		finish(q, 0);
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
			   lang_code(q->lang),
			   ctext,
			   q->due,
			   q->reply,
			   dur};
	int r = pg_client_query(env->pg,
				"SELECT created, case_id, reference, kind, "
				"entity, due_date, outbox_id FROM "
				"tawasul_new_case($1, $2, 'sms', $3, "
				"$4::integer, $5::boolean, $6::bigint, $7, "
				"$8::case_kind, $9, $10, $11, $12::date, $13, "
				"$14::interval)",
				14, p, on_case, q);
	free(ctext);
	if (pg_client_cb_lost(env->pg, r))
		finish(q, 0);
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
		new_case(q);
	}
	/* the fetch failed: the waiting messages are redelivered later */
	while ((q = in->wait_head)) {
		in->wait_head = q->next;
		finish(q, 0);
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

/* Entity for a new case: the word after the keyword, else the first
 * alias in the text, else triage (SPEC §5). */
static void
resolve_entity(struct req *q, const char *text, size_t len, size_t tok_off,
	       size_t tok_len)
{
	struct env *env = q->in->env;
	const struct directory_entity *e = NULL;
	uint8_t buf[TEXTNORM_MAX(64)];
	int n;

	if (tok_len && tok_len <= 64 &&
	    (n = textnorm((const uint8_t *)text + tok_off, tok_len, buf,
			  sizeof(buf))) > 0)
		e = directory_match_token(env->dir, buf, (size_t)n);
	if (!e) {
		size_t cap = TEXTNORM_MAX(len < TEXT_MAX ? len : TEXT_MAX);
		uint8_t *nb = malloc(cap ? cap : 1);
		if (nb && (n = textnorm((const uint8_t *)text,
					len < TEXT_MAX ? len : TEXT_MAX, nb,
					cap)) > 0)
			e = directory_match_text(env->dir, nb, (size_t)n);
		free(nb);
	}
	snprintf(q->entity, sizeof(q->entity), "%s",
		 e ? e->code : env->conf->triage_entity);
}

/* ---- step 2: decide ---------------------------------------------------------- */

static int
limited(const struct req *q)
{
	const struct conf *c = q->in->env->conf;
	long long max = q->lim == LIM_CASES     ? c->limit_cases_day
			: q->lim == LIM_LOOKUPS ? c->limit_lookups_hour
			: q->lim == LIM_HELP    ? c->limit_help_hour
						: 0;

	return q->lim != LIM_NONE && q->count + 1 > max;
}

/* The reference checks shared by STATUS, INFO and STOP <ref>: renders
 * the reply for a bad, mistyped or unknown reference and returns 1, or
 * returns 0 when case row r (statement 2) is the sender's. */
static int
ref_problem(struct req *q, PGresult *r)
{
	if (q->cmd.ref_state != COMMAND_REF_OK)
		return render_plain(q, "ref_bad"), 1;
	if (!reference_valid(q->cmd.ref))
		return render_ref(q, "ref_mistyped", q->cmd.ref), 1;
	if (!r || PQntuples(r) != 1)
		return render_ref(q, "ref_unknown", q->cmd.ref), 1;
	return 0;
}

static void
do_status(struct req *q, PGresult *r)
{
	char ref[REF_EN_SIZE];

	q->outcome = "status";
	if (ref_problem(q, r))
		return;
	snprintf(q->case_id, sizeof(q->case_id), "%s", PQgetvalue(r, 0, 0));
	char skey[40];
	snprintf(skey, sizeof(skey), "status.%s", PQgetvalue(r, 0, 2));
	fmt_ref(q, PQgetvalue(r, 0, 1), ref, sizeof(ref));
	struct catalog_arg a[] = {
		{"ref", ref},
		{"status", text_of(q, skey)},
		{"entity", entity_name(q, PQgetvalue(r, 0, 3))},
		{"due", PQgetvalue(r, 0, 4)},
		{"updated", PQgetvalue(r, 0, 5)}};
	render(q, PQgetvalue(r, 0, 6)[0] == 't' ? "status_overdue" : "status",
	       a, 5);
}

static void
do_my(struct req *q, PGresult *r)
{
	int n = r ? PQntuples(r) : 0;
	char count[8];
	struct evbuffer *b = evbuffer_new();

	q->outcome = "list";
	if (!n || !b) {
		render_plain(q, "my_none");
		if (b)
			evbuffer_free(b);
		return;
	}
	snprintf(count, sizeof(count), "%d", n);
	struct catalog_arg h[] = {{"count", count}};
	if (render(q, "my_header", h, 1) == 0)
		evbuffer_add(b, q->reply, strlen(q->reply));
	for (int i = 0; i < n; i++) {
		char ref[REF_EN_SIZE], skey[40];
		fmt_ref(q, PQgetvalue(r, i, 0), ref, sizeof(ref));
		snprintf(skey, sizeof(skey), "status.%s", PQgetvalue(r, i, 1));
		struct catalog_arg a[] = {
			{"ref", ref},
			{"status", text_of(q, skey)},
			{"entity", entity_name(q, PQgetvalue(r, i, 2))}};
		if (render(q, "my_line", a, 3) == 0) {
			evbuffer_add(b, "\n", 1);
			evbuffer_add(b, q->reply, strlen(q->reply));
		}
	}
	evbuffer_add(b, "", 1);
	free(q->reply);
	q->reply = strdup((const char *)evbuffer_pullup(b, -1));
	evbuffer_free(b);
}

static void
file_draft(struct req *q, int choice)
{
	q->kind = (enum command_case_kind)choice;
	q->case_text = q->draft;
	q->case_text_len = strlen(q->draft);
	q->post = POST_DEL_DRAFT;
	resolve_entity(q, q->draft, q->case_text_len, 0, 0);
	new_case(q);
}

static void
decide(struct req *q, const struct pg_outcome *out)
{
	struct env *env = q->in->env;
	const struct command *c = &q->cmd;
	PGresult *sub = out->results[0], *await = out->results[1],
		 *look = out->nresults > 2 ? out->results[2] : NULL;
	const char *extra = NULL, *extra_p1 = NULL;

	if (PQntuples(sub) == 1) {
		const char *l = PQgetvalue(sub, 0, 0);
		if (l[0]) {
			q->lang =
				strcmp(l, "en") == 0 ? CATALOG_EN : CATALOG_AR;
			q->has_pref = 1;
		}
		q->opted_out = PQgetvalue(sub, 0, 1)[0] == 't';
	}
	if (PQntuples(await) == 1)
		snprintf(q->await_id, sizeof(q->await_id), "%s",
			 PQgetvalue(await, 0, 0));

	if (q->loops + 1 >= env->conf->loop_threshold) {
		q->in->loops++;
		q->outcome = "loop"; /* recorded, not answered */
		write_record(q, NULL, NULL);
		return;
	}
	switch (c->kind) {
	case COMMAND_STOP:
		if (c->ref_state != COMMAND_REF_NONE) {
			q->outcome = "mute";
			if (!ref_problem(q, look)) {
				snprintf(q->case_id, sizeof(q->case_id), "%s",
					 PQgetvalue(look, 0, 0));
				render_ref(q, "stop_case",
					   PQgetvalue(look, 0, 1));
				extra = "INSERT INTO case_mutes (case_id) "
					"SELECT id FROM cases WHERE id = "
					"$2::bigint AND msisdn = $1 ON "
					"CONFLICT DO NOTHING";
				extra_p1 = q->case_id;
			}
			break;
		}
		q->outcome = "stop";
		if (!q->opted_out) /* confirmed once */
			render_plain(q, "stop_all");
		extra = "INSERT INTO subscribers (msisdn, opted_out, "
			"opted_out_at) VALUES ($1, true, now()) ON CONFLICT "
			"(msisdn) DO UPDATE SET opted_out = true, opted_out_at "
			"= now(), updated_at = now()";
		break;
	case COMMAND_START:
		q->outcome = "start";
		render_plain(q, "start");
		extra = "INSERT INTO subscribers (msisdn, opted_out) VALUES "
			"($1, false) ON CONFLICT (msisdn) DO UPDATE SET "
			"opted_out = false, opted_out_at = NULL, updated_at = "
			"now()";
		break;
	case COMMAND_HELP:
		q->outcome = limited(q) ? "limited" : "help";
		if (!limited(q))
			render_plain(q, "help");
		break;
	case COMMAND_LANG:
		q->outcome = "language";
		q->lang = c->lang == COMMAND_LANG_EN ? CATALOG_EN : CATALOG_AR;
		render_plain(q, "lang_set");
		extra = "INSERT INTO subscribers (msisdn, lang) VALUES ($1, "
			"$2) "
			"ON CONFLICT (msisdn) DO UPDATE SET lang = $2, "
			"updated_at = now()";
		extra_p1 = lang_code(q->lang);
		break;
	default:
		goto rest;
	}
	write_record(q, extra, extra_p1);
	return;

rest:
	/* Row 5: a pending exchange. A guided draft takes its digit, and
	 * the reply follows the draft's language when nothing else says. */
	if (q->draft && c->choice >= 0 && c->choice <= 3) {
		enum text_script ds = textnorm_script((const uint8_t *)q->draft,
						      strlen(q->draft));
		if (!q->has_pref && ds != TEXT_SCRIPT_NONE)
			q->lang = ds == TEXT_SCRIPT_LATIN ? CATALOG_EN
							  : CATALOG_AR;
		if (c->choice == 0) {
			q->outcome = "draft_cancelled";
			q->post = POST_DEL_DRAFT;
			render_plain(q, "guided_cancelled");
			write_record(q, NULL, NULL);
		} else {
			file_draft(q, c->choice);
		}
		return;
	}
	if (q->await_id[0]) {
		q->outcome = "note";
		snprintf(q->case_id, sizeof(q->case_id), "%s", q->await_id);
		q->note = q->text;
		q->note_len = q->len;
		render_ref(q, "info_added", PQgetvalue(await, 0, 1));
		write_record(q, NULL, NULL);
		return;
	}
	switch (c->kind) {
	case COMMAND_STATUS:
		if (limited(q)) {
			q->outcome = "limited";
			render_plain(q, "limit_lookups");
		} else {
			do_status(q, look);
		}
		break;
	case COMMAND_MY:
		if (limited(q)) {
			q->outcome = "limited";
			render_plain(q, "limit_lookups");
		} else {
			do_my(q, look);
		}
		break;
	case COMMAND_INFO:
		q->outcome = "info";
		if (ref_problem(q, look))
			break;
		if (!c->body_len) {
			render_plain(q, "info_usage");
			break;
		}
		q->outcome = "note";
		snprintf(q->case_id, sizeof(q->case_id), "%s",
			 PQgetvalue(look, 0, 0));
		q->note = q->text + c->body_off;
		q->note_len = c->body_len;
		render_ref(q, "info_added", PQgetvalue(look, 0, 1));
		break;
	case COMMAND_NEW:
		if (!c->body_len) {
			q->outcome = "usage";
			render_plain(q, "new_usage");
			break;
		}
		if (limited(q)) {
			q->outcome = "limited";
			render_plain(q, "limit_cases");
			break;
		}
		q->kind = c->case_kind;
		q->case_text = q->text;
		q->case_text_len = q->len;
		resolve_entity(q, q->text, q->len, c->token_off, c->token_len);
		new_case(q);
		return;
	case COMMAND_TEXT:
	default:
		q->outcome = "draft";
		q->post = POST_SET_DRAFT;
		if (!limited(q))
			render_plain(q, "guided_prompt");
		break;
	}
	write_record(q, NULL, NULL);
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
		finish(q, 0);
		return;
	}
	decide(q, out);
}

static void
read_step(struct req *q)
{
	struct env *env = q->in->env;
	struct pg_job *job = pg_job_new();
	const char *p1[] = {q->src};

	if (!job) {
		finish(q, 0);
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
	}
	if (pg_client_cb_lost(env->pg,
			      pg_client_submit(env->pg, job, on_read, q)))
		finish(q, 0);
}

/* ---- step 1: Redis --------------------------------------------------------- */

static void
on_pre(void *arg, const redisReply *reply, const char *err)
{
	struct req *q = arg;
	char val[200];

	if (!reply || reply->type != REDIS_REPLY_ARRAY ||
	    reply->elements != 3 ||
	    reply->element[0]->type != REDIS_REPLY_INTEGER) {
		LOG(LC_REDIS, LL_WARN, "intake=redis_failed reason=%s",
		    log_value(val, sizeof(val),
			      err ? err
			      : reply && reply->type == REDIS_REPLY_ERROR
				      ? reply->str
				      : "unexpected reply"));
		finish(q, 0);
		return;
	}
	q->loops = reply->element[0]->integer;
	q->count = reply->element[1]->type == REDIS_REPLY_INTEGER
			   ? reply->element[1]->integer
			   : 0;
	if (reply->element[2]->type == REDIS_REPLY_STRING)
		q->draft =
			strndup(reply->element[2]->str, reply->element[2]->len);
	read_step(q);
}

static enum limit_class
limit_of(enum command_kind k)
{
	switch (k) {
	case COMMAND_NEW:
		return LIM_CASES;
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
	char kdraft[64];
	uint8_t hkey[16];
	time_t now = time(NULL);

	memcpy(hkey, env->secret.log_key, sizeof(hkey));
	const char *pfx = env->conf->redis_prefix;

	snprintf(q->kloop, sizeof(q->kloop), "%sloop:%s:%016llx", pfx, q->src,
		 (unsigned long long)siphash(hkey, q->norm, q->nlen));
	q->lim = limit_of(q->cmd.kind);
	if (q->lim == LIM_CASES)
		snprintf(q->klim, sizeof(q->klim), "%srl:c:%s:%lld", pfx,
			 q->src, (long long)(now / 86400));
	else
		snprintf(q->klim, sizeof(q->klim), "%srl:%c:%s:%lld", pfx,
			 q->lim == LIM_LOOKUPS ? 'l' : 'h', q->src,
			 (long long)(now / 3600));
	snprintf(q->win, sizeof(q->win), "%s",
		 q->lim == LIM_NONE    ? "0"
		 : q->lim == LIM_CASES ? "90000"
				       : "3700");
	snprintf(kdraft, sizeof(kdraft), "%sdraft:%s", pfx, q->src);
	const char *argv[] = {"EVAL", pre_lua, "3", q->kloop, q->klim, kdraft};
	size_t lens[6];
	for (int i = 0; i < 6; i++)
		lens[i] = strlen(argv[i]);
	int r = redis_client_command(env->redis, 6, argv, lens, on_pre, q);
	if (r == -EINVAL || r == -ENOMEM || r == -ESHUTDOWN)
		finish(q, 0);
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
	finish(q, 0);
}

/* Keeps an address usable inside a Redis key: digits and '+' only. */
static void
copy_addr(char *dst, size_t cap, const char *src)
{
	size_t n = 0;

	for (const char *p = src; *p && n + 1 < cap; p++)
		if ((*p >= '0' && *p <= '9') || *p == '+')
			dst[n++] = *p;
	dst[n] = '\0';
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
	copy_addr(q->src, sizeof(q->src), m->src);
	snprintf(q->dst, sizeof(q->dst), "%s", m->dst);
	snprintf(q->link, sizeof(q->link), "%s", m->link ? m->link : "");
	q->parts = m->parts;
	q->complete = m->complete;
	/* PostgreSQL keeps text without NULs: a GSM '@' decodes to U+0040,
	 * so a NUL here is an actual U+0000, dropped. */
	q->text = malloc(m->len + 1);
	if (!q->text) {
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
	if (n < 0 || !q->src[0] || !env->catalog ||
	    !directory_ready(env->dir) ||
	    !directory_entity(env->dir, env->conf->triage_entity) ||
	    pg_client_state(env->pg) != PG_READY) {
		if (!directory_ready(env->dir) &&
		    pg_client_state(env->pg) == PG_READY)
			directory_load(env->dir, env->pg);
		/* from the loop, as promised */
		if (loop_defer_free(env->lp, not_ready, q) < 0) {
			in->pending--;
			req_free(q);
			return -ENOMEM;
		}
		return 0;
	}
	q->nlen = (size_t)n;
	command_parse((const uint8_t *)q->text, q->len, &q->cmd);
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
		finish(q, 0);
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
	directory_load(in->env->dir, in->env->pg);
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
