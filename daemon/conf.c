/*
 * conf.c - configuration file parser and the key table (SPEC §9).
 *
 * Owns: struct conf and everything it points to. One table (conf_keys[]
 * plus the timer registry of timers.h) drives parsing, validation,
 * defaults, conf_dump() and the sample file's test; adding a key means
 * adding one row here and one block in config/tawasuld.conf.sample.
 *
 * Syntax: "key = value" lines, "[section]" and "[smsc NAME]" headers, '#'
 * starts a comment at the start of a line or after white space (so
 * "ussd_code = *8001#" keeps its '#'); a value may be double-quoted to
 * keep a " #". Unknown sections and keys, duplicates, bad values and
 * missing required keys are errors reported as one line naming file, line
 * and key. Does not read the secret file (secret.c does) nor apply
 * anything: callers swap a whole new conf in, so a bad reload changes
 * nothing.
 */
#include "conf.h"

#include <libpq-fe.h>

#include "log.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONF_FILE_MAX  (1 << 20)
#define CONF_LINE_MAX  1024
#define CONF_MAX_LINKS 64

enum conf_type { CT_STR, CT_INT, CT_BOOL, CT_TIMER };

typedef int conf_check_fn(const char *v, const char **why);

struct conf_key {
	const char *section; /* "smsc" = per link */
	const char *name;
	enum conf_type type;
	const char *def;     /* NULL = required */
	size_t off;          /* into struct conf or struct conf_smsc */
	long min, max;       /* CT_INT */
	const char *choices; /* CT_STR: "a|b|c" */
	conf_check_fn *check;
	int secret; /* never printed */
	const char *help;
};

static conf_check_fn check_prefix, check_digits, check_country, check_ussd,
	check_weekend, check_tz, check_listen, check_host, check_nonempty,
	check_token, check_log, check_conninfo;

#define G(f) offsetof(struct conf, f)
#define L(f) offsetof(struct conf_smsc, f)

static const struct conf_key conf_keys[] = {
	{"gateway", "short_code", CT_STR, NULL, G(short_code), 0, 0, NULL,
	 check_digits, 0, "MO to this address is the SMS service"},
	{"gateway", "country_code", CT_STR, "973", G(country_code), 0, 0, NULL,
	 check_country, 0,
	 "country calling code: a sender in national format (TON 2) is "
	 "this code and the number"},
	{"gateway", "ussd_code", CT_STR, "*8001#", G(ussd_code), 0, 0, NULL,
	 check_ussd, 0, "dialled USSD service code"},
	{"gateway", "default_lang", CT_STR, "ar", G(default_lang), 0, 0,
	 "ar|en", NULL, 0, "reply language when nothing else tells"},
	{"gateway", "triage_entity", CT_STR, "IGA", G(triage_entity), 0, 0,
	 NULL, check_token, 0, "entity for cases whose entity is unknown"},
	{"gateway", "secret_file", CT_STR, "/etc/tawasul/secret",
	 G(secret_file), 0, 0, NULL, check_nonempty, 0,
	 "keys for reference permutation and log hashing (mode 0600)"},
	{"gateway", "timezone", CT_STR, "Asia/Bahrain", G(timezone), 0, 0, NULL,
	 check_tz, 0, "local time for due dates and survey hours"},
	{"gateway", "weekend", CT_STR, "fri,sat", G(weekend), 0, 0, NULL,
	 check_weekend, 0, "non-working days (mon..sun, comma separated)"},
	{"gateway", "log_level", CT_STR, "info", G(log_level), 0, 0, NULL,
	 check_log, 0,
	 "level, or level,cat=level,... (cats: main conf loop pg "
	 "redis smpp admin app)"},
	{"gateway", "catalog_file", CT_STR, "/etc/tawasul/messages.conf",
	 G(catalog_file), 0, 0, NULL, check_nonempty, 0,
	 "the bilingual reply catalogue"},
	{"gateway", "max_mt_parts", CT_INT, "6", G(max_mt_parts), 1, 16, NULL,
	 NULL, 0, "SMS parts per outbound message at most (then truncated)"},
	{"gateway", "limit_cases_per_day", CT_INT, "10", G(limit_cases_day), 1,
	 100000, NULL, NULL, 0, "new cases per sender per day"},
	{"gateway", "limit_lookups_per_hour", CT_INT, "30",
	 G(limit_lookups_hour), 1, 100000, NULL, NULL, 0,
	 "status and list lookups per sender per hour"},
	{"gateway", "limit_help_per_hour", CT_INT, "3", G(limit_help_hour), 1,
	 100000, NULL, NULL, 0,
	 "help and guided-flow replies per sender per hour"},
	{"gateway", "loop_threshold", CT_INT, "3", G(loop_threshold), 2, 1000,
	 NULL, NULL, 0,
	 "this many identical messages in an hour are a loop: not answered"},
	{"redis", "host", CT_STR, "127.0.0.1", G(redis_host), 0, 0, NULL,
	 check_host, 0, "Redis address (numeric)"},
	{"redis", "port", CT_INT, "6379", G(redis_port), 1, 65535, NULL, NULL,
	 0, "Redis port"},
	{"redis", "max_inflight", CT_INT, "1024", G(redis_max_inflight), 1,
	 100000, NULL, NULL, 0, "commands outstanding at most"},
	{"redis", "key_prefix", CT_STR, "tw:", G(redis_prefix), 0, 0, NULL,
	 check_prefix, 0,
	 "prefix of every key (deployments sharing one Redis differ here)"},
	{"postgres", "conninfo", CT_STR, NULL, G(pg_conninfo), 0, 0, NULL,
	 check_conninfo, 0,
	 "libpq connection string (use hostaddr= or a unix socket)"},
	{"postgres", "max_inflight", CT_INT, "256", G(pg_max_inflight), 1,
	 100000, NULL, NULL, 0, "transactions outstanding at most"},
	{"admin", "listen", CT_STR, "127.0.0.1:9464", G(admin_listen), 0, 0,
	 NULL, check_listen, 0,
	 "HTTP address for /metrics /healthz /readyz (port 0 = off)"},
	{"smsc", "host", CT_STR, NULL, L(host), 0, 0, NULL, check_host, 0,
	 "SMSC address (numeric)"},
	{"smsc", "port", CT_INT, NULL, L(port), 1, 65535, NULL, NULL, 0,
	 "SMSC port"},
	{"smsc", "system_id", CT_STR, NULL, L(system_id), 0, 0, NULL,
	 check_nonempty, 0, "bind system_id (at most 15 characters)"},
	{"smsc", "password", CT_STR, "", L(password), 0, 0, NULL, NULL, 1,
	 "bind password (at most 8 characters)"},
	{"smsc", "system_type", CT_STR, "", L(system_type), 0, 0, NULL, NULL, 0,
	 "bind system_type"},
	{"smsc", "bind", CT_STR, "transceiver", L(bind), 0, 0,
	 "transceiver|pair", NULL, 0,
	 "one transceiver bind, or a transmitter + receiver pair"},
	{"smsc", "window", CT_INT, "10", L(window), 1, 1000, NULL, NULL, 0,
	 "requests outstanding at most on this link"},
	{"smsc", "tps", CT_INT, "100", L(tps), 1, 100000, NULL, NULL, 0,
	 "submits per second at most (token bucket)"},
	{"smsc", "ussd_profile", CT_STR, "standard", L(ussd_profile), 0, 0,
	 "standard|user_message_reference|msisdn", NULL, 0,
	 "where the USSD session key comes from"},
	{"smsc", "tls", CT_BOOL, "no", L(tls), 0, 1, NULL, NULL, 0,
	 "TLS to the SMSC"},
	{"smsc", "tls_ca_file", CT_STR, "", L(tls_ca_file), 0, 0, NULL, NULL, 0,
	 "CA bundle for TLS (empty = system default)"},
	{"smsc", "tls_verify", CT_BOOL, "yes", L(tls_verify), 0, 1, NULL, NULL,
	 0, "verify the SMSC's certificate"},
};

#define NKEYS (sizeof(conf_keys) / sizeof(conf_keys[0]))

struct timer_def {
	const char *section, *key, *def, *help;
};

static const struct timer_def timer_defs[T__COUNT] = {
#define TIMER_ROW(id, sec, key, def, help) [id] = {sec, key, def, help},
	TIMER_LIST(TIMER_ROW)
#undef TIMER_ROW
};

static const char *const sections[] = {"gateway", "redis", "postgres", "admin",
				       "smsc"};
#define NSECTIONS (sizeof(sections) / sizeof(sections[0]))

const char *
timer_name(enum timer_id id)
{
	static char names[T__COUNT][48];

	if ((unsigned)id >= T__COUNT)
		return "?";
	if (!names[id][0])
		snprintf(names[id], sizeof(names[id]), "%s.%s",
			 timer_defs[id].section, timer_defs[id].key);
	return names[id];
}

/* ---- value checks ---------------------------------------------------- */

static int
check_nonempty(const char *v, const char **why)
{
	*why = "must not be empty";
	return *v != '\0';
}

static int
check_log(const char *v, const char **why)
{
	*why = "must be a level (error warn notice info debug), optionally "
	       "followed by ,category=level";
	return log_spec_valid(v);
}

static int
check_digits(const char *v, const char **why)
{
	size_t n = strlen(v);

	*why = "must be 3 to 21 digits";
	if (n < 3 || n > 21)
		return 0;
	return strspn(v, "0123456789") == n;
}

static int
check_country(const char *v, const char **why)
{
	size_t n = strlen(v);

	*why = "must be 1 to 3 digits, not starting with 0";
	return n >= 1 && n <= 3 && v[0] != '0' && strspn(v, "0123456789") == n;
}

static int
check_prefix(const char *v, const char **why)
{
	*why = "must be printable ASCII without spaces (1 to 31)";
	size_t n = strlen(v);
	if (n == 0 || n >= CONF_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (v[i] <= ' ' || v[i] > '~')
			return 0;
	return 1;
}

static int
check_token(const char *v, const char **why)
{
	*why = "must be letters, digits, '_' or '-' (1 to 31)";
	size_t n = strlen(v);
	if (n == 0 || n >= CONF_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '_' && v[i] != '-')
			return 0;
	return 1;
}

static int
check_ussd(const char *v, const char **why)
{
	size_t n = strlen(v);

	*why = "must look like *8001# (digits and '*', ending in '#')";
	if (n < 3 || n > 20 || v[0] != '*' || v[n - 1] != '#')
		return 0;
	for (size_t i = 1; i + 1 < n; i++)
		if (!isdigit((unsigned char)v[i]) && v[i] != '*')
			return 0;
	return isdigit((unsigned char)v[1]);
}

static int
check_weekend(const char *v, const char **why)
{
	static const char *const days[] = {"mon", "tue", "wed", "thu",
					   "fri", "sat", "sun"};
	const char *p = v;

	*why = "must be day names from mon,tue,wed,thu,fri,sat,sun";
	if (*v == '\0')
		return 1; /* no weekend */
	while (*p) {
		size_t n = strcspn(p, ",");
		if (n != 3)
			return 0;
		int found = 0;
		for (size_t i = 0; i < 7; i++)
			if (strncmp(days[i], p, 3) == 0)
				found = 1;
		if (!found)
			return 0;
		p += n;
		if (*p == ',' && *++p == '\0')
			return 0;
	}
	return 1;
}

static int
check_tz(const char *v, const char **why)
{
	*why = "must be a zone name like Asia/Bahrain";
	if (*v == '\0' || *v == '/' || strstr(v, "..") || strlen(v) > 64)
		return 0;
	for (const char *p = v; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p))
			return 0;
	return 1;
}

static int
check_host(const char *v, const char **why)
{
	struct in6_addr a;

	*why = "must be a numeric IPv4 or IPv6 address";
	return inet_pton(AF_INET, v, &a) == 1 ||
	       inet_pton(AF_INET6, v, &a) == 1;
}

/* libpq must accept it; a malformed string would otherwise surface only
 * when the client is created. */
static int
check_conninfo(const char *v, const char **why)
{
	char *err = NULL;
	PQconninfoOption *opts = PQconninfoParse(v, &err);

	*why = "is not a valid libpq connection string";
	PQfreemem(err);
	if (!opts)
		return 0;
	PQconninfoFree(opts);
	return *v != '\0';
}

static int
check_listen(const char *v, const char **why)
{
	const char *colon = strrchr(v, ':');
	char host[64];

	*why = "must be ADDRESS:PORT with a numeric address";
	if (!colon || (size_t)(colon - v) >= sizeof(host) || colon == v)
		return 0;
	memcpy(host, v, (size_t)(colon - v));
	host[colon - v] = '\0';
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	char *end;
	errno = 0;
	long port = strtol(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || port < 0 || port > 65535)
		return 0;
	const char *w;
	return check_host(host, &w);
}

/* ---- durations -------------------------------------------------------- */

int
conf_parse_duration(const char *s, unsigned *ms)
{
	static const struct {
		const char *unit;
		unsigned long long mult;
	} units[] = {{"ms", 1},
		     {"s", 1000},
		     {"m", 60000},
		     {"h", 3600000},
		     {"d", 86400000}};
	unsigned long long v = 0;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	while (isdigit((unsigned char)*p)) {
		v = v * 10 + (unsigned)(*p++ - '0');
		if (v > UINT_MAX)
			return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(p, units[i].unit) == 0) {
			unsigned long long r = v * units[i].mult;
			if (r > UINT_MAX)
				return -EINVAL;
			*ms = (unsigned)r;
			return 0;
		}
	}
	return -EINVAL;
}

static void
format_duration(unsigned ms, char *buf, size_t n)
{
	if (ms % 3600000 == 0 && ms)
		snprintf(buf, n, "%uh", ms / 3600000);
	else if (ms % 60000 == 0 && ms)
		snprintf(buf, n, "%um", ms / 60000);
	else if (ms % 1000 == 0)
		snprintf(buf, n, "%us", ms / 1000);
	else
		snprintf(buf, n, "%ums", ms);
}

/* ---- the table as slots: table keys, then timers ---------------------- */

#define NSLOTS (NKEYS + T__COUNT)

static const char *
slot_section(size_t s)
{
	return s < NKEYS ? conf_keys[s].section : timer_defs[s - NKEYS].section;
}

static const char *
slot_name(size_t s)
{
	return s < NKEYS ? conf_keys[s].name : timer_defs[s - NKEYS].key;
}

static const char *
slot_default(size_t s)
{
	return s < NKEYS ? conf_keys[s].def : timer_defs[s - NKEYS].def;
}

static int
slot_is_link(size_t s)
{
	return strcmp(slot_section(s), "smsc") == 0;
}

static void *
slot_ptr(size_t s, struct conf *c, struct conf_smsc *l)
{
	char *base = slot_is_link(s) ? (char *)l : (char *)c;

	if (s >= NKEYS) {
		struct timers *t = slot_is_link(s) ? &l->timers : &c->timers;
		return &t->ms[s - NKEYS];
	}
	return base + conf_keys[s].off;
}

static int
slot_find(const char *section, const char *name, size_t *out)
{
	for (size_t s = 0; s < NSLOTS; s++) {
		if (strcmp(slot_section(s), section) == 0 &&
		    strcmp(slot_name(s), name) == 0) {
			*out = s;
			return 0;
		}
	}
	return -ENOENT;
}

static int
parse_bool(const char *v, int *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};

	for (size_t i = 0; i < 4; i++) {
		if (strcmp(v, yes[i]) == 0)
			return *out = 1, 0;
		if (strcmp(v, no[i]) == 0)
			return *out = 0, 0;
	}
	return -EINVAL;
}

static int
choice_ok(const char *choices, const char *v)
{
	size_t n = strlen(v);

	for (const char *p = choices; *p;) {
		size_t m = strcspn(p, "|");
		if (m == n && strncmp(p, v, n) == 0)
			return 1;
		p += m + (p[m] == '|');
	}
	return 0;
}

/* Stores v into slot s; on error sets *why (static text, or built in
 * whybuf). */
static int
slot_set(size_t s, struct conf *c, struct conf_smsc *l, const char *v,
	 const char **why, char *whybuf, size_t whylen)
{
	void *p = slot_ptr(s, c, l);

	if (s >= NKEYS) {
		if (conf_parse_duration(v, p) < 0) {
			snprintf(whybuf, whylen,
				 "bad duration '%s' (use e.g. 500ms, 30s, 5m)",
				 v);
			*why = whybuf;
			return -EINVAL;
		}
		return 0;
	}

	const struct conf_key *k = &conf_keys[s];
	switch (k->type) {
	case CT_STR: {
		if (k->choices && !choice_ok(k->choices, v)) {
			snprintf(whybuf, whylen, "must be one of %s",
				 k->choices);
			*why = whybuf;
			return -EINVAL;
		}
		if (k->check && !k->check(v, why))
			return -EINVAL;
		char *dup = strdup(v);
		if (!dup) {
			*why = "out of memory";
			return -ENOMEM;
		}
		free(*(char **)p);
		*(char **)p = dup;
		return 0;
	}
	case CT_INT: {
		char *end;
		errno = 0;
		long n = strtol(v, &end, 10);
		if (errno || end == v || *end || n < k->min || n > k->max) {
			snprintf(whybuf, whylen,
				 "must be a whole number from %ld to %ld",
				 k->min, k->max);
			*why = whybuf;
			return -EINVAL;
		}
		*(int *)p = (int)n;
		return 0;
	}
	case CT_BOOL:
		if (parse_bool(v, p) < 0) {
			*why = "must be yes or no";
			return -EINVAL;
		}
		return 0;
	case CT_TIMER:
		break;
	}
	*why = "internal: bad key type";
	return -EINVAL;
}

/* Sets every key of one scope (globals when l is NULL) to its default. */
static int
apply_defaults(struct conf *c, struct conf_smsc *l)
{
	char whybuf[128];
	const char *why;

	for (size_t s = 0; s < NSLOTS; s++) {
		if (slot_is_link(s) != (l != NULL) || !slot_default(s))
			continue;
		if (slot_set(s, c, l, slot_default(s), &why, whybuf,
			     sizeof(whybuf)) < 0)
			return -EINVAL;
	}
	return 0;
}

static void
free_scope(struct conf *c, struct conf_smsc *l)
{
	for (size_t s = 0; s < NKEYS; s++) {
		if (conf_keys[s].type != CT_STR ||
		    slot_is_link(s) != (l != NULL))
			continue;
		char **p = slot_ptr(s, c, l);
		free(*p);
		*p = NULL;
	}
}

void
conf_free(struct conf *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nsmsc; i++)
		free_scope(c, &c->smsc[i]);
	free(c->smsc);
	free_scope(c, NULL);
	free(c->path);
	free(c);
}

/* ---- the parser --------------------------------------------------------- */

struct parser {
	const char *label;
	struct conf *c;
	char *err;
	size_t errlen;
	int line;
	int section; /* index into sections[], -1 before the first */
	struct conf_smsc *link;
	int section_line[NSECTIONS];
	unsigned char seen[NSLOTS];
	unsigned char (*link_seen)[NSLOTS];
};

static int fail(struct parser *ps, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
fail(struct parser *ps, int line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(ps->err, ps->errlen, "%s:%d: %s", ps->label, line, msg);
	return -EINVAL;
}

static char *
trim(char *s)
{
	char *e = s + strlen(s);

	while (*s == ' ' || *s == '\t')
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Cuts a comment: '#' at the start or after white space, outside quotes. */
static void
cut_comment(char *s)
{
	int quoted = 0;

	for (char *p = s; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == '#' && !quoted &&
			 (p == s || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			return;
		}
	}
}

static int
parse_section(struct parser *ps, char *s)
{
	size_t n = strlen(s);
	char *name, *arg;

	if (s[n - 1] != ']')
		return fail(ps, ps->line, "section header needs a closing ']'");
	s[n - 1] = '\0';
	name = trim(s + 1);
	arg = name + strcspn(name, " \t");
	if (*arg) {
		*arg++ = '\0';
		arg = trim(arg);
	}

	ps->section = -1;
	for (size_t i = 0; i < NSECTIONS; i++)
		if (strcmp(name, sections[i]) == 0)
			ps->section = (int)i;
	if (ps->section < 0)
		return fail(ps, ps->line, "unknown section [%s]", name);

	int is_smsc = strcmp(name, "smsc") == 0;
	if (is_smsc != (*arg != '\0'))
		return fail(ps, ps->line,
			    is_smsc ? "section [smsc NAME] needs a link name"
				    : "section [%s] takes no name",
			    name);
	if (!is_smsc) {
		if (ps->section_line[ps->section])
			return fail(ps, ps->line,
				    "section [%s] repeated (first at line %d)",
				    name, ps->section_line[ps->section]);
		ps->section_line[ps->section] = ps->line;
		ps->link = NULL;
		return 0;
	}

	const char *why;
	if (!check_token(arg, &why))
		return fail(ps, ps->line, "link name '%s' %s", arg, why);
	for (size_t i = 0; i < ps->c->nsmsc; i++)
		if (strcmp(ps->c->smsc[i].name, arg) == 0)
			return fail(
				ps, ps->line,
				"link [smsc %s] repeated (first at line %d)",
				arg, ps->c->smsc[i].line);
	if (ps->c->nsmsc == CONF_MAX_LINKS)
		return fail(ps, ps->line, "more than %d [smsc] links",
			    CONF_MAX_LINKS);

	struct conf_smsc *links =
		realloc(ps->c->smsc, (ps->c->nsmsc + 1) * sizeof(*links));
	if (!links)
		return fail(ps, ps->line, "out of memory");
	ps->c->smsc = links;
	ps->link = &links[ps->c->nsmsc++];
	memset(ps->link, 0, sizeof(*ps->link));
	snprintf(ps->link->name, sizeof(ps->link->name), "%s", arg);
	ps->link->line = ps->line;
	if (apply_defaults(ps->c, ps->link) < 0)
		return fail(ps, ps->line, "internal: bad default");
	return 0;
}

static int
parse_assignment(struct parser *ps, char *s)
{
	char *eq = strchr(s, '=');
	char whybuf[160];
	const char *why = "bad value";
	size_t slot;

	if (!eq)
		return fail(ps, ps->line, "expected 'key = value', got '%.40s'",
			    s);
	*eq = '\0';
	char *key = trim(s), *val = trim(eq + 1);
	if (*key == '\0')
		return fail(ps, ps->line, "missing key before '='");
	if (ps->section < 0)
		return fail(ps, ps->line, "key '%s' outside any section", key);

	const char *sec = sections[ps->section];
	if (slot_find(sec, key, &slot) < 0)
		return fail(ps, ps->line, "unknown key '%s' in [%s]", key, sec);

	unsigned char *seen =
		ps->link ? ps->link_seen[ps->link - ps->c->smsc] : ps->seen;
	if (seen[slot])
		return fail(ps, ps->line, "key '%s' set twice in [%s]", key,
			    sec);
	seen[slot] = 1;

	size_t n = strlen(val);
	if (n >= 2 && val[0] == '"' && val[n - 1] == '"') {
		val[n - 1] = '\0';
		val++;
	}
	if (strchr(val, '"'))
		return fail(ps, ps->line, "key '%s': unbalanced quote", key);
	if (slot_set(slot, ps->c, ps->link, val, &why, whybuf, sizeof(whybuf)) <
	    0)
		return fail(ps, ps->line, "key '%s': %s", key, why);
	return 0;
}

static int
check_required(struct parser *ps)
{
	for (size_t s = 0; s < NSLOTS; s++) {
		if (slot_default(s))
			continue;
		if (slot_is_link(s)) {
			for (size_t i = 0; i < ps->c->nsmsc; i++)
				if (!ps->link_seen[i][s])
					return fail(ps, ps->c->smsc[i].line,
						    "missing required key '%s' "
						    "in [smsc %s]",
						    slot_name(s),
						    ps->c->smsc[i].name);
			continue;
		}
		if (ps->seen[s])
			continue;
		int sec = 0;
		while (strcmp(sections[sec], slot_section(s)) != 0)
			sec++;
		int line = ps->section_line[sec] ? ps->section_line[sec]
						 : ps->line;
		return fail(ps, line, "missing required key '%s' in [%s]",
			    slot_name(s), slot_section(s));
	}
	return 0;
}

struct conf *
conf_parse(const char *label, const char *text, size_t len, char *err,
	   size_t errlen)
{
	struct parser ps = {
		.label = label, .err = err, .errlen = errlen, .section = -1};
	char buf[CONF_LINE_MAX];
	size_t pos = 0;

	ps.c = calloc(1, sizeof(*ps.c));
	ps.link_seen = calloc(CONF_MAX_LINKS, sizeof(*ps.link_seen));
	if (!ps.c || !ps.link_seen || !(ps.c->path = strdup(label)) ||
	    apply_defaults(ps.c, NULL) < 0) {
		snprintf(err, errlen, "%s: out of memory", label);
		goto fail;
	}

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		ps.line++;
		if (n >= sizeof(buf)) {
			fail(&ps, ps.line, "line longer than %d bytes",
			     CONF_LINE_MAX - 1);
			goto fail;
		}
		if (memchr(text + pos, '\0', n)) {
			fail(&ps, ps.line, "NUL byte in line");
			goto fail;
		}
		memcpy(buf, text + pos, n);
		buf[n] = '\0';
		pos += n + 1;

		cut_comment(buf);
		char *s = trim(buf);
		if (*s == '\0')
			continue;
		if ((*s == '[' ? parse_section(&ps, s)
			       : parse_assignment(&ps, s)) < 0)
			goto fail;
	}
	if (check_required(&ps) < 0)
		goto fail;
	free(ps.link_seen);
	return ps.c;
fail:
	free(ps.link_seen);
	conf_free(ps.c);
	return NULL;
}

struct conf *
conf_load(const char *path, char *err, size_t errlen)
{
	struct conf *c = NULL;
	struct stat st;
	char *text = NULL;
	size_t got = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s:0: cannot open: %s", path,
			 strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > CONF_FILE_MAX) {
		snprintf(err, errlen, "%s:0: not a regular file under 1 MiB",
			 path);
		goto out;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		snprintf(err, errlen, "%s:0: out of memory", path);
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, text + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(err, errlen, "%s:0: read failed: %s", path,
				 r < 0 ? strerror(errno) : "short read");
			goto out;
		}
		got += (size_t)r;
	}
	c = conf_parse(path, text, got, err, errlen);
out:
	free(text);
	close(fd);
	return c;
}

/* ---- output ------------------------------------------------------------- */

static void
dump_slot(size_t s, const struct conf *c, const struct conf_smsc *l, FILE *out)
{
	void *p = slot_ptr(s, (struct conf *)c, (struct conf_smsc *)l);
	char buf[32];

	if (s >= NKEYS) {
		format_duration(*(unsigned *)p, buf, sizeof(buf));
		fprintf(out, "%s = %s\n", slot_name(s), buf);
		return;
	}
	const struct conf_key *k = &conf_keys[s];
	switch (k->type) {
	case CT_STR: {
		const char *v = *(char **)p ? *(char **)p : "";
		if (k->secret && *v)
			v = "********";
		/* Quote what the parser would otherwise trim or cut. */
		size_t n = strlen(v);
		int quote = strstr(v, " #") || strstr(v, "\t#") ||
			    (n &&
			     (strchr(" \t#", v[0]) || strchr(" \t", v[n - 1])));
		fprintf(out, "%s = %s%s%s\n", k->name, quote ? "\"" : "", v,
			quote ? "\"" : "");
		break;
	}
	case CT_INT:
		fprintf(out, "%s = %d\n", k->name, *(int *)p);
		break;
	case CT_BOOL:
		fprintf(out, "%s = %s\n", k->name, *(int *)p ? "yes" : "no");
		break;
	case CT_TIMER:
		break;
	}
}

void
conf_dump(const struct conf *c, FILE *out)
{
	for (size_t sec = 0; sec < NSECTIONS; sec++) {
		if (strcmp(sections[sec], "smsc") == 0)
			continue;
		fprintf(out, "%s[%s]\n", sec ? "\n" : "", sections[sec]);
		for (size_t s = 0; s < NSLOTS; s++)
			if (strcmp(slot_section(s), sections[sec]) == 0)
				dump_slot(s, c, NULL, out);
	}
	for (size_t i = 0; i < c->nsmsc; i++) {
		fprintf(out, "\n[smsc %s]\n", c->smsc[i].name);
		for (size_t s = 0; s < NSLOTS; s++)
			if (slot_is_link(s))
				dump_slot(s, c, &c->smsc[i], out);
	}
}

void
conf_each_key(conf_key_fn *fn, void *arg)
{
	for (size_t s = 0; s < NSLOTS; s++)
		fn(arg, slot_section(s), slot_name(s), slot_default(s),
		   s < NKEYS ? conf_keys[s].help : timer_defs[s - NKEYS].help);
}
