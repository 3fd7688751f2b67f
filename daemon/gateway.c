/*
 * gateway.c - wires the daemon together (SPEC §9, DESIGN §1).
 *
 * Owns the current struct conf, the secret keys, the PostgreSQL and Redis
 * clients and the admin endpoint. A reload parses the whole file first
 * and swaps it in only when it is valid; clients whose settings changed
 * are replaced, the others keep their connections. Drain waits for work
 * in flight, bounded by the drain_timeout timer. The schema is brought up
 * to date once per process, the first time PostgreSQL is reachable,
 * before the gateway reports ready (a short blocking step; see migrate.c).
 *
 * The application modules (MO routing, intake, replies, the entity
 * directory) see the gateway through struct env (env.h), which this file
 * owns and updates on reload.
 */
#include "config.h"

#include "gateway.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "catalog.h"
#include "directory.h"
#include "intake.h"
#include "mo.h"
#include "conf.h"
#include "env.h"
#include "links.h"
#include "log.h"
#include "loop.h"
#include <libpq-fe.h>

#include "migrate.h"
#include "pg_client.h"
#include <hiredis/hiredis.h>

#include "redis_client.h"
#include "secret.h"

#define SCHEMA_RETRY_MS 2000

struct gateway {
	struct env env; /* what the application modules see */
	struct intake *intake;
	struct mo *mo;
	struct admin *admin;
	struct event *schema_ev; /* runs the schema step outside callbacks */
	struct event *drain_ev;  /* drain deadline */
	int schema_version;      /* -1 until checked */
	int ready_logged;
	int links_stopping; /* drain: in-flight MOs answered, unbinding */
	unsigned long long reloads, reload_failures;
};

/* ---- readiness --------------------------------------------------------- */

static int
gateway_ready(void *arg, char *why, size_t whylen)
{
	struct gateway *gw = arg;

	if (gw->env.draining)
		snprintf(why, whylen, "draining");
	else if (pg_client_state(gw->env.pg) != PG_READY)
		snprintf(why, whylen, "postgres %s",
			 pg_client_state_name(pg_client_state(gw->env.pg)));
	else if (gw->schema_version < 0)
		snprintf(why, whylen, "schema not checked");
	else if (!directory_ready(gw->env.dir))
		snprintf(why, whylen, "entities not loaded");
	else if (!directory_entity(gw->env.dir, gw->env.conf->triage_entity))
		snprintf(why, whylen, "triage entity %s unknown",
			 gw->env.conf->triage_entity);
	else if (redis_client_state(gw->env.redis) != RC_READY)
		snprintf(why, whylen, "redis %s",
			 redis_client_state_name(
				 redis_client_state(gw->env.redis)));
	else
		return 1;
	return 0;
}

static void
check_ready(struct gateway *gw)
{
	char why[64], val[96];
	int ready = gateway_ready(gw, why, sizeof(why));

	if (ready && !gw->ready_logged)
		LOG(LC_MAIN, LL_NOTICE, "state=ready schema=%d",
		    gw->schema_version);
	else if (!ready && gw->ready_logged)
		LOG(LC_MAIN, LL_WARN, "state=not_ready reason=%s",
		    log_value(val, sizeof(val), why));
	gw->ready_logged = ready;
}

/* ---- schema ------------------------------------------------------------ */

/*
 * The schema step blocks the loop, so it is bounded: a fresh connection
 * with a short connect timeout, only once the client has shown the server
 * answers, lock and statement timeouts, and no queueing for the migration
 * lock (another instance migrating means: look again shortly).
 */
static PGconn *
schema_connect(const char *conninfo)
{
	const char *const keys[] = {"dbname", "connect_timeout", "options",
				    NULL};
	const char *const vals[] = {
		conninfo, "3", "-c lock_timeout=2s -c statement_timeout=60s",
		NULL};

	return PQconnectdbParams(keys, vals, 1);
}

static void
schema_step(evutil_socket_t fd, short what, void *arg)
{
	struct gateway *gw = arg;
	char err[256], val[300];
	int from, to, n;

	if (gw->schema_version >= 0 || pg_client_state(gw->env.pg) != PG_READY)
		return;
	PGconn *conn = schema_connect(gw->env.conf->pg_conninfo);
	if (PQstatus(conn) != CONNECTION_OK) {
		LOG(LC_PG, LL_WARN, "schema=unchecked reason=%s",
		    log_value(val, sizeof(val), PQerrorMessage(conn)));
		n = -EIO;
	} else {
		n = migrate_apply(conn, 0, &from, &to, err, sizeof(err));
		if (n == -EAGAIN)
			LOG(LC_PG, LL_INFO, "schema=waiting reason=%s",
			    log_value(val, sizeof(val), err));
		else if (n < 0)
			LOG(LC_PG, LL_ERROR, "schema=failed reason=%s",
			    log_value(val, sizeof(val), err));
		else if (n > 0)
			LOG(LC_PG, LL_NOTICE,
			    "schema=migrated from=%d to=%d applied=%d", from,
			    to, n);
		else
			LOG(LC_PG, LL_INFO, "schema=current version=%d", to);
		if (n >= 0) {
			gw->schema_version = to;
			directory_load(gw->env.dir);
		}
	}
	PQfinish(conn);
	if (n < 0 && n != -EPROTO) {
		struct timeval tv = {SCHEMA_RETRY_MS / 1000,
				     (SCHEMA_RETRY_MS % 1000) * 1000};
		event_add(gw->schema_ev, &tv);
	}
	check_ready(gw);
}

static void
on_pg_state(void *arg, enum pg_client_state old, enum pg_client_state now)
{
	struct gateway *gw = arg;
	struct timeval zero = {0, 0};

	if (now == PG_READY && gw->schema_version < 0)
		event_add(gw->schema_ev, &zero);
	else if (now == PG_READY) /* back, or a new client after a reload */
		directory_load(gw->env.dir);
	check_ready(gw);
}

static void
on_directory(void *arg, int ok)
{
	check_ready(arg);
}

static void
on_redis_state(void *arg, enum redis_client_state old,
	       enum redis_client_state now)
{
	check_ready(arg);
}

/* ---- carrier links ------------------------------------------------------ */

static void
on_mo(void *arg, struct smsc_link *l, const struct smpp_pdu *pdu,
      struct smsc_mo_ref ref)
{
	struct gateway *gw = arg;

	mo_deliver(gw->mo, l, pdu, ref);
}

static void
on_link_state(void *arg, struct smsc_link *l, int can_submit)
{
	LOG(LC_SMPP, LL_NOTICE, "link=%s submit=%s", smsc_link_name(l),
	    can_submit ? "ready" : "unavailable");
}

static const struct smsc_link_ops link_ops = {
	.mo = on_mo,
	.state = on_link_state,
};

/* ---- catalogue ---------------------------------------------------------- */

/* Reads and parses the reply catalogue; NULL with a line in err. */
static struct catalog *
load_catalog(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0;
	struct catalog *c = NULL;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(CATALOG_FILE_MAX + 1);
	if (buf)
		n = fread(buf, 1, CATALOG_FILE_MAX + 1, f);
	if (!buf || ferror(f))
		snprintf(err, errlen, "%s: cannot read", path);
	else if (n > CATALOG_FILE_MAX)
		snprintf(err, errlen, "%s: larger than %d bytes", path,
			 CATALOG_FILE_MAX);
	else
		c = catalog_parse(path, buf, n, err, errlen);
	free(buf);
	fclose(f);
	return c;
}

static void
apply_timezone(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* ---- clients ----------------------------------------------------------- */

/* Returns a new client, not started: the caller installs it in gw first,
 * since starting runs the state callback, which reads gw->env.pg. */
static struct pg_client *
make_pg(struct gateway *gw, const struct conf *c)
{
	struct pg_client_opts o = {
		.name = "main",
		.conninfo = c->pg_conninfo,
		.connect_timeout_ms = c->timers.ms[T_PG_CONNECT],
		.backoff_min_ms = c->timers.ms[T_PG_BACKOFF_MIN],
		.backoff_max_ms = c->timers.ms[T_PG_BACKOFF_MAX],
		.max_inflight = (unsigned)c->pg_max_inflight,
	};
	struct pg_client *pg = pg_client_new(loop_base(gw->env.lp), &o);

	if (pg)
		pg_client_on_state(pg, on_pg_state, gw);
	return pg;
}

static struct redis_client *
make_redis(struct gateway *gw, const struct conf *c)
{
	struct redis_client_opts o = {
		.name = "main",
		.host = c->redis_host,
		.port = c->redis_port,
		.connect_timeout_ms = c->timers.ms[T_REDIS_CONNECT],
		.command_timeout_ms = c->timers.ms[T_REDIS_COMMAND],
		.backoff_min_ms = c->timers.ms[T_REDIS_BACKOFF_MIN],
		.backoff_max_ms = c->timers.ms[T_REDIS_BACKOFF_MAX],
		.max_inflight = (unsigned)c->redis_max_inflight,
	};
	struct redis_client *rc = redis_client_new(loop_base(gw->env.lp), &o);

	if (rc)
		redis_client_on_state(rc, on_redis_state, gw);
	return rc;
}

/* ---- metrics ----------------------------------------------------------- */

static void
gateway_metrics(void *arg, struct evbuffer *out)
{
	struct gateway *gw = arg;
	struct pg_client_stats ps;
	struct redis_client_stats rs;
	char why[8];

	pg_client_stats(gw->env.pg, &ps);
	redis_client_stats(gw->env.redis, &rs);
	evbuffer_add_printf(
		out,
		"# HELP tawasul_build_info Gateway version.\n"
		"# TYPE tawasul_build_info gauge\n"
		"tawasul_build_info{version=\"%s\"} 1\n"
		"# HELP tawasul_ready 1 when the gateway takes traffic.\n"
		"# TYPE tawasul_ready gauge\n"
		"tawasul_ready %d\n"
		"# HELP tawasul_schema_version Database schema version.\n"
		"# TYPE tawasul_schema_version gauge\n"
		"tawasul_schema_version %d\n"
		"# HELP tawasul_config_reloads_total Config reloads by "
		"result.\n"
		"# TYPE tawasul_config_reloads_total counter\n"
		"tawasul_config_reloads_total{result=\"ok\"} %llu\n"
		"tawasul_config_reloads_total{result=\"failed\"} %llu\n"
		"# HELP tawasul_pg_up 1 when the PostgreSQL connection is "
		"ready.\n"
		"# TYPE tawasul_pg_up gauge\n"
		"tawasul_pg_up %d\n"
		"# TYPE tawasul_pg_jobs_total counter\n"
		"tawasul_pg_jobs_total{result=\"ok\"} %llu\n"
		"tawasul_pg_jobs_total{result=\"failed\"} %llu\n"
		"# TYPE tawasul_pg_connects_total counter\n"
		"tawasul_pg_connects_total %llu\n"
		"# TYPE tawasul_pg_inflight gauge\n"
		"tawasul_pg_inflight %u\n"
		"# HELP tawasul_redis_up 1 when the Redis connection is "
		"ready.\n"
		"# TYPE tawasul_redis_up gauge\n"
		"tawasul_redis_up %d\n"
		"# TYPE tawasul_redis_commands_total counter\n"
		"tawasul_redis_commands_total{result=\"ok\"} %llu\n"
		"tawasul_redis_commands_total{result=\"failed\"} %llu\n"
		"# TYPE tawasul_redis_timeouts_total counter\n"
		"tawasul_redis_timeouts_total %llu\n"
		"# TYPE tawasul_redis_connects_total counter\n"
		"tawasul_redis_connects_total %llu\n",
		PACKAGE_VERSION, gateway_ready(gw, why, sizeof(why)),
		gw->schema_version, gw->reloads, gw->reload_failures,
		pg_client_state(gw->env.pg) == PG_READY, ps.jobs_ok,
		ps.jobs_failed, ps.connects, ps.inflight,
		redis_client_state(gw->env.redis) == RC_READY, rs.commands_ok,
		rs.commands_failed, rs.timeouts, rs.connects);
	links_metrics(gw->env.links, out);
	mo_metrics(gw->mo, out);
	intake_metrics(gw->intake, out);
}

static struct admin *
make_admin(struct gateway *gw, const struct conf *c, char *err, size_t errlen)
{
	return admin_new(loop_base(gw->env.lp), c->admin_listen,
			 gateway_metrics, gateway_ready, gw, err, errlen);
}

/* ---- reload ------------------------------------------------------------ */

static int
same(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

static int
timers_differ(const struct conf *a, const struct conf *b,
	      const enum timer_id *ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a->timers.ms[ids[i]] != b->timers.ms[ids[i]])
			return 1;
	return 0;
}

static int
pg_settings_differ(const struct conf *a, const struct conf *b)
{
	static const enum timer_id ids[] = {T_PG_CONNECT, T_PG_BACKOFF_MIN,
					    T_PG_BACKOFF_MAX};

	return !same(a->pg_conninfo, b->pg_conninfo) ||
	       a->pg_max_inflight != b->pg_max_inflight ||
	       timers_differ(a, b, ids, sizeof(ids) / sizeof(ids[0]));
}

static int
redis_settings_differ(const struct conf *a, const struct conf *b)
{
	static const enum timer_id ids[] = {T_REDIS_CONNECT, T_REDIS_COMMAND,
					    T_REDIS_BACKOFF_MIN,
					    T_REDIS_BACKOFF_MAX};

	return !same(a->redis_host, b->redis_host) ||
	       a->redis_port != b->redis_port ||
	       a->redis_max_inflight != b->redis_max_inflight ||
	       timers_differ(a, b, ids, sizeof(ids) / sizeof(ids[0]));
}

/*
 * Everything that can fail is prepared first (new config, secret, new
 * clients, the new admin socket bound beside the old one); only then is
 * anything swapped, so a failed reload leaves the gateway as it was.
 */
int
gateway_reload(struct gateway *gw)
{
	struct conf *old = gw->env.conf, *c;
	struct secret sec;
	struct pg_client *npg = NULL, *opg;
	struct redis_client *nrc = NULL, *orc;
	struct admin *nad = NULL;
	struct catalog *ncat = NULL;
	char err[512], val[600];
	int admin_changed = 0;

	memset(&sec, 0, sizeof(sec));
	if (gw->env.draining) {
		/* A reload would start links the drain has to wait for. */
		LOG(LC_CONF, LL_WARN, "reload=refused reason=draining");
		return -EBUSY;
	}
	c = conf_load(old->path, err, sizeof(err));
	if (!c)
		goto fail;
	if (secret_load(c->secret_file, &sec, err, sizeof(err)) < 0)
		goto fail;
	if (memcmp(sec.ref_key, gw->env.secret.ref_key, sizeof(sec.ref_key))) {
		/* references already issued would no longer map back, and
		 * new ones could collide with them */
		snprintf(err, sizeof(err),
			 "%s: ref_key differs from the running one; it cannot "
			 "change while the gateway runs",
			 c->secret_file);
		goto fail;
	}
	if (strcmp(c->redis_prefix, old->redis_prefix) != 0) {
		/* parts, drafts and counters live under the old one */
		snprintf(err, sizeof(err),
			 "[redis] key_prefix cannot change while the gateway "
			 "runs (restart it)");
		goto fail;
	}
	if (!(ncat = load_catalog(c->catalog_file, err, sizeof(err))))
		goto fail;
	if (pg_settings_differ(c, old) && !(npg = make_pg(gw, c))) {
		snprintf(err, sizeof(err),
			 "cannot create the PostgreSQL client");
		goto fail;
	}
	if (redis_settings_differ(c, old) && !(nrc = make_redis(gw, c))) {
		snprintf(err, sizeof(err), "cannot create the Redis client");
		goto fail;
	}
	if (!same(c->admin_listen, old->admin_listen)) {
		admin_changed = 1;
		nad = make_admin(gw, c, err, sizeof(err));
		if (!nad && err[0])
			goto fail; /* port 0 (off) gives NULL and no error */
	}

	/* Links last: their reload commits itself when it succeeds. */
	if (links_reload(gw->env.links, c, err, sizeof(err)) < 0)
		goto fail;

	/* Commit: nothing below fails. */
	if (admin_changed) {
		admin_free(gw->admin);
		gw->admin = nad;
	}
	log_spec_apply(c->log_level); /* validated by conf_load() */
	gw->env.secret = sec;
	secret_wipe(&sec);
	log_set_hash_key(gw->env.secret.log_key);
	gw->env.conf = c;
	catalog_free(gw->env.catalog);
	gw->env.catalog = ncat;
	apply_timezone(c->timezone);
	if (npg) {
		opg = gw->env.pg;
		gw->env.pg = npg;
		gw->schema_version = -1;
		pg_client_free(opg);
		pg_client_start(npg);
	}
	if (nrc) {
		orc = gw->env.redis;
		gw->env.redis = nrc;
		redis_client_free(orc);
		redis_client_start(nrc);
	}
	conf_free(old);
	intake_reload(gw->intake); /* entities and holidays */
	gw->reloads++;
	LOG(LC_CONF, LL_NOTICE, "reload=ok file=%s pg=%s redis=%s admin=%s",
	    c->path, npg ? "replaced" : "kept", nrc ? "replaced" : "kept",
	    admin_changed ? "replaced" : "kept");
	check_ready(gw);
	return 0;
fail:
	catalog_free(ncat);
	admin_free(nad);
	pg_client_free(npg);
	redis_client_free(nrc);
	secret_wipe(&sec);
	conf_free(c);
	gw->reload_failures++;
	LOG(LC_CONF, LL_ERROR, "reload=failed kept=old reason=%s",
	    log_value(val, sizeof(val), err));
	return -EINVAL;
}

/* ---- drain ------------------------------------------------------------- */

static int
work_in_flight(struct gateway *gw)
{
	struct pg_client_stats ps;
	struct redis_client_stats rs;

	pg_client_stats(gw->env.pg, &ps);
	redis_client_stats(gw->env.redis, &rs);
	return ps.inflight + ps.queued + rs.inflight + mo_pending(gw->mo) +
		       intake_pending(gw->intake) >
	       0;
}

/*
 * Drain: new MOs are refused (ESME_RX_T_APPN) from the start; the links
 * unbind only once the MOs in hand are answered and their replies
 * submitted; then the loop stops when the stores have nothing in flight.
 */
static void
drain_check(void *arg)
{
	struct gateway *gw = arg;

	links_reap(gw->env.links);
	if (!gw->env.draining)
		return;
	if (!gw->links_stopping && mo_pending(gw->mo) == 0 &&
	    intake_pending(gw->intake) == 0) {
		gw->links_stopping = 1;
		links_stop(gw->env.links);
	}
	if (gw->links_stopping && !work_in_flight(gw) &&
	    links_stopped(gw->env.links)) {
		LOG(LC_MAIN, LL_NOTICE, "state=drained");
		loop_stop(gw->env.lp);
	}
}

static void
drain_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct gateway *gw = arg;

	LOG(LC_MAIN, LL_WARN, "state=drain_timeout in_flight=abandoned");
	loop_stop(gw->env.lp);
}

void
gateway_drain(struct gateway *gw)
{
	unsigned ms = gw->env.conf->timers.ms[T_DRAIN];
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};

	if (gw->env.draining)
		return;
	gw->env.draining = 1;
	LOG(LC_MAIN, LL_NOTICE, "state=draining timeout_ms=%u", ms);
	evtimer_add(gw->drain_ev, &tv);
}

static void
on_signal(int sig, void *arg)
{
	struct gateway *gw = arg;

	if (sig == SIGHUP)
		gateway_reload(gw);
	else
		gateway_drain(gw);
}

/* ---- life cycle -------------------------------------------------------- */

struct gateway *
gateway_new(struct loop *lp, struct conf *conf, char *err, size_t errlen)
{
	struct gateway *gw = calloc(1, sizeof(*gw));

	if (!gw) {
		snprintf(err, errlen, "out of memory");
		conf_free(conf);
		return NULL;
	}
	gw->env.lp = lp;
	err[0] = '\0';
	gw->env.conf = conf;
	gw->schema_version = -1;
	log_spec_apply(conf->log_level); /* validated by conf_load() */
	if (secret_load(conf->secret_file, &gw->env.secret, err, errlen) < 0)
		goto fail;
	log_set_hash_key(gw->env.secret.log_key);
	apply_timezone(conf->timezone);
	gw->env.catalog = load_catalog(conf->catalog_file, err, errlen);
	if (!gw->env.catalog)
		goto fail;
	gw->env.dir = directory_new(&gw->env.pg, on_directory, gw);
	gw->intake = gw->env.dir ? intake_new(&gw->env) : NULL;
	gw->mo = gw->intake ? mo_new(&gw->env, gw->intake) : NULL;
	if (!gw->mo) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}

	struct event_base *base = loop_base(lp);
	gw->schema_ev = evtimer_new(base, schema_step, gw);
	gw->drain_ev = evtimer_new(base, drain_deadline, gw);
	if (!gw->schema_ev || !gw->drain_ev) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	gw->admin = make_admin(gw, conf, err, errlen);
	if (!gw->admin && err[0])
		goto fail;
	gw->env.pg = make_pg(gw, conf);
	gw->env.redis = make_redis(gw, conf);
	if (!gw->env.pg || !gw->env.redis) {
		snprintf(err, errlen, "cannot create store clients");
		goto fail;
	}
	struct smsc_link_ops lops = link_ops;
	lops.arg = gw;
	gw->env.links = links_new(base, conf, &lops, err, errlen);
	if (!gw->env.links)
		goto fail;
	pg_client_start(gw->env.pg);
	redis_client_start(gw->env.redis);
	links_start(gw->env.links);
	if (loop_before_sleep(lp, drain_check, gw) < 0 ||
	    loop_on_signal(lp, SIGHUP, on_signal, gw) < 0 ||
	    loop_on_signal(lp, SIGTERM, on_signal, gw) < 0 ||
	    loop_on_signal(lp, SIGINT, on_signal, gw) < 0) {
		snprintf(err, errlen, "cannot install signal handlers");
		goto fail;
	}
	if (conf->nsmsc == 0)
		LOG(LC_MAIN, LL_WARN,
		    "links=0 reason=\"no [smsc] "
		    "section: no carrier traffic\"");
	LOG(LC_MAIN, LL_NOTICE, "state=started version=%s conf=%s",
	    PACKAGE_VERSION, conf->path);
	return gw;
fail:
	gateway_free(gw);
	return NULL;
}

void
gateway_free(struct gateway *gw)
{
	if (!gw)
		return;
	admin_free(gw->admin);
	/* The clients fail what is pending into intake and the MO router,
	 * which answer through the links; then the links run the submit
	 * callbacks they owe into the replies; then intake and the router
	 * go (whatever they still hold finds no link). */
	pg_client_free(gw->env.pg);
	gw->env.pg = NULL;
	redis_client_free(gw->env.redis);
	gw->env.redis = NULL;
	links_free(gw->env.links);
	gw->env.links = NULL;
	intake_free(gw->intake);
	mo_free(gw->mo);
	directory_free(gw->env.dir);
	catalog_free(gw->env.catalog);
	if (gw->schema_ev)
		event_free(gw->schema_ev);
	if (gw->drain_ev)
		event_free(gw->drain_ev);
	secret_wipe(&gw->env.secret);
	conf_free(gw->env.conf);
	free(gw);
}
