/*
 * ctl.h - what tawasulctl's command files share (SPEC §9): the exit
 * statuses, the loaded configuration, the database connection, error
 * reporting and the output helpers. Private to the tawasulctl program.
 */
#ifndef TAWASUL_CTL_H
#define TAWASUL_CTL_H

#include <stdio.h>

#include <libpq-fe.h>

/* Exit statuses (SPEC §9). */
enum {
	CTL_EXIT_OK = 0,
	CTL_EXIT_USER = 1,   /* bad arguments, bad input, refused change */
	CTL_EXIT_SYSTEM = 2, /* database unreachable, I/O */
};

struct conf;

struct ctl {
	const char *conf_path;
	struct conf *conf; /* NULL until ctl_load_conf() */
};

/*
 * Loads ctl->conf_path into ctl->conf (freed by the dispatcher) and connects to its PostgreSQL
 * (blocking) with client encoding UTF-8: *conn, free with PQfinish().
 * Returns CTL_EXIT_OK, or after printing why (*conn NULL) CTL_EXIT_USER
 * for a bad configuration, CTL_EXIT_SYSTEM when the connection failed.
 */
int ctl_connect(struct ctl *ctl, PGconn **conn);

/*
 * Prints "tawasulctl: MESSAGE" for a failed command (res may be NULL,
 * then the connection's message is used; only the first line of the
 * server's primary message is shown) and returns the exit status it
 * deserves: CTL_EXIT_USER for errors about the data given (SQLSTATE
 * classes 22 data exception, 23 integrity, P0 raised by the schema's
 * functions), CTL_EXIT_SYSTEM for everything else and whenever the
 * connection is gone. Does not clear res.
 */
int ctl_pg_fail(PGconn *conn, const PGresult *res);

/* The exit status ctl_pg_fail() would return, without printing. */
int ctl_pg_status(PGconn *conn, const PGresult *res);

/*
 * Runs one command without parameters (BEGIN, COMMIT, ROLLBACK...).
 * Returns CTL_EXIT_OK, or the status of ctl_pg_fail() after printing.
 */
int ctl_pg_exec(PGconn *conn, const char *sql);

/*
 * Writes s as a JSON string literal: quotes, backslashes and control
 * characters escaped, other bytes (UTF-8) as they are. NULL writes null.
 */
void ctl_json_str(FILE *out, const char *s);

/*
 * Writes "key": value for a JSON object member; value as ctl_json_str().
 * first selects whether a comma goes before it.
 */
void ctl_json_member(FILE *out, int first, const char *key, const char *s);

/*
 * Writes text for a terminal: control characters (C0, DEL, C1) become
 * '?' so text a citizen sent cannot drive the terminal, a tab becomes a
 * space, and each line break is followed by indent spaces so multi-line
 * text stays inside its block. NULL writes nothing.
 */
void ctl_print_text(FILE *out, const char *s, int indent);

/* The commands, argv[0] being the command's name. Return exit statuses. */
int ctl_entities(struct ctl *ctl, int argc, char **argv);
int ctl_cases_list(struct ctl *ctl, int argc, char **argv);
int ctl_cases_show(struct ctl *ctl, int argc, char **argv);
int ctl_cases_set_status(struct ctl *ctl, int argc, char **argv);
int ctl_cases_respond(struct ctl *ctl, int argc, char **argv);

#endif
