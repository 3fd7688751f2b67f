/*
 * admin.h - the admin HTTP endpoint (SPEC §9): /metrics (Prometheus text
 * format), /healthz (the process answers), /readyz (200 only when the
 * gateway can take traffic, else 503 with the reason).
 */
#ifndef TAWASUL_ADMIN_H
#define TAWASUL_ADMIN_H

#include <stddef.h>

struct event_base;
struct evbuffer;
struct admin;

/* Appends metrics in Prometheus text format to out. */
typedef void admin_metrics_fn(void *arg, struct evbuffer *out);
/* Returns 1 when ready, else 0 with a short reason in why. */
typedef int admin_ready_fn(void *arg, char *why, size_t whylen);

/* Listens on "ADDRESS:PORT" (numeric). Returns a new admin server, free
 * with admin_free(); NULL with a reason in err on failure. Port 0 turns
 * the endpoint off: returns NULL with err[0] == '\0'. */
struct admin *admin_new(struct event_base *base, const char *listen,
			admin_metrics_fn *metrics, admin_ready_fn *ready,
			void *arg, char *err, size_t errlen);
void admin_free(struct admin *ad);

#endif
