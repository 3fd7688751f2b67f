/*
 * redis_client.h - asynchronous Redis client: hiredis 0.14 async + the
 * libevent adapter, with what hiredis lacks (DESIGN §2): its own connection
 * state machine with backoff and jitter, a connect timeout, a deadline on
 * every command, a cap on commands in flight. Commands always go in argv
 * form with lengths (binary safe). RESP2 only.
 *
 *   IDLE -> CONNECTING -> READY -> (error/timeout) -> BACKOFF -> CONNECTING
 *   any state -> CLOSED (redis_client_free)
 *
 * While not READY, or with max_inflight commands outstanding, a command
 * fails at once (callback from the loop, never inside the call).
 *
 * Every callback given to redis_client_command() runs exactly once: with
 * the reply, or with reply == NULL and err one of
 *   "timeout"                      its deadline passed (the connection is
 *                                  then dropped and re-established)
 *   "connection lost"              the connection went away meanwhile
 *   "closed"                       redis_client_free() was called
 *   "not connected"                (-ENOTCONN) state was not READY
 *   "too many commands in flight"  (-ENOBUFS) max_inflight reached
 *   "unsupported command"          (-EINVAL) (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE,
 *                                  MONITOR, CLIENT REPLY OFF|SKIP: their
 *                                  replies do not pair one-to-one
 *   "RESP3 not supported"          (-EINVAL) HELLO with a version other
 *                                  than 2
 *   "invalid arguments"            (-EINVAL) argc < 1, NULL argv/argvlen
 *   "out of memory"                (-EIO) hiredis could not queue it
 * A Redis error reply (-ERR ...) is a reply: reply->type ==
 * REDIS_REPLY_ERROR, err == NULL.
 *
 * A blocking command (BLPOP, XREADGROUP BLOCK ...) holds the connection:
 * give it a client of its own with command_timeout_ms above the block time.
 */
#ifndef TAWASUL_REDIS_CLIENT_H
#define TAWASUL_REDIS_CLIENT_H

/* hiredis's own typedef, repeated (C11 allows it) so that this header
 * needs no I/O library header. */
typedef struct redisReply redisReply;
#include <errno.h>
#include <stddef.h>

struct event_base;
struct redis_client;

enum redis_client_state {
	RC_IDLE,
	RC_CONNECTING,
	RC_READY,
	RC_BACKOFF,
	RC_CLOSED,
};

/* A zero field takes its default. */
struct redis_client_opts {
	const char *name; /* log prefix: redis=NAME; copied */
	const char *host; /* numeric address, e.g. 127.0.0.1; copied */
	int port;
	unsigned connect_timeout_ms; /* default 2000 */
	unsigned command_timeout_ms; /* default 1000 */
	unsigned backoff_min_ms;     /* default 100 */
	unsigned backoff_max_ms;     /* default 3000 (full jitter) */
	unsigned max_inflight;       /* default 1024 */
};

/* reply is borrowed for the duration of the callback; NULL on failure,
 * with err a one-line reason ("timeout", "not connected", ...). */
typedef void redis_client_cb(void *arg, const redisReply *reply,
			     const char *err);
/* Runs on every state change, after it is logged. It may run inside
 * redis_client_start() (IDLE->CONNECTING, and ->BACKOFF when the connect
 * fails at once); not for the change to CLOSED made by redis_client_free().
 * It may call any function here, redis_client_free() included. */
typedef void redis_state_cb(void *arg, enum redis_client_state old,
			    enum redis_client_state new_state);

/* Returns a new client in IDLE, free with redis_client_free(); NULL with
 * errno EINVAL (no host, host not a numeric address, port outside
 * 1..65535) or ENOMEM. base is borrowed and must outlive the client. */
struct redis_client *redis_client_new(struct event_base *base,
				      const struct redis_client_opts *opts);
/* Starts connecting; from then on it reconnects forever. The delay before
 * a retry is uniform in [backoff_min_ms, min(backoff_max_ms,
 * backoff_min_ms * 2^n)], n the number of failures in a row (the lost
 * connection or failed connect that led to this retry counts; n resets on
 * a successful connect).
 * Returns 0, -EALREADY when already started, -ESHUTDOWN when closed. */
int redis_client_start(struct redis_client *rc);
void redis_client_on_state(struct redis_client *rc, redis_state_cb *cb,
			   void *arg);
/* RC_CLOSED for NULL. */
enum redis_client_state redis_client_state(const struct redis_client *rc);
const char *redis_client_state_name(enum redis_client_state s);
/* Safe from inside a callback; accepts NULL. Pending callbacks run with
 * err="closed" (commands that already failed at once keep their reason)
 * before it returns, so the owner may free their args right after. Called
 * from outside any of this client's callbacks, the memory goes at once;
 * from inside one, on the next loop pass (run the loop once more, e.g.
 * EVLOOP_NONBLOCK, before event_base_free()). */
void redis_client_free(struct redis_client *rc);

/* Sends a command; argv/argvlen are borrowed for the call and argvlen is
 * required (binary safe). cb may be NULL. Returns 0, or a negative errno
 * when it failed at once (cb still runs from the loop; see the list
 * above). Exceptions, where cb never runs: -EINVAL for rc == NULL,
 * -ENOMEM when no record could be allocated, -ESHUTDOWN after
 * redis_client_free() (from a callback still on the stack). */
int redis_client_command(struct redis_client *rc, int argc, const char **argv,
			 const size_t *argvlen, redis_client_cb *cb, void *arg);

/* 1 when a redis_client_command() that returned r on client rc will never
 * run its callback (the caller cleans up): -ENOMEM (no record),
 * -ESHUTDOWN, or any error with rc NULL. */
static inline int
redis_client_cb_lost(const struct redis_client *rc, int r)
{
	return r == -ENOMEM || r == -ESHUTDOWN || (r < 0 && rc == NULL);
}

/* One line saying why a callback did not get the reply it wanted: err,
 * else the error reply's text, else "unexpected reply". Borrowed. */
const char *redis_client_why(const redisReply *reply, const char *err);

/* commands_ok: callbacks run with a reply (error replies included);
 * commands_failed: callbacks run with err (timeouts included);
 * timeouts: command deadlines passed; connects: successful connects;
 * disconnects: losses of a READY connection; inflight: sent, no reply yet. */
struct redis_client_stats {
	unsigned long long commands_ok, commands_failed, timeouts, connects,
		disconnects;
	unsigned inflight;
};
/* Fills out (zeros for rc == NULL). */
void redis_client_stats(const struct redis_client *rc,
			struct redis_client_stats *out);

#endif
