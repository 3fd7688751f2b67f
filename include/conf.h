/*
 * conf.h - the configuration (SPEC §9): one table drives parsing,
 * validation, defaults, --dump-config and the sample file's check.
 */
#ifndef TAWASUL_CONF_H
#define TAWASUL_CONF_H

#include <stddef.h>
#include <stdio.h>

#include "timers.h"

#define CONF_NAME_MAX 32

struct conf_smsc {
	char name[CONF_NAME_MAX];
	int line; /* where the section starts */
	char *host;
	int port;
	char *system_id;
	char *password;
	char *system_type;
	char *bind;
	int window;
	int tps;
	char *ussd_profile;
	int tls;
	char *tls_ca_file;
	int tls_verify;
	struct timers timers; /* the "smsc" timers of this link */
};

struct conf {
	char *path;
	/* [gateway] */
	char *short_code;
	char *country_code; /* prefixed to national numbers (TON 2) */
	char *ussd_code;
	char *default_lang;
	char *triage_entity;
	char *secret_file;
	char *timezone;
	char *weekend;
	char *log_level;
	char *catalog_file;
	int max_mt_parts;
	int limit_cases_day, limit_lookups_hour, limit_help_hour;
	int loop_threshold;
	/* [redis] */
	char *redis_host;
	int redis_port;
	int redis_max_inflight;
	char *redis_prefix;
	/* [postgres] */
	char *pg_conninfo;
	int pg_max_inflight;
	/* [admin] */
	char *admin_listen;
	/* the timers of every section but "smsc" */
	struct timers timers;
	struct conf_smsc *smsc;
	size_t nsmsc;
};

/*
 * Parses text (len bytes, need not be NUL-terminated) read from the file
 * named label. Returns a new conf, free with conf_free(); on error returns
 * NULL and writes one line "FILE:LINE: key 'K': reason" into err.
 */
struct conf *conf_parse(const char *label, const char *text, size_t len,
			char *err, size_t errlen);
/* Reads and parses a file; same contract as conf_parse(). */
struct conf *conf_load(const char *path, char *err, size_t errlen);
void conf_free(struct conf *c);

/* Prints the effective configuration, every key, in file syntax
 * (passwords shown as "********"). */
void conf_dump(const struct conf *c, FILE *out);

/* Walks the table: calls fn for every key with its section ("smsc" for
 * link keys), name, default text (NULL when required) and help. */
typedef void conf_key_fn(void *arg, const char *section, const char *key,
			 const char *def, const char *help);
void conf_each_key(conf_key_fn *fn, void *arg);

/* Parses "500ms", "30s", "5m", "1h", "2d"; 0 or -EINVAL. */
int conf_parse_duration(const char *s, unsigned *ms);

#endif
