/*
 * log.h - one line per event, key=value, categories x levels (DESIGN §3, SPEC §9).
 *
 * A line looks like:
 *   ts=2026-11-29T11:00:00.123Z lvl=info cat=pg pg=main state=CONNECTING->READY
 * The caller writes the object prefix and the key=value pairs; log_msg() adds
 * ts, lvl and cat. Phone numbers go through log_msisdn_tag(), bodies are logged
 * only at debug, secrets never.
 */
#ifndef TAWASUL_LOG_H
#define TAWASUL_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

enum log_level { LL_ERROR, LL_WARN, LL_NOTICE, LL_INFO, LL_DEBUG, LL__COUNT };

enum log_cat {
	LC_MAIN,
	LC_CONF,
	LC_LOOP,
	LC_PG,
	LC_REDIS,
	LC_SMPP,
	LC_ADMIN,
	LC_APP,
	LC__COUNT
};

/* Minimum level per category; lines above it are dropped cheaply. */
extern enum log_level log_levels[LC__COUNT];

#define LOG(cat, lvl, ...)                                                     \
	do {                                                                   \
		if ((lvl) <= log_levels[(cat)])                                \
			log_msg((cat), (lvl), __VA_ARGS__);                    \
	} while (0)

void log_msg(enum log_cat cat, enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_vmsg(enum log_cat cat, enum log_level lvl, const char *fmt,
	      va_list ap);

/* Set every category to lvl. */
void log_set_level(enum log_level lvl);
/* Parse "error|warn|notice|info|debug"; returns 0 or -EINVAL. */
int log_level_parse(const char *s, enum log_level *out);
const char *log_level_name(enum log_level lvl);
const char *log_cat_name(enum log_cat cat);
/* Parse a spec like "info" or "info,pg=debug,smpp=warn"; 0 or -EINVAL.
 * On error nothing is changed. */
int log_spec_apply(const char *spec);
/* 1 when spec would be accepted by log_spec_apply(), else 0. */
int log_spec_valid(const char *spec);

/* Writes s (may be NULL) into buf as one log value: quoted when empty or
 * holding spaces, '=', '"' or '\\'; quotes and backslashes escaped;
 * control characters folded into single spaces; cut to fit n. Returns buf. */
const char *log_value(char *buf, size_t n, const char *s);

/* Log destination: a file descriptor (default 2). */
void log_set_fd(int fd);

/* Key for MSISDN tags (16 bytes, from the secret file). */
void log_set_hash_key(const uint8_t key[16]);
/* Writes a keyed-hash tag of the phone number ("m:" + 12 hex digits) into
 * out (at least LOG_TAG_LEN bytes). Digits only are hashed, so "+973 3..."
 * and "9733..." give the same tag. */
#define LOG_TAG_LEN 16
void log_msisdn_tag(const char *msisdn, size_t len, char out[LOG_TAG_LEN]);

#endif
