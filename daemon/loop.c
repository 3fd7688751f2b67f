/*
 * loop.c - event loop with a before_sleep phase, deferred frees and
 * signal dispatch (DESIGN §2, §3).
 *
 * Owns the event_base, the hook list, the deferred-free queue and the
 * signal events. Signals are delivered through libevent's self-pipe, so
 * handlers run as ordinary callbacks. Does not know what the daemon does:
 * gateway.c registers what happens on SIGHUP and SIGTERM.
 */
#include "loop.h"

#include <errno.h>
#include <event2/event.h>
#include <stdlib.h>
#include <time.h>

#include "log.h"

#define LOOP_MAX_HOOKS   16
#define LOOP_MAX_SIGNALS 8

struct loop_hook {
	loop_fn *fn;
	void *arg;
};

struct loop_signal {
	struct event *ev;
	loop_signal_fn *fn;
	void *arg;
	struct loop *lp;
};

struct loop {
	struct event_base *base;
	struct loop_hook hooks[LOOP_MAX_HOOKS];
	int nhooks;
	struct loop_hook *frees;
	size_t nfrees, cap_frees;
	struct loop_signal sigs[LOOP_MAX_SIGNALS];
	int nsigs;
	int stop;
};

unsigned long long
loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 +
	       (unsigned long long)ts.tv_nsec / 1000000;
}

struct loop *
loop_new(void)
{
	struct loop *lp = calloc(1, sizeof(*lp));
	struct event_config *cfg = event_config_new();

	if (!lp || !cfg)
		goto fail;
	/* Timers on the monotonic clock, precise to the millisecond. */
	event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER);
	lp->base = event_base_new_with_config(cfg);
	if (!lp->base)
		goto fail;
	event_config_free(cfg);
	return lp;
fail:
	if (cfg)
		event_config_free(cfg);
	free(lp);
	return NULL;
}

static void
run_frees(struct loop *lp)
{
	/* A free may queue more frees: take the batch, then loop. */
	while (lp->nfrees) {
		size_t n = lp->nfrees;
		struct loop_hook *batch = lp->frees;
		lp->frees = NULL;
		lp->nfrees = lp->cap_frees = 0;
		for (size_t i = 0; i < n; i++)
			batch[i].fn(batch[i].arg);
		free(batch);
	}
}

void
loop_free(struct loop *lp)
{
	if (!lp)
		return;
	/* Their handlers' owners are gone by now: a late signal must not
	 * reach them during the passes below. */
	for (int i = 0; i < lp->nsigs; i++)
		event_del(lp->sigs[i].ev);
	/* Let objects freed from callbacks finish on their zero-delay events
	 * before the base goes. */
	for (int i = 0; i < 4; i++) {
		event_base_loop(lp->base, EVLOOP_NONBLOCK);
		run_frees(lp);
	}
	for (int i = 0; i < lp->nsigs; i++)
		event_free(lp->sigs[i].ev);
	event_base_free(lp->base);
	free(lp);
}

struct event_base *
loop_base(struct loop *lp)
{
	return lp->base;
}

int
loop_before_sleep(struct loop *lp, loop_fn *fn, void *arg)
{
	if (lp->nhooks == LOOP_MAX_HOOKS)
		return -ENOMEM;
	lp->hooks[lp->nhooks++] = (struct loop_hook){fn, arg};
	return 0;
}

int
loop_defer_free(struct loop *lp, loop_fn *fn, void *p)
{
	if (lp->nfrees == lp->cap_frees) {
		size_t cap = lp->cap_frees ? 2 * lp->cap_frees : 16;
		struct loop_hook *q = realloc(lp->frees, cap * sizeof(*q));
		if (!q) {
			fn(p);
			return -ENOMEM;
		}
		lp->frees = q;
		lp->cap_frees = cap;
	}
	lp->frees[lp->nfrees++] = (struct loop_hook){fn, p};
	return 0;
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct loop_signal *s = arg;

	LOG(LC_LOOP, LL_INFO, "signal=%d", (int)sig);
	s->fn((int)sig, s->arg);
}

int
loop_on_signal(struct loop *lp, int sig, loop_signal_fn *fn, void *arg)
{
	struct loop_signal *s;

	if (lp->nsigs == LOOP_MAX_SIGNALS)
		return -ENOMEM;
	s = &lp->sigs[lp->nsigs];
	*s = (struct loop_signal){NULL, fn, arg, lp};
	s->ev = evsignal_new(lp->base, sig, on_signal, s);
	if (!s->ev || evsignal_add(s->ev, NULL) < 0) {
		if (s->ev)
			event_free(s->ev);
		return -EIO;
	}
	lp->nsigs++;
	return 0;
}

static void
before_sleep(struct loop *lp)
{
	for (int i = 0; i < lp->nhooks; i++)
		lp->hooks[i].fn(lp->hooks[i].arg);
	run_frees(lp);
}

int
loop_run(struct loop *lp)
{
	lp->stop = 0;
	while (!lp->stop) {
		int rc = event_base_loop(lp->base, EVLOOP_ONCE);
		before_sleep(lp);
		if (rc < 0) {
			LOG(LC_LOOP, LL_ERROR, "error=event_base_loop");
			return -EIO;
		}
		if (rc == 1 && !lp->stop) {
			/* Nothing left to wait for: a daemon always has
			 * signal events, so this only happens in tests. */
			break;
		}
	}
	return 0;
}

void
loop_stop(struct loop *lp)
{
	lp->stop = 1;
	event_base_loopbreak(lp->base);
}
