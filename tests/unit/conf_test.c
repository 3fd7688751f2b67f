/*
 * conf_test.c - the config parser: a table of files and the one-line
 * error each must give, the sample file against the key table, and
 * dump -> parse round trips.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf.h"

#define MIN_OK                                                                 \
	"[gateway]\nshort_code = 80008001\n"                                   \
	"[postgres]\nconninfo = hostaddr=127.0.0.1 dbname=t\n"

static const struct {
	const char *name;
	const char *text;
	const char *err; /* NULL = must parse; else substring of the error */
} cases[] = {
	{"minimal", MIN_OK, NULL},
	{"comments and blanks",
	 "# c\n\n  [gateway]  # x\n short_code=123 "
	 "#y\n[postgres]\nconninfo = dbname=b user=d\n",
	 NULL},
	{"unknown section", MIN_OK "[gateway2]\n", "t.conf:5: unknown section"},
	{"unknown key", MIN_OK "[redis]\nportt = 1\n",
	 "t.conf:6: unknown key 'portt' in [redis]"},
	{"bad duration", MIN_OK "[redis]\ncommand_timeout = 10 s\n",
	 "t.conf:6: key 'command_timeout': bad duration '10 s'"},
	{"duration no unit", MIN_OK "[redis]\ncommand_timeout = 10\n",
	 "t.conf:6: key 'command_timeout': bad duration"},
	{"duration overflow", MIN_OK "[redis]\ncommand_timeout = 99999999d\n",
	 "key 'command_timeout': bad duration"},
	{"missing short_code",
	 "[gateway]\nussd_code = *1#\n[postgres]\n"
	 "conninfo = dbname=y\n",
	 "t.conf:1: missing required key 'short_code' in [gateway]"},
	{"missing postgres section", "[gateway]\nshort_code = 123\n",
	 "t.conf:2: missing required key 'conninfo' in [postgres]"},
	{"missing link host", MIN_OK "[smsc a]\nport = 1\nsystem_id = x\n",
	 "t.conf:5: missing required key 'host' in [smsc a]"},
	{"port range", MIN_OK "[redis]\nport = 70000\n",
	 "t.conf:6: key 'port': must be a whole number from 1 to 65535"},
	{"port junk", MIN_OK "[redis]\nport = 12x\n", "t.conf:6: key 'port'"},
	{"repeated section", MIN_OK "[gateway]\n",
	 "section [gateway] repeated"},
	{"lang value",
	 "[gateway]\nshort_code = 123\ndefault_lang = fr\n"
	 "[postgres]\nconninfo = dbname=y\n",
	 "t.conf:3: key 'default_lang': must be one of ar|en"},
	{"duplicate key",
	 MIN_OK "[admin]\nlisten = 127.0.0.1:1\n"
		"listen = 127.0.0.1:2\n",
	 "t.conf:7: key 'listen' set twice in [admin]"},
	{"key outside section", "short_code = 1\n",
	 "t.conf:1: key 'short_code' outside any section"},
	{"no equals", MIN_OK "[redis]\nport\n",
	 "t.conf:6: expected 'key = value'"},
	{"smsc without name", MIN_OK "[smsc]\n", "needs a link name"},
	{"duplicate link",
	 MIN_OK "[smsc a]\nhost=1.2.3.4\nport=1\nsystem_id=x\n"
		"[smsc a]\n",
	 "t.conf:9: link [smsc a] repeated"},
	{"good link",
	 MIN_OK "[smsc a]\nhost=1.2.3.4\nport=1\nsystem_id=x\n"
		"bind = pair\nenquire_link = 500ms\n",
	 NULL},
	{"bad bind",
	 MIN_OK "[smsc a]\nhost=1.2.3.4\nport=1\nsystem_id=x\n"
		"bind = both\n",
	 "key 'bind': must be one of transceiver|pair"},
	{"host name refused", MIN_OK "[redis]\nhost = localhost\n",
	 "key 'host': must be a numeric"},
	{"bad address refused", MIN_OK "[redis]\nhost = 1.2.3.4.5\n",
	 "key 'host': must be a numeric"},
	{"colons refused", MIN_OK "[redis]\nhost = :::::\n",
	 "key 'host': must be a numeric"},
	{"ipv6 ok", MIN_OK "[redis]\nhost = ::1\n", NULL},
	{"listen name refused", MIN_OK "[admin]\nlisten = abc:9464\n",
	 "t.conf:6: key 'listen'"},
	{"listen ipv6", MIN_OK "[admin]\nlisten = [::1]:9464\n", NULL},
	{"bad conninfo",
	 "[gateway]\nshort_code=123\n[postgres]\n"
	 "conninfo = hostaddr=127.0.0.1 garbage\n",
	 "t.conf:4: key 'conninfo': is not a valid libpq connection string"},
	{"bad weekend",
	 "[gateway]\nshort_code=123\nweekend = fri,sab\n"
	 "[postgres]\nconninfo=dbname=y\n",
	 "t.conf:3: key 'weekend'"},
	{"bad short code",
	 "[gateway]\nshort_code=80a\n[postgres]\nconninfo=dbname=x\n",
	 "t.conf:2: key 'short_code': must be 3 to 21 digits"},
	{"bad ussd",
	 "[gateway]\nshort_code=123\nussd_code=8001\n"
	 "[postgres]\nconninfo=dbname=x\n",
	 "t.conf:3: key 'ussd_code'"},
	{"bad log level",
	 "[gateway]\nshort_code=123\nlog_level=loud\n"
	 "[postgres]\nconninfo=dbname=x\n",
	 "t.conf:3: key 'log_level'"},
	{"log spec",
	 "[gateway]\nshort_code=123\nlog_level=warn,pg=debug\n"
	 "[postgres]\nconninfo=dbname=x\n",
	 NULL},
	{"bad listen", MIN_OK "[admin]\nlisten = 127.0.0.1\n",
	 "t.conf:6: key 'listen'"},
	{"unbalanced quote",
	 MIN_OK "[smsc a]\nhost=1.2.3.4\nport=1\n"
		"system_id=\"x\n",
	 "t.conf:8: key 'system_id': unbalanced quote"},
	{"nul byte",
	 "[gateway]\nshort_code=1\0"
	 "23\n",
	 "t.conf:2: NUL byte"},
	{"missing bracket", "[gateway\n", "t.conf:1: section header needs"},
	{"bad bool",
	 MIN_OK "[smsc a]\nhost=1.2.3.4\nport=1\nsystem_id=x\n"
		"tls = maybe\n",
	 "key 'tls': must be yes or no"},
};

static size_t
case_len(const char *text, const char *name)
{
	/* The NUL-byte case carries an embedded NUL: measure to "\n" end. */
	if (strcmp(name, "nul byte") == 0)
		return sizeof("[gateway]\nshort_code=1\0"
			      "23\n") -
		       1;
	return strlen(text);
}

static void
test_table(void **state)
{
	char err[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		struct conf *c =
			conf_parse("t.conf", cases[i].text,
				   case_len(cases[i].text, cases[i].name), err,
				   sizeof(err));
		if (!cases[i].err) {
			if (!c)
				fail_msg("%s: unexpected error: %s",
					 cases[i].name, err);
		} else {
			if (c)
				fail_msg("%s: accepted, wanted '%s'",
					 cases[i].name, cases[i].err);
			if (!strstr(err, cases[i].err))
				fail_msg("%s: error '%s', wanted '%s'",
					 cases[i].name, err, cases[i].err);
			assert_null(strchr(err, '\n'));
		}
		conf_free(c);
	}
}

static void
test_values(void **state)
{
	char err[256];
	const char *text =
		"[gateway]\nshort_code = 80008001\n"
		"ussd_code = *8001#   # comment\n"
		"[postgres]\nconninfo = \"host=/x application_name='a #b'\"\n"
		"[redis]\ncommand_timeout = 250ms\nport = 6380\n"
		"[smsc b]\nhost = 10.0.0.1\nport = 2775\n"
		"system_id = tw\nenquire_link = 5m\n";
	struct conf *c =
		conf_parse("v.conf", text, strlen(text), err, sizeof(err));

	assert_non_null(c);
	assert_string_equal(c->ussd_code, "*8001#");
	assert_string_equal(c->pg_conninfo, "host=/x application_name='a #b'");
	assert_int_equal(c->timers.ms[T_REDIS_COMMAND], 250);
	assert_int_equal(c->timers.ms[T_REDIS_CONNECT], 2000);
	assert_int_equal(c->redis_port, 6380);
	assert_int_equal(c->nsmsc, 1);
	assert_string_equal(c->smsc[0].name, "b");
	assert_int_equal(c->smsc[0].timers.ms[T_SMSC_ENQUIRE], 300000);
	assert_int_equal(c->smsc[0].timers.ms[T_SMSC_RESPONSE], 10000);
	assert_int_equal(c->smsc[0].window, 10);
	assert_string_equal(c->smsc[0].bind, "transceiver");
	assert_string_equal(c->default_lang, "ar");
	conf_free(c);
}

static void
test_durations(void **state)
{
	static const struct {
		const char *s;
		int ok;
		unsigned ms;
	} d[] = {
		{"0s", 1, 0},
		{"500ms", 1, 500},
		{"30s", 1, 30000},
		{"5m", 1, 300000},
		{"1h", 1, 3600000},
		{"2d", 1, 172800000},
		{"", 0, 0},
		{"s", 0, 0},
		{"10", 0, 0},
		{"-1s", 0, 0},
		{"1.5s", 0, 0},
		{"10S", 0, 0},
		{"50d", 0, 0},
		{"4294967295ms", 1, 4294967295u},
		{"4294967296ms", 0, 0},
		{"1 s", 0, 0},
	};
	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		unsigned ms = 12345;
		int rc = conf_parse_duration(d[i].s, &ms);
		if ((rc == 0) != d[i].ok)
			fail_msg("duration '%s': rc %d", d[i].s, rc);
		if (d[i].ok)
			assert_int_equal(ms, d[i].ms);
	}
}

/* ---- the sample file against the table ---------------------------------- */

struct sample {
	char section[32][64];
	char key[256][160];
	char value[256][256];
	int n;
};

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(1 << 20);

	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, (1 << 20) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static void
sample_path(char *out, size_t n)
{
	const char *top = getenv("top_srcdir");
	snprintf(out, n, "%s/config/tawasuld.conf.sample", top ? top : ".");
}

/* Collects "section.key" -> value from the sample's live lines. */
static void
scan_sample(const char *text, struct sample *s)
{
	char sec[64] = "", line[512];
	const char *p = text;

	s->n = 0;
	while (*p) {
		size_t n = strcspn(p, "\n");
		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		p += n + (p[n] == '\n');
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (line[0] == '[') {
			/* [smsc NAME] counts as section "smsc" */
			sscanf(line + 1, "%63[a-z]", sec);
			continue;
		}
		char key[64], val[256] = "";
		if (sscanf(line, "%63[a-z_] = %255[^\n]", key, val) < 1)
			fail_msg("sample line '%s' unreadable", line);
		size_t vl = strlen(val);
		if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
			memmove(val, val + 1, vl - 2);
			val[vl - 2] = '\0';
		}
		snprintf(s->key[s->n], sizeof(s->key[0]), "%s.%s", sec, key);
		snprintf(s->value[s->n], sizeof(s->value[0]), "%s", val);
		s->n++;
	}
}

struct check {
	struct sample *s;
	int matched[256];
	int keys;
};

static void
check_key(void *arg, const char *section, const char *key, const char *def,
	  const char *help)
{
	struct check *ck = arg;
	char name[128];
	int found = -1;

	ck->keys++;
	snprintf(name, sizeof(name), "%s.%s", section, key);
	for (int i = 0; i < ck->s->n; i++)
		if (strcmp(ck->s->key[i], name) == 0)
			found = i;
	if (found < 0)
		fail_msg("key %s is not documented in the sample", name);
	ck->matched[found] = 1;
	if (def && strcmp(def, ck->s->value[found]) != 0)
		fail_msg("sample shows %s = '%s', default is '%s'", name,
			 ck->s->value[found], def);
	assert_non_null(help);
}

static void
test_sample(void **state)
{
	char path[1024], err[512];
	size_t len;
	struct sample *s = calloc(1, sizeof(*s));
	struct check ck = {.s = s};

	sample_path(path, sizeof(path));
	char *text = read_file(path, &len);
	struct conf *c = conf_parse(path, text, len, err, sizeof(err));
	if (!c)
		fail_msg("sample does not parse: %s", err);
	conf_free(c);

	scan_sample(text, s);
	conf_each_key(check_key, &ck);
	for (int i = 0; i < s->n; i++)
		if (!ck.matched[i])
			fail_msg("sample key %s is not in the table",
				 s->key[i]);
	assert_int_equal(ck.keys, s->n);
	free(text);
	free(s);
}

/* dump(parse(x)) parses back to the same dump. */
static void
test_dump_roundtrip(void **state)
{
	char path[1024], err[512];
	size_t len, l1, l2;
	char *d1 = NULL, *d2 = NULL;

	sample_path(path, sizeof(path));
	char *text = read_file(path, &len);
	struct conf *c = conf_parse(path, text, len, err, sizeof(err));
	assert_non_null(c);
	FILE *f = open_memstream(&d1, &l1);
	conf_dump(c, f);
	fclose(f);
	conf_free(c);

	c = conf_parse("dump", d1, l1, err, sizeof(err));
	if (!c)
		fail_msg("dump does not parse: %s\n%s", err, d1);
	f = open_memstream(&d2, &l2);
	conf_dump(c, f);
	fclose(f);
	conf_free(c);
	assert_string_equal(d1, d2);
	free(d1);
	free(d2);
	free(text);
}

static void
test_password_masked(void **state)
{
	const char *text = MIN_OK "[smsc a]\nhost = 10.0.0.1\nport = 1\n"
				  "system_id = x\npassword = hunter2\n";
	char err[256], *d = NULL;
	size_t l;
	struct conf *c =
		conf_parse("p.conf", text, strlen(text), err, sizeof(err));

	assert_non_null(c);
	assert_string_equal(c->smsc[0].password, "hunter2");
	FILE *f = open_memstream(&d, &l);
	conf_dump(c, f);
	fclose(f);
	assert_null(strstr(d, "hunter2"));
	assert_non_null(strstr(d, "password = ********\n"));
	conf_free(c);
	free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_dump_roundtrip),
		cmocka_unit_test(test_password_masked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
