/*
 * redis_client.c - one asynchronous Redis connection (DESIGN §2 "hiredis",
 * §3; SPEC §9 [redis]): hiredis 0.14 async on our event_base, plus what
 * hiredis lacks.
 *
 * Owns: the hiredis context (at most one at a time), one record per command
 * sent (struct rc_cmd) until both its user callback has run and hiredis has
 * let go of it, the commands failed "at once" until their callback runs from
 * the loop, and four events: the state timer (connect timeout in
 * CONNECTING, retry delay in BACKOFF), the command deadline timer, the
 * zero-delay "fail at once" event and the zero-delay reap event.
 *
 * How the hiredis traps are handled:
 * - No connect timeout: entering CONNECTING arms the state timer; on expiry
 *   we detach the context and redisAsyncFree() it ourselves.
 * - After a failed connect hiredis frees the context and never calls the
 *   disconnect callback: the connect callback forgets it (rc->ac = NULL).
 * - When we free a context the disconnect callback says REDIS_OK: we always
 *   detach first (rc->ac = NULL) and keep the reason in rc->drop_reason, so
 *   a disconnect callback for a context that is not rc->ac is one we caused.
 * - A NULL reply means hiredis is tearing the context down (error or our
 *   own redisAsyncFree()); every command callback still runs then, so each
 *   record has a 'done' flag (user callback ran) and a 'hiredis' flag
 *   (hiredis still holds the pointer); it is freed when both say so. The
 *   user callback therefore runs exactly once.
 * - No command timeout: every command gets a deadline; replies arrive in
 *   order, so one timer watches the oldest. It is re-armed lazily: when it
 *   fires early for a command that has since completed it simply re-arms
 *   for the new oldest. A passed deadline means the connection is stuck:
 *   that command fails with "timeout", the others with "connection lost",
 *   and we reconnect with backoff.
 * - redisAsyncFree() must not run inside a hiredis callback of the same
 *   context (inside the connect callback it is a use-after-free, inside the
 *   disconnect callback a double free). rc->depth counts our callbacks on
 *   the stack; redis_client_free() with depth > 0 defers the release to
 *   the reap event.
 * - RESP2 only: HELLO with a protocol other than 2 is refused, and so are
 *   (P)SUBSCRIBE/(P)UNSUBSCRIBE/MONITOR, whose callbacks hiredis calls many
 *   times (use a dedicated client for pub/sub if ever needed).
 * - Binary safe: always redisAsyncCommandArgv() with lengths.
 *
 * Does not: resolve host names (numeric addresses only), AUTH or SELECT
 * (send them yourself on READY), TLS, pub/sub, retry failed commands
 * (a failure is reported once; the caller decides).
 */
#include <hiredis/hiredis.h>

#include "redis_client.h"
#include "backoff.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define RC_DEF_CONNECT_TIMEOUT_MS 2000
#define RC_DEF_COMMAND_TIMEOUT_MS 1000
#define RC_DEF_BACKOFF_MIN_MS     100
#define RC_DEF_BACKOFF_MAX_MS     3000
#define RC_DEF_MAX_INFLIGHT       1024
#define RC_REASON_MAX             128

struct rc_cmd {
	TAILQ_ENTRY(rc_cmd) link; /* rc->pending or rc->failed */
	struct redis_client *rc;
	redis_client_cb *cb;
	void *arg;
	uint64_t deadline_ms; /* monotonic */
	const char *err;      /* static reason, for commands failed at once */
	unsigned done : 1;    /* user callback has run (or is running) */
	unsigned hiredis : 1; /* hiredis still holds this as privdata */
	unsigned queued : 1;  /* on rc->pending */
};

TAILQ_HEAD(rc_cmd_list, rc_cmd);

struct redis_client {
	struct event_base *base;
	char *name;
	char *host;
	int port;
	unsigned connect_timeout_ms, command_timeout_ms;
	unsigned max_inflight;

	enum redis_client_state state;
	redis_state_cb *state_cb;
	void *state_arg;

	redisAsyncContext *ac;   /* live context, or NULL once detached */
	const char *drop_reason; /* why we last detached a context */
	struct backoff bo;       /* reconnect delays; reset on READY */

	struct rc_cmd_list pending; /* sent, user callback not yet run */
	struct rc_cmd_list failed;  /* failed at once, callback not yet run */
	unsigned npending;

	struct event *state_timer, *cmd_timer, *fail_ev, *reap_ev;
	int depth; /* our callbacks on the stack */
	int closed;

	struct redis_client_stats st;
};

/* ---------------------------------------------------------- state table */

enum rc_timer { RC_T_NONE, RC_T_CONNECT, RC_T_BACKOFF };

#define B(s) (1u << (s))

static const struct {
	const char *name;
	unsigned next;       /* allowed next states */
	enum rc_timer timer; /* state timer armed on entry */
	enum log_level lvl;  /* level of the line logging the entry */
} rc_states[] = {
	[RC_IDLE] = {"IDLE", B(RC_CONNECTING) | B(RC_CLOSED), RC_T_NONE,
		     LL_INFO},
	[RC_CONNECTING] = {"CONNECTING",
			   B(RC_READY) | B(RC_BACKOFF) | B(RC_CLOSED),
			   RC_T_CONNECT, LL_INFO},
	[RC_READY] = {"READY", B(RC_BACKOFF) | B(RC_CLOSED), RC_T_NONE,
		      LL_INFO},
	[RC_BACKOFF] = {"BACKOFF", B(RC_CONNECTING) | B(RC_CLOSED),
			RC_T_BACKOFF, LL_WARN},
	[RC_CLOSED] = {"CLOSED", 0, RC_T_NONE, LL_INFO},
};

#undef B

const char *
redis_client_state_name(enum redis_client_state s)
{
	if ((unsigned)s >= sizeof(rc_states) / sizeof(rc_states[0]))
		return "?";
	return rc_states[s].name;
}

static uint64_t
rc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
rc_timer_add(struct event *ev, uint64_t ms)
{
	struct timeval tv = {(time_t)(ms / 1000),
			     (suseconds_t)(ms % 1000) * 1000};

	evtimer_add(ev, &tv);
}

/*
 * The one state setter: checks the table, arms the entry timer, logs
 * "redis=NAME state=OLD->NEW", then tells the owner. reason (may be NULL)
 * explains a failure.
 */
static int
rc_set_state(struct redis_client *rc, enum redis_client_state new_state,
	     const char *reason)
{
	enum redis_client_state old = rc->state;
	char rbuf[RC_REASON_MAX], extra[80] = "";
	unsigned delay = 0;

	if (!(rc_states[old].next & (1u << new_state))) {
		LOG(LC_REDIS, LL_ERROR,
		    "redis=%s state=%s->%s reason=\"transition not allowed\"",
		    rc->name, rc_states[old].name, rc_states[new_state].name);
		return -EINVAL;
	}
	rc->state = new_state;
	evtimer_del(rc->state_timer);
	switch (rc_states[new_state].timer) {
	case RC_T_CONNECT:
		delay = rc->connect_timeout_ms;
		snprintf(extra, sizeof(extra),
			 strchr(rc->host, ':') ? " addr=[%s]:%d"
					       : " addr=%s:%d",
			 rc->host, rc->port);
		break;
	case RC_T_BACKOFF:
		delay = backoff_next(&rc->bo);
		snprintf(extra, sizeof(extra), " retry_ms=%u", delay);
		break;
	case RC_T_NONE:
		break;
	}
	if (rc_states[new_state].timer != RC_T_NONE)
		rc_timer_add(rc->state_timer, delay);

	if (reason)
		LOG(LC_REDIS, rc_states[new_state].lvl,
		    "redis=%s state=%s->%s reason=%s%s", rc->name,
		    rc_states[old].name, rc_states[new_state].name,
		    log_value(rbuf, sizeof(rbuf), reason), extra);
	else
		LOG(LC_REDIS, rc_states[new_state].lvl,
		    "redis=%s state=%s->%s%s", rc->name, rc_states[old].name,
		    rc_states[new_state].name, extra);

	if (rc->state_cb) {
		rc->depth++;
		rc->state_cb(rc->state_arg, old, new_state);
		rc->depth--;
	}
	return 0;
}

/* ------------------------------------------------------------- commands */

/*
 * Runs the user callback of cmd once and forgets cmd (frees it unless
 * hiredis still holds it). The caller must not touch cmd afterwards.
 */
static void
rc_cmd_finish(struct redis_client *rc, struct rc_cmd *cmd,
	      const redisReply *reply, const char *err)
{
	if (cmd->done)
		return;
	cmd->done = 1;
	if (cmd->queued) {
		TAILQ_REMOVE(&rc->pending, cmd, link);
		cmd->queued = 0;
		rc->npending--;
	}
	if (reply)
		rc->st.commands_ok++;
	else
		rc->st.commands_failed++;
	if (cmd->cb) {
		rc->depth++;
		cmd->cb(cmd->arg, reply, err);
		rc->depth--;
	}
	if (!cmd->hiredis)
		free(cmd);
}

/*
 * Forgets the current context: the state goes to BACKOFF (unless closed),
 * every outstanding command fails (the first with first_err if given, the
 * others with "connection lost"), then, if free_ac, the context is freed
 * here. free_ac must be 0 when hiredis is already freeing it.
 */
static void
rc_drop(struct redis_client *rc, const char *reason, const char *first_err,
	int free_ac)
{
	redisAsyncContext *ac = rc->ac;
	const char *err = first_err ? first_err : "connection lost";
	struct rc_cmd *cmd;

	rc->ac = NULL;
	rc->drop_reason = free_ac ? reason : NULL;
	evtimer_del(rc->cmd_timer);
	if (rc->state == RC_READY)
		rc->st.disconnects++;
	if (!rc->closed)
		rc_set_state(rc, RC_BACKOFF, reason);
	while ((cmd = TAILQ_FIRST(&rc->pending)) != NULL) {
		rc_cmd_finish(rc, cmd, NULL, err);
		err = "connection lost";
	}
	if (free_ac && ac)
		redisAsyncFree(ac); /* our command callbacks see done records */
}

/* hiredis command callback: exactly one per command we sent. */
static void
rc_on_reply(redisAsyncContext *ac, void *r, void *privdata)
{
	struct rc_cmd *cmd = privdata;
	struct redis_client *rc = cmd->rc;

	cmd->hiredis = 0;
	if (cmd->done) {
		free(cmd);
		return;
	}
	rc->depth++;
	if (r) {
		rc_cmd_finish(rc, cmd, r, NULL);
	} else if (rc->ac == ac && !rc->closed) {
		/* NULL reply: hiredis is freeing the context after an error. */
		rc_drop(rc, ac->errstr ? ac->errstr : "connection lost", NULL,
			0);
	} else {
		rc_cmd_finish(rc, cmd, NULL, "connection lost");
	}
	rc->depth--;
}

static void
rc_on_connect(const redisAsyncContext *cac, int status)
{
	redisAsyncContext *ac = (redisAsyncContext *)cac;
	struct redis_client *rc = ac->data;

	if (rc->ac != ac)
		return; /* not ours any more; cannot happen, be safe */
	rc->depth++;
	if (status != REDIS_OK) {
		/* hiredis frees ac after we return; no disconnect callback. */
		if (rc->closed)
			rc->ac = NULL;
		else
			rc_drop(rc, ac->errstr ? ac->errstr : "connect failed",
				NULL, 0);
	} else if (!rc->closed) {
		rc->st.connects++;
		backoff_reset(&rc->bo);
		redisEnableKeepAlive(&ac->c);
		rc_set_state(rc, RC_READY, NULL);
	}
	rc->depth--;
}

static void
rc_on_disconnect(const redisAsyncContext *cac, int status)
{
	redisAsyncContext *ac = (redisAsyncContext *)cac;
	struct redis_client *rc = ac->data;
	char rbuf[RC_REASON_MAX];

	rc->depth++;
	if (rc->ac != ac) {
		/* Already handled: either we detached and freed it (status is
		 * REDIS_OK regardless, the reason is in drop_reason) or a
		 * NULL reply told us hiredis is freeing it after an error. */
		LOG(LC_REDIS, LL_DEBUG, "redis=%s event=disconnected reason=%s",
		    rc->name,
		    log_value(rbuf, sizeof(rbuf),
			      status == REDIS_OK && rc->drop_reason
				      ? rc->drop_reason
			      : ac->err && ac->errstr ? ac->errstr
						      : "connection closed"));
	} else if (rc->closed) {
		rc->ac = NULL;
	} else {
		rc_drop(rc,
			ac->errstr && ac->err ? ac->errstr
					      : "connection closed",
			NULL, 0);
	}
	rc->depth--;
}

/* Opens a new context and enters CONNECTING (or BACKOFF at once). */
static void
rc_connect(struct redis_client *rc)
{
	redisAsyncContext *ac;
	char reason[RC_REASON_MAX];

	ac = redisAsyncConnect(rc->host, rc->port);
	if (!ac) {
		snprintf(reason, sizeof(reason), "out of memory");
		goto fail;
	}
	if (ac->err) {
		snprintf(reason, sizeof(reason), "%s", ac->errstr);
		goto fail_free;
	}
	ac->data = rc;
	if (redisLibeventAttach(ac, rc->base) != REDIS_OK ||
	    redisAsyncSetConnectCallback(ac, rc_on_connect) != REDIS_OK ||
	    redisAsyncSetDisconnectCallback(ac, rc_on_disconnect) != REDIS_OK) {
		snprintf(reason, sizeof(reason), "hiredis setup failed");
		goto fail_free;
	}
	rc->ac = ac;
	rc_set_state(rc, RC_CONNECTING, NULL);
	return;

fail_free:
	redisAsyncFree(ac); /* not connected: no callbacks run */
fail:
	rc_set_state(rc, RC_CONNECTING, NULL);
	if (!rc->closed)
		rc_set_state(rc, RC_BACKOFF, reason);
}

static void
rc_state_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct redis_client *rc = arg;

	rc->depth++;
	if (rc->state == RC_CONNECTING)
		rc_drop(rc, "connect timeout", NULL, 1);
	else if (rc->state == RC_BACKOFF)
		rc_connect(rc);
	rc->depth--;
}

static void
rc_cmd_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct redis_client *rc = arg;
	struct rc_cmd *head = TAILQ_FIRST(&rc->pending);
	uint64_t now;

	if (!head || rc->closed || !rc->ac)
		return;
	now = rc_now_ms();
	if (head->deadline_ms > now) {
		rc_timer_add(rc->cmd_timer, head->deadline_ms - now);
		return;
	}
	rc->depth++;
	rc->st.timeouts++;
	LOG(LC_REDIS, LL_WARN,
	    "redis=%s event=command_timeout timeout_ms=%u inflight=%u",
	    rc->name, rc->command_timeout_ms, rc->npending);
	rc_drop(rc, "command timeout", "timeout", 1);
	rc->depth--;
}

/* Runs the callbacks of commands that failed at once. Only those queued
 * when the pass began, so a callback that retries cannot spin the loop. */
/* Runs the failed commands' callbacks from the next loop pass: a zero-delay
 * timer rather than event_active(), so a callback that retries at once
 * cannot keep the loop from ever polling. */
static void
rc_fail_later(struct redis_client *rc)
{
	static const struct timeval zero = {0, 0};

	evtimer_add(rc->fail_ev, &zero);
}

/* Runs the callbacks of commands that failed at once, up to and including
 * last (all of them when last is NULL); stops early if a callback closes
 * the client and stop_on_close is set. Callers hold rc->depth. */
static void
rc_run_failed(struct redis_client *rc, struct rc_cmd *last, int stop_on_close)
{
	struct rc_cmd *cmd;
	int more = 1;

	while (more && !(stop_on_close && rc->closed) &&
	       (cmd = TAILQ_FIRST(&rc->failed))) {
		more = cmd != last;
		TAILQ_REMOVE(&rc->failed, cmd, link);
		rc->st.commands_failed++;
		if (cmd->cb)
			cmd->cb(cmd->arg, NULL, cmd->err);
		free(cmd);
	}
}

static void
rc_fail_cb(evutil_socket_t fd, short what, void *arg)
{
	struct redis_client *rc = arg;

	rc->depth++;
	rc_run_failed(rc, TAILQ_LAST(&rc->failed, rc_cmd_list), 1);
	rc->depth--;
	if (!rc->closed && !TAILQ_EMPTY(&rc->failed))
		rc_fail_later(rc);
}

static int
rc_fail_at_once(struct redis_client *rc, struct rc_cmd *cmd, int errnum,
		const char *err)
{
	cmd->err = err;
	TAILQ_INSERT_TAIL(&rc->failed, cmd, link);
	rc_fail_later(rc);
	LOG(LC_REDIS, LL_DEBUG, "redis=%s event=command_failed reason=\"%s\"",
	    rc->name, err);
	return -errnum;
}

static int
rc_word_is(const char *s, size_t len, const char *word)
{
	return len == strlen(word) && strncasecmp(s, word, len) == 0;
}

/* Commands whose callbacks hiredis would call more than once or never
 * (which would shift every later reply onto the wrong callback), and
 * anything asking for RESP3. */
static const char *
rc_refuse(int argc, const char **argv, const size_t *argvlen)
{
	static const char *const multi[] = {
		"subscribe",    "psubscribe",   "ssubscribe", "unsubscribe",
		"punsubscribe", "sunsubscribe", "monitor",
	};
	size_t i;

	for (i = 0; i < sizeof(multi) / sizeof(multi[0]); i++)
		if (rc_word_is(argv[0], argvlen[0], multi[i]))
			return "unsupported command";
	if (rc_word_is(argv[0], argvlen[0], "hello") && argc > 1 &&
	    !(argvlen[1] == 1 && argv[1][0] == '2'))
		return "RESP3 not supported";
	/* CLIENT REPLY OFF|SKIP: replies stop, callbacks would shift. */
	if (rc_word_is(argv[0], argvlen[0], "client") && argc > 2 &&
	    rc_word_is(argv[1], argvlen[1], "reply") &&
	    !rc_word_is(argv[2], argvlen[2], "on"))
		return "unsupported command";
	return NULL;
}

int
redis_client_command(struct redis_client *rc, int argc, const char **argv,
		     const size_t *argvlen, redis_client_cb *cb, void *arg)
{
	struct rc_cmd *cmd;
	const char *why;
	int i;

	if (!rc)
		return -EINVAL;
	if (rc->closed)
		return -ESHUTDOWN;
	cmd = calloc(1, sizeof(*cmd));
	if (!cmd)
		return -ENOMEM;
	cmd->rc = rc;
	cmd->cb = cb;
	cmd->arg = arg;

	if (argc < 1 || !argv || !argvlen)
		return rc_fail_at_once(rc, cmd, EINVAL, "invalid arguments");
	for (i = 0; i < argc; i++)
		if (!argv[i] && argvlen[i])
			return rc_fail_at_once(rc, cmd, EINVAL,
					       "invalid arguments");
	why = rc_refuse(argc, argv, argvlen);
	if (why)
		return rc_fail_at_once(rc, cmd, EINVAL, why);
	if (rc->state != RC_READY || !rc->ac)
		return rc_fail_at_once(rc, cmd, ENOTCONN, "not connected");
	if (rc->npending >= rc->max_inflight)
		return rc_fail_at_once(rc, cmd, ENOBUFS,
				       "too many commands in flight");

	cmd->deadline_ms = rc_now_ms() + rc->command_timeout_ms;
	cmd->hiredis = 1;
	if (redisAsyncCommandArgv(rc->ac, rc_on_reply, cmd, argc, argv,
				  argvlen) != REDIS_OK) {
		cmd->hiredis = 0;
		return rc_fail_at_once(rc, cmd, EIO, "out of memory");
	}
	cmd->queued = 1;
	TAILQ_INSERT_TAIL(&rc->pending, cmd, link);
	rc->npending++;
	if (!evtimer_pending(rc->cmd_timer, NULL))
		rc_timer_add(rc->cmd_timer, rc->command_timeout_ms);
	return 0;
}

/* ------------------------------------------------------------ lifecycle */

static void
rc_release(struct redis_client *rc)
{
	redisAsyncContext *ac = rc->ac;

	rc->ac = NULL;
	rc->drop_reason = "closed";
	if (ac)
		redisAsyncFree(
			ac); /* records are all done: hiredis frees them */
	if (rc->state_timer)
		event_free(rc->state_timer);
	if (rc->cmd_timer)
		event_free(rc->cmd_timer);
	if (rc->fail_ev)
		event_free(rc->fail_ev);
	if (rc->reap_ev)
		event_free(rc->reap_ev);
	free(rc->name);
	free(rc->host);
	free(rc);
}

static void
rc_reap_cb(evutil_socket_t fd, short what, void *arg)
{
	rc_release(arg); /* frees reap_ev inside its own callback: libevent
			    allows it for a non-persistent event */
}

struct redis_client *
redis_client_new(struct event_base *base, const struct redis_client_opts *opts)
{
	struct redis_client *rc = NULL;
	unsigned char addr[sizeof(struct in6_addr)];
	int err = ENOMEM;

	if (!base || !opts || !opts->host || opts->port <= 0 ||
	    opts->port > 65535 ||
	    (inet_pton(AF_INET, opts->host, addr) != 1 &&
	     inet_pton(AF_INET6, opts->host, addr) != 1)) {
		err = EINVAL;
		goto fail;
	}
	rc = calloc(1, sizeof(*rc));
	if (!rc)
		goto fail;
	rc->base = base;
	rc->name = strdup(opts->name ? opts->name : "redis");
	rc->host = strdup(opts->host);
	if (!rc->name || !rc->host)
		goto fail;
	rc->port = opts->port;
	rc->connect_timeout_ms = opts->connect_timeout_ms
					 ? opts->connect_timeout_ms
					 : RC_DEF_CONNECT_TIMEOUT_MS;
	rc->command_timeout_ms = opts->command_timeout_ms
					 ? opts->command_timeout_ms
					 : RC_DEF_COMMAND_TIMEOUT_MS;
	rc->max_inflight =
		opts->max_inflight ? opts->max_inflight : RC_DEF_MAX_INFLIGHT;
	rc->state = RC_IDLE;
	backoff_init(&rc->bo,
		     opts->backoff_min_ms ? opts->backoff_min_ms
					  : RC_DEF_BACKOFF_MIN_MS,
		     opts->backoff_max_ms ? opts->backoff_max_ms
					  : RC_DEF_BACKOFF_MAX_MS,
		     (rc_now_ms() << 20) ^ (uint64_t)(uintptr_t)rc ^
			     ((uint64_t)getpid() << 40));
	TAILQ_INIT(&rc->pending);
	TAILQ_INIT(&rc->failed);

	rc->state_timer = evtimer_new(base, rc_state_timer_cb, rc);
	rc->cmd_timer = evtimer_new(base, rc_cmd_timer_cb, rc);
	rc->fail_ev = event_new(base, -1, 0, rc_fail_cb, rc);
	rc->reap_ev = event_new(base, -1, 0, rc_reap_cb, rc);
	if (!rc->state_timer || !rc->cmd_timer || !rc->fail_ev || !rc->reap_ev)
		goto fail;
	return rc;

fail:
	if (rc)
		rc_release(rc);
	errno = err;
	return NULL;
}

int
redis_client_start(struct redis_client *rc)
{
	if (!rc)
		return -EINVAL;
	if (rc->closed)
		return -ESHUTDOWN;
	if (rc->state != RC_IDLE)
		return -EALREADY;
	rc->depth++;
	rc_connect(rc);
	rc->depth--;
	return 0;
}

void
redis_client_on_state(struct redis_client *rc, redis_state_cb *cb, void *arg)
{
	if (!rc)
		return;
	rc->state_cb = cb;
	rc->state_arg = arg;
}

enum redis_client_state
redis_client_state(const struct redis_client *rc)
{
	return rc ? rc->state : RC_CLOSED;
}

void
redis_client_free(struct redis_client *rc)
{
	struct rc_cmd *cmd;

	if (!rc || rc->closed)
		return;
	rc->closed = 1;
	rc->state_cb = NULL; /* the owner is going away: no state callback */
	rc_set_state(rc, RC_CLOSED, NULL);
	evtimer_del(rc->cmd_timer);

	/* Every callback not yet run, runs now, once. */
	rc->depth++;
	while ((cmd = TAILQ_FIRST(&rc->pending)) != NULL)
		rc_cmd_finish(rc, cmd, NULL, "closed");
	rc_run_failed(rc, NULL, 0);
	rc->depth--;
	event_del(rc->fail_ev);

	if (rc->depth == 0)
		rc_release(rc);
	else
		event_active(rc->reap_ev, EV_TIMEOUT, 0);
}

void
redis_client_stats(const struct redis_client *rc,
		   struct redis_client_stats *out)
{
	if (!out)
		return;
	if (!rc) {
		memset(out, 0, sizeof(*out));
		return;
	}
	*out = rc->st;
	out->inflight = rc->npending;
}

const char *
redis_client_why(const redisReply *reply, const char *err)
{
	if (err)
		return err;
	if (reply && reply->type == REDIS_REPLY_ERROR && reply->str)
		return reply->str;
	return "unexpected reply";
}
