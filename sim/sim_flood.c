/*
 * sim_flood.c - the MO flood generator for benchmarks (--flood N --window W
 * --numbers K): N MOs from K numbers to the short code, at most W without
 * a reply, each answered when the first MT (submit_sm) to its sender
 * arrives; then one JSON line with the rate and the MO -> first MT
 * latency percentiles.
 *
 * Owns one slot per number (busy or not, when its MO went out) and the
 * latencies. A number has at most one MO outstanding, so an MT to it
 * answers that MO; an MT to a number with nothing outstanding, or a later
 * part (UDH/SAR sequence > 1) of a concatenated reply, is counted as
 * "extra_mt" and answers nothing. An MO without a reply within --timeout
 * counts as a timeout; an MO refused by the ESME (deliver_sm_resp error)
 * or lost with its connection counts as failed and frees its slot. Every
 * submit_sm is answered OK by sim_smsc.c as usual.
 */
#include "sim.h"

#include <errno.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "loop.h"
#include "sim_mo.h"

#define TICK_MS 20

struct fl_num {
	int prev, next; /* busy list, oldest first */
	unsigned busy : 1;
	uint32_t gen;
	unsigned long long sent_us, sent_ms;
};

struct sim_flood {
	struct sim *s;
	unsigned n, window, k;
	unsigned long long base;
	unsigned sent, replied, timeouts, failed, inflight;
	unsigned long deliver_errors, extra_mt, build_errors;
	struct fl_num *nums;
	int busy_head, busy_tail;
	unsigned next_num;
	unsigned *lat_us;
	unsigned nlat;
	struct event *tick;
	unsigned long long t0_us, tend_us;
	int started, ended;
};

static unsigned long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000ull +
	       (unsigned long long)ts.tv_nsec / 1000;
}

static void
busy_unlink(struct sim_flood *fl, unsigned i)
{
	struct fl_num *x = &fl->nums[i];

	if (x->prev >= 0)
		fl->nums[x->prev].next = x->next;
	else
		fl->busy_head = x->next;
	if (x->next >= 0)
		fl->nums[x->next].prev = x->prev;
	else
		fl->busy_tail = x->prev;
	x->busy = 0;
	x->gen++;
	fl->inflight--;
}

static void
busy_link(struct sim_flood *fl, unsigned i)
{
	struct fl_num *x = &fl->nums[i];

	x->busy = 1;
	x->next = -1;
	x->prev = fl->busy_tail;
	if (fl->busy_tail >= 0)
		fl->nums[fl->busy_tail].next = (int)i;
	else
		fl->busy_head = (int)i;
	fl->busy_tail = (int)i;
	fl->inflight++;
}

static void
check_end(struct sim_flood *fl)
{
	if (fl->ended || fl->sent < fl->n || fl->inflight)
		return;
	fl->ended = 1;
	if (!fl->tend_us)
		fl->tend_us = now_us();
	LOG(LC_APP, LL_INFO, "flood=done sent=%u replied=%u", fl->sent,
	    fl->replied);
	if (!fl->s->o.stay)
		sim_finish(fl->s, 0);
}

static void
on_done(void *arg, uint64_t tag, uint32_t status, unsigned conn_id)
{
	struct sim_flood *fl = arg;
	unsigned i = (unsigned)(tag & 0xffffffffu);
	uint32_t gen = (uint32_t)(tag >> 32);

	if (status == SMPP_ESME_ROK || i >= fl->k)
		return;
	fl->deliver_errors++;
	if (fl->nums[i].busy && fl->nums[i].gen == gen) {
		fl->failed++;
		busy_unlink(fl, i);
	}
}

struct emit_ctx {
	struct sim_flood *fl;
	uint64_t tag;
	int err;
};

static void
emit(void *arg, const uint8_t *pdu, size_t len, int part, int total)
{
	struct emit_ctx *e = arg;

	if (sim_deliver_queue(e->fl->s, NULL, pdu, len, 0, 0, on_done, e->fl,
			      e->tag) < 0)
		e->err = 1;
}

/* The MO text: --flood-text with %n replaced by the MO number. */
static size_t
mo_text(const char *fmt, unsigned nth, char *out, size_t cap)
{
	size_t o = 0;

	for (const char *p = fmt; *p && o + 12 < cap; p++) {
		if (p[0] == '%' && p[1] == 'n') {
			o += (size_t)snprintf(out + o, cap - o, "%u", nth);
			p++;
		} else if (p[0] == '%' && p[1] == '%') {
			out[o++] = '%';
			p++;
		} else {
			out[o++] = *p;
		}
	}
	out[o] = '\0';
	return o;
}

static void
pump(struct sim_flood *fl)
{
	struct sim *s = fl->s;

	while (!fl->ended && fl->started && fl->sent < fl->n &&
	       fl->inflight < fl->window) {
		struct sim_mo_spec spec;
		struct emit_ctx e = {fl, 0, 0};
		char text[SIM_MO_TEXT_MAX];
		const char *why = "";
		unsigned i = fl->next_num, tries = 0;

		while (fl->nums[i].busy && tries++ < fl->k)
			i = (i + 1) % fl->k;
		if (fl->nums[i].busy)
			return; /* fewer numbers than the window */
		fl->next_num = (i + 1) % fl->k;

		memset(&spec, 0, sizeof(spec));
		snprintf(spec.from, sizeof(spec.from), "%llu", fl->base + i);
		snprintf(spec.to, sizeof(spec.to), "%s", s->o.short_code);
		spec.enc = SIM_ENC_TEXT;
		spec.dcs = -1;
		spec.ref = -1;
		spec.body = (uint8_t *)text;
		spec.body_len = mo_text(s->o.flood_text, fl->sent + 1, text,
					sizeof(text));
		e.tag = (uint64_t)fl->nums[i].gen << 32 | i;
		fl->nums[i].sent_us = now_us();
		fl->nums[i].sent_ms = loop_now_ms();
		if (!fl->t0_us)
			fl->t0_us = fl->nums[i].sent_us;
		fl->sent++;
		busy_link(fl, i);
		if (sim_mo_build(&spec, &s->next_ref, emit, &e, &why) < 0 ||
		    e.err) {
			char v[96];

			fl->build_errors++;
			fl->failed++;
			busy_unlink(fl, i);
			LOG(LC_APP, LL_ERROR, "flood=mo_failed reason=%s",
			    log_value(v, sizeof(v),
				      e.err ? "queue full" : why));
		}
	}
	check_end(fl);
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct sim_flood *fl = arg;
	unsigned long long now = loop_now_ms();
	struct timeval tv = {0, TICK_MS * 1000};

	while (fl->busy_head >= 0 &&
	       now - fl->nums[fl->busy_head].sent_ms >= fl->s->o.timeout_ms) {
		fl->timeouts++;
		busy_unlink(fl, (unsigned)fl->busy_head);
	}
	pump(fl);
	if (!fl->ended)
		evtimer_add(fl->tick, &tv);
}

void
sim_flood_on_event(struct sim_flood *fl, struct sim_conn *c, enum sim_event ev)
{
	if (ev == SIM_EV_BOUND && sim_conn_is_rx(c) && !fl->started) {
		struct timeval tv = {0, TICK_MS * 1000};
		fl->started = 1;
		LOG(LC_APP, LL_INFO, "flood=start mos=%u window=%u numbers=%u",
		    fl->n, fl->window, fl->k);
		evtimer_add(fl->tick, &tv);
		pump(fl);
	}
}

void
sim_flood_on_pdu(struct sim_flood *fl, struct sim_conn *c,
		 const struct smpp_pdu *p)
{
	struct sim_body b;
	unsigned long long v, t;
	char *end;
	unsigned i;

	if (p->command_id != SMPP_SUBMIT_SM && p->command_id != SMPP_DATA_SM)
		return;
	sim_body_of(p, &b);
	errno = 0;
	v = strtoull(p->dest.addr[0] == '+' ? p->dest.addr + 1 : p->dest.addr,
		     &end, 10);
	if (errno || *end || v < fl->base || v - fl->base >= fl->k ||
	    (b.concat && b.seq != 1)) {
		fl->extra_mt++;
		return;
	}
	i = (unsigned)(v - fl->base);
	if (!fl->nums[i].busy) {
		fl->extra_mt++;
		return;
	}
	t = now_us();
	fl->lat_us[fl->nlat++] = (unsigned)(t - fl->nums[i].sent_us);
	fl->replied++;
	fl->tend_us = t;
	busy_unlink(fl, i);
	pump(fl);
}

struct sim_flood *
sim_flood_new(struct sim *s)
{
	struct sim_flood *fl = calloc(1, sizeof(*fl));
	char *end;

	if (!fl)
		return NULL;
	fl->s = s;
	fl->n = s->o.flood_n;
	fl->window = s->o.flood_window;
	fl->k = s->o.flood_numbers;
	errno = 0;
	fl->base = strtoull(s->o.flood_base, &end, 10);
	if (errno || *end || strlen(s->o.flood_base) > 15) {
		fprintf(stderr, "tawasul-smsc-sim: bad --flood-base\n");
		free(fl);
		return NULL;
	}
	fl->nums = calloc(fl->k, sizeof(*fl->nums));
	fl->lat_us = calloc(fl->n, sizeof(*fl->lat_us));
	fl->tick = evtimer_new(s->base, on_tick, fl);
	fl->busy_head = fl->busy_tail = -1;
	if (!fl->nums || !fl->lat_us || !fl->tick) {
		sim_flood_free(fl);
		return NULL;
	}
	return fl;
}

void
sim_flood_free(struct sim_flood *fl)
{
	if (!fl)
		return;
	if (fl->tick)
		event_free(fl->tick);
	free(fl->nums);
	free(fl->lat_us);
	free(fl);
}

static int
cmp_u(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

/* nearest-rank percentile of the sorted latencies, in ms */
static double
pct(const struct sim_flood *fl, unsigned p)
{
	size_t r;

	if (!fl->nlat)
		return 0;
	r = ((size_t)fl->nlat * p + 99) / 100;
	if (r == 0)
		r = 1;
	return fl->lat_us[r - 1] / 1000.0;
}

void
sim_flood_report(struct sim_flood *fl, FILE *f)
{
	double secs = 0, rate = 0;

	if (fl->t0_us && fl->tend_us > fl->t0_us)
		secs = (double)(fl->tend_us - fl->t0_us) / 1e6;
	if (secs > 0)
		rate = fl->replied / secs;
	qsort(fl->lat_us, fl->nlat, sizeof(*fl->lat_us), cmp_u);
	fprintf(f,
		"{\"flood\":{\"mos\":%u,\"sent\":%u,\"replied\":%u,"
		"\"timeouts\":%u,\"failed\":%u,\"deliver_errors\":%lu,"
		"\"extra_mt\":%lu,\"unsent\":%u,\"numbers\":%u,\"window\":%u,"
		"\"elapsed_ms\":%.1f,\"rate\":%.1f,"
		"\"latency_ms\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,"
		"\"max\":%.3f}}}\n",
		fl->n, fl->sent, fl->replied, fl->timeouts, fl->failed,
		fl->deliver_errors, fl->extra_mt, fl->n - fl->sent, fl->k,
		fl->window, secs * 1000, rate, pct(fl, 50), pct(fl, 90),
		pct(fl, 99), pct(fl, 100));
	fflush(f);
}
