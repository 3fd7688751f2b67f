/*
 * pg_client.c - asynchronous PostgreSQL client on libevent (DESIGN §2, §3).
 *
 * What it is for: one libpq connection driven by the event loop, so the
 * gateway can commit what an MO carries without ever blocking. Work comes
 * as jobs (one or more parameterised statements + one pipeline sync = one
 * implicit transaction); jobs are pipelined, many per round trip.
 *
 * What it owns: the PGconn, its socket event, one timer (connect timeout or
 * backoff, by state), one zero-delay "kick" event (writes queued jobs, runs
 * the callbacks of jobs that failed at once, releases a freed client), and
 * every submitted job (three FIFOs: queued, in flight, done) until its
 * callback has returned. What a job holds and what its results mean is
 * pg_job.c's business; this file moves jobs and bytes.
 *
 * What it does not do: no host name resolution (PQconnectStart would block
 * on it: use hostaddr= or a unix socket; we warn at pg_client_new()), no
 * per-statement deadline (use statement_timeout in the conninfo options),
 * no COPY (a COPY result resets the connection), no retry of failed jobs:
 * after a connection loss the outcome of jobs in flight is unknown and the
 * caller decides. Notifications (LISTEN) are handed to pg_client_on_notify();
 * a LISTEN must be issued again after every reconnect (on READY).
 *
 * Lifecycle, a table below (pg_states): IDLE -> CONNECTING -> READY ->
 * BACKOFF -> CONNECTING ... -> CLOSED. One setter, pg_set_state(), changes
 * state, arms the state's timer, logs "pg=NAME state=OLD->NEW" and calls the
 * state callback. Timers run on the base's monotonic clock (libevent 2.1).
 *
 * Callbacks and freeing: user callbacks run from the loop (and, for jobs
 * still pending, from pg_client_free()). The client counts the user
 * callbacks on the stack (depth) and checks `closing` after each one.
 * pg_client_free() from outside them (shutdown, reload) fails what is
 * pending, runs those callbacks and releases at once, like
 * redis_client_free(), so nothing is left for a loop that will not run
 * again. From inside one of them it only marks the client closed; the kick
 * event then runs the remaining callbacks and releases the memory. The kick
 * event is freed from inside its own libevent callback: libevent does not
 * touch an event after its callback returns
 * (event_process_active_single_queue), and no user callback of this client
 * is on the stack at that point.
 */
#include <libpq-fe.h>

#include "pg_client.h"
#include "backoff.h"
#include "log.h"
#include "pg_job.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <event2/event.h>

#define PG_DEF_CONNECT_TIMEOUT_MS 5000
#define PG_DEF_BACKOFF_MIN_MS     200
#define PG_DEF_BACKOFF_MAX_MS     5000
#define PG_DEF_MAX_INFLIGHT       256
#define PG_DEF_MAX_QUEUED         10000
#define PG_REASON_MAX             256 /* logged reasons, one line */

enum pg_timer {
	PGT_NONE,
	PGT_CONNECT, /* connect_timeout_ms */
	PGT_BACKOFF, /* full jitter in [backoff_min_ms, ceiling] */
};

#define PG_BIT(s) (1u << (s))

/* The lifecycle: allowed next states and the timer armed on entry. */
static const struct pg_state_info {
	const char *name;
	unsigned next;
	enum pg_timer timer;
} pg_states[] = {
	[PG_IDLE] = {"IDLE", PG_BIT(PG_CONNECTING) | PG_BIT(PG_CLOSED),
		     PGT_NONE},
	[PG_CONNECTING] = {"CONNECTING",
			   PG_BIT(PG_READY) | PG_BIT(PG_BACKOFF) |
				   PG_BIT(PG_CLOSED),
			   PGT_CONNECT},
	[PG_READY] = {"READY", PG_BIT(PG_BACKOFF) | PG_BIT(PG_CLOSED),
		      PGT_NONE},
	[PG_BACKOFF] = {"BACKOFF", PG_BIT(PG_CONNECTING) | PG_BIT(PG_CLOSED),
			PGT_BACKOFF},
	[PG_CLOSED] = {"CLOSED", 0, PGT_NONE},
};

struct pg_client {
	struct event_base *base;
	char *name;
	char *conninfo;
	unsigned connect_timeout_ms;
	unsigned max_inflight;
	unsigned max_queued;

	enum pg_client_state state;
	PGconn *conn;
	struct event *ev_io; /* re-assigned when the socket or mask changes */
	int io_fd;
	short io_what;
	struct event *ev_timer;
	struct event *ev_kick;
	struct backoff bo; /* reconnect delays; reset on READY */

	struct pg_job_list queue;    /* submitted, not yet sent */
	struct pg_job_list inflight; /* sent, waiting for their sync */
	struct pg_job_list done;     /* failed, callback not yet run */

	pg_state_cb *state_cb;
	void *state_arg;
	pg_notify_cb *notify_cb;
	void *notify_arg;

	int depth;   /* user callbacks on the stack */
	int closing; /* pg_client_free() called */
	unsigned long long jobs_ok, jobs_failed, connects, disconnects;
};

static void pg_io_cb(evutil_socket_t fd, short what, void *arg);

/* ---- small helpers ---------------------------------------------------- */

static void
pg_kick(struct pg_client *pg)
{
	/* A zero-delay timer, not event_active(): it runs in the next loop
	 * pass, after I/O is polled, so callbacks that submit again cannot
	 * keep the loop from ever reaching the poll, and every job submitted
	 * in this pass goes out in one batch. */
	static const struct timeval zero = {0, 0};

	evtimer_add(pg->ev_kick, &zero);
}

/* ---- state machine ---------------------------------------------------- */

static void
pg_set_state(struct pg_client *pg, enum pg_client_state next,
	     const char *reason)
{
	enum pg_client_state old = pg->state;
	struct timeval tv;
	unsigned ms = 0;
	char why[PG_REASON_MAX + 16];

	if (!(pg_states[old].next & PG_BIT(next))) {
		LOG(LC_PG, LL_ERROR, "pg=%s error=bad_transition state=%s->%s",
		    pg->name, pg_states[old].name, pg_states[next].name);
		abort();
	}
	pg->state = next;
	evtimer_del(pg->ev_timer);
	if (pg_states[next].timer == PGT_CONNECT)
		ms = pg->connect_timeout_ms;
	else if (pg_states[next].timer == PGT_BACKOFF)
		ms = backoff_next(&pg->bo);
	if (ms) {
		tv.tv_sec = ms / 1000;
		tv.tv_usec = (ms % 1000) * 1000;
		evtimer_add(pg->ev_timer, &tv);
	}
	if (next == PG_BACKOFF)
		LOG(LC_PG, LL_WARN, "pg=%s state=%s->%s retry_ms=%u reason=%s",
		    pg->name, pg_states[old].name, pg_states[next].name, ms,
		    log_value(why, sizeof(why), reason));
	else
		LOG(LC_PG, LL_INFO, "pg=%s state=%s->%s", pg->name,
		    pg_states[old].name, pg_states[next].name);
	if (pg->state_cb) {
		pg->depth++;
		pg->state_cb(pg->state_arg, old, next);
		pg->depth--;
	}
}

/* ---- jobs --------------------------------------------------------------- */

/* Runs the job's callback once, then frees the job and its results. */
static void
pg_finish(struct pg_client *pg, struct pg_job *job)
{
	struct pg_outcome out;
	char val[PG_REASON_MAX + 16];

	pg_job_outcome(job, &out);
	if (!out.ok) {
		pg->jobs_failed++;
		LOG(LC_PG, LL_DEBUG, "pg=%s job=failed sqlstate=%s reason=%s",
		    pg->name, out.sqlstate ? out.sqlstate : "-",
		    log_value(val, sizeof(val), out.err));
	} else {
		pg->jobs_ok++;
	}
	if (job->cb) {
		pg->depth++;
		job->cb(job->arg, &out);
		pg->depth--;
	}
	pg_job_free(job);
}

/* Fails every job in flight and queued; callbacks run from the kick. */
static void
pg_fail_all(struct pg_client *pg, const char *why)
{
	struct pg_job_list *lists[] = {&pg->inflight, &pg->queue};
	struct pg_job *job;
	size_t i;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		while ((job = pg_job_list_pop(lists[i]))) {
			pg_job_fail(job, why);
			pg_job_list_push(&pg->done, job);
		}
	}
	if (pg->done.n)
		pg_kick(pg);
}

/* Runs the callbacks of the jobs done when the pass began; a callback
 * that resubmits a job which fails at once adds to the list, and that one
 * waits for the next pass, so a retry-on-failure caller cannot spin. */
static void
pg_run_done(struct pg_client *pg)
{
	struct pg_job *job;
	size_t n = pg->done.n;

	while (n-- > 0 && (job = pg_job_list_pop(&pg->done)))
		pg_finish(pg, job);
	if (pg->done.n && !pg->closing)
		pg_kick(pg);
}

/* ---- connection --------------------------------------------------------- */

/* Watches the connection's socket for `what`. A connect-phase event is
 * one-shot and re-added on every poll, so a socket that libpq replaced
 * (another address, SSL fallback) is always registered afresh. */
static int
pg_watch(struct pg_client *pg, short what)
{
	int fd = PQsocket(pg->conn);

	if (fd < 0)
		return -EBADF;
	if (fd == pg->io_fd && what == pg->io_what &&
	    event_pending(pg->ev_io, EV_READ | EV_WRITE, NULL))
		return 0;
	event_del(pg->ev_io);
	pg->io_fd = -1;
	if (event_assign(pg->ev_io, pg->base, fd, what, pg_io_cb, pg) < 0 ||
	    event_add(pg->ev_io, NULL) < 0)
		return -EIO;
	pg->io_fd = fd;
	pg->io_what = what;
	return 0;
}

static void
pg_conn_close(struct pg_client *pg)
{
	event_del(pg->ev_io);
	pg->io_fd = -1;
	pg->io_what = 0;
	PQfinish(pg->conn);
	pg->conn = NULL;
}

static void
pg_connect_failed(struct pg_client *pg, const char *reason)
{
	char why[PG_REASON_MAX];

	pg_job_one_line(why, sizeof(why), reason); /* reason may be in conn */
	pg_conn_close(pg);
	pg_set_state(pg, PG_BACKOFF, why);
}

static void
pg_conn_lost(struct pg_client *pg, const char *reason)
{
	char why[PG_REASON_MAX];

	pg_job_one_line(why, sizeof(why), reason);
	pg_conn_close(pg);
	pg->disconnects++;
	pg_fail_all(pg, "connection lost");
	pg_set_state(pg, PG_BACKOFF, why);
}

static void
pg_notice_cb(void *arg, const PGresult *res)
{
	struct pg_client *pg = arg;
	const char *sev =
		PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	enum log_level lvl = LL_DEBUG;
	char val[PG_REASON_MAX + 16];

	if (sev && (strcmp(sev, "WARNING") == 0 || strcmp(sev, "ERROR") == 0 ||
		    strcmp(sev, "FATAL") == 0 || strcmp(sev, "PANIC") == 0))
		lvl = LL_WARN;
	LOG(LC_PG, lvl, "pg=%s notice=%s severity=%s", pg->name,
	    log_value(val, sizeof(val), msg), sev ? sev : "-");
}

static void
pg_connect_start(struct pg_client *pg)
{
	pg_set_state(pg, PG_CONNECTING, NULL);
	if (pg->state != PG_CONNECTING) /* state callback freed us */
		return;
	pg->conn = PQconnectStart(pg->conninfo);
	if (!pg->conn) {
		pg_connect_failed(pg, "out of memory");
		return;
	}
	if (PQstatus(pg->conn) == CONNECTION_BAD) {
		pg_connect_failed(pg, PQerrorMessage(pg->conn));
		return;
	}
	PQsetNoticeReceiver(pg->conn, pg_notice_cb, pg);
	/* as if PQconnectPoll() had returned PGRES_POLLING_WRITING */
	if (pg_watch(pg, EV_WRITE) < 0)
		pg_connect_failed(pg, "cannot watch the socket");
}

static void
pg_connected(struct pg_client *pg)
{
	if (PQsetnonblocking(pg->conn, 1) != 0) {
		pg_connect_failed(pg, PQerrorMessage(pg->conn));
		return;
	}
	if (PQenterPipelineMode(pg->conn) != 1) {
		pg_connect_failed(pg, PQerrorMessage(pg->conn));
		return;
	}
	if (pg_watch(pg, EV_READ | EV_PERSIST) < 0) {
		pg_connect_failed(pg, "cannot watch the socket");
		return;
	}
	backoff_reset(&pg->bo);
	pg->connects++;
	LOG(LC_PG, LL_DEBUG, "pg=%s backend_pid=%d server_version=%d", pg->name,
	    PQbackendPID(pg->conn), PQserverVersion(pg->conn));
	pg_set_state(pg, PG_READY, NULL);
	if (pg->state == PG_READY && pg->queue.n)
		pg_kick(pg);
}

static void
pg_connect_poll(struct pg_client *pg)
{
	switch (PQconnectPoll(pg->conn)) {
	case PGRES_POLLING_READING:
		if (pg_watch(pg, EV_READ) < 0)
			pg_connect_failed(pg, "cannot watch the socket");
		return;
	case PGRES_POLLING_WRITING:
		if (pg_watch(pg, EV_WRITE) < 0)
			pg_connect_failed(pg, "cannot watch the socket");
		return;
	case PGRES_POLLING_OK:
		pg_connected(pg);
		return;
	default:
		pg_connect_failed(pg, PQerrorMessage(pg->conn));
		return;
	}
}

static void
pg_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pg_client *pg = arg;

	if (pg->state == PG_CONNECTING)
		pg_connect_failed(pg, "connect timeout");
	else if (pg->state == PG_BACKOFF)
		pg_connect_start(pg);
}

/* ---- pipeline: write ---------------------------------------------------- */

/* Flushes libpq's output buffer; on 1 also waits for writability. */
static int
pg_flush(struct pg_client *pg)
{
	int r = PQflush(pg->conn);

	if (r < 0) {
		pg_conn_lost(pg, PQerrorMessage(pg->conn));
		return -EIO;
	}
	if (r == 1 && !(pg->io_what & EV_WRITE))
		LOG(LC_PG, LL_DEBUG, "pg=%s flush=partial wait=writable",
		    pg->name);
	if (pg_watch(pg, EV_READ | EV_PERSIST | (r ? EV_WRITE : 0)) < 0) {
		pg_conn_lost(pg, "cannot watch the socket");
		return -EIO;
	}
	return 0;
}

/* Sends queued jobs while max_inflight allows: statements, one sync each,
 * then one flush for the batch. */
static void
pg_write(struct pg_client *pg)
{
	struct pg_job *job;
	struct pg_stmt *s;
	int i;

	while (pg->queue.head && pg->inflight.n < pg->max_inflight) {
		job = pg_job_list_pop(&pg->queue);
		pg_job_list_push(&pg->inflight, job);
		for (i = 0; i < job->nstmts; i++) {
			s = &job->stmts[i];
			if (!PQsendQueryParams(pg->conn, s->sql, s->nparams,
					       NULL,
					       (const char *const *)s->params,
					       NULL, NULL, 0))
				goto lost;
		}
		if (!PQpipelineSync(pg->conn))
			goto lost;
	}
	pg_flush(pg);
	return;
lost:
	pg_conn_lost(pg, PQerrorMessage(pg->conn));
}

/* ---- pipeline: read ----------------------------------------------------- */

static void
pg_read(struct pg_client *pg)
{
	struct pg_job *job;
	PGresult *res;
	PGnotify *n;

	while (PQstatus(pg->conn) == CONNECTION_OK && !PQisBusy(pg->conn)) {
		res = PQgetResult(pg->conn);
		job = pg->inflight.head;
		if (!res) {
			/* a NULL ends a statement's results; with no
			 * statement open it means nothing is pending */
			if (!job || !pg_job_end_statement(job))
				break;
			continue;
		}
		if (!job) {
			PQclear(res);
			pg_conn_lost(pg, "result without a job");
			return;
		}
		if (PQresultStatus(res) == PGRES_PIPELINE_SYNC) {
			PQclear(res);
			pg_job_list_pop(&pg->inflight);
			pg_job_synced(job);
			pg_finish(pg, job);
			if (pg->closing)
				return;
			continue;
		}
		if (pg_job_store(job, res) < 0) {
			pg_conn_lost(pg, "unexpected result (COPY?)");
			return;
		}
	}
	if (PQstatus(pg->conn) != CONNECTION_OK) {
		pg_conn_lost(pg, PQerrorMessage(pg->conn));
		return;
	}
	while ((n = PQnotifies(pg->conn))) {
		if (pg->notify_cb) {
			pg->depth++;
			pg->notify_cb(pg->notify_arg, n->relname, n->extra);
			pg->depth--;
		}
		PQfreemem(n);
		if (pg->closing)
			return;
	}
	if (pg->queue.n && pg->inflight.n < pg->max_inflight)
		pg_write(pg);
}

static void
pg_io_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pg_client *pg = arg;

	if (pg->state == PG_CONNECTING) {
		pg_connect_poll(pg);
		return;
	}
	if (pg->state != PG_READY)
		return;
	if ((what & EV_READ) && !PQconsumeInput(pg->conn)) {
		pg_conn_lost(pg, PQerrorMessage(pg->conn));
		return;
	}
	if ((pg->io_what & EV_WRITE) && pg_flush(pg) < 0)
		return;
	pg_read(pg);
}

static void
pg_release(struct pg_client *pg)
{
	PQfinish(pg->conn);
	event_free(pg->ev_io);
	event_free(pg->ev_timer);
	event_free(pg->ev_kick);
	free(pg->name);
	free(pg->conninfo);
	free(pg);
}

static void
pg_kick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pg_client *pg = arg;

	pg_run_done(pg);
	if (pg->closing) {
		if (pg->depth > 0) /* a callback runs the loop itself */
			pg_kick(pg);
		else
			pg_release(pg);
		return;
	}
	if (pg->state == PG_READY && pg->queue.n)
		pg_write(pg);
}

/* ---- public ------------------------------------------------------------- */

/* Rejects a malformed conninfo and warns about a host name, which
 * PQconnectStart() would resolve with a blocking call. */
static int
pg_check_conninfo(const char *name, const char *conninfo)
{
	PQconninfoOption *opts, *o;
	const char *host = NULL, *hostaddr = NULL;
	unsigned char addr[16];
	char *err = NULL;
	char val[PG_REASON_MAX + 16];

	opts = PQconninfoParse(conninfo, &err);
	if (!opts) {
		LOG(LC_PG, LL_ERROR, "pg=%s error=bad_conninfo reason=%s", name,
		    log_value(val, sizeof(val), err ? err : "out of memory"));
		PQfreemem(err);
		return -EINVAL;
	}
	for (o = opts; o->keyword; o++) {
		if (o->val && strcmp(o->keyword, "host") == 0)
			host = o->val;
		else if (o->val && strcmp(o->keyword, "hostaddr") == 0)
			hostaddr = o->val;
	}
	if (host && *host && *host != '/' && !(hostaddr && *hostaddr) &&
	    inet_pton(AF_INET, host, addr) != 1 &&
	    inet_pton(AF_INET6, host, addr) != 1)
		LOG(LC_PG, LL_WARN,
		    "pg=%s warning=blocking_dns host=%s "
		    "hint=\"use hostaddr= or a unix socket\"",
		    name, log_value(val, sizeof(val), host));
	PQconninfoFree(opts);
	return 0;
}

struct pg_client *
pg_client_new(struct event_base *base, const struct pg_client_opts *opts)
{
	struct pg_client *pg = NULL;
	uint64_t seed = 0;
	const char *name;

	if (!base || !opts || !opts->conninfo)
		return NULL;
	name = opts->name ? opts->name : "pg";
	if (pg_check_conninfo(name, opts->conninfo) < 0)
		return NULL;
	pg = calloc(1, sizeof(*pg));
	if (!pg)
		return NULL;
	pg->base = base;
	pg->state = PG_IDLE;
	pg->io_fd = -1;
	pg->name = strdup(name);
	pg->conninfo = strdup(opts->conninfo);
	pg->ev_io = event_new(base, -1, 0, pg_io_cb, pg);
	pg->ev_timer = evtimer_new(base, pg_timer_cb, pg);
	pg->ev_kick = event_new(base, -1, 0, pg_kick_cb, pg);
	if (!pg->name || !pg->conninfo || !pg->ev_io || !pg->ev_timer ||
	    !pg->ev_kick)
		goto fail;
#define PG_OPT(f, def) (opts->f ? opts->f : (def))
	pg->connect_timeout_ms =
		PG_OPT(connect_timeout_ms, PG_DEF_CONNECT_TIMEOUT_MS);
	pg->max_inflight = PG_OPT(max_inflight, PG_DEF_MAX_INFLIGHT);
	pg->max_queued = PG_OPT(max_queued, PG_DEF_MAX_QUEUED);
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
		seed = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)pg;
	backoff_init(&pg->bo, PG_OPT(backoff_min_ms, PG_DEF_BACKOFF_MIN_MS),
		     PG_OPT(backoff_max_ms, PG_DEF_BACKOFF_MAX_MS), seed);
#undef PG_OPT
	return pg;
fail:
	if (pg->ev_io)
		event_free(pg->ev_io);
	if (pg->ev_timer)
		event_free(pg->ev_timer);
	if (pg->ev_kick)
		event_free(pg->ev_kick);
	free(pg->name);
	free(pg->conninfo);
	free(pg);
	return NULL;
}

int
pg_client_start(struct pg_client *pg)
{
	if (!pg)
		return -EINVAL;
	if (pg->closing)
		return -ESHUTDOWN;
	if (pg->state != PG_IDLE)
		return -EALREADY;
	pg_connect_start(pg);
	return 0;
}

void
pg_client_on_state(struct pg_client *pg, pg_state_cb *cb, void *arg)
{
	pg->state_cb = cb;
	pg->state_arg = arg;
}

void
pg_client_on_notify(struct pg_client *pg, pg_notify_cb *cb, void *arg)
{
	pg->notify_cb = cb;
	pg->notify_arg = arg;
}

enum pg_client_state
pg_client_state(const struct pg_client *pg)
{
	return pg ? pg->state : PG_CLOSED;
}

const char *
pg_client_state_name(enum pg_client_state s)
{
	if ((unsigned)s >= sizeof(pg_states) / sizeof(pg_states[0]))
		return "?";
	return pg_states[s].name;
}

void
pg_client_free(struct pg_client *pg)
{
	if (!pg || pg->closing)
		return;
	pg->closing = 1;
	pg->state_cb = NULL; /* the owner is going away */
	pg->notify_cb = NULL;
	pg_conn_close(pg);
	pg_fail_all(pg, "client closed");
	pg_set_state(pg, PG_CLOSED, NULL);
	if (pg->depth > 0) {
		pg_kick(pg); /* callbacks left and release: from the loop */
		return;
	}
	pg_run_done(pg); /* a callback may submit: it fails, and runs too */
	pg_release(pg);
}

int
pg_client_submit(struct pg_client *pg, struct pg_job *job, pg_job_cb *cb,
		 void *arg)
{
	const char *why;
	int rc;

	if (!job)
		return -EINVAL;
	if (!pg) {
		pg_job_free(job);
		return -EINVAL;
	}
	if (pg->closing) {
		/* The owner is tearing down: no callback, like Redis. */
		pg_job_free(job);
		return -ESHUTDOWN;
	}
	job->cb = cb;
	job->arg = arg;
	if (job->setup_err) {
		rc = job->setup_err;
		why = "job could not be built";
	} else if (job->nstmts == 0) {
		rc = -EINVAL;
		why = "empty job";
	} else if (pg->state != PG_READY) {
		rc = -ENOTCONN;
		why = "not connected";
	} else if (pg->queue.n >= pg->max_queued) {
		rc = -ENOBUFS;
		why = "queue full";
	} else {
		pg_job_list_push(&pg->queue, job);
		pg_kick(pg);
		return 0;
	}
	pg_job_fail(job, why); /* callback from the loop, never from here */
	pg_job_list_push(&pg->done, job);
	pg_kick(pg);
	return rc;
}

int
pg_client_query(struct pg_client *pg, const char *sql, int nparams,
		const char *const *params, pg_job_cb *cb, void *arg)
{
	struct pg_job *job = pg_job_new();

	if (!job)
		return -ENOMEM;
	pg_job_add(job, sql, nparams, params); /* a failure is kept in job */
	return pg_client_submit(pg, job, cb, arg);
}

void
pg_client_stats(const struct pg_client *pg, struct pg_client_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!pg)
		return;
	out->jobs_ok = pg->jobs_ok;
	out->jobs_failed = pg->jobs_failed;
	out->connects = pg->connects;
	out->disconnects = pg->disconnects;
	out->inflight = pg->inflight.n;
	out->queued = pg->queue.n;
}
