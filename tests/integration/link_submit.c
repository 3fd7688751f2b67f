/*
 * link_submit.c - drives one smsc_link (the daemon's link layer) against
 * a live SMSC: binds, submits COUNT messages spread over DESTS numbers
 * ("<dest index>:<message index>" as text), waits for every result, then
 * unbinds. Used by link_test.sh with the simulator throttling and
 * refusing with a full queue, to prove nothing is lost or reordered.
 *
 * Usage: link_submit PORT COUNT DESTS [TPS [busy]]
 * With "offline" (PORT where nothing listens): submits while the link
 * cannot bind, then stops one link and frees another, checking that
 * every callback still runs exactly once (STOPPED), never inside the
 * call that caused it.
 * With "busy", the first COUNT - DESTS + 1 messages go to destination 0
 * and the last DESTS - 1 to one other destination each, in that order.
 * Prints "results ok=N failed=M elapsed_ms=T" and exits 0 when every
 * submit ended ESME_ROK.
 */
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "loop.h"
#include "smpp_session.h"
#include "smsc_link.h"

struct run {
	struct event_base *base;
	struct smsc_link *link;
	int count, dests, submitted, ok, failed, busy;
	unsigned long long t0;
};

static void
on_result(void *arg, uint32_t status, const char *message_id)
{
	struct run *r = arg;

	if (status == SMPP_ESME_ROK && message_id[0])
		r->ok++;
	else {
		r->failed++;
		fprintf(stderr, "submit failed status=0x%x\n", status);
	}
	if (r->ok + r->failed == r->count)
		smsc_link_stop(r->link);
}

static void
submit_all(struct run *r)
{
	char dst[32], text[32];
	struct smpp_pdu p;

	for (int i = 0; i < r->count; i++) {
		int d = i % r->dests, k = i / r->dests;
		if (r->busy) {
			int first = r->count - r->dests + 1;
			d = i < first ? 0 : i - first + 1;
			k = i < first ? i : 0;
		}
		smpp_pdu_init(&p, SMPP_SUBMIT_SM, 0, 0);
		p.source.ton = 3;
		snprintf(p.source.addr, sizeof(p.source.addr), "80008001");
		p.dest.ton = 1;
		p.dest.npi = 1;
		snprintf(dst, sizeof(dst), "9733%07d", d);
		snprintf(p.dest.addr, sizeof(p.dest.addr), "%s", dst);
		int n = snprintf(text, sizeof(text), "%d:%d", d, k);
		p.short_message = (const uint8_t *)text;
		p.sm_length = (uint8_t)n;
		if (smsc_link_submit(r->link, &p, on_result, r) < 0) {
			fprintf(stderr, "submit %d refused\n", i);
			exit(1);
		}
		r->submitted++;
	}
}

static void
on_state(void *arg, struct smsc_link *l, int can_submit)
{
	struct run *r = arg;

	if (can_submit && r->submitted == 0) {
		r->t0 = loop_now_ms();
		submit_all(r);
	}
}

static void
on_mo(void *arg, struct smsc_link *l, const struct smpp_pdu *pdu,
      struct smsc_mo_ref ref)
{
	smsc_link_mo_complete(l, ref, SMPP_ESME_ROK); /* receipts */
}

/* ---- offline: callbacks owed by a link that never bound ---------------- */

struct owed {
	int calls, stopped, inside;
};

static void
on_owed(void *arg, uint32_t status, const char *message_id)
{
	struct owed *o = arg;

	o->calls++;
	o->stopped += status == SMPP_SUBMIT_STOPPED;
	if (o->inside)
		o->inside = -1; /* ran inside the call: wrong */
}

static int
offline(struct event_base *base, const struct conf_smsc *c)
{
	struct smsc_link_ops ops = {.mo = on_mo};
	struct owed a = {0}, b = {0};
	struct smpp_pdu p;
	char err[256];
	int fails = 0;

	smpp_pdu_init(&p, SMPP_SUBMIT_SM, 0, 0);
	snprintf(p.dest.addr, sizeof(p.dest.addr), "97333000001");
	p.short_message = (const uint8_t *)"x";
	p.sm_length = 1;

	struct smsc_link *l = smsc_link_new(base, c, &ops, err, sizeof(err));
	smsc_link_start(l);
	for (int i = 0; i < 5; i++)
		smsc_link_submit(l, &p, on_owed, &a);
	struct timeval tv = {0, 300000};
	event_base_loopexit(base, &tv);
	event_base_dispatch(base); /* connect refused: BACKOFF */
	a.inside = 1;
	smsc_link_stop(l);
	if (a.inside < 0 || a.calls) {
		fprintf(stderr, "callbacks ran inside smsc_link_stop\n");
		fails++;
	}
	a.inside = 0;
	if (smsc_link_stopped(l)) {
		fprintf(stderr, "stopped before its callbacks ran\n");
		fails++;
	}
	for (int i = 0; i < 100 && !smsc_link_stopped(l); i++)
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	if (a.calls != 5 || a.stopped != 5 || !smsc_link_stopped(l)) {
		fprintf(stderr, "stop: calls=%d stopped=%d\n", a.calls,
			a.stopped);
		fails++;
	}
	smsc_link_free(l);

	l = smsc_link_new(base, c, &ops, err, sizeof(err));
	smsc_link_start(l);
	for (int i = 0; i < 5; i++)
		smsc_link_submit(l, &p, on_owed, &b);
	smsc_link_free(l); /* owed callbacks run now */
	if (b.calls != 5 || b.stopped != 5) {
		fprintf(stderr, "free: calls=%d stopped=%d\n", b.calls,
			b.stopped);
		fails++;
	}
	printf("offline stop_calls=%d free_calls=%d\n", a.calls, b.calls);
	return fails ? 1 : 0;
}

static void
check_done(evutil_socket_t fd, short what, void *arg)
{
	struct run *r = arg;

	if (r->ok + r->failed == r->count && smsc_link_stopped(r->link))
		event_base_loopbreak(r->base);
}

int
main(int argc, char **argv)
{
	struct run r = {0};
	struct conf_smsc c = {0};
	struct smsc_link_ops ops = {.arg = &r, .mo = on_mo, .state = on_state};
	char err[256];

	if (argc < 4) {
		fprintf(stderr, "usage: link_submit PORT COUNT DESTS [TPS]\n");
		return 2;
	}
	log_spec_apply(getenv("TAWASUL_LOG") ? getenv("TAWASUL_LOG") : "warn");
	r.count = atoi(argv[2]);
	r.dests = atoi(argv[3]);
	r.busy = argc > 5 && strcmp(argv[5], "busy") == 0;
	snprintf(c.name, sizeof(c.name), "sim");
	c.host = "127.0.0.1";
	c.port = atoi(argv[1]);
	c.system_id = "tawasul";
	c.password = "secret";
	c.system_type = "";
	c.bind = "transceiver";
	c.window = 10;
	c.tps = argc > 4 ? atoi(argv[4]) : 100000;
	c.ussd_profile = "standard";
	c.tls_ca_file = "";
	c.timers.ms[T_SMSC_CONNECT] = 2000;
	c.timers.ms[T_SMSC_BIND] = 2000;
	c.timers.ms[T_SMSC_ENQUIRE] = 30000;
	c.timers.ms[T_SMSC_RESPONSE] = 5000;
	c.timers.ms[T_SMSC_BACKOFF_MIN] = 100;
	c.timers.ms[T_SMSC_BACKOFF_MAX] = 500;
	c.timers.ms[T_SMSC_THROTTLE] = 50;

	r.base = event_base_new();
	if (argc > 5 && strcmp(argv[5], "offline") == 0) {
		int rc = offline(r.base, &c);
		event_base_free(r.base);
		return rc;
	}
	r.link = smsc_link_new(r.base, &c, &ops, err, sizeof(err));
	if (!r.link) {
		fprintf(stderr, "link: %s\n", err);
		return 1;
	}
	smsc_link_start(r.link);
	struct event *tick = event_new(r.base, -1, EV_PERSIST, check_done, &r);
	struct timeval tv = {0, 10000};
	event_add(tick, &tv);
	event_base_dispatch(r.base);
	printf("results ok=%d failed=%d elapsed_ms=%llu\n", r.ok, r.failed,
	       loop_now_ms() - r.t0);
	event_free(tick);
	smsc_link_free(r.link);
	event_base_free(r.base);
	return r.failed == 0 && r.ok == r.count ? 0 : 1;
}
