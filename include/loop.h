/*
 * loop.h - the event loop (DESIGN §2 libevent row, §3).
 *
 * libevent has no pre-sleep hook, so the loop runs event_base_loop() with
 * EVLOOP_ONCE and after every pass runs the before_sleep phase: hooks
 * registered with loop_before_sleep() (flush batched commands, ...), then
 * the deferred frees queued with loop_defer_free() (objects must never be
 * freed inside their own callbacks).
 */
#ifndef TAWASUL_LOOP_H
#define TAWASUL_LOOP_H

struct event_base;
struct loop;

typedef void loop_fn(void *arg);
typedef void loop_signal_fn(int sig, void *arg);

/* Returns a new loop, free with loop_free(). */
struct loop *loop_new(void);
void loop_free(struct loop *lp);
struct event_base *loop_base(struct loop *lp);

/* Registers fn to run in every before_sleep phase; 0 or -ENOMEM. */
int loop_before_sleep(struct loop *lp, loop_fn *fn, void *arg);
/* Runs fn(p) in the next before_sleep phase (never later than the end of
 * this pass); 0 or -ENOMEM (then fn runs at once). */
int loop_defer_free(struct loop *lp, loop_fn *fn, void *p);
/* Calls fn from the loop (not from the signal handler) on sig. */
int loop_on_signal(struct loop *lp, int sig, loop_signal_fn *fn, void *arg);

/* Runs until loop_stop(); returns 0, or -EIO when libevent failed. */
int loop_run(struct loop *lp);
void loop_stop(struct loop *lp);

/* Milliseconds on the monotonic clock. */
unsigned long long loop_now_ms(void);

#endif
