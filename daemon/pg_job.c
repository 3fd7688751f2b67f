/*
 * pg_job.c - a PostgreSQL job: statements in, results and one outcome out
 * (DESIGN §2: one pipeline sync per job = one implicit transaction).
 *
 * What it owns: copies of each statement's SQL and text parameters, and the
 * PGresults filed under the job until pg_job_free().
 *
 * What it does not do: no I/O, no event loop, no logging. pg_client.c sends
 * the statements and feeds the results back in order (see pg_job.h); this
 * file decides what they mean: ok only if every statement returned
 * PGRES_COMMAND_OK or PGRES_TUPLES_OK, otherwise the first failing
 * statement's message (one line) and SQLSTATE; statements after it come
 * back PGRES_PIPELINE_ABORTED (the server rolled the job back).
 */
#include <libpq-fe.h>

#include "pg_job.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PG_MAX_PARAMS 65535 /* protocol limit (int16) */

void
pg_job_list_push(struct pg_job_list *l, struct pg_job *job)
{
	job->next = NULL;
	if (l->tail)
		l->tail->next = job;
	else
		l->head = job;
	l->tail = job;
	l->n++;
}

struct pg_job *
pg_job_list_pop(struct pg_job_list *l)
{
	struct pg_job *job = l->head;

	if (!job)
		return NULL;
	l->head = job->next;
	if (!l->head)
		l->tail = NULL;
	l->n--;
	job->next = NULL;
	return job;
}

void
pg_job_one_line(char *dst, size_t size, const char *s)
{
	size_t n = 0;
	int gap = 0;

	if (!size)
		return;
	for (; *s && n + 1 < size; s++) {
		if (*s == '\n' || *s == '\r' || *s == '\t') {
			gap = 1;
			continue;
		}
		if (gap && n > 0 && dst[n - 1] != ' ')
			dst[n++] = ' ';
		gap = 0;
		if (n + 1 < size)
			dst[n++] = *s;
	}
	while (n > 0 && dst[n - 1] == ' ')
		n--;
	dst[n] = '\0';
}

struct pg_job *
pg_job_new(void)
{
	return calloc(1, sizeof(struct pg_job));
}

static void
pg_stmt_clear(struct pg_stmt *s)
{
	int i;

	free(s->sql);
	s->sql = NULL;
	for (i = 0; s->params && i < s->nparams; i++)
		free(s->params[i]);
	free(s->params);
	s->params = NULL;
}

void
pg_job_free(struct pg_job *job)
{
	int i;

	if (!job)
		return;
	for (i = 0; i < job->nstmts; i++) {
		pg_stmt_clear(&job->stmts[i]);
		PQclear(job->results[i]);
	}
	free(job->stmts);
	free(job->results);
	free(job->errmsg);
	free(job);
}

/* Doubles both arrays; on failure the job keeps what it had. */
static int
pg_job_grow(struct pg_job *job)
{
	int cap = job->cap ? job->cap * 2 : 2;
	struct pg_stmt *stmts;
	PGresult **results;

	stmts = realloc(job->stmts, (size_t)cap * sizeof(*stmts));
	if (!stmts)
		return -ENOMEM;
	job->stmts = stmts;
	results = realloc(job->results, (size_t)cap * sizeof(*results));
	if (!results)
		return -ENOMEM;
	job->results = results;
	job->cap = cap;
	return 0;
}

int
pg_job_add(struct pg_job *job, const char *sql, int nparams,
	   const char *const *params)
{
	struct pg_stmt s = {0};
	int rc = -ENOMEM;
	int i;

	if (!job)
		return -EINVAL;
	if (!sql || nparams < 0 || nparams > PG_MAX_PARAMS ||
	    (nparams > 0 && !params)) {
		rc = -EINVAL;
		goto fail;
	}
	if (job->nstmts == job->cap && pg_job_grow(job) < 0)
		goto fail;
	s.sql = strdup(sql);
	if (!s.sql)
		goto fail;
	if (nparams > 0) {
		s.params = calloc((size_t)nparams, sizeof(char *));
		if (!s.params)
			goto fail;
		s.nparams = nparams;
		for (i = 0; i < nparams; i++) {
			if (params[i] && !(s.params[i] = strdup(params[i])))
				goto fail;
		}
	}
	job->stmts[job->nstmts] = s;
	job->results[job->nstmts] = NULL;
	job->nstmts++;
	return 0;
fail:
	pg_stmt_clear(&s);
	if (!job->setup_err)
		job->setup_err = rc;
	return rc;
}

/* Records the job's first error; later ones (aborted statements) keep it.
 * text is static and used when res carries no message. */
static void
pg_job_error(struct pg_job *job, const PGresult *res, const char *text)
{
	const char *msg = NULL;
	const char *state;
	size_t len;

	if (job->failed)
		return;
	job->failed = 1;
	if (res) {
		msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		if (!msg || !*msg)
			msg = PQresultErrorMessage(res);
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		if (state) {
			snprintf(job->sqlstate, sizeof(job->sqlstate), "%s",
				 state);
		}
	}
	if (msg && *msg) {
		len = strlen(msg) + 1;
		job->errmsg = malloc(len);
		if (job->errmsg)
			pg_job_one_line(job->errmsg, len, msg);
	}
	job->errconst = text;
}

int
pg_job_store(struct pg_job *job, PGresult *res)
{
	ExecStatusType st = PQresultStatus(res);

	if (job->cur >= job->nstmts) {
		PQclear(res);
		return -EPROTO;
	}
	switch (st) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
		break;
	case PGRES_PIPELINE_ABORTED:
		pg_job_error(job, NULL, "aborted by an earlier error");
		break;
	case PGRES_COPY_IN:
	case PGRES_COPY_OUT:
	case PGRES_COPY_BOTH:
		PQclear(res);
		return -EPROTO;
	case PGRES_EMPTY_QUERY:
		pg_job_error(job, NULL, "empty query");
		break;
	default:
		pg_job_error(job, res, PQresStatus(st));
		break;
	}
	PQclear(job->results[job->cur]); /* only the last one is kept */
	job->results[job->cur] = res;
	job->have = 1;
	return 0;
}

int
pg_job_end_statement(struct pg_job *job)
{
	if (!job->have)
		return 0;
	job->have = 0;
	job->cur++;
	return 1;
}

void
pg_job_synced(struct pg_job *job)
{
	if (job->cur < job->nstmts)
		pg_job_error(job, NULL, "missing results");
}

void
pg_job_fail(struct pg_job *job, const char *why)
{
	job->failed = 1;
	free(job->errmsg);
	job->errmsg = NULL;
	job->errconst = why;
	job->sqlstate[0] = '\0';
}

void
pg_job_outcome(const struct pg_job *job, struct pg_outcome *out)
{
	memset(out, 0, sizeof(*out));
	out->ok = !job->failed;
	out->nresults = job->nstmts;
	out->results = job->results;
	if (!job->failed)
		return;
	out->err = job->errmsg ? job->errmsg : job->errconst;
	if (!out->err)
		out->err = "failed";
	out->sqlstate = job->sqlstate[0] ? job->sqlstate : NULL;
}
