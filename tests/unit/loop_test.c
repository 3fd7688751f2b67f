/*
 * loop_test.c - the before_sleep phase runs after every pass, deferred
 * frees run there (and may queue more), signals reach their handler from
 * the loop, loop_stop() ends loop_run().
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <event2/event.h>

#include "loop.h"

struct counts {
	struct loop *lp;
	int timer_fires, hooks, frees, signals, order_ok;
	struct event *tm;
};

static void
on_free2(void *arg)
{
	struct counts *c = arg;
	c->frees++;
}

static void
on_free(void *arg)
{
	struct counts *c = arg;
	c->frees++;
	loop_defer_free(c->lp, on_free2, c); /* queued from a free */
}

static void
on_hook(void *arg)
{
	struct counts *c = arg;
	c->hooks++;
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct counts *c = arg;

	c->timer_fires++;
	if (c->timer_fires == 1) {
		loop_defer_free(c->lp, on_free, c);
		/* the free must not have run yet: we are in a callback */
		c->order_ok = (c->frees == 0);
		struct timeval tv = {0, 1000};
		evtimer_add(c->tm, &tv);
	} else if (c->timer_fires == 2) {
		raise(SIGUSR1);
	}
}

static void
on_sig(int sig, void *arg)
{
	struct counts *c = arg;
	c->signals++;
	loop_stop(c->lp);
}

static void
test_loop(void **state)
{
	struct counts c = {0};
	struct timeval tv = {0, 1000};

	c.lp = loop_new();
	assert_non_null(c.lp);
	assert_int_equal(loop_before_sleep(c.lp, on_hook, &c), 0);
	assert_int_equal(loop_on_signal(c.lp, SIGUSR1, on_sig, &c), 0);
	c.tm = evtimer_new(loop_base(c.lp), on_timer, &c);
	evtimer_add(c.tm, &tv);

	assert_int_equal(loop_run(c.lp), 0);
	assert_int_equal(c.timer_fires, 2);
	assert_int_equal(c.signals, 1);
	assert_true(c.order_ok);
	assert_int_equal(c.frees, 2);
	assert_true(c.hooks >= 3); /* timer, timer, signal passes */
	event_free(c.tm);
	/* A signal after the loop ended never reaches its handler, whose
	 * owner may be gone (loop_free() runs a few passes of its own). */
	raise(SIGUSR1);
	loop_free(c.lp);
	assert_int_equal(c.signals, 1);
}

static void
test_monotonic(void **state)
{
	unsigned long long a = loop_now_ms(), b = loop_now_ms();
	assert_true(b >= a);
	assert_true(a > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loop),
		cmocka_unit_test(test_monotonic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
