/*
 * sim_summary.c - what the simulated SMSC saw, for tests that must prove
 * "no lost or reordered submit" (SPEC §2): counters and, per destination,
 * every accepted submit_sm/data_sm in the order it was accepted, written
 * as one line of JSON at exit.
 *
 * Owns the records (copies of the bodies; at most record_max of them, the
 * rest only counted). By default only accepted submits are listed: one
 * answered ESME_RTHROTTLED / ESME_RMSGQFUL or dropped with its connection
 * is expected again, and counted under "submits"; with --record-all the
 * caller records those too, and they carry "status" (or "dropped").
 * Does not decide anything.
 */
#include "sim.h"

#include <stdlib.h>
#include <string.h>

#include "sim_text.h"

struct sim_rec {
	char src[SMPP_ADDR_MAX];
	char msgid[24];
	uint32_t cmd, status;
	uint8_t dcs, esm, rd;
	int concat;
	unsigned ref, total, seq;
	size_t len, ud_off; /* body octets; where the user data starts */
	uint8_t body[];
};

struct sim_dest {
	char addr[SMPP_ADDR_MAX];
	struct sim_rec **recs;
	size_t n, cap;
};

struct sim_summary {
	unsigned record_max, recorded;
	unsigned long not_recorded;
	struct sim_dest *dests;
	size_t ndest, capdest;
	size_t *tab; /* open addressing: index + 1, 0 empty */
	size_t tabcap;
};

struct sim_summary *
sim_summary_new(unsigned record_max)
{
	struct sim_summary *sum = calloc(1, sizeof(*sum));

	if (sum)
		sum->record_max = record_max;
	return sum;
}

void
sim_summary_free(struct sim_summary *sum)
{
	if (!sum)
		return;
	for (size_t i = 0; i < sum->ndest; i++) {
		for (size_t k = 0; k < sum->dests[i].n; k++)
			free(sum->dests[i].recs[k]);
		free(sum->dests[i].recs);
	}
	free(sum->dests);
	free(sum->tab);
	free(sum);
}

static size_t
hash(const char *s)
{
	size_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int
grow_tab(struct sim_summary *sum)
{
	size_t cap = sum->tabcap ? sum->tabcap * 2 : 64;
	size_t *tab = calloc(cap, sizeof(*tab));

	if (!tab)
		return -1;
	for (size_t i = 0; i < sum->ndest; i++) {
		size_t h = hash(sum->dests[i].addr) & (cap - 1);
		while (tab[h])
			h = (h + 1) & (cap - 1);
		tab[h] = i + 1;
	}
	free(sum->tab);
	sum->tab = tab;
	sum->tabcap = cap;
	return 0;
}

static struct sim_dest *
dest_get(struct sim_summary *sum, const char *addr)
{
	size_t h;

	if ((sum->ndest + 1) * 2 > sum->tabcap && grow_tab(sum) < 0)
		return NULL;
	h = hash(addr) & (sum->tabcap - 1);
	while (sum->tab[h]) {
		struct sim_dest *d = &sum->dests[sum->tab[h] - 1];
		if (strcmp(d->addr, addr) == 0)
			return d;
		h = (h + 1) & (sum->tabcap - 1);
	}
	if (sum->ndest == sum->capdest) {
		size_t cap = sum->capdest ? sum->capdest * 2 : 16;
		struct sim_dest *n = realloc(sum->dests, cap * sizeof(*n));
		if (!n)
			return NULL;
		sum->dests = n;
		sum->capdest = cap;
	}
	struct sim_dest *d = &sum->dests[sum->ndest];
	memset(d, 0, sizeof(*d));
	snprintf(d->addr, sizeof(d->addr), "%s", addr);
	sum->tab[h] = ++sum->ndest;
	return d;
}

void
sim_summary_submit(struct sim_summary *sum, const struct smpp_pdu *p,
		   const char *msgid, uint32_t status)
{
	struct sim_body b;
	struct sim_dest *d;
	struct sim_rec *r;

	if (!sum)
		return;
	if (sum->recorded >= sum->record_max) {
		sum->not_recorded++;
		return;
	}
	d = dest_get(sum, p->dest.addr);
	if (!d) {
		sum->not_recorded++;
		return;
	}
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		struct sim_rec **n = realloc(d->recs, cap * sizeof(*n));
		if (!n) {
			sum->not_recorded++;
			return;
		}
		d->recs = n;
		d->cap = cap;
	}
	sim_body_of(p, &b);
	r = calloc(1, sizeof(*r) + b.all_len);
	if (!r) {
		sum->not_recorded++;
		return;
	}
	memcpy(r->src, p->source.addr, sizeof(r->src));
	snprintf(r->msgid, sizeof(r->msgid), "%s", msgid);
	r->cmd = p->command_id;
	r->status = status;
	r->dcs = p->data_coding;
	r->esm = p->esm_class;
	r->rd = p->registered_delivery;
	r->concat = b.concat;
	r->ref = b.ref;
	r->total = b.total;
	r->seq = b.seq;
	r->len = b.all_len;
	r->ud_off = (size_t)(b.ud - b.all);
	if (b.all_len)
		memcpy(r->body, b.all, b.all_len);
	d->recs[d->n++] = r;
	sum->recorded++;
}

void
sim_json_str(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void
sim_json_hex(FILE *f, const uint8_t *b, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
	fputc('"', f);
}

static void
write_rec(FILE *f, const struct sim_rec *r)
{
	char text[4 * SMPP_PAYLOAD_MAX];
	size_t tl;

	fputs("{\"src\":", f);
	sim_json_str(f, r->src, strlen(r->src));
	if (r->status == SIM_SUBMIT_DROPPED)
		fputs(",\"dropped\":true", f);
	else if (r->status)
		fprintf(f, ",\"status\":%u", r->status);
	fprintf(f, ",\"cmd\":\"%s\",\"msgid\":", smpp_cmd_name(r->cmd));
	sim_json_str(f, r->msgid, strlen(r->msgid));
	fprintf(f, ",\"dcs\":%u,\"esm\":%u,\"registered_delivery\":%u,\"hex\":",
		r->dcs, r->esm, r->rd);
	sim_json_hex(f, r->body, r->len);
	tl = sim_text_decode(r->dcs, r->body + r->ud_off, r->len - r->ud_off,
			     text, sizeof(text));
	fputs(",\"text\":", f);
	sim_json_str(f, text, tl);
	if (r->concat)
		fprintf(f,
			",\"concat\":{\"kind\":\"%s\",\"ref\":%u,\"total\":%u,"
			"\"seq\":%u}",
			r->concat == 8    ? "udh8"
			: r->concat == 16 ? "udh16"
					  : "sar",
			r->ref, r->total, r->seq);
	fputc('}', f);
}

void
sim_summary_write(const struct sim *s, FILE *f)
{
	const struct sim_stats *st = &s->st;
	const struct sim_summary *sum = s->sum;

	fprintf(f,
		"{\"connections\":%lu,"
		"\"binds\":{\"ok\":%lu,\"refused\":%lu,\"transceiver\":%lu,"
		"\"transmitter\":%lu,\"receiver\":%lu},"
		"\"unbinds\":{\"received\":%lu,\"sent\":%lu},"
		"\"enquire_link\":{\"received\":%lu,\"answered\":%lu,"
		"\"muted\":%lu},",
		st->connections, st->binds_ok, st->binds_refused, st->bind_trx,
		st->bind_tx, st->bind_rx, st->unbinds_received,
		st->unbinds_sent, st->enquire_received, st->enquire_answered,
		st->enquire_muted);
	fprintf(f,
		"\"submits\":{\"received\":%lu,\"accepted\":%lu,\"data_sm\":%"
		"lu,"
		"\"throttled\":%lu,\"queue_full\":%lu,\"not_bound\":%lu,"
		"\"dropped_connections\":%lu},"
		"\"throttled\":%lu,"
		"\"nacks\":{\"sent\":%lu,\"received\":%lu},"
		"\"decode_errors\":%lu,",
		st->submits, st->submits_ok, st->data_sm, st->throttled,
		st->queue_full, st->submit_refused, st->dropped_conns,
		st->throttled, st->nacks_sent, st->nacks_received,
		st->decode_errors);
	fprintf(f,
		"\"deliver_sm\":{\"sent\":%lu,\"acked\":%lu,\"errors\":%lu,"
		"\"redelivered\":%lu,\"lost\":%lu,\"pending\":%u},"
		"\"receipts\":%lu,\"malformed_sent\":%lu,\"raw_sent\":%lu,",
		st->mo_sent, st->mo_acked, st->mo_errors, st->mo_redelivered,
		st->mo_lost, sim_deliver_pending(s), st->dlr_sent,
		st->malformed_sent, st->raw_sent);
	fprintf(f, "\"recorded\":%u,\"not_recorded\":%lu,\"destinations\":{",
		sum ? sum->recorded : 0, sum ? sum->not_recorded : 0);
	for (size_t i = 0; sum && i < sum->ndest; i++) {
		const struct sim_dest *d = &sum->dests[i];
		if (i)
			fputc(',', f);
		sim_json_str(f, d->addr, strlen(d->addr));
		fputs(":[", f);
		for (size_t k = 0; k < d->n; k++) {
			if (k)
				fputc(',', f);
			write_rec(f, d->recs[k]);
		}
		fputc(']', f);
	}
	fputs("}}\n", f);
	fflush(f);
}
