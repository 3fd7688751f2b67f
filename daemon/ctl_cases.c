/*
 * ctl_cases.c - tawasulctl's case commands (SPEC §7, §9): `list`, `show`,
 * `set-status` and `respond`.
 *
 * Reads cases, their status history and notes; changes a status only
 * through the schema's tawasul_set_status() (history row, office note,
 * NOTIFY tawasul_case: the gateway texts the citizen), so the command
 * line and the back office behave the same. References are parsed
 * leniently (ref_parse: any digit script, spaces, hyphens). Times are
 * shown in the configured time zone; JSON carries them in UTC
 * (ISO 8601, "Z"). A case is overdue when its due date is before today
 * (configured time zone) and it is neither responded nor closed.
 *
 * Phone numbers: `list` shows only the last 3 digits, in text and JSON
 * alike (a listing ends up in scrollback and tickets); `show` gives the
 * full number of the one case asked for, which the back office needs to
 * call the citizen back. Text a citizen sent is printed with control
 * characters replaced (ctl_print_text).
 *
 * Deliberately does not send SMS (the gateway does, from the NOTIFY),
 * verify check digits (an unknown reference is just unknown here), or
 * write anything but through tawasul_set_status().
 */
#include "config.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "conf.h"
#include "ctl.h"
#include "refdisplay.h"

#define LIST_DEFAULT 50
#define LIST_MAX     10000

/*
 * In the queries, $1 is always the configured time zone: "local" columns
 * are 'YYYY-MM-DD HH24:MI' there, "utc" ones ISO 8601 with a Z.
 */

/*
 * Parses a reference argument into ref (10 digits). Returns CTL_EXIT_OK,
 * or CTL_EXIT_USER after printing "unknown reference".
 */
static int
cases_ref(const char *arg, char ref[11])
{
	if (ref_parse((const uint8_t *)arg, strlen(arg), ref) < 0) {
		fprintf(stderr, "tawasulctl: unknown reference '");
		ctl_print_text(stderr, arg, 0);
		fprintf(stderr, "'\n");
		return CTL_EXIT_USER;
	}
	return CTL_EXIT_OK;
}

/* Writes msisdn with every character but the last 3 as '*'. */
static void
masked(char *out, size_t cap, const char *msisdn)
{
	size_t n = strlen(msisdn), i;

	for (i = 0; i < n && i + 1 < cap; i++)
		out[i] = i + 3 < n ? '*' : msisdn[i];
	out[i] = '\0';
}

static int
is_true(const PGresult *res, int row, int col)
{
	return PQgetvalue(res, row, col)[0] == 't';
}

/* ---- list ------------------------------------------------------------ */

static const char list_sql[] =
	"SELECT c.reference, c.kind, c.entity, c.status, "
	"to_char(c.created_at AT TIME ZONE $1, 'YYYY-MM-DD HH24:MI'), "
	"to_char(c.created_at AT TIME ZONE 'UTC', "
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
	"c.due_date::text, "
	"(c.due_date < (now() AT TIME ZONE $1)::date "
	"AND c.status NOT IN ('responded', 'closed')), "
	"c.msisdn, c.channel, c.lang "
	"FROM cases c "
	"WHERE ($2::text IS NULL OR c.status = lower($2)::case_status) "
	"AND ($3::text IS NULL OR c.entity = upper($3)) "
	"ORDER BY c.created_at DESC, c.id DESC LIMIT $4::integer";

static void
list_text(const PGresult *res)
{
	int n = PQntuples(res);

	if (n == 0) {
		printf("no cases\n");
		return;
	}
	printf("%-10s  %-10s  %-16s  %-13s  %-16s  %-10s  %-7s  %s\n",
	       "REFERENCE", "KIND", "ENTITY", "STATUS", "CREATED", "DUE",
	       "OVERDUE", "MSISDN");
	for (int i = 0; i < n; i++) {
		char m[64];

		masked(m, sizeof(m), PQgetvalue(res, i, 8));
		printf("%-10s  %-10s  %-16s  %-13s  %-16s  %-10s  %-7s  %s\n",
		       PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
		       PQgetvalue(res, i, 2), PQgetvalue(res, i, 3),
		       PQgetvalue(res, i, 4), PQgetvalue(res, i, 6),
		       is_true(res, i, 7) ? "yes" : "no", m);
	}
}

static void
list_json(const PGresult *res)
{
	int n = PQntuples(res);

	printf("[");
	for (int i = 0; i < n; i++) {
		char m[64];

		masked(m, sizeof(m), PQgetvalue(res, i, 8));
		printf("%s\n{", i ? "," : "");
		ctl_json_member(stdout, 1, "reference", PQgetvalue(res, i, 0));
		ctl_json_member(stdout, 0, "kind", PQgetvalue(res, i, 1));
		ctl_json_member(stdout, 0, "entity", PQgetvalue(res, i, 2));
		ctl_json_member(stdout, 0, "status", PQgetvalue(res, i, 3));
		ctl_json_member(stdout, 0, "created_at", PQgetvalue(res, i, 5));
		ctl_json_member(stdout, 0, "due_date", PQgetvalue(res, i, 6));
		printf(",\"overdue\":%s",
		       is_true(res, i, 7) ? "true" : "false");
		ctl_json_member(stdout, 0, "msisdn_masked", m);
		ctl_json_member(stdout, 0, "channel", PQgetvalue(res, i, 9));
		ctl_json_member(stdout, 0, "lang", PQgetvalue(res, i, 10));
		printf("}");
	}
	printf("%s]\n", n ? "\n" : "");
}

/* Exit 1 unless the entity exists (so a typo is not an empty list). */
static int
known_entity(PGconn *conn, const char *code)
{
	const char *p[1] = {code};
	PGresult *res = PQexecParams(
		conn, "SELECT 1 FROM entities WHERE code = upper($1)", 1, NULL,
		p, NULL, NULL, 0);
	int rc = CTL_EXIT_OK;

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = ctl_pg_fail(conn, res);
	} else if (PQntuples(res) == 0) {
		fprintf(stderr, "tawasulctl: unknown entity '");
		ctl_print_text(stderr, code, 0);
		fprintf(stderr, "'\n");
		rc = CTL_EXIT_USER;
	}
	PQclear(res);
	return rc;
}

int
ctl_cases_list(struct ctl *ctl, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"status", required_argument, NULL, 's'},
		{"entity", required_argument, NULL, 'e'},
		{"limit", required_argument, NULL, 'n'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	const char *status = NULL, *entity = NULL;
	char limit[16];
	long n = LIST_DEFAULT;
	int opt, json = 0, rc;
	PGresult *res;
	PGconn *conn;
	char *end;

	optind = 0; /* restart getopt on the command's own arguments */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			status = optarg;
			break;
		case 'e':
			entity = optarg;
			break;
		case 'n':
			n = strtol(optarg, &end, 10);
			if (end == optarg || *end || n < 1 || n > LIST_MAX) {
				fprintf(stderr,
					"tawasulctl: --limit takes 1 to %d\n",
					LIST_MAX);
				return CTL_EXIT_USER;
			}
			break;
		case 'j':
			json = 1;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc) {
	usage:
		fprintf(stderr, "tawasulctl: usage: list [--status S] "
				"[--entity E] [--limit N] [--json]\n");
		return CTL_EXIT_USER;
	}
	snprintf(limit, sizeof(limit), "%ld", n);
	if ((rc = ctl_connect(ctl, &conn)) != CTL_EXIT_OK)
		return rc;
	if (entity && (rc = known_entity(conn, entity)) != CTL_EXIT_OK)
		goto out;

	const char *p[4] = {ctl->conf->timezone, status, entity, limit};
	res = PQexecParams(conn, list_sql, 4, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = ctl_pg_fail(conn, res);
	else if (json)
		list_json(res);
	else
		list_text(res);
	PQclear(res);
out:
	PQfinish(conn);
	return rc;
}

/* ---- show ------------------------------------------------------------ */

static const char show_case_sql[] =
	"SELECT c.id, c.reference, c.kind, c.entity, e.name_en, e.name_ar, "
	"c.category, cat.code, cat.name_en, c.msisdn, c.channel, c.lang, "
	"c.original_text, c.status, c.resolution, "
	"to_char(c.created_at AT TIME ZONE $1, 'YYYY-MM-DD HH24:MI'), "
	"to_char(c.created_at AT TIME ZONE 'UTC', "
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
	"to_char(c.updated_at AT TIME ZONE $1, 'YYYY-MM-DD HH24:MI'), "
	"to_char(c.updated_at AT TIME ZONE 'UTC', "
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
	"c.due_date::text, "
	"(c.due_date < (now() AT TIME ZONE $1)::date "
	"AND c.status NOT IN ('responded', 'closed')), "
	"c.inbound_id, "
	"EXISTS (SELECT 1 FROM case_mutes m WHERE m.case_id = c.id) "
	"FROM cases c JOIN entities e ON e.code = c.entity "
	"LEFT JOIN categories cat ON cat.id = c.category "
	"WHERE c.reference = $2";

static const char show_history_sql[] =
	"SELECT old_status, new_status, note, actor, "
	"to_char(changed_at AT TIME ZONE $1, 'YYYY-MM-DD HH24:MI'), "
	"to_char(changed_at AT TIME ZONE 'UTC', "
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
	"FROM case_status_history WHERE case_id = $2 ORDER BY id";

static const char show_notes_sql[] =
	"SELECT author, body, "
	"to_char(created_at AT TIME ZONE $1, 'YYYY-MM-DD HH24:MI'), "
	"to_char(created_at AT TIME ZONE 'UTC', "
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
	"FROM case_notes WHERE case_id = $2 ORDER BY id";

/* Columns of show_case_sql. */
enum {
	SC_ID,
	SC_REF,
	SC_KIND,
	SC_ENTITY,
	SC_ENT_EN,
	SC_ENT_AR,
	SC_CAT,
	SC_CAT_CODE,
	SC_CAT_EN,
	SC_MSISDN,
	SC_CHANNEL,
	SC_LANG,
	SC_TEXT,
	SC_STATUS,
	SC_RESOLUTION,
	SC_CREATED,
	SC_CREATED_UTC,
	SC_UPDATED,
	SC_UPDATED_UTC,
	SC_DUE,
	SC_OVERDUE,
	SC_INBOUND,
	SC_MUTED,
};

/* The value at (row, col), NULL when SQL NULL. */
static const char *
val(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

/* "label       value" with value sanitised and continuation indented. */
static void
show_line(const char *label, const char *value)
{
	printf("%-12s", label);
	ctl_print_text(stdout, value ? value : "-", 12);
	putchar('\n');
}

static void
show_text(const PGresult *c, const PGresult *h, const PGresult *nt)
{
	char en[REF_EN_SIZE], buf[256];

	ref_format_en(PQgetvalue(c, 0, SC_REF), en, sizeof(en));
	snprintf(buf, sizeof(buf), "%s (%s)", en, PQgetvalue(c, 0, SC_REF));
	show_line("reference", buf);
	snprintf(buf, sizeof(buf), "%s%s", PQgetvalue(c, 0, SC_STATUS),
		 is_true(c, 0, SC_OVERDUE) ? " (overdue)" : "");
	show_line("status", buf);
	show_line("kind", PQgetvalue(c, 0, SC_KIND));
	printf("%-12s%s  ", "entity", PQgetvalue(c, 0, SC_ENTITY));
	ctl_print_text(stdout, PQgetvalue(c, 0, SC_ENT_EN), 0);
	fputs(" / ", stdout);
	ctl_print_text(stdout, PQgetvalue(c, 0, SC_ENT_AR), 0);
	putchar('\n');
	if (val(c, 0, SC_CAT))
		snprintf(buf, sizeof(buf), "%s %s",
			 PQgetvalue(c, 0, SC_CAT_CODE),
			 PQgetvalue(c, 0, SC_CAT_EN));
	show_line("category", val(c, 0, SC_CAT) ? buf : NULL);
	snprintf(buf, sizeof(buf), "%s (%s, %s)", PQgetvalue(c, 0, SC_MSISDN),
		 PQgetvalue(c, 0, SC_CHANNEL), PQgetvalue(c, 0, SC_LANG));
	show_line("from", buf);
	show_line("created", PQgetvalue(c, 0, SC_CREATED));
	show_line("updated", PQgetvalue(c, 0, SC_UPDATED));
	show_line("due", PQgetvalue(c, 0, SC_DUE));
	show_line("muted", is_true(c, 0, SC_MUTED) ? "yes" : "no");
	show_line("resolution", val(c, 0, SC_RESOLUTION));
	show_line("text", PQgetvalue(c, 0, SC_TEXT));

	printf("\nhistory\n");
	for (int i = 0; i < PQntuples(h); i++) {
		printf("  %s  %s -> %s  by ", PQgetvalue(h, i, 4),
		       val(h, i, 0) ? val(h, i, 0) : "(new)",
		       PQgetvalue(h, i, 1));
		ctl_print_text(stdout, PQgetvalue(h, i, 3), 0);
		putchar('\n');
		if (val(h, i, 2) && *val(h, i, 2)) {
			printf("%20snote: ", "");
			ctl_print_text(stdout, val(h, i, 2), 26);
			putchar('\n');
		}
	}
	printf("\nnotes\n");
	if (PQntuples(nt) == 0)
		printf("  none\n");
	for (int i = 0; i < PQntuples(nt); i++) {
		printf("  %s  %-7s  ", PQgetvalue(nt, i, 2),
		       PQgetvalue(nt, i, 0));
		ctl_print_text(stdout, PQgetvalue(nt, i, 1), 29);
		putchar('\n');
	}
}

/* A JSON number or null from a numeric column. */
static void
json_num(const PGresult *res, int row, int col)
{
	fputs(val(res, row, col) ? val(res, row, col) : "null", stdout);
}

static void
show_json(const PGresult *c, const PGresult *h, const PGresult *nt)
{
	char en[REF_EN_SIZE];

	ref_format_en(PQgetvalue(c, 0, SC_REF), en, sizeof(en));
	printf("{\"id\":");
	json_num(c, 0, SC_ID);
	ctl_json_member(stdout, 0, "reference", PQgetvalue(c, 0, SC_REF));
	ctl_json_member(stdout, 0, "reference_display", en);
	ctl_json_member(stdout, 0, "kind", PQgetvalue(c, 0, SC_KIND));
	ctl_json_member(stdout, 0, "entity", PQgetvalue(c, 0, SC_ENTITY));
	ctl_json_member(stdout, 0, "entity_name_en", val(c, 0, SC_ENT_EN));
	ctl_json_member(stdout, 0, "entity_name_ar", val(c, 0, SC_ENT_AR));
	if (val(c, 0, SC_CAT)) {
		printf(",\"category\":{\"id\":%s", val(c, 0, SC_CAT));
		ctl_json_member(stdout, 0, "code", val(c, 0, SC_CAT_CODE));
		ctl_json_member(stdout, 0, "name_en", val(c, 0, SC_CAT_EN));
		putchar('}');
	} else {
		printf(",\"category\":null");
	}
	ctl_json_member(stdout, 0, "msisdn", val(c, 0, SC_MSISDN));
	ctl_json_member(stdout, 0, "channel", val(c, 0, SC_CHANNEL));
	ctl_json_member(stdout, 0, "lang", val(c, 0, SC_LANG));
	ctl_json_member(stdout, 0, "original_text", val(c, 0, SC_TEXT));
	ctl_json_member(stdout, 0, "status", val(c, 0, SC_STATUS));
	ctl_json_member(stdout, 0, "resolution", val(c, 0, SC_RESOLUTION));
	ctl_json_member(stdout, 0, "created_at", val(c, 0, SC_CREATED_UTC));
	ctl_json_member(stdout, 0, "updated_at", val(c, 0, SC_UPDATED_UTC));
	ctl_json_member(stdout, 0, "due_date", val(c, 0, SC_DUE));
	printf(",\"overdue\":%s", is_true(c, 0, SC_OVERDUE) ? "true" : "false");
	printf(",\"inbound_id\":");
	json_num(c, 0, SC_INBOUND);
	printf(",\"muted\":%s", is_true(c, 0, SC_MUTED) ? "true" : "false");

	printf(",\n\"history\":[");
	for (int i = 0; i < PQntuples(h); i++) {
		printf("%s\n{", i ? "," : "");
		ctl_json_member(stdout, 1, "changed_at", val(h, i, 5));
		ctl_json_member(stdout, 0, "old_status", val(h, i, 0));
		ctl_json_member(stdout, 0, "new_status", val(h, i, 1));
		ctl_json_member(stdout, 0, "actor", val(h, i, 3));
		ctl_json_member(stdout, 0, "note", val(h, i, 2));
		putchar('}');
	}
	printf("],\n\"notes\":[");
	for (int i = 0; i < PQntuples(nt); i++) {
		printf("%s\n{", i ? "," : "");
		ctl_json_member(stdout, 1, "created_at", val(nt, i, 3));
		ctl_json_member(stdout, 0, "author", val(nt, i, 0));
		ctl_json_member(stdout, 0, "body", val(nt, i, 1));
		putchar('}');
	}
	printf("]}\n");
}

/*
 * Runs one query of show with ($1 time zone, $2 key). Returns the result
 * (clear it) or NULL after printing; *rc then holds the exit status.
 */
static PGresult *
show_query(PGconn *conn, const char *sql, const char *tz, const char *key,
	   int *rc)
{
	const char *p[2] = {tz, key};
	PGresult *res = PQexecParams(conn, sql, 2, NULL, p, NULL, NULL, 0);

	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		return res;
	*rc = ctl_pg_fail(conn, res);
	PQclear(res);
	return NULL;
}

int
ctl_cases_show(struct ctl *ctl, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	PGresult *c = NULL, *h = NULL, *nt = NULL;
	int opt, json = 0, bad = 0, rc;
	const char *tz;
	PGconn *conn;
	char ref[11];

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt != 'j') {
			bad = 1;
			break;
		}
		json = 1;
	}
	if (bad || argc - optind != 1) {
		fprintf(stderr, "tawasulctl: usage: show REF [--json]\n");
		return CTL_EXIT_USER;
	}
	if ((rc = cases_ref(argv[optind], ref)) != CTL_EXIT_OK)
		return rc;
	if ((rc = ctl_connect(ctl, &conn)) != CTL_EXIT_OK)
		return rc;
	tz = ctl->conf->timezone;
	/* One snapshot for the case, its history and its notes. */
	if ((rc = ctl_pg_exec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ "
				    "READ ONLY")) != CTL_EXIT_OK)
		goto out;
	if (!(c = show_query(conn, show_case_sql, tz, ref, &rc)))
		goto out;
	if (PQntuples(c) != 1) {
		fprintf(stderr, "tawasulctl: unknown reference %s\n", ref);
		rc = CTL_EXIT_USER;
		goto out;
	}
	if (!(h = show_query(conn, show_history_sql, tz,
			     PQgetvalue(c, 0, SC_ID), &rc)) ||
	    !(nt = show_query(conn, show_notes_sql, tz, PQgetvalue(c, 0, SC_ID),
			      &rc)))
		goto out;
	if ((rc = ctl_pg_exec(conn, "COMMIT")) != CTL_EXIT_OK)
		goto out;
	if (json)
		show_json(c, h, nt);
	else
		show_text(c, h, nt);
out:
	PQclear(c);
	PQclear(h);
	PQclear(nt);
	PQfinish(conn);
	return rc;
}

/* ---- set-status and respond ----------------------------------------- */

/*
 * Changes the case's status through tawasul_set_status() (one statement,
 * one transaction); note NULL for none. Prints "REF: OLD -> NEW".
 */
static int
change_status(struct ctl *ctl, const char *ref, const char *status,
	      const char *note)
{
	const char *p[3] = {ref, status, note};
	PGresult *res;
	PGconn *conn;
	int rc;

	if ((rc = ctl_connect(ctl, &conn)) != CTL_EXIT_OK)
		return rc;
	res = PQexecParams(conn,
			   "SELECT old_status, new_status FROM "
			   "tawasul_set_status($1, lower($2)::case_status, $3, "
			   "'tawasulctl')",
			   3, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		rc = ctl_pg_fail(conn, res);
	else
		printf("%s: %s -> %s\n", ref, PQgetvalue(res, 0, 0),
		       PQgetvalue(res, 0, 1));
	PQclear(res);
	PQfinish(conn);
	return rc;
}

int
ctl_cases_set_status(struct ctl *ctl, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"note", required_argument, NULL, 'n'},
		{NULL, 0, NULL, 0},
	};
	const char *note = NULL;
	int opt, bad = 0, rc;
	char ref[11];

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt != 'n') {
			bad = 1;
			break;
		}
		note = optarg;
	}
	if (bad || argc - optind != 2) {
		fprintf(stderr, "tawasulctl: usage: set-status REF STATUS "
				"[--note TEXT]\n");
		return CTL_EXIT_USER;
	}
	if ((rc = cases_ref(argv[optind], ref)) != CTL_EXIT_OK)
		return rc;
	if (note && !note[strspn(note, " \t\r\n")])
		note = NULL; /* a blank note is no note */
	return change_status(ctl, ref, argv[optind + 1], note);
}

int
ctl_cases_respond(struct ctl *ctl, int argc, char **argv)
{
	char ref[11];
	int rc;

	if (argc != 3) {
		fprintf(stderr, "tawasulctl: usage: respond REF TEXT (quote "
				"the text)\n");
		return CTL_EXIT_USER;
	}
	if (!argv[2][strspn(argv[2], " \t\r\n")]) {
		fprintf(stderr,
			"tawasulctl: respond needs the response text\n");
		return CTL_EXIT_USER;
	}
	if ((rc = cases_ref(argv[1], ref)) != CTL_EXIT_OK)
		return rc;
	return change_status(ctl, ref, "responded", argv[2]);
}
