/*
 * pg_client.h - asynchronous PostgreSQL client on libevent (DESIGN §2).
 *
 * One connection, its own state machine:
 *   IDLE -> CONNECTING -> READY -> (error) -> BACKOFF -> CONNECTING ...
 * Connect with PQconnectStart/PQconnectPoll driven by the event loop,
 * PQsetnonblocking, pipeline mode. Work is submitted as jobs: a job is one
 * or more parameterised statements followed by one sync, so a job is one
 * implicit transaction. Jobs queue up and are written in batches, many jobs
 * per round trip. Each job's callback runs exactly once.
 *
 * While the client is not READY, new jobs fail at once (the callback runs
 * from the loop, never inside pg_client_submit()), so callers can answer
 * "try later" quickly. On connection loss every job in flight or queued
 * fails with err "connection lost": for a job in flight the outcome is then
 * unknown (its commit may have happened), so writes should be idempotent.
 *
 * The conninfo should use hostaddr= or a unix socket: a host name is
 * resolved with a blocking call (pg_client_new() logs a warning).
 */
#ifndef TAWASUL_PG_CLIENT_H
#define TAWASUL_PG_CLIENT_H

/* libpq's own typedef, repeated so that this header needs no I/O
 * library header (C11 allows the same typedef twice). */
typedef struct pg_result PGresult;
#include <errno.h>
#include <stddef.h>

struct event_base;
struct pg_client;
struct pg_job;

enum pg_client_state {
	PG_IDLE,
	PG_CONNECTING,
	PG_READY,
	PG_BACKOFF,
	PG_CLOSED,
};

struct pg_client_opts {
	const char *name;            /* log prefix: pg=NAME */
	const char *conninfo;        /* libpq connection string; copied */
	unsigned connect_timeout_ms; /* default 5000 */
	unsigned backoff_min_ms;     /* default 200 */
	unsigned backoff_max_ms;     /* default 5000 (full jitter) */
	unsigned max_inflight;       /* jobs sent, unanswered; default 256 */
	unsigned max_queued;         /* jobs not yet sent; default 10000 */
};

/*
 * Result of a job. ok=1: every statement succeeded and results[i] holds
 * statement i's result (borrowed: valid only during the callback).
 * ok=0: err is a one-line message (borrowed): the server's primary message
 * of the first failing statement (sqlstate set, e.g. "23505"), or one of
 * "not connected", "queue full", "connection lost", "client closed",
 * "empty job", "job could not be built" (sqlstate NULL). nresults is the
 * number of statements; results[i] is NULL for a statement without a
 * result (statements after a failed one get PGRES_PIPELINE_ABORTED).
 */
struct pg_outcome {
	int ok;
	int nresults;
	PGresult *const *results;
	const char *err;
	const char *sqlstate;
};

typedef void pg_job_cb(void *arg, const struct pg_outcome *out);
typedef void pg_state_cb(void *arg, enum pg_client_state old,
			 enum pg_client_state new_state);
/* A NOTIFY on a channel this connection LISTENs to; strings borrowed. */
typedef void pg_notify_cb(void *arg, const char *channel, const char *payload);

/* Returns a new client, free with pg_client_free(), or NULL (bad opts or
 * conninfo, no memory). Zero opts fields take the defaults. Does not
 * connect. */
struct pg_client *pg_client_new(struct event_base *base,
				const struct pg_client_opts *opts);
/* Starts connecting (and reconnecting for ever with backoff). 0, or
 * -EALREADY if already started, -ESHUTDOWN after pg_client_free(). */
int pg_client_start(struct pg_client *pg);
/* Called on every state change (after the change). */
void pg_client_on_state(struct pg_client *pg, pg_state_cb *cb, void *arg);
/* Called for every notification received. LISTEN is per connection: issue
 * it again in the state callback on every entry to PG_READY. */
void pg_client_on_notify(struct pg_client *pg, pg_notify_cb *cb, void *arg);
enum pg_client_state pg_client_state(const struct pg_client *pg);
const char *pg_client_state_name(enum pg_client_state s);
/* Closes the connection at once; the state becomes CLOSED (logged; the
 * state and notify callbacks are not called any more: the owner is going
 * away). Every pending job fails with "client closed". Called from outside
 * this client's callbacks (shutdown, reload), those job callbacks run
 * before pg_client_free() returns and the memory is released at once.
 * Called from inside one of its callbacks, both happen from a zero-delay
 * event on the loop. Do not use pg after the call. Accepts NULL. */
void pg_client_free(struct pg_client *pg);

/* Builds a job. Parameters are text (NULL = SQL NULL); all strings are
 * copied, so the caller's buffers may go after the call. pg_job_add()
 * returns 0, -EINVAL or -ENOMEM; a job whose pg_job_add() failed still
 * goes to pg_client_submit(), which fails it (so one check suffices). */
struct pg_job *pg_job_new(void);
int pg_job_add(struct pg_job *job, const char *sql, int nparams,
	       const char *const *params);
void pg_job_free(struct pg_job *job);

/* Queues the job; takes ownership of it whatever the outcome. cb runs
 * exactly once, from the event loop (never inside pg_client_submit(); a
 * job still pending at pg_client_free() fails from there). Returns 0, or
 * -ENOTCONN / -ENOBUFS (max_queued reached) / -EINVAL (empty job) / the
 * error of a failed pg_job_add() when the job failed at once (cb still
 * runs). With pg NULL the job is freed, cb never runs, and the return is
 * -EINVAL; after pg_client_free() (a callback submitting during teardown)
 * likewise, with -ESHUTDOWN. */
int pg_client_submit(struct pg_client *pg, struct pg_job *job, pg_job_cb *cb,
		     void *arg);

/* One statement as a job; convenience. Like pg_client_submit(), except
 * that when the job cannot be allocated it returns -ENOMEM and cb never
 * runs. */
int pg_client_query(struct pg_client *pg, const char *sql, int nparams,
		    const char *const *params, pg_job_cb *cb, void *arg);

/* 1 when a pg_client_submit() or pg_client_query() that returned r on
 * client pg will never run its callback (the caller cleans up). */
static inline int
pg_client_cb_lost(const struct pg_client *pg, int r)
{
	return r == -ENOMEM || r == -ESHUTDOWN || (r < 0 && pg == NULL);
}

/* Counters for /metrics. */
struct pg_client_stats {
	unsigned long long jobs_ok, jobs_failed, connects, disconnects;
	unsigned inflight, queued;
};
void pg_client_stats(const struct pg_client *pg, struct pg_client_stats *out);

#endif
