/*
 * ctl_entities.c - tawasulctl's entity commands (SPEC §7, §9):
 * `entities import FILE.csv` and `entities list [--json]`.
 *
 * The import reads the whole file (at most CTL_IMPORT_FILE_MAX bytes), checks
 * every row before touching the database and reports the first problem
 * as "FILE:LINE: reason"; then, in one transaction, checks the file's
 * aliases against the entities the file leaves alone and upserts every
 * row. Rows that did not change are not written (updated_at stays), so
 * importing the same file twice changes nothing.
 *
 * Owns the rows and the alias index for the run. Deliberately does not
 * delete or deactivate entities missing from the file (it counts them),
 * touch categories, or tell the daemon (SIGHUP reloads entities).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#include "csv.h"
#include "ctl.h"
#include "ctl_import.h"

/* Reads path into a new buffer (free it); NULL after printing why. */
static uint8_t *
read_file(const char *path, size_t *len, int *rc)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	*rc = CTL_EXIT_USER;
	if (!f) {
		fprintf(stderr, "tawasulctl: %s: cannot open: %s\n", path,
			strerror(errno));
		return NULL;
	}
	if (!(buf = malloc(CTL_IMPORT_FILE_MAX + 1))) {
		fclose(f);
		fprintf(stderr, "tawasulctl: out of memory\n");
		*rc = CTL_EXIT_SYSTEM;
		return NULL;
	}
	n = fread(buf, 1, CTL_IMPORT_FILE_MAX + 1, f);
	if (ferror(f)) {
		fprintf(stderr, "tawasulctl: %s: cannot read: %s\n", path,
			strerror(errno));
		*rc = CTL_EXIT_SYSTEM;
		goto fail;
	}
	if (n > CTL_IMPORT_FILE_MAX) {
		fprintf(stderr,
			"tawasulctl: %s: file too large (at most %d "
			"bytes)\n",
			path, CTL_IMPORT_FILE_MAX);
		goto fail;
	}
	fclose(f);
	*len = n;
	return buf;
fail:
	fclose(f);
	free(buf);
	return NULL;
}

/* 1 when every field of rec is empty or blank (a spreadsheet's ",,,,"). */
static int
blank_record(const struct csv_record *rec)
{
	for (size_t i = 0; i < rec->nfields; i++)
		if (csv_field(rec, i)[strspn(csv_field(rec, i), " \t\r\n")])
			return 0;
	return 1;
}

/*
 * Parses and checks the whole file into im; prints "FILE:LINE: reason"
 * for the first problem. Returns a CTL_EXIT_* status.
 */
static int
import_parse(struct ctl_import *im, const uint8_t *buf, size_t len)
{
	struct csv_record *rec = malloc(sizeof(*rec));
	struct csv_reader r;
	int header = 0, n, rc = CTL_EXIT_USER;

	if (!rec) {
		fprintf(stderr, "tawasulctl: out of memory\n");
		return CTL_EXIT_SYSTEM;
	}
	csv_reader_init(&r, buf, len);
	while ((n = csv_next(&r, rec)) > 0) {
		if (blank_record(rec))
			continue;
		if (!header) {
			int ok = rec->nfields == CTL_IMPORT_FIELDS;
			for (size_t i = 0; ok && i < CTL_IMPORT_FIELDS; i++)
				ok = strcmp(csv_field(rec, i),
					    ctl_import_fields[i]) == 0;
			if (!ok) {
				ctl_import_error(
					im, rec->line,
					"bad header: expected "
					"code,name_en,name_ar,aliases_en,"
					"aliases_ar,sla_complaint,"
					"sla_suggestion,sla_enquiry,active");
				goto out;
			}
			header = 1;
			continue;
		}
		if ((rc = ctl_import_add_row(im, rec)) != CTL_EXIT_OK)
			goto out;
		rc = CTL_EXIT_USER;
	}
	if (n < 0) {
		ctl_import_error(im, r.err_line, "%s", csv_strerror(r.err));
		goto out;
	}
	if (!header) {
		ctl_import_error(im, 1, "empty file: expected the header line");
		goto out;
	}
	if (im->nrows == 0) {
		ctl_import_error(im, r.line, "no entities after the header");
		goto out;
	}
	rc = CTL_EXIT_OK;
out:
	free(rec);
	return rc;
}

static const char upsert_sql[] =
	"INSERT INTO entities AS e (code, name_en, name_ar, aliases_en, "
	"aliases_ar, sla_complaint, sla_suggestion, sla_enquiry, active) "
	"VALUES ($1, $2, $3, string_to_array($4, '|'), "
	"string_to_array($5, '|'), $6::integer, $7::integer, $8::integer, "
	"$9::boolean) "
	"ON CONFLICT (code) DO UPDATE SET name_en = EXCLUDED.name_en, "
	"name_ar = EXCLUDED.name_ar, aliases_en = EXCLUDED.aliases_en, "
	"aliases_ar = EXCLUDED.aliases_ar, "
	"sla_complaint = EXCLUDED.sla_complaint, "
	"sla_suggestion = EXCLUDED.sla_suggestion, "
	"sla_enquiry = EXCLUDED.sla_enquiry, active = EXCLUDED.active, "
	"updated_at = now() "
	"WHERE (e.name_en, e.name_ar, e.aliases_en, e.aliases_ar, "
	"e.sla_complaint, e.sla_suggestion, e.sla_enquiry, e.active) "
	"IS DISTINCT FROM (EXCLUDED.name_en, EXCLUDED.name_ar, "
	"EXCLUDED.aliases_en, EXCLUDED.aliases_ar, EXCLUDED.sla_complaint, "
	"EXCLUDED.sla_suggestion, EXCLUDED.sla_enquiry, EXCLUDED.active) "
	"RETURNING e.code";

/*
 * Reads the entities already in the table (inside the transaction,
 * table locked): marks the file's rows that exist, and checks the
 * others' codes and aliases against the file. Returns a CTL_EXIT_*.
 */
static int
import_existing(struct ctl_import *im, PGconn *conn)
{
	PGresult *res = PQexecParams(
		conn,
		"SELECT e.code, a.alias FROM entities e "
		"LEFT JOIN LATERAL unnest(e.aliases_en || e.aliases_ar) "
		"AS a(alias) ON true ORDER BY e.code",
		0, NULL, NULL, NULL, NULL, 0);
	const char *last = "";
	int rc = CTL_EXIT_OK;

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = ctl_pg_fail(conn, res);
		goto out;
	}
	for (int i = 0; i < PQntuples(res) && rc == CTL_EXIT_OK; i++) {
		const char *code = PQgetvalue(res, i, 0);
		const char *alias =
			PQgetisnull(res, i, 1) ? NULL : PQgetvalue(res, i, 1);
		int first = strcmp(code, last) != 0;

		last = code;
		rc = ctl_import_check_existing(im, code, alias, first);
	}
	if (rc == CTL_EXIT_OK)
		rc = ctl_import_report(im);
out:
	PQclear(res);
	return rc;
}

/* Upserts every row; counts new and updated ones. Returns a CTL_EXIT_*. */
static int
import_rows(struct ctl_import *im, PGconn *conn)
{
	PGresult *res = PQprepare(conn, "upsert", upsert_sql, 9, NULL);
	int rc = CTL_EXIT_OK;

	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		rc = ctl_pg_fail(conn, res);
		PQclear(res);
		return rc;
	}
	PQclear(res);
	for (size_t i = 0; i < im->nrows; i++) {
		struct ctl_import_row *row = &im->rows[i];
		char sla[3][8];
		const char *p[9] = {row->code,
				    row->name_en,
				    row->name_ar,
				    row->aliases[0],
				    row->aliases[1],
				    sla[0],
				    sla[1],
				    sla[2],
				    row->active ? "true" : "false"};

		for (int k = 0; k < 3; k++)
			snprintf(sla[k], sizeof(sla[k]), "%d", row->sla[k]);
		res = PQexecPrepared(conn, "upsert", 9, p, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			const char *m = PQresultErrorField(
				res, PG_DIAG_MESSAGE_PRIMARY);
			if (!m)
				m = PQerrorMessage(conn);
			ctl_import_error(im, row->line, "%.*s",
					 (int)strcspn(m, "\n"), m);
			rc = ctl_pg_status(conn, res);
			PQclear(res);
			return rc;
		}
		if (PQntuples(res) == 1) {
			if (row->existed)
				im->updated++;
			else
				im->added++;
		}
		PQclear(res);
	}
	return CTL_EXIT_OK;
}

/* The database half of the import: one transaction. */
static int
import_db(struct ctl *ctl, struct ctl_import *im)
{
	PGconn *conn;
	int rc;

	if ((rc = ctl_connect(ctl, &conn)) != CTL_EXIT_OK)
		return rc;
	if ((rc = ctl_pg_exec(conn, "BEGIN")) != CTL_EXIT_OK)
		goto out;
	/* One import at a time; readers (the daemon) are not blocked. */
	if ((rc = ctl_pg_exec(conn, "LOCK TABLE entities IN SHARE ROW "
				    "EXCLUSIVE MODE")) != CTL_EXIT_OK ||
	    (rc = import_existing(im, conn)) != CTL_EXIT_OK ||
	    (rc = import_rows(im, conn)) != CTL_EXIT_OK) {
		if (PQstatus(conn) == CONNECTION_OK) {
			PGresult *res = PQexec(conn, "ROLLBACK");
			PQclear(res);
		}
		goto out;
	}
	rc = ctl_pg_exec(conn, "COMMIT");
out:
	PQfinish(conn);
	return rc;
}

static int
entities_import(struct ctl *ctl, const char *path)
{
	struct ctl_import im;
	uint8_t *buf;
	size_t len;
	int rc;

	if (!(buf = read_file(path, &len, &rc)))
		return rc;
	ctl_import_init(&im, path);
	rc = import_parse(&im, buf, len);
	free(buf);
	if (rc == CTL_EXIT_OK)
		rc = import_db(ctl, &im);
	if (rc == CTL_EXIT_OK) {
		printf("imported %zu entities (%zu new, %zu updated)\n",
		       im.nrows, im.added, im.updated);
		if (im.others)
			printf("note: %zu %s in the database %s not in %s: "
			       "left unchanged\n",
			       im.others,
			       im.others == 1 ? "entity" : "entities",
			       im.others == 1 ? "is" : "are", path);
	}
	ctl_import_free(&im);
	return rc;
}

static const char list_sql[] =
	"SELECT code, active, sla_complaint, sla_suggestion, sla_enquiry, "
	"name_en, name_ar, array_to_json(aliases_en), "
	"array_to_json(aliases_ar), "
	"to_char(updated_at AT TIME ZONE 'UTC', "
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
	"FROM entities ORDER BY code";

static void
list_json(const PGresult *res)
{
	int n = PQntuples(res);

	printf("[");
	for (int i = 0; i < n; i++) {
		const char *act = PQgetvalue(res, i, 1);

		printf("%s\n{", i ? "," : "");
		ctl_json_member(stdout, 1, "code", PQgetvalue(res, i, 0));
		ctl_json_member(stdout, 0, "name_en", PQgetvalue(res, i, 5));
		ctl_json_member(stdout, 0, "name_ar", PQgetvalue(res, i, 6));
		/* Arrays as the server renders them (valid JSON). */
		printf(",\"aliases_en\":%s,\"aliases_ar\":%s",
		       PQgetvalue(res, i, 7), PQgetvalue(res, i, 8));
		printf(",\"sla\":{\"complaint\":%d,\"suggestion\":%d,"
		       "\"enquiry\":%d}",
		       atoi(PQgetvalue(res, i, 2)), atoi(PQgetvalue(res, i, 3)),
		       atoi(PQgetvalue(res, i, 4)));
		printf(",\"active\":%s", act[0] == 't' ? "true" : "false");
		ctl_json_member(stdout, 0, "updated_at", PQgetvalue(res, i, 9));
		printf("}");
	}
	printf("%s]\n", n ? "\n" : "");
}

static void
list_text(const PGresult *res)
{
	int n = PQntuples(res);

	if (n == 0) {
		printf("no entities\n");
		return;
	}
	printf("%-16s  %-6s  %-12s  %s\n", "CODE", "ACTIVE", "SLA C/S/E",
	       "NAME");
	for (int i = 0; i < n; i++) {
		char sla[40];

		snprintf(sla, sizeof(sla), "%s/%s/%s", PQgetvalue(res, i, 2),
			 PQgetvalue(res, i, 3), PQgetvalue(res, i, 4));
		printf("%-16s  %-6s  %-12s  ", PQgetvalue(res, i, 0),
		       PQgetvalue(res, i, 1)[0] == 't' ? "yes" : "no", sla);
		ctl_print_text(stdout, PQgetvalue(res, i, 5), 0);
		putchar('\n');
	}
}

static int
entities_list(struct ctl *ctl, int json)
{
	PGresult *res;
	PGconn *conn;
	int rc;

	if ((rc = ctl_connect(ctl, &conn)) != CTL_EXIT_OK)
		return rc;
	res = PQexecParams(conn, list_sql, 0, NULL, NULL, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = ctl_pg_fail(conn, res);
	} else if (json) {
		list_json(res);
	} else {
		list_text(res);
	}
	PQclear(res);
	PQfinish(conn);
	return rc;
}

int
ctl_entities(struct ctl *ctl, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	int opt, json = 0, bad = 0;

	if (argc >= 3 && strcmp(argv[1], "import") == 0) {
		if (argc != 3) {
			fprintf(stderr, "tawasulctl: usage: entities import "
					"FILE.csv\n");
			return CTL_EXIT_USER;
		}
		return entities_import(ctl, argv[2]);
	}
	if (argc >= 2 && strcmp(argv[1], "list") == 0) {
		optind = 0; /* restart getopt on the command's arguments */
		opterr = 0;
		while ((opt = getopt_long(argc - 1, argv + 1, "", longopts,
					  NULL)) != -1) {
			if (opt != 'j') {
				bad = 1;
				break;
			}
			json = 1;
		}
		if (bad || optind != argc - 1) {
			fprintf(stderr, "tawasulctl: usage: entities list "
					"[--json]\n");
			return CTL_EXIT_USER;
		}
		return entities_list(ctl, json);
	}
	fprintf(stderr, "tawasulctl: usage: entities import FILE.csv | "
			"entities list [--json]\n");
	return CTL_EXIT_USER;
}
