/*
 * store_bench.c - throughput of the store clients against real servers:
 * pipelined PostgreSQL insert jobs (one statement + one sync each, i.e.
 * one transaction per job, as intake will do per MO) and Redis SETs,
 * both with a bounded number in flight. Prints one line of key=value
 * figures per run. Not a test: scripts/bench runs it.
 *
 * Usage: store_bench [PG_JOBS [REDIS_COMMANDS]]
 * Needs TAWASUL_PG_CONNINFO, TAWASUL_REDIS_HOST and TAWASUL_REDIS_PORT.
 */
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "log.h"
#include "loop.h"
#include <libpq-fe.h>

#include "pg_client.h"
#include <hiredis/hiredis.h>

#include "redis_client.h"

struct bench {
	struct event_base *base;
	struct pg_client *pg;
	struct redis_client *rc;
	long total, sent, done, failed;
	unsigned long long t0;
	int window;
};

static void pg_pump(struct bench *b);
static void redis_pump(struct bench *b);

static void
pg_done(void *arg, const struct pg_outcome *out)
{
	struct bench *b = arg;

	b->done++;
	if (!out->ok && b->failed++ == 0)
		fprintf(stderr, "bench: pg job failed: %s\n", out->err);
	if (b->done == b->total)
		event_base_loopbreak(b->base);
	else
		pg_pump(b);
}

static void
pg_pump(struct bench *b)
{
	char v[32];
	const char *params[1] = {v};

	while (b->sent < b->total && b->sent - b->done < b->window) {
		snprintf(v, sizeof(v), "%ld", b->sent++);
		pg_client_query(b->pg,
				"INSERT INTO bench_jobs (n, body) VALUES "
				"($1::bigint, 'a citizen complaint body')",
				1, params, pg_done, b);
	}
}

static void
pg_state(void *arg, enum pg_client_state old, enum pg_client_state now)
{
	struct bench *b = arg;

	if (now == PG_READY && b->sent == 0)
		event_base_loopbreak(b->base);
}

static void
redis_done(void *arg, const redisReply *r, const char *err)
{
	struct bench *b = arg;

	b->done++;
	if (!r && b->failed++ == 0)
		fprintf(stderr, "bench: redis command failed: %s\n", err);
	if (b->done == b->total)
		event_base_loopbreak(b->base);
	else
		redis_pump(b);
}

static void
redis_pump(struct bench *b)
{
	char key[32];
	const char *argv[3] = {"SET", key, "a citizen complaint body"};
	size_t len[3] = {3, 0, 23};

	while (b->sent < b->total && b->sent - b->done < b->window) {
		len[1] = (size_t)snprintf(key, sizeof(key), "bench:%ld",
					  b->sent++ % 10000);
		redis_client_command(b->rc, 3, argv, len, redis_done, b);
	}
}

static void
redis_state(void *arg, enum redis_client_state old, enum redis_client_state now)
{
	struct bench *b = arg;

	if (now == RC_READY && b->sent == 0)
		event_base_loopbreak(b->base);
}

static void
reset(struct bench *b, long total, int window)
{
	b->total = total;
	b->sent = b->done = b->failed = 0;
	b->window = window;
}

static double
rate(struct bench *b)
{
	unsigned long long ms = loop_now_ms() - b->t0;
	return ms ? (double)b->done * 1000.0 / (double)ms : 0;
}

static int
setup_table(const char *conninfo)
{
	PGconn *c = PQconnectdb(conninfo);
	PGresult *r = PQexec(c, "DROP TABLE IF EXISTS bench_jobs; "
				"CREATE UNLOGGED TABLE bench_jobs (n bigint, "
				"body text)");
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;

	if (!ok)
		fprintf(stderr, "bench: %s", PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	return ok ? 0 : -1;
}

int
main(int argc, char **argv)
{
	const char *conninfo = getenv("TAWASUL_PG_CONNINFO");
	const char *rhost = getenv("TAWASUL_REDIS_HOST");
	const char *rport = getenv("TAWASUL_REDIS_PORT");
	long pg_jobs = argc > 1 ? atol(argv[1]) : 50000;
	long redis_cmds = argc > 2 ? atol(argv[2]) : 200000;
	struct bench b = {0};
	struct rusage ru;

	if (!conninfo || !rhost || !rport) {
		fprintf(stderr, "bench: TAWASUL_PG_CONNINFO and "
				"TAWASUL_REDIS_HOST/PORT must be set\n");
		return 2;
	}
	log_set_level(LL_WARN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (setup_table(conninfo) < 0)
		return 1;
	b.base = event_base_new();

	struct pg_client_opts po = {
		.name = "bench", .conninfo = conninfo, .max_inflight = 1024};
	b.pg = pg_client_new(b.base, &po);
	pg_client_on_state(b.pg, pg_state, &b);
	pg_client_start(b.pg);
	event_base_dispatch(b.base);
	for (int window = 1; window <= 1024; window *= 32) {
		reset(&b, window == 1 ? pg_jobs / 10 : pg_jobs, window);
		b.t0 = loop_now_ms();
		pg_pump(&b);
		event_base_dispatch(b.base);
		printf("bench=pg_insert_jobs jobs=%ld window=%d failed=%ld "
		       "jobs_per_s=%.0f\n",
		       b.done, window, b.failed, rate(&b));
	}
	pg_client_free(b.pg);

	struct redis_client_opts ro = {.name = "bench",
				       .host = rhost,
				       .port = atoi(rport),
				       .max_inflight = 1024};
	reset(&b, 0, 0);
	b.rc = redis_client_new(b.base, &ro);
	redis_client_on_state(b.rc, redis_state, &b);
	redis_client_start(b.rc);
	event_base_dispatch(b.base);
	for (int window = 1; window <= 1024; window *= 32) {
		reset(&b, window == 1 ? redis_cmds / 10 : redis_cmds, window);
		b.t0 = loop_now_ms();
		redis_pump(&b);
		event_base_dispatch(b.base);
		printf("bench=redis_set commands=%ld window=%d failed=%ld "
		       "commands_per_s=%.0f\n",
		       b.done, window, b.failed, rate(&b));
	}
	redis_client_free(b.rc);
	event_base_loop(b.base, EVLOOP_NONBLOCK);
	event_base_free(b.base);
	getrusage(RUSAGE_SELF, &ru);
	printf("bench=process max_rss_kib=%ld\n", ru.ru_maxrss);
	return 0;
}
