/*
 * intake_decide.c - what each SMS command does and says (SPEC §4-§7): the
 * reply texts from the catalogue in the sender's language, references
 * checked (bad, mistyped, unknown or not the sender's: one reply for the
 * last two), entities resolved, rate limits and the loop guard applied,
 * pending exchanges (a guided draft, a case awaiting information) before
 * the commands they would otherwise be. Works on the results of intake's
 * read step and hands a decision to its write step; does no I/O itself.
 */
#include "config.h"

#include <errno.h>
#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "directory.h"
#include "env.h"
#include "intake_impl.h"
#include "log.h"
#include "pg_client.h"
#include "refdisplay.h"
#include "reference.h"
#include "textnorm.h"
#include "workdays.h"

/* ---- rendering ----------------------------------------------------------- */

const char *
intake_lang_code(enum catalog_lang l)
{
	return l == CATALOG_EN ? "en" : "ar";
}

void
intake_fmt_ref(const struct req *q, const char *digits, char *out, size_t cap)
{
	if (q->lang == CATALOG_EN)
		ref_format_en(digits, out, cap);
	else
		ref_format_ar(digits, out, cap);
}

const char *
intake_text_of(const struct req *q, const char *key)
{
	const char *t = catalog_text(q->in->env->catalog, key, q->lang);

	return t ? t : key;
}

const char *
intake_entity_name(const struct req *q, const char *code)
{
	const struct directory_entity *e =
		directory_entity(q->in->env->dir, code);

	if (!e)
		return code;
	return q->lang == CATALOG_EN ? e->name_en : e->name_ar;
}

/* Renders key into q->reply (replacing it); 0 or a negative errno. */
int
intake_render(struct req *q, const char *key, const struct catalog_arg *args,
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

int
intake_render_plain(struct req *q, const char *key)
{
	return intake_render(q, key, NULL, 0);
}

int
intake_render_ref(struct req *q, const char *key, const char *digits)
{
	char ref[REF_EN_SIZE];
	struct catalog_arg a[] = {{"ref", ref}};

	intake_fmt_ref(q, digits, ref, sizeof(ref));
	return intake_render(q, key, a, 1);
}

/* The local date today, as days since 1970-01-01 (TZ set from config). */
int32_t
intake_today(void)
{
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	return workdays_from_civil(tm.tm_year + 1900, tm.tm_mon + 1,
				   tm.tm_mday);
}

/* Entity for a new case: the word after the keyword, else the first
 * alias in the text, else triage (SPEC §5). Returns 1 when the word after
 * the keyword named it. */
int
intake_resolve_entity(struct req *q, const char *text, size_t len,
		      size_t tok_off, size_t tok_len)
{
	struct env *env = q->in->env;
	const struct directory_entity *e = NULL;
	uint8_t buf[TEXTNORM_MAX(64)];
	int n;

	if (tok_len && tok_len <= 64 &&
	    (n = textnorm((const uint8_t *)text + tok_off, tok_len, buf,
			  sizeof(buf))) > 0)
		e = directory_match_token(env->dir, buf, (size_t)n);
	int by_token = e != NULL;
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
	return by_token;
}

/* ---- step 2: decide ---------------------------------------------------------- */

static int
limited(const struct req *q)
{
	const struct conf *c = q->in->env->conf;
	long long max = q->lim == LIM_LOOKUPS ? c->limit_lookups_hour
			: q->lim == LIM_HELP  ? c->limit_help_hour
					      : 0;

	return q->lim != LIM_NONE && q->count + 1 > max;
}

/* Over a limit, only the first message past it is told so. */
static int
first_over(const struct req *q)
{
	const struct conf *c = q->in->env->conf;

	return q->count == (q->lim == LIM_LOOKUPS ? c->limit_lookups_hour
						  : c->limit_help_hour);
}

/* The reference checks shared by STATUS, INFO and STOP <ref>: renders
 * the reply for a bad, mistyped or unknown reference and returns 1, or
 * returns 0 when case row r (statement 2) is the sender's. */
static int
ref_problem(struct req *q, PGresult *r, const char *usage)
{
	if (q->cmd.ref_state == COMMAND_REF_NONE)
		return intake_render_plain(q, usage), 1;
	if (q->cmd.ref_state != COMMAND_REF_OK)
		return intake_render_plain(q, "ref_bad"), 1;
	if (!reference_valid(q->cmd.ref))
		return intake_render_ref(q, "ref_mistyped", q->cmd.ref), 1;
	if (!r || PQntuples(r) != 1)
		return intake_render_ref(q, "ref_unknown", q->cmd.ref), 1;
	return 0;
}

static void
do_status(struct req *q, PGresult *r)
{
	char ref[REF_EN_SIZE];

	q->outcome = "status";
	if (ref_problem(q, r, "status_usage"))
		return;
	snprintf(q->case_id, sizeof(q->case_id), "%s", PQgetvalue(r, 0, 0));
	char skey[40];
	snprintf(skey, sizeof(skey), "status.%s", PQgetvalue(r, 0, 2));
	intake_fmt_ref(q, PQgetvalue(r, 0, 1), ref, sizeof(ref));
	struct catalog_arg a[] = {
		{"ref", ref},
		{"status", intake_text_of(q, skey)},
		{"entity", intake_entity_name(q, PQgetvalue(r, 0, 3))},
		{"due", PQgetvalue(r, 0, 4)},
		{"updated", PQgetvalue(r, 0, 5)}};
	intake_render(
		q, PQgetvalue(r, 0, 6)[0] == 't' ? "status_overdue" : "status",
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
		intake_render_plain(q, "my_none");
		if (b)
			evbuffer_free(b);
		return;
	}
	snprintf(count, sizeof(count), "%d", n);
	struct catalog_arg h[] = {{"count", count}};
	if (intake_render(q, "my_header", h, 1) == 0)
		evbuffer_add(b, q->reply, strlen(q->reply));
	for (int i = 0; i < n; i++) {
		char ref[REF_EN_SIZE], skey[40];
		intake_fmt_ref(q, PQgetvalue(r, i, 0), ref, sizeof(ref));
		snprintf(skey, sizeof(skey), "status.%s", PQgetvalue(r, i, 1));
		struct catalog_arg a[] = {
			{"ref", ref},
			{"status", intake_text_of(q, skey)},
			{"entity", intake_entity_name(q, PQgetvalue(r, i, 2))}};
		if (intake_render(q, "my_line", a, 3) == 0) {
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
file_draft(struct req *q, int choice, const char *draft)
{
	q->kind = (enum command_case_kind)choice;
	q->case_text = draft;
	q->case_text_len = strlen(draft);
	q->post = POST_FILE_DRAFT;
	intake_resolve_entity(q, draft, q->case_text_len, 0, 0);
	intake_new_case(q);
}

/* The reply follows the draft's language when nothing else says. */
static void
lang_of_draft(struct req *q, const char *draft)
{
	enum text_script ds =
		textnorm_script((const uint8_t *)draft, strlen(draft));

	if (!q->has_pref && ds != TEXT_SCRIPT_NONE)
		q->lang = ds == TEXT_SCRIPT_LATIN ? CATALOG_EN : CATALOG_AR;
}

void
intake_decide(struct req *q, const struct pg_outcome *out)
{
	struct env *env = q->in->env;
	const struct command *c = &q->cmd;
	PGresult *sub = out->results[0], *await = out->results[1],
		 *look = out->nresults > 2 ? out->results[2] : NULL;
	const char *extra = NULL, *extra_p1 = NULL, *draft;

	if (PQntuples(sub) == 1) {
		const char *l = PQgetvalue(sub, 0, 0);
		if (l[0]) {
			q->lang =
				strcmp(l, "en") == 0 ? CATALOG_EN : CATALOG_AR;
			q->has_pref = 1;
		}
		q->opted_out = PQgetvalue(sub, 0, 1)[0] == 't';
	}
	/* (free text: look is the case its last note went to, if this is
	 * that note again) */
	if (PQntuples(await) != 1 && c->kind == COMMAND_TEXT && look &&
	    PQntuples(look) == 1)
		await = look;
	if (PQntuples(await) == 1)
		snprintf(q->await_id, sizeof(q->await_id), "%s",
			 PQgetvalue(await, 0, 0));

	/* A digit that files or cancels a draft answers our prompt: a
	 * citizen's reply, not a loop. */
	int answers_draft = c->choice >= 0 && c->choice <= 3 &&
			    (q->draft || (q->filed && c->choice));
	if (q->loops + 1 >= env->conf->loop_threshold && !answers_draft) {
		q->in->loops++;
		q->looping = 1; /* recorded and acted on, not answered */
	}
	switch (c->kind) {
	case COMMAND_STOP:
		if (c->ref_state != COMMAND_REF_NONE) {
			q->outcome = "mute_refused";
			if (!ref_problem(q, look, "ref_bad")) {
				q->outcome = "mute";
				snprintf(q->case_id, sizeof(q->case_id), "%s",
					 PQgetvalue(look, 0, 0));
				intake_render_ref(q, "stop_case",
						  PQgetvalue(look, 0, 1));
				extra = "INSERT INTO case_mutes (case_id) "
					"SELECT id FROM cases WHERE id = "
					"$2::bigint AND msisdn = $1 ON "
					"CONFLICT DO NOTHING";
				extra_p1 = q->case_id;
			}
			break;
		}
		/* Opted out by tawasul_record(), which confirms only the
		 * first of several opt-outs in flight together. */
		q->outcome = "stop";
		if (!q->opted_out) /* confirmed once */
			intake_render_plain(q, "stop_all");
		break;
	case COMMAND_START:
		q->outcome = "start";
		intake_render_plain(q, "start");
		extra = "INSERT INTO subscribers (msisdn, opted_out) VALUES "
			"($1, false) ON CONFLICT (msisdn) DO UPDATE SET "
			"opted_out = false, opted_out_at = NULL, updated_at = "
			"now()";
		break;
	case COMMAND_HELP:
		q->outcome = limited(q) ? "limited" : "help";
		if (!limited(q))
			intake_render_plain(q, "help");
		break;
	case COMMAND_LANG:
		q->outcome = "language";
		q->lang = c->lang == COMMAND_LANG_EN ? CATALOG_EN : CATALOG_AR;
		intake_render_plain(q, "lang_set");
		extra = "INSERT INTO subscribers (msisdn, lang) VALUES ($1, "
			"$2) "
			"ON CONFLICT (msisdn) DO UPDATE SET lang = $2, "
			"updated_at = now()";
		extra_p1 = intake_lang_code(q->lang);
		break;
	default:
		goto rest;
	}
	intake_write_record(q, extra, extra_p1);
	return;

rest:
	/* Row 5: a pending exchange. A guided draft takes its digit; a
	 * "1" to "3" redelivered after its draft was filed files it again,
	 * which finds the case already filed. */
	draft = q->draft                           ? q->draft
		: c->choice >= 1 && c->choice <= 3 ? q->filed
						   : NULL;
	if (draft && c->choice >= 0 && c->choice <= 3) {
		lang_of_draft(q, draft);
		if (c->choice == 0) {
			q->outcome = "draft_cancelled";
			q->post = POST_DEL_DRAFT;
			intake_render_plain(q, "guided_cancelled");
			intake_write_record(q, NULL, NULL);
		} else {
			file_draft(q, c->choice, draft);
		}
		return;
	}
	if (q->await_id[0]) {
		q->outcome = "note";
		snprintf(q->case_id, sizeof(q->case_id), "%s", q->await_id);
		q->note = q->text;
		q->note_len = q->len;
		intake_render_ref(q, "info_added", PQgetvalue(await, 0, 1));
		intake_write_record(q, NULL, NULL);
		return;
	}
	/* A lone digit that answers nothing is never a draft of its own:
	 * past the choices, the prompt again (the draft kept); with no
	 * draft (expired after draft_ttl, or cancelled), say so. */
	if (c->kind == COMMAND_TEXT && c->choice >= 0) {
		if (q->draft) {
			q->outcome = "draft";
			lang_of_draft(q, q->draft);
		} else {
			q->outcome = "draft_expired";
		}
		if (limited(q))
			q->outcome = "limited";
		else
			intake_render_plain(q, q->draft ? "guided_prompt"
							: "guided_expired");
		intake_write_record(q, NULL, NULL);
		return;
	}
	switch (c->kind) {
	case COMMAND_STATUS:
	case COMMAND_MY:
		if (limited(q)) {
			q->outcome = "limited";
			if (first_over(q))
				intake_render_plain(q, "limit_lookups");
		} else if (c->kind == COMMAND_STATUS) {
			do_status(q, look);
		} else {
			do_my(q, look);
		}
		break;
	case COMMAND_INFO:
		q->outcome = "info";
		if (ref_problem(q, look, "info_usage"))
			break;
		if (!c->body_len) {
			intake_render_plain(q, "info_usage");
			break;
		}
		q->outcome = "note";
		snprintf(q->case_id, sizeof(q->case_id), "%s",
			 PQgetvalue(look, 0, 0));
		q->note = q->text + c->body_off;
		q->note_len = c->body_len;
		intake_render_ref(q, "info_added", PQgetvalue(look, 0, 1));
		break;
	case COMMAND_NEW:
		/* "C" alone, or "C EWA" with nothing to say: how to file */
		if (!c->body_len ||
		    (intake_resolve_entity(q, q->text, q->len, c->token_off,
					   c->token_len) &&
		     !c->rest_len)) {
			q->outcome = "usage";
			intake_render_plain(q, "new_usage");
			break;
		}
		q->kind = c->case_kind;
		q->case_text = q->text;
		q->case_text_len = q->len;
		intake_new_case(q);
		return;
	case COMMAND_TEXT:
	default:
		q->outcome = "draft";
		q->post = POST_SET_DRAFT;
		if (limited(q))
			q->outcome = "limited";
		else
			intake_render_plain(q, "guided_prompt");
		break;
	}
	intake_write_record(q, NULL, NULL);
}
