/*
 * smpp_submitq.c - per-destination submit queues and the window of one
 * SMPP session (SPEC §2: window; ESME_RTHROTTLED / ESME_RMSGQFUL retried
 * with nothing dropped and order per destination kept).
 *
 * Owns: the queued items (deep copies of submit_sm / data_sm PDUs), one
 * destination record per address with something queued or outstanding
 * (a chained hash table keyed by dest.addr), and the ready list: the
 * destinations that may send now, in the order they will be served.
 *
 * Invariant: a destination is in the ready list iff it has a queued item
 * and none outstanding. At most one item per destination is outstanding,
 * so a retried item goes back to the head of its own queue and nothing
 * queued behind it can overtake it. Other destinations may.
 *
 * Does not: send, time, or call back (smpp_session.c does). The
 * destination key is the address string only (TON/NPI ignored): two
 * spellings of one number may then be serialised, never reordered.
 */
#include "smpp_submitq.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SUBMITQ_BUCKETS_MIN 16
#define SUBMITQ_SPARE_MAX   32

struct smpp_submitq_dest {
	struct smpp_submitq_dest *hnext;         /* hash chain */
	struct smpp_submitq_dest *rprev, *rnext; /* ready list */
	struct smpp_submitq_item *head, *tail;   /* queued */
	uint32_t hash;
	int busy;  /* one item outstanding */
	int ready; /* in the ready list */
	char addr[SMPP_ADDR_MAX];
};

static uint32_t
submitq_hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	while (*s) {
		h ^= (uint8_t)*s++;
		h *= 16777619u;
	}
	return h;
}

void
smpp_submitq_init(struct smpp_submitq *q, unsigned window)
{
	memset(q, 0, sizeof(*q));
	q->window = window ? window : 1;
}

/* ---- items --------------------------------------------------------------- */

int
smpp_submitq_item_new(const struct smpp_pdu *pdu, void *cookie,
		      struct smpp_submitq_item **out)
{
	struct smpp_submitq_item *it;
	size_t need = 0, off = 0;
	uint8_t *p;

	*out = NULL;
	if (pdu->command_id != SMPP_SUBMIT_SM &&
	    pdu->command_id != SMPP_DATA_SM)
		return -EINVAL;
	if (pdu->ntlv < 0 || pdu->ntlv > SMPP_MAX_TLVS)
		return -EINVAL;
	if ((pdu->sm_length && !pdu->short_message) ||
	    (pdu->message_payload_len && !pdu->message_payload))
		return -EINVAL;
	need += pdu->sm_length;
	need += pdu->message_payload_len;
	for (int i = 0; i < pdu->ntlv; i++) {
		if (pdu->tlv[i].len && !pdu->tlv[i].val)
			return -EINVAL;
		need += pdu->tlv[i].len;
	}
	if (need > SMPP_PDU_MAX) /* could never be sent */
		return -EINVAL;
	it = malloc(sizeof(*it) + need);
	if (!it)
		return -ENOMEM;
	memset(it, 0, sizeof(*it));
	it->cookie = cookie;
	it->pdu = *pdu;
	p = it->data;
	if (pdu->sm_length) {
		memcpy(p + off, pdu->short_message, pdu->sm_length);
		it->pdu.short_message = p + off;
		off += pdu->sm_length;
	} else {
		it->pdu.short_message = NULL;
	}
	if (pdu->message_payload_len) {
		memcpy(p + off, pdu->message_payload, pdu->message_payload_len);
		it->pdu.message_payload = p + off;
		off += pdu->message_payload_len;
	} else {
		it->pdu.message_payload = NULL;
	}
	for (int i = 0; i < pdu->ntlv; i++) {
		if (!pdu->tlv[i].len) {
			it->pdu.tlv[i].val = NULL;
			continue;
		}
		memcpy(p + off, pdu->tlv[i].val, pdu->tlv[i].len);
		it->pdu.tlv[i].val = p + off;
		off += pdu->tlv[i].len;
	}
	/* the addresses are keys and log fields: always terminated */
	it->pdu.dest.addr[SMPP_ADDR_MAX - 1] = '\0';
	it->pdu.source.addr[SMPP_ADDR_MAX - 1] = '\0';
	*out = it;
	return 0;
}

void
smpp_submitq_item_free(struct smpp_submitq_item *it)
{
	free(it);
}

/* ---- destinations -------------------------------------------------------- */

static void
submitq_grow(struct smpp_submitq *q)
{
	unsigned n = q->nbuckets ? q->nbuckets * 2 : SUBMITQ_BUCKETS_MIN;
	struct smpp_submitq_dest **b = calloc(n, sizeof(*b));

	if (!b)
		return; /* longer chains, still correct */
	for (unsigned i = 0; i < q->nbuckets; i++) {
		struct smpp_submitq_dest *d = q->buckets[i], *nx;
		for (; d; d = nx) {
			nx = d->hnext;
			d->hnext = b[d->hash & (n - 1)];
			b[d->hash & (n - 1)] = d;
		}
	}
	free(q->buckets);
	q->buckets = b;
	q->nbuckets = n;
}

static struct smpp_submitq_dest *
submitq_dest_get(struct smpp_submitq *q, const char *addr)
{
	uint32_t h = submitq_hash(addr);
	struct smpp_submitq_dest *d;

	if (q->nbuckets) {
		for (d = q->buckets[h & (q->nbuckets - 1)]; d; d = d->hnext)
			if (d->hash == h && strcmp(d->addr, addr) == 0)
				return d;
	}
	if (q->ndest >= q->nbuckets)
		submitq_grow(q);
	if (!q->nbuckets)
		return NULL;
	if (q->spare) {
		d = q->spare;
		q->spare = d->hnext;
		q->nspare--;
	} else if (!(d = malloc(sizeof(*d)))) {
		return NULL;
	}
	memset(d, 0, sizeof(*d));
	d->hash = h;
	memcpy(d->addr, addr, sizeof(d->addr)); /* terminated by item_new */
	d->hnext = q->buckets[h & (q->nbuckets - 1)];
	q->buckets[h & (q->nbuckets - 1)] = d;
	q->ndest++;
	return d;
}

static void
submitq_ready_remove(struct smpp_submitq *q, struct smpp_submitq_dest *d)
{
	if (!d->ready)
		return;
	if (q->retry_pos == d)
		q->retry_pos = d->rprev;
	if (d->rprev)
		d->rprev->rnext = d->rnext;
	else
		q->ready_head = d->rnext;
	if (d->rnext)
		d->rnext->rprev = d->rprev;
	else
		q->ready_tail = d->rprev;
	d->rprev = d->rnext = NULL;
	d->ready = 0;
	q->nready--;
}

/* Inserts d after pos (NULL: at the head). */
static void
submitq_ready_insert(struct smpp_submitq *q, struct smpp_submitq_dest *pos,
		     struct smpp_submitq_dest *d)
{
	d->rprev = pos;
	d->rnext = pos ? pos->rnext : q->ready_head;
	if (d->rnext)
		d->rnext->rprev = d;
	else
		q->ready_tail = d;
	if (pos)
		pos->rnext = d;
	else
		q->ready_head = d;
	d->ready = 1;
	q->nready++;
}

/* Unlinks an idle, empty destination and keeps it for reuse. */
static void
submitq_dest_release(struct smpp_submitq *q, struct smpp_submitq_dest *d)
{
	struct smpp_submitq_dest **pp =
		&q->buckets[d->hash & (q->nbuckets - 1)];

	submitq_ready_remove(q, d);
	while (*pp && *pp != d)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = d->hnext;
	q->ndest--;
	if (q->nspare < SUBMITQ_SPARE_MAX) {
		d->hnext = q->spare;
		q->spare = d;
		q->nspare++;
	} else {
		free(d);
	}
}

/* ---- queue operations ---------------------------------------------------- */

int
smpp_submitq_push(struct smpp_submitq *q, struct smpp_submitq_item *it)
{
	struct smpp_submitq_dest *d = submitq_dest_get(q, it->pdu.dest.addr);

	if (!d)
		return -ENOMEM;
	it->dest = d;
	it->next = NULL;
	if (d->tail)
		d->tail->next = it;
	else
		d->head = it;
	d->tail = it;
	q->queued++;
	if (!d->busy && !d->ready)
		submitq_ready_insert(q, q->ready_tail, d);
	return 0;
}

struct smpp_submitq_item *
smpp_submitq_next(struct smpp_submitq *q)
{
	struct smpp_submitq_dest *d = q->ready_head;
	struct smpp_submitq_item *it;

	if (!d || q->outstanding >= q->window)
		return NULL;
	submitq_ready_remove(q, d);
	it = d->head;
	d->head = it->next;
	if (!d->head)
		d->tail = NULL;
	it->next = NULL;
	d->busy = 1;
	q->queued--;
	q->outstanding++;
	return it;
}

void
smpp_submitq_done(struct smpp_submitq *q, struct smpp_submitq_item *it)
{
	struct smpp_submitq_dest *d = it->dest;

	it->dest = NULL;
	if (!d)
		return;
	d->busy = 0;
	q->outstanding--;
	if (d->head)
		submitq_ready_insert(q, q->ready_tail, d);
	else
		submitq_dest_release(q, d);
}

void
smpp_submitq_retry(struct smpp_submitq *q, struct smpp_submitq_item *it)
{
	struct smpp_submitq_dest *d = it->dest;

	d->busy = 0;
	q->outstanding--;
	it->next = d->head;
	d->head = it;
	if (!d->tail)
		d->tail = it;
	q->queued++;
	submitq_ready_insert(q, q->retry_pos, d);
	q->retry_pos = d;
}

void
smpp_submitq_retry_end(struct smpp_submitq *q)
{
	q->retry_pos = NULL;
}

/* Moves d's queue to the end of the list *tailp points into. */
static void
submitq_take_dest(struct smpp_submitq *q, struct smpp_submitq_dest *d,
		  struct smpp_submitq_item ***tailp)
{
	struct smpp_submitq_item *it;

	for (it = d->head; it; it = it->next) {
		it->dest = NULL;
		q->queued--;
	}
	if (d->head) {
		**tailp = d->head;
		*tailp = &d->tail->next;
	}
	d->head = d->tail = NULL;
	submitq_ready_remove(q, d);
}

struct smpp_submitq_item *
smpp_submitq_take_queued(struct smpp_submitq *q)
{
	struct smpp_submitq_item *list = NULL, **tail = &list;

	/* ready destinations first, in their order, then the busy ones */
	while (q->ready_head) {
		struct smpp_submitq_dest *d = q->ready_head;
		submitq_take_dest(q, d, &tail);
		submitq_dest_release(q, d);
	}
	for (unsigned i = 0; i < q->nbuckets; i++) {
		struct smpp_submitq_dest *d;
		for (d = q->buckets[i]; d; d = d->hnext)
			submitq_take_dest(q, d, &tail); /* busy: stays */
	}
	q->retry_pos = NULL;
	return list;
}

void
smpp_submitq_fini(struct smpp_submitq *q)
{
	struct smpp_submitq_item *it = smpp_submitq_take_queued(q), *nx;

	for (; it; it = nx) {
		nx = it->next;
		smpp_submitq_item_free(it);
	}
	for (unsigned i = 0; i < q->nbuckets; i++) {
		struct smpp_submitq_dest *d = q->buckets[i], *nx2;
		for (; d; d = nx2) {
			nx2 = d->hnext;
			free(d);
		}
	}
	while (q->spare) {
		struct smpp_submitq_dest *d = q->spare;
		q->spare = d->hnext;
		free(d);
	}
	free(q->buckets);
	memset(q, 0, sizeof(*q));
}
