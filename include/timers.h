/*
 * timers.h - the registry of named timers (DESIGN §3).
 *
 * Every timeout, interval and backoff bound the daemon uses is listed here
 * once, with its config section, key, default and meaning. The config table
 * (conf.c) turns each into a duration key, so every timer is settable from
 * the config file, shown by --dump-config and documented in the sample.
 * Timers of section "smsc" are per link.
 */
#ifndef TAWASUL_TIMERS_H
#define TAWASUL_TIMERS_H

/* X(id, section, key, default, help) */
#define TIMER_LIST(X)                                                          \
	X(T_DRAIN, "gateway", "drain_timeout", "10s",                          \
	  "longest wait for in-flight work on SIGTERM")                        \
	X(T_REASM_TIMEOUT, "gateway", "reassembly_timeout", "10m",             \
	  "deliver a long MO with the parts that came after this")             \
	X(T_REASM_SWEEP, "gateway", "reassembly_sweep", "5s",                  \
	  "how often timed-out reassemblies are looked for")                   \
	X(T_DUP_WINDOW, "gateway", "duplicate_window", "10m",                  \
	  "the same text from the same sender within this: same case")         \
	X(T_DRAFT_TTL, "gateway", "draft_ttl", "24h",                          \
	  "how long a guided draft waits for its kind")                        \
	X(T_REDIS_CONNECT, "redis", "connect_timeout", "2s",                   \
	  "give up a Redis connect attempt after this")                        \
	X(T_REDIS_COMMAND, "redis", "command_timeout", "1s",                   \
	  "deadline of every Redis command")                                   \
	X(T_REDIS_BACKOFF_MIN, "redis", "reconnect_min", "100ms",              \
	  "first reconnect delay (doubles, with jitter)")                      \
	X(T_REDIS_BACKOFF_MAX, "redis", "reconnect_max", "2s",                 \
	  "longest reconnect delay")                                           \
	X(T_PG_CONNECT, "postgres", "connect_timeout", "5s",                   \
	  "give up a PostgreSQL connect attempt after this")                   \
	X(T_PG_BACKOFF_MIN, "postgres", "reconnect_min", "200ms",              \
	  "first reconnect delay (doubles, with jitter)")                      \
	X(T_PG_BACKOFF_MAX, "postgres", "reconnect_max", "2s",                 \
	  "longest reconnect delay")                                           \
	X(T_SMSC_CONNECT, "smsc", "connect_timeout", "10s",                    \
	  "give up a TCP/TLS connect to the SMSC after this")                  \
	X(T_SMSC_BIND, "smsc", "bind_timeout", "10s",                          \
	  "wait this long for a bind response")                                \
	X(T_SMSC_ENQUIRE, "smsc", "enquire_link", "30s",                       \
	  "send enquire_link after this much idle time")                       \
	X(T_SMSC_RESPONSE, "smsc", "response_timeout", "10s",                  \
	  "wait this long for any response before dropping the link")          \
	X(T_SMSC_BACKOFF_MIN, "smsc", "reconnect_min", "1s",                   \
	  "first reconnect delay (doubles, with jitter)")                      \
	X(T_SMSC_BACKOFF_MAX, "smsc", "reconnect_max", "1m",                   \
	  "longest reconnect delay")                                           \
	X(T_SMSC_THROTTLE, "smsc", "throttle_pause", "1s",                     \
	  "pause submits this long after ESME_RTHROTTLED or ESME_RMSGQFUL")

enum timer_id {
#define TIMER_ENUM(id, sec, key, def, help) id,
	TIMER_LIST(TIMER_ENUM)
#undef TIMER_ENUM
		T__COUNT
};

/* Values of the timers in milliseconds, indexed by enum timer_id. */
struct timers {
	unsigned ms[T__COUNT];
};

const char *timer_name(enum timer_id id); /* "section.key" */

#endif
