/*
 * migrate.c - applies the embedded schema migrations (SPEC §9).
 *
 * Blocking libpq on purpose: it runs in tawasulctl, and in the daemon once
 * per start-up before the gateway reports ready (see gateway.c, which
 * bounds the wait). A session advisory lock serialises instances that
 * start together; each migration and its schema_version row commit in one
 * transaction, so a failure leaves the database at the previous version. Never builds SQL from
 * strings other than the embedded files.
 */
#include <libpq-fe.h>

#include "migrate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* pg_advisory_lock key: "tawasul" folded into 63 bits. */
#define MIGRATE_LOCK_KEY "7461776173756c"

int
migrate_latest(void)
{
	int v = 0;

	for (size_t i = 0; i < nmigrations; i++)
		if (migrations[i].version > v)
			v = migrations[i].version;
	return v;
}

static void
set_err(char *err, size_t errlen, const char *what, PGconn *conn)
{
	const char *msg = PQerrorMessage(conn);
	size_t n = strcspn(msg, "\n");

	snprintf(err, errlen, "%s: %.*s", what, (int)n, msg);
}

/* Runs sql (may hold several statements); 0 or -EIO. */
static int
exec_ok(PGconn *conn, const char *sql, const char *what, char *err,
	size_t errlen)
{
	PGresult *r = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(r);
	int rc = 0;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		set_err(err, errlen, what, conn);
		rc = -EIO;
	}
	PQclear(r);
	return rc;
}

int
migrate_current(PGconn *conn, char *err, size_t errlen)
{
	PGresult *r;
	int v = -EIO;

	r = PQexec(conn, "SELECT CASE WHEN to_regclass('schema_version') IS "
			 "NULL THEN 0 ELSE -1 END");
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		set_err(err, errlen, "reading schema version", conn);
		PQclear(r);
		return -EIO;
	}
	v = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	if (v == 0)
		return 0;

	r = PQexec(conn,
		   "SELECT coalesce(max(version), 0) FROM schema_version");
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		set_err(err, errlen, "reading schema version", conn);
		v = -EIO;
	} else {
		v = atoi(PQgetvalue(r, 0, 0));
	}
	PQclear(r);
	return v;
}

static int
apply_one(PGconn *conn, const struct migration *m, char *err, size_t errlen)
{
	char ver[16], what[96];
	const char *params[2] = {ver, m->name};
	PGresult *r;
	int rc;

	snprintf(ver, sizeof(ver), "%d", m->version);
	snprintf(what, sizeof(what), "migration %s", m->name);
	if ((rc = exec_ok(conn, "BEGIN", what, err, errlen)) < 0)
		return rc;
	if ((rc = exec_ok(conn, m->sql, what, err, errlen)) < 0)
		goto rollback;
	r = PQexecParams(conn,
			 "INSERT INTO schema_version (version, name) "
			 "VALUES ($1::integer, $2)",
			 2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		set_err(err, errlen, what, conn);
		PQclear(r);
		rc = -EIO;
		goto rollback;
	}
	PQclear(r);
	return exec_ok(conn, "COMMIT", what, err, errlen);
rollback:
	PQclear(PQexec(conn, "ROLLBACK"));
	return rc;
}

/* Takes the migration lock; 0, -EAGAIN (held elsewhere, !wait) or -EIO. */
static int
lock(PGconn *conn, int wait, char *err, size_t errlen)
{
	PGresult *r;
	int rc = 0;

	if (wait)
		return exec_ok(conn,
			       "SELECT pg_advisory_lock(x'" MIGRATE_LOCK_KEY
			       "'::bigint)",
			       "taking the migration lock", err, errlen);
	r = PQexec(conn, "SELECT pg_try_advisory_lock(x'" MIGRATE_LOCK_KEY
			 "'::bigint)");
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		set_err(err, errlen, "taking the migration lock", conn);
		rc = -EIO;
	} else if (strcmp(PQgetvalue(r, 0, 0), "t") != 0) {
		snprintf(err, errlen,
			 "another session holds the migration "
			 "lock");
		rc = -EAGAIN;
	}
	PQclear(r);
	return rc;
}

int
migrate_apply(PGconn *conn, int wait, int *from, int *to, char *err,
	      size_t errlen)
{
	int cur, applied = 0, rc;

	*from = *to = -1;
	rc = lock(conn, wait, err, errlen);
	if (rc < 0)
		return rc;

	cur = migrate_current(conn, err, errlen);
	if (cur < 0) {
		rc = cur;
		goto unlock;
	}
	*from = *to = cur;
	if (cur > migrate_latest()) {
		snprintf(err, errlen,
			 "database schema is version %d, newer than this "
			 "build's %d: upgrade the gateway",
			 cur, migrate_latest());
		rc = -EPROTO;
		goto unlock;
	}
	for (size_t i = 0; i < nmigrations; i++) {
		if (migrations[i].version <= cur)
			continue;
		rc = apply_one(conn, &migrations[i], err, errlen);
		if (rc < 0)
			goto unlock;
		*to = migrations[i].version;
		applied++;
	}
	rc = applied;
unlock:
	PQclear(PQexec(conn, "SELECT pg_advisory_unlock(x'" MIGRATE_LOCK_KEY
			     "'::bigint)"));
	return rc;
}
