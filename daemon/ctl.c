/*
 * ctl.c - tawasulctl, the operator and back-office command line
 * (SPEC §9).
 *
 * Talks to PostgreSQL directly with blocking libpq; never to the daemon.
 * Exit status: 0 success, 1 user error (one line on stderr), 2 system
 * error (database unreachable, I/O). This file holds the dispatcher, the
 * set-up commands (migrate, schema-version, gen-secret) and the helpers
 * every command shares (ctl.h): configuration, connection, error
 * reporting, JSON strings and terminal-safe text. The entity commands
 * live in ctl_entities.c, the case commands in ctl_cases.c.
 *
 * Deliberately does not talk to the daemon, hold state between runs or
 * build SQL from strings (every value is a query parameter).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "conf.h"
#include "ctl.h"
#include "migrate.h"
#include "secret.h"

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: tawasulctl [-c FILE] COMMAND [ARGS]\n"
		"commands:\n"
		"  migrate              bring the database schema up to date\n"
		"  schema-version       print the database and build schema "
		"versions\n"
		"  gen-secret PATH      create a secret file with new random "
		"keys (mode 0600)\n"
		"  entities import FILE.csv\n"
		"                       load entities from a CSV file "
		"(upsert)\n"
		"  entities list [--json]\n"
		"                       list entities\n"
		"  list [--status S] [--entity E] [--limit N] [--json]\n"
		"                       list cases, newest first (default 50)\n"
		"  show REF [--json]    a case with its history and notes\n"
		"  set-status REF STATUS [--note TEXT]\n"
		"                       change a case's status\n"
		"  respond REF TEXT     record the entity's response "
		"(status responded)\n"
		"options:\n"
		"  -c, --config FILE    daemon configuration (default "
		"/etc/tawasul/tawasuld.conf)\n"
		"      --version        print the version\n");
}

/* Loads ctl->conf_path into ctl->conf (freed by the dispatcher). Returns
 * CTL_EXIT_OK, or CTL_EXIT_USER after printing the one-line reason. */
static int
ctl_load_conf(struct ctl *ctl)
{
	char err[512];

	ctl->conf = conf_load(ctl->conf_path, err, sizeof(err));
	if (!ctl->conf) {
		fprintf(stderr, "tawasulctl: %s\n", err);
		return CTL_EXIT_USER;
	}
	return CTL_EXIT_OK;
}

/* Prints the first line of m after the prefix. */
static void
print_first_line(const char *prefix, const char *m)
{
	if (!m || !*m)
		m = "unknown error";
	fprintf(stderr, "tawasulctl: %s%.*s\n", prefix, (int)strcspn(m, "\n"),
		m);
}

int
ctl_connect(struct ctl *ctl, PGconn **conn)
{
	const char *why = NULL;
	int rc;

	*conn = NULL;
	if ((rc = ctl_load_conf(ctl)) != CTL_EXIT_OK)
		return rc;
	PGconn *c = PQconnectdb(ctl->conf->pg_conninfo);
	if (PQstatus(c) != CONNECTION_OK)
		why = "cannot connect to PostgreSQL: ";
	else if (PQsetClientEncoding(c, "UTF8") != 0)
		why = "cannot set the client encoding: ";
	if (why) {
		print_first_line(why, PQerrorMessage(c));
		PQfinish(c);
		return CTL_EXIT_SYSTEM;
	}
	*conn = c;
	return CTL_EXIT_OK;
}

int
ctl_pg_status(PGconn *conn, const PGresult *res)
{
	const char *state =
		res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	if (PQstatus(conn) != CONNECTION_OK || !state)
		return CTL_EXIT_SYSTEM;
	if (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0 ||
	    strncmp(state, "P0", 2) == 0)
		return CTL_EXIT_USER;
	return CTL_EXIT_SYSTEM;
}

int
ctl_pg_fail(PGconn *conn, const PGresult *res)
{
	const char *m =
		res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	print_first_line("", m ? m : PQerrorMessage(conn));
	return ctl_pg_status(conn, res);
}

int
ctl_pg_exec(PGconn *conn, const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	int rc = CTL_EXIT_OK;

	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = ctl_pg_fail(conn, res);
	PQclear(res);
	return rc;
}

void
ctl_json_str(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	putc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(out, "\\u%04x", *p);
			else
				putc(*p, out);
		}
	}
	putc('"', out);
}

void
ctl_json_member(FILE *out, int first, const char *key, const char *s)
{
	if (!first)
		putc(',', out);
	ctl_json_str(out, key);
	putc(':', out);
	ctl_json_str(out, s);
}

void
ctl_print_text(FILE *out, const char *s, int indent)
{
	if (!s)
		return;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\n') {
			fprintf(out, "\n%*s", indent, "");
		} else if (*p == '\t') {
			putc(' ', out);
		} else if (*p < 0x20 || *p == 0x7f) {
			putc('?', out);
		} else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			putc('?', out); /* C1 control, two bytes in UTF-8 */
			p++;
		} else {
			putc(*p, out);
		}
	}
}

static int
cmd_migrate(struct ctl *ctl, int argc, char **argv)
{
	char err[512];
	int from, to, rc;
	PGconn *conn;

	if (argc != 1) {
		fprintf(stderr, "tawasulctl: migrate takes no arguments\n");
		return CTL_EXIT_USER;
	}
	if ((rc = ctl_connect(ctl, &conn)) != CTL_EXIT_OK)
		return rc;
	rc = migrate_apply(conn, 1, &from, &to, err, sizeof(err));
	PQfinish(conn);
	if (rc < 0) {
		fprintf(stderr, "tawasulctl: %s\n", err);
		return rc == -EPROTO ? CTL_EXIT_USER : CTL_EXIT_SYSTEM;
	}
	if (rc == 0)
		printf("schema is current at version %d\n", to);
	else
		printf("schema migrated from version %d to %d (%d applied)\n",
		       from, to, rc);
	return CTL_EXIT_OK;
}

static int
cmd_schema_version(struct ctl *ctl, int argc, char **argv)
{
	char err[512];
	PGconn *conn;
	int rc, v;

	if ((rc = ctl_connect(ctl, &conn)) != CTL_EXIT_OK)
		return rc;
	v = migrate_current(conn, err, sizeof(err));
	PQfinish(conn);
	if (v < 0) {
		fprintf(stderr, "tawasulctl: %s\n", err);
		return CTL_EXIT_SYSTEM;
	}
	printf("database %d build %d\n", v, migrate_latest());
	return CTL_EXIT_OK;
}

static int
cmd_gen_secret(struct ctl *ctl, int argc, char **argv)
{
	char err[512];

	if (argc != 2) {
		fprintf(stderr, "tawasulctl: usage: gen-secret PATH\n");
		return CTL_EXIT_USER;
	}
	if (secret_generate(argv[1], err, sizeof(err)) < 0) {
		fprintf(stderr, "tawasulctl: %s\n", err);
		return CTL_EXIT_USER;
	}
	printf("created %s\n", argv[1]);
	return CTL_EXIT_OK;
}

static const struct {
	const char *name;
	int (*fn)(struct ctl *ctl, int argc, char **argv);
} commands[] = {
	{"migrate", cmd_migrate},
	{"schema-version", cmd_schema_version},
	{"gen-secret", cmd_gen_secret},
	{"entities", ctl_entities},
	{"list", ctl_cases_list},
	{"show", ctl_cases_show},
	{"set-status", ctl_cases_set_status},
	{"respond", ctl_cases_respond},
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct ctl ctl = {.conf_path = "/etc/tawasul/tawasuld.conf"};
	int opt, rc = CTL_EXIT_USER;

	while ((opt = getopt_long(argc, argv, "+c:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			ctl.conf_path = optarg;
			break;
		case 'V':
			printf("tawasulctl %s\n", PACKAGE_VERSION);
			return CTL_EXIT_OK;
		case 'h':
			usage(stdout);
			return CTL_EXIT_OK;
		default:
			usage(stderr);
			return CTL_EXIT_USER;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return CTL_EXIT_USER;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name) == 0) {
			rc = commands[i].fn(&ctl, argc - optind, argv + optind);
			conf_free(ctl.conf);
			return rc;
		}
	}
	fprintf(stderr, "tawasulctl: unknown command '%s' (see -h)\n",
		argv[optind]);
	return CTL_EXIT_USER;
}
