/*
 * reply.h - sending a committed outbox row at once, on the MO's link when
 * it can submit, and recording the outcome on the row (SPEC §8).
 */
#ifndef TAWASUL_REPLY_H
#define TAWASUL_REPLY_H

#include <stddef.h>

struct env;
struct reply;

struct reply *reply_new(struct env *env);
void reply_free(struct reply *r);

/* Sends text (UTF-8, len bytes) to msisdn as outbox row outbox_id,
 * preferring link. Everything is copied. The outcome is written on the
 * row later. Returns 0 or -ENOMEM / the planning error (the row is then
 * marked failed). */
int reply_send(struct reply *r, const char *outbox_id, const char *link,
	       const char *msisdn, const char *text, size_t len);

/* Sends and outbox updates in flight. */
unsigned reply_pending(const struct reply *r);

void reply_stats(const struct reply *r, unsigned long long *sent,
		 unsigned long long *failed);

#endif
