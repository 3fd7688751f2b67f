/*
 * pg_job.h - the inside of a PostgreSQL job, shared by daemon/pg_job.c and
 * daemon/pg_client.c only. Callers build jobs with pg_job_new(),
 * pg_job_add() and pg_job_free() (declared in pg_client.h) and never look
 * inside.
 *
 * A job is N statements (SQL + text parameters, copied) answered by N
 * statement results and one pipeline sync. While it is in flight,
 * pg_client.c feeds it what PQgetResult() returns, in order:
 *   result(s) of statement 0, NULL, result(s) of statement 1, NULL, ...,
 *   PGRES_PIPELINE_SYNC.
 */
#ifndef TAWASUL_PG_JOB_H
#define TAWASUL_PG_JOB_H

#include "pg_client.h"

struct pg_stmt {
	char *sql;
	int nparams;
	char **params; /* NULL entries are SQL NULLs */
};

struct pg_job {
	struct pg_job *next; /* in one pg_job_list at a time */
	struct pg_stmt *stmts;
	PGresult **results; /* same capacity as stmts */
	int nstmts;
	int cap;
	int setup_err; /* first pg_job_add() failure, reported at submit */
	pg_job_cb *cb;
	void *arg;
	int cur;  /* statement whose results are arriving */
	int have; /* got a result for cur; a NULL ends it */
	int failed;
	char *errmsg;         /* owned, from the server */
	const char *errconst; /* static text when errmsg is NULL */
	char sqlstate[6];
};

/* A FIFO of jobs. */
struct pg_job_list {
	struct pg_job *head;
	struct pg_job *tail;
	unsigned n;
};

void pg_job_list_push(struct pg_job_list *l, struct pg_job *job);
/* Returns the oldest job, or NULL when the list is empty. */
struct pg_job *pg_job_list_pop(struct pg_job_list *l);

/* Files a result of the statement being answered; takes ownership of res.
 * Returns 0, or -EPROTO when res cannot belong to this job (more results
 * than statements, COPY): the caller must reset the connection. */
int pg_job_store(struct pg_job *job, PGresult *res);
/* Takes a NULL from PQgetResult(): ends the statement being answered.
 * Returns 1, or 0 when no statement was open (nothing more is pending). */
int pg_job_end_statement(struct pg_job *job);
/* Takes the PGRES_PIPELINE_SYNC: the job is complete. */
void pg_job_synced(struct pg_job *job);
/* Fails the job with static text why, replacing any server error. */
void pg_job_fail(struct pg_job *job, const char *why);
/* Fills out; everything in it is borrowed from job until pg_job_free(). */
void pg_job_outcome(const struct pg_job *job, struct pg_outcome *out);

/* Copies s into dst (size bytes) as one line: whitespace runs that hold a
 * line break or tab become one space, trailing spaces go. */
void pg_job_one_line(char *dst, size_t size, const char *s);

#endif
