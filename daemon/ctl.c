/*
 * ctl.c - tawasulctl, the operator and back-office command line
 * (SPEC §9).
 *
 * Talks to PostgreSQL directly with blocking libpq; never to the daemon.
 * Exit status: 0 success, 1 user error (one line on stderr), 2 system
 * error (database unreachable, I/O). Commands arrive with the modules
 * they serve; this file holds the dispatcher and the set-up commands.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "conf.h"
#include "migrate.h"
#include "secret.h"

enum { EXIT_OK = 0, EXIT_USER = 1, EXIT_SYSTEM = 2 };

struct ctl {
	const char *conf_path;
	struct conf *conf;
};

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
		"options:\n"
		"  -c, --config FILE    daemon configuration (default "
		"/etc/tawasul/tawasuld.conf)\n"
		"      --version        print the version\n");
}

static int
load_conf(struct ctl *ctl)
{
	char err[512];

	ctl->conf = conf_load(ctl->conf_path, err, sizeof(err));
	if (!ctl->conf) {
		fprintf(stderr, "tawasulctl: %s\n", err);
		return EXIT_USER;
	}
	return EXIT_OK;
}

static PGconn *
connect_db(struct ctl *ctl)
{
	PGconn *conn = PQconnectdb(ctl->conf->pg_conninfo);

	if (PQstatus(conn) != CONNECTION_OK) {
		const char *m = PQerrorMessage(conn);
		fprintf(stderr,
			"tawasulctl: cannot connect to PostgreSQL: %.*s\n",
			(int)strcspn(m, "\n"), m);
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

static int
cmd_migrate(struct ctl *ctl, int argc, char **argv)
{
	char err[512];
	int from, to, rc;
	PGconn *conn;

	if (argc != 1) {
		fprintf(stderr, "tawasulctl: migrate takes no arguments\n");
		return EXIT_USER;
	}
	if ((rc = load_conf(ctl)) != EXIT_OK)
		return rc;
	if (!(conn = connect_db(ctl)))
		return EXIT_SYSTEM;
	rc = migrate_apply(conn, 1, &from, &to, err, sizeof(err));
	PQfinish(conn);
	if (rc < 0) {
		fprintf(stderr, "tawasulctl: %s\n", err);
		return rc == -EPROTO ? EXIT_USER : EXIT_SYSTEM;
	}
	if (rc == 0)
		printf("schema is current at version %d\n", to);
	else
		printf("schema migrated from version %d to %d (%d applied)\n",
		       from, to, rc);
	return EXIT_OK;
}

static int
cmd_schema_version(struct ctl *ctl, int argc, char **argv)
{
	char err[512];
	PGconn *conn;
	int rc, v;

	if ((rc = load_conf(ctl)) != EXIT_OK)
		return rc;
	if (!(conn = connect_db(ctl)))
		return EXIT_SYSTEM;
	v = migrate_current(conn, err, sizeof(err));
	PQfinish(conn);
	if (v < 0) {
		fprintf(stderr, "tawasulctl: %s\n", err);
		return EXIT_SYSTEM;
	}
	printf("database %d build %d\n", v, migrate_latest());
	return EXIT_OK;
}

static int
cmd_gen_secret(struct ctl *ctl, int argc, char **argv)
{
	char err[512];

	if (argc != 2) {
		fprintf(stderr, "tawasulctl: usage: gen-secret PATH\n");
		return EXIT_USER;
	}
	if (secret_generate(argv[1], err, sizeof(err)) < 0) {
		fprintf(stderr, "tawasulctl: %s\n", err);
		return EXIT_USER;
	}
	printf("created %s\n", argv[1]);
	return EXIT_OK;
}

static const struct {
	const char *name;
	int (*fn)(struct ctl *ctl, int argc, char **argv);
} commands[] = {
	{"migrate", cmd_migrate},
	{"schema-version", cmd_schema_version},
	{"gen-secret", cmd_gen_secret},
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
	int opt, rc = EXIT_USER;

	while ((opt = getopt_long(argc, argv, "+c:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			ctl.conf_path = optarg;
			break;
		case 'V':
			printf("tawasulctl %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USER;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return EXIT_USER;
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
	return EXIT_USER;
}
