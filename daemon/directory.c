/*
 * directory.c - the entities and holidays the daemon needs at hand (SPEC
 * §5 "New case", §7), loaded from PostgreSQL at start and on SIGHUP.
 *
 * Owns one immutable snapshot at a time: a load builds a new one and swaps
 * it in only when every statement succeeded, so a failed load keeps the
 * old directory. Aliases and codes are kept in their textnorm() form, so
 * matching is on the same normalised text the command parser uses.
 *
 * Alias search in a text: the earliest alias found at word boundaries
 * wins; at the same position the longest ("water authority" before
 * "water"). An Arabic word may carry the article or a one-letter
 * preposition before the alias (الكهرباء, والماء, للكهرباء match the
 * aliases كهرباء and ماء). Inactive entities never match (their cases
 * go to triage).
 */
#include "directory.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "log.h"
#include "pg_client.h"
#include "textnorm.h"

#define ALIAS_MAX 128

struct alias {
	char *norm; /* textnorm() form, NUL-terminated */
	size_t len;
	size_t entity;
	int code; /* the entity's code: matches the token after a keyword,
		     never a word inside the text ("post", "cap") */
};

struct snapshot {
	struct directory_entity *ents;
	size_t nents;
	struct alias *aliases;
	size_t naliases;
	int32_t *holidays; /* days since 1970-01-01, ascending */
	size_t nholidays;
};

struct directory {
	struct snapshot *cur;
	int loading;
	int again; /* asked to load while loading */
	/* the owner's client pointer, read at each load (a reload may
	 * replace the client) */
	struct pg_client *const *pgp;
	unsigned long long loads, failures;
	directory_loaded_cb *cb;
	void *cb_arg;
};

static void
snapshot_free(struct snapshot *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nents; i++) {
		free(s->ents[i].name_en);
		free(s->ents[i].name_ar);
	}
	for (size_t i = 0; i < s->naliases; i++)
		free(s->aliases[i].norm);
	free(s->ents);
	free(s->aliases);
	free(s->holidays);
	free(s);
}

/* textnorm() of s into a new NUL-terminated string; NULL on failure. */
static char *
norm_dup(const char *s, size_t *len)
{
	size_t n = strlen(s);
	char *out = malloc(TEXTNORM_MAX(n) + 1);
	int r;

	if (!out)
		return NULL;
	r = textnorm((const uint8_t *)s, n, (uint8_t *)out, TEXTNORM_MAX(n));
	if (r <= 0) {
		free(out);
		return NULL;
	}
	out[r] = '\0';
	*len = (size_t)r;
	return out;
}

static int
add_alias(struct snapshot *s, size_t *cap, const char *text, size_t entity,
	  int code)
{
	size_t len;
	char *n;

	if (strlen(text) > ALIAS_MAX || !(n = norm_dup(text, &len)))
		return 0; /* blank or oversized: skipped */
	if (s->naliases == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct alias *a = realloc(s->aliases, nc * sizeof(*a));
		if (!a) {
			free(n);
			return -ENOMEM;
		}
		s->aliases = a;
		*cap = nc;
	}
	s->aliases[s->naliases++] = (struct alias){n, len, entity, code};
	return 0;
}

static size_t
find_code(const struct snapshot *s, const char *code)
{
	for (size_t i = 0; i < s->nents; i++)
		if (strcmp(s->ents[i].code, code) == 0)
			return i;
	return (size_t)-1;
}

/* Statement 0: entities; 1: (code, alias); 2: holidays. */
static struct snapshot *
snapshot_build(const struct pg_outcome *out)
{
	PGresult *e = out->results[0], *a = out->results[1],
		 *h = out->results[2];
	struct snapshot *s = calloc(1, sizeof(*s));
	size_t acap = 0;
	int n;

	if (!s)
		return NULL;
	n = PQntuples(e);
	s->ents = calloc(n ? (size_t)n : 1, sizeof(*s->ents));
	if (!s->ents)
		goto fail;
	for (int i = 0; i < n; i++) {
		struct directory_entity *d = &s->ents[s->nents];
		snprintf(d->code, sizeof(d->code), "%s", PQgetvalue(e, i, 0));
		d->name_en = strdup(PQgetvalue(e, i, 1));
		d->name_ar = strdup(PQgetvalue(e, i, 2));
		for (int k = 0; k < 3; k++)
			d->sla[k] = atoi(PQgetvalue(e, i, 3 + k));
		d->active = PQgetvalue(e, i, 6)[0] == 't';
		s->nents++;
		if (!d->name_en || !d->name_ar)
			goto fail;
		/* The code itself is an alias. */
		if (add_alias(s, &acap, d->code, s->nents - 1, 1) < 0)
			goto fail;
	}
	for (int i = 0; i < PQntuples(a); i++) {
		size_t ent = find_code(s, PQgetvalue(a, i, 0));
		if (ent != (size_t)-1 &&
		    add_alias(s, &acap, PQgetvalue(a, i, 1), ent, 0) < 0)
			goto fail;
	}
	n = PQntuples(h);
	s->holidays = calloc(n ? (size_t)n : 1, sizeof(*s->holidays));
	if (!s->holidays)
		goto fail;
	for (int i = 0; i < n; i++)
		s->holidays[s->nholidays++] =
			(int32_t)atol(PQgetvalue(h, i, 0));
	return s;
fail:
	snapshot_free(s);
	return NULL;
}

static void
on_loaded(void *arg, const struct pg_outcome *out)
{
	struct directory *d = arg;
	struct snapshot *s = NULL;
	char val[200];

	d->loading = 0;
	if (out->ok && out->nresults == 3)
		s = snapshot_build(out);
	if (!s) {
		d->failures++;
		LOG(LC_APP, LL_WARN, "directory=not_loaded reason=%s kept=%s",
		    log_value(val, sizeof(val),
			      out->ok ? "out of memory" : out->err),
		    d->cur ? "old" : "none");
	} else {
		snapshot_free(d->cur);
		d->cur = s;
		d->loads++;
		LOG(LC_APP, LL_NOTICE,
		    "directory=loaded entities=%zu aliases=%zu holidays=%zu",
		    s->nents, s->naliases, s->nholidays);
	}
	if (d->cb)
		d->cb(d->cb_arg, s != NULL);
	if (d->again) { /* an import may have committed after we read */
		d->again = 0;
		directory_load(d);
	}
}

struct directory *
directory_new(struct pg_client *const *pgp, directory_loaded_cb *cb, void *arg)
{
	struct directory *d = calloc(1, sizeof(*d));

	if (d) {
		d->pgp = pgp;
		d->cb = cb;
		d->cb_arg = arg;
	}
	return d;
}

void
directory_free(struct directory *d)
{
	if (!d)
		return;
	snapshot_free(d->cur);
	free(d);
}

int
directory_load(struct directory *d)
{
	struct pg_client *pg = *d->pgp;
	struct pg_job *job;

	if (d->loading) {
		d->again = 1;
		return -EALREADY;
	}
	job = pg_job_new();
	if (!job)
		return -ENOMEM;
	pg_job_add(job,
		   "SELECT code, name_en, name_ar, sla_complaint, "
		   "sla_suggestion, sla_enquiry, active FROM entities "
		   "ORDER BY code",
		   0, NULL);
	pg_job_add(job,
		   "SELECT code, a FROM entities, "
		   "unnest(aliases_en || aliases_ar) a ORDER BY code",
		   0, NULL);
	pg_job_add(job,
		   "SELECT day - DATE '1970-01-01' FROM holidays ORDER BY day",
		   0, NULL);
	d->loading = 1;
	if (pg_client_cb_lost(pg, pg_client_submit(pg, job, on_loaded, d))) {
		d->loading = 0;
		return -ENOTCONN;
	}
	return 0;
}

int
directory_ready(const struct directory *d)
{
	return d && d->cur;
}

const struct directory_entity *
directory_entity(const struct directory *d, const char *code)
{
	size_t i;

	if (!d || !d->cur || (i = find_code(d->cur, code)) == (size_t)-1)
		return NULL;
	return &d->cur->ents[i];
}

/* A word starts at norm[at] (normalised text: words are separated by
 * single spaces). */
static int
boundary(const uint8_t *t, size_t at)
{
	return at == 0 || t[at - 1] == ' ';
}

const struct directory_entity *
directory_match_token(const struct directory *d, const uint8_t *norm,
		      size_t len)
{
	if (!d || !d->cur || !len)
		return NULL;
	for (size_t i = 0; i < d->cur->naliases; i++) {
		const struct alias *a = &d->cur->aliases[i];
		const struct directory_entity *e = &d->cur->ents[a->entity];
		if (e->active && a->len == len &&
		    memcmp(a->norm, norm, len) == 0)
			return e;
	}
	return NULL;
}

/* Arabic prefixes a word may carry before an alias, normalised: "ال"
 * (the article), "وال" "بال" "فال" "كال" "لل", and the bare conjunction
 * "و". Longest first. */
static const char *const prefixes[] = {
	"\xd9\x88\xd8\xa7\xd9\x84",
	"\xd8\xa8\xd8\xa7\xd9\x84",
	"\xd9\x81\xd8\xa7\xd9\x84",
	"\xd9\x83\xd8\xa7\xd9\x84",
	"\xd8\xa7\xd9\x84",
	"\xd9\x84\xd9\x84",
	"\xd9\x88",
};

/* Bytes of an Arabic prefix at norm[at] (0 for none) such that the alias
 * follows it; an alias that itself starts with the article is matched
 * as it is. */
static size_t
prefix_len(const uint8_t *norm, size_t len, size_t at, const struct alias *a)
{
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t pl = strlen(prefixes[i]);
		if (at + pl + a->len <= len &&
		    memcmp(norm + at, prefixes[i], pl) == 0 &&
		    memcmp(norm + at + pl, a->norm, a->len) == 0)
			return pl;
	}
	return 0;
}

const struct directory_entity *
directory_match_text(const struct directory *d, const uint8_t *norm, size_t len)
{
	const struct alias *best = NULL;
	size_t best_at = (size_t)-1;

	if (!d || !d->cur)
		return NULL;
	for (size_t i = 0; i < d->cur->naliases; i++) {
		const struct alias *a = &d->cur->aliases[i];
		if (a->code || !d->cur->ents[a->entity].active || a->len > len)
			continue;
		for (size_t at = 0; at + a->len <= len && at <= best_at; at++) {
			if (!boundary(norm, at))
				continue;
			size_t pl = memcmp(norm + at, a->norm, a->len) == 0
					    ? 0
					    : prefix_len(norm, len, at, a);
			size_t end = at + pl + a->len;
			if ((pl == 0 && memcmp(norm + at, a->norm, a->len)) ||
			    (end < len && norm[end] != ' '))
				continue;
			if (at < best_at ||
			    (at == best_at && a->len > best->len)) {
				best = a;
				best_at = at;
			}
			break;
		}
	}
	return best ? &d->cur->ents[best->entity] : NULL;
}

const int32_t *
directory_holidays(const struct directory *d, size_t *n)
{
	if (!d || !d->cur) {
		*n = 0;
		return NULL;
	}
	*n = d->cur->nholidays;
	return d->cur->holidays;
}
