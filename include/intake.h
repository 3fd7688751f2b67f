/*
 * intake.h - what an SMS to the service does (SPEC §5, §4, §7, §8): the
 * command is parsed, looked up, and everything it changes is written in
 * one PostgreSQL transaction together with the inbound record and the
 * reply's outbox row; the reply goes out once that has committed.
 */
#ifndef TAWASUL_INTAKE_H
#define TAWASUL_INTAKE_H

#include <stddef.h>
#include <stdint.h>

struct env;
struct intake;

/* One whole message from a citizen (a long one already joined). */
struct intake_msg {
	const char *src, *dst; /* addresses */
	const char *link;      /* the link it came in on (reply route) */
	const uint8_t *text;   /* UTF-8, not terminated */
	size_t len;
	unsigned parts; /* SMS parts it was joined from (1 for a whole one) */
	int complete;   /* 0: joined with gaps after the reassembly timeout */
	/* A joined message: its reassembly's id, so that delivering the
	 * same reassembly twice (a lost claim) records it once. */
	const char *reasm_id;
};

/* committed: 1 when the message and its effects are in PostgreSQL (answer
 * ESME_ROK), 0 when not (answer ESME_RX_T_APPN so the SMSC redelivers). */
typedef void intake_cb(void *arg, int committed);

/* Returns a new intake working on env (borrowed, must outlive it); free
 * with intake_free(), which fails what is pending (callbacks run with 0). */
struct intake *intake_new(struct env *env);
void intake_free(struct intake *in);

/* Handles m (copied). cb runs exactly once, from the loop. Returns 0 or
 * -ENOMEM (cb then never runs). */
int intake_submit(struct intake *in, const struct intake_msg *m, intake_cb *cb,
		  void *arg);

/* Messages between intake_submit() and their callback, and replies not yet
 * recorded: the drain waits for both. */
unsigned intake_pending(const struct intake *in);

/* Entities, holidays and the catalogue changed (reload): re-read them. */
void intake_reload(struct intake *in);

struct evbuffer;
void intake_metrics(const struct intake *in, struct evbuffer *out);

#endif
