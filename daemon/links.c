/*
 * links.c - the carrier links of the running gateway (SPEC §2, §9).
 *
 * Owns every struct smsc_link made from the config, plus links retired by
 * a reload that are still unbinding. A reload compares sections field by
 * field: an unchanged link keeps its binds; a changed one is replaced (the
 * old one unbinds and is freed once stopped); a removed one unbinds.
 * Routing of MTs (SPEC §8) is not decided here, only lookup.
 */
#include "links.h"

#include <errno.h>
#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "log.h"

#define LINKS_MAX 64

struct links {
	struct event_base *base;
	struct smsc_link_ops ops;
	struct smsc_link *live[LINKS_MAX];
	size_t nlive;
	struct smsc_link **retired; /* unbinding after a reload */
	size_t nretired, cap_retired;
	/* a link's settings as text, to compare sections across reloads */
	char sig[LINKS_MAX][512];
};

static void
signature(const struct conf_smsc *c, char *out, size_t n)
{
	int off = snprintf(out, n, "%s|%s|%d|%s|%s|%s|%s|%d|%d|%s|%d|%s|%d",
			   c->name, c->host, c->port, c->system_id, c->password,
			   c->system_type, c->bind, c->window, c->tps,
			   c->ussd_profile, c->tls,
			   c->tls_ca_file ? c->tls_ca_file : "", c->tls_verify);
	for (int t = 0; t < T__COUNT && off > 0 && (size_t)off < n; t++)
		off += snprintf(out + off, n - (size_t)off, "|%u",
				c->timers.ms[t]);
}

static int
make_all(struct links *ls, const struct conf *c, struct smsc_link **out,
	 char sigs[][512], const struct links *keep, int *kept, char *err,
	 size_t errlen)
{
	for (size_t i = 0; i < c->nsmsc; i++) {
		signature(&c->smsc[i], sigs[i], sizeof(sigs[i]));
		kept[i] = -1;
		for (size_t j = 0; keep && j < keep->nlive; j++)
			if (strcmp(keep->sig[j], sigs[i]) == 0)
				kept[i] = (int)j;
		if (kept[i] >= 0) {
			out[i] = keep->live[kept[i]];
			continue;
		}
		out[i] = smsc_link_new(ls->base, &c->smsc[i], &ls->ops, err,
				       errlen);
		if (!out[i]) {
			for (size_t k = 0; k < i; k++)
				if (kept[k] < 0)
					smsc_link_free(out[k]);
			return -EINVAL;
		}
	}
	return 0;
}

struct links *
links_new(struct event_base *base, const struct conf *c,
	  const struct smsc_link_ops *ops, char *err, size_t errlen)
{
	struct links *ls = calloc(1, sizeof(*ls));
	int kept[LINKS_MAX];

	if (!ls || c->nsmsc > LINKS_MAX) {
		snprintf(err, errlen, ls ? "too many links" : "out of memory");
		free(ls);
		return NULL;
	}
	ls->base = base;
	ls->ops = *ops;
	if (make_all(ls, c, ls->live, ls->sig, NULL, kept, err, errlen) < 0) {
		free(ls);
		return NULL;
	}
	ls->nlive = c->nsmsc;
	return ls;
}

int
links_start(struct links *ls)
{
	for (size_t i = 0; i < ls->nlive; i++) {
		int rc = smsc_link_start(ls->live[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Makes room for n more retired links; 0 or -ENOMEM. */
static int
retire_reserve(struct links *ls, size_t n)
{
	if (ls->nretired + n <= ls->cap_retired)
		return 0;
	size_t cap = ls->nretired + n + 8;
	struct smsc_link **r = realloc(ls->retired, cap * sizeof(*r));
	if (!r)
		return -ENOMEM;
	ls->retired = r;
	ls->cap_retired = cap;
	return 0;
}

static void
retire(struct links *ls, struct smsc_link *l)
{
	smsc_link_stop(l);
	ls->retired[ls->nretired++] = l; /* room reserved by the caller */
}

int
links_reload(struct links *ls, const struct conf *c, char *err, size_t errlen)
{
	struct smsc_link *next[LINKS_MAX];
	char sigs[LINKS_MAX][512];
	int kept[LINKS_MAX], used[LINKS_MAX] = {0};
	size_t added = 0, retired = 0;

	if (c->nsmsc > LINKS_MAX) {
		snprintf(err, errlen, "too many links");
		return -EINVAL;
	}
	links_reap(ls);
	if (retire_reserve(ls, ls->nlive) < 0) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (make_all(ls, c, next, sigs, ls, kept, err, errlen) < 0)
		return -EINVAL;

	/* Commit: nothing below fails. */
	for (size_t i = 0; i < c->nsmsc; i++)
		if (kept[i] >= 0)
			used[kept[i]] = 1;
	for (size_t j = 0; j < ls->nlive; j++)
		if (!used[j]) {
			retire(ls, ls->live[j]);
			retired++;
		}
	for (size_t i = 0; i < c->nsmsc; i++) {
		ls->live[i] = next[i];
		memcpy(ls->sig[i], sigs[i], sizeof(sigs[i]));
		if (kept[i] < 0) {
			smsc_link_start(next[i]);
			added++;
		}
	}
	ls->nlive = c->nsmsc;
	if (added || retired)
		LOG(LC_SMPP, LL_NOTICE,
		    "links reload=ok started=%zu retired=%zu", added, retired);
	return 0;
}

void
links_stop(struct links *ls)
{
	for (size_t i = 0; i < ls->nlive; i++)
		smsc_link_stop(ls->live[i]);
}

int
links_stopped(const struct links *ls)
{
	for (size_t i = 0; i < ls->nlive; i++)
		if (!smsc_link_stopped(ls->live[i]))
			return 0;
	for (size_t i = 0; i < ls->nretired; i++)
		if (!smsc_link_stopped(ls->retired[i]))
			return 0;
	return 1;
}

void
links_reap(struct links *ls)
{
	size_t k = 0;

	for (size_t i = 0; i < ls->nretired; i++) {
		if (smsc_link_stopped(ls->retired[i]))
			smsc_link_free(ls->retired[i]);
		else
			ls->retired[k++] = ls->retired[i];
	}
	ls->nretired = k;
}

void
links_free(struct links *ls)
{
	if (!ls)
		return;
	for (size_t i = 0; i < ls->nlive; i++)
		smsc_link_free(ls->live[i]);
	for (size_t i = 0; i < ls->nretired; i++)
		smsc_link_free(ls->retired[i]);
	free(ls->retired);
	free(ls);
}

size_t
links_count(const struct links *ls)
{
	return ls ? ls->nlive : 0;
}

struct smsc_link *
links_get(const struct links *ls, size_t i)
{
	return i < ls->nlive ? ls->live[i] : NULL;
}

struct smsc_link *
links_find_id(const struct links *ls, uint64_t id)
{
	if (!ls)
		return NULL;
	for (size_t i = 0; i < ls->nlive; i++)
		if (smsc_link_id(ls->live[i]) == id)
			return ls->live[i];
	for (size_t i = 0; i < ls->nretired; i++)
		if (smsc_link_id(ls->retired[i]) == id)
			return ls->retired[i];
	return NULL;
}

struct smsc_link *
links_find(const struct links *ls, const char *name)
{
	if (!ls || !name)
		return NULL;
	for (size_t i = 0; i < ls->nlive; i++)
		if (strcmp(smsc_link_name(ls->live[i]), name) == 0)
			return ls->live[i];
	return NULL;
}

void
links_metrics(const struct links *ls, struct evbuffer *out)
{
	evbuffer_add_printf(
		out, "# HELP tawasul_smsc_bound 1 when the link can submit.\n"
		     "# TYPE tawasul_smsc_bound gauge\n"
		     "# TYPE tawasul_smsc_submits_total counter\n"
		     "# TYPE tawasul_smsc_throttled_total counter\n"
		     "# TYPE tawasul_smsc_mo_total counter\n"
		     "# TYPE tawasul_smsc_nacks_sent_total counter\n"
		     "# TYPE tawasul_smsc_binds_total counter\n"
		     "# TYPE tawasul_smsc_queued gauge\n");
	for (size_t i = 0; i < ls->nlive; i++) {
		struct smsc_link_stats st;
		const char *n = smsc_link_name(ls->live[i]);
		smsc_link_stats(ls->live[i], &st);
		evbuffer_add_printf(
			out,
			"tawasul_smsc_bound{link=\"%s\"} %d\n"
			"tawasul_smsc_submits_total{link=\"%s\",result=\"ok\"} "
			"%llu\n"
			"tawasul_smsc_submits_total{link=\"%s\",result="
			"\"failed\"} %llu\n"
			"tawasul_smsc_throttled_total{link=\"%s\"} %llu\n"
			"tawasul_smsc_mo_total{link=\"%s\"} %llu\n"
			"tawasul_smsc_nacks_sent_total{link=\"%s\"} %llu\n"
			"tawasul_smsc_binds_total{link=\"%s\"} %llu\n"
			"tawasul_smsc_queued{link=\"%s\"} %u\n",
			n, st.bound, n, st.submits_ok, n, st.submits_failed, n,
			st.throttled, n, st.mo_received, n, st.nacks_sent, n,
			st.binds, n, st.queued);
	}
}
