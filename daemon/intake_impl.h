/*
 * intake_impl.h - the inside of intake, shared by daemon/intake.c (the
 * steps: Redis, PostgreSQL reads and writes, the sequence pool) and
 * daemon/intake_decide.c (what each command does and says). Nothing
 * else includes it.
 */
#ifndef TAWASUL_INTAKE_IMPL_H
#define TAWASUL_INTAKE_IMPL_H

#include <stdint.h>

#include "catalog.h"
#include "command.h"
#include "conf.h"
#include "intake.h"

struct pg_outcome;

#define SEQ_BLOCK 32
#define REPLY_MAX 4096
/* Longer messages are kept whole in PostgreSQL but matched on their
 * first TEXT_MAX bytes. */
#define TEXT_MAX     8192
#define AWAIT_WINDOW "7 days"
#define KEY_MAX      96 /* a Redis key of ours */
#define OWED_MAX     64
/* The loop guard counts identical messages over this many seconds. */
#define LOOP_WINDOW_S  3600
#define INTAKE_STR_(x) #x
#define INTAKE_STR(x)  INTAKE_STR_(x)

/* Rate classes counted in Redis (new cases are counted by PostgreSQL,
 * exactly, in tawasul_new_case()). */
enum limit_class { LIM_NONE, LIM_LOOKUPS, LIM_HELP };

/* What happens to the guided draft after the commit. */
enum post_action {
	POST_NONE,
	POST_SET_DRAFT,  /* this text becomes the draft */
	POST_DEL_DRAFT,  /* cancelled */
	POST_FILE_DRAFT, /* filed: kept as such for the duplicate window */
};

struct req {
	struct intake *in;
	intake_cb *cb;
	void *arg;
	struct req *next; /* waiting for a sequence value */
	char src[24], dst[24], link[CONF_NAME_MAX];
	char *text; /* NUL-terminated copy */
	size_t len;
	unsigned parts;
	int complete;
	struct command cmd;
	uint8_t *norm;
	size_t nlen;
	enum limit_class lim;
	long long loops, count; /* earlier messages counted */
	char kloop[KEY_MAX], klim[KEY_MAX], win[16];
	int counted;    /* step 1 counted this one: refunded if not committed */
	int unsent;     /* step 1's script failed before it was sent */
	int looping;    /* the loop guard holds: effects, but no reply */
	char *reasm_id; /* a joined message's reassembly, else NULL */
	char *draft;    /* the guided draft, if any */
	char *filed;    /* the draft filed last, within the duplicate window */
	enum catalog_lang lang;
	int has_pref; /* lang is the sender's saved choice */
	int opted_out;
	char await_id[24];
	/* what the write step records */
	const char *outcome;
	char case_id[24];
	const char *note; /* borrowed from text/draft */
	size_t note_len;
	char *reply;
	enum post_action post;
	/* a new case */
	const char *case_text;
	size_t case_text_len;
	enum command_case_kind kind;
	char entity[17];
	char due[11];
	uint64_t seq;
	char ref[11];
};

struct intake {
	struct env *env;
	struct reply *reply;
	unsigned pending;
	uint64_t seq[SEQ_BLOCK];
	unsigned nseq;
	int refilling;
	struct req *wait_head, *wait_tail;
	/* counts to take back that could not be sent (Redis away): sent
	 * with the next message that reaches Redis */
	char owed[OWED_MAX][KEY_MAX];
	unsigned nowed;
	unsigned long long handled, deferred, loops, cases, duplicates;
};

extern const char *const intake_kind_key[];

/* intake.c */
void intake_finish(struct req *q, int committed);
void intake_write_record(struct req *q, const char *extra_sql,
			 const char *extra_p1);
void intake_committed(struct req *q, const char *outbox_id);
void intake_new_case(struct req *q);

/* intake_decide.c */
const char *intake_lang_code(enum catalog_lang l);
void intake_fmt_ref(const struct req *q, const char *digits, char *out,
		    size_t cap);
const char *intake_text_of(const struct req *q, const char *key);
const char *intake_entity_name(const struct req *q, const char *code);
int intake_render(struct req *q, const char *key,
		  const struct catalog_arg *args, size_t nargs);
int intake_render_plain(struct req *q, const char *key);
int intake_render_ref(struct req *q, const char *key, const char *digits);
int32_t intake_today(void);
int intake_resolve_entity(struct req *q, const char *text, size_t len,
			  size_t tok_off, size_t tok_len);
/* Step 2: given the read job's results, decides the reply and effects and
 * starts the write step. */
void intake_decide(struct req *q, const struct pg_outcome *out);

#endif
