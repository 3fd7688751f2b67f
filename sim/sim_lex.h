/*
 * sim_lex.h - words and values of the simulator's scenario lines, shared by
 * the parser (sim_scenario.c): a line split into bare words and key=value
 * / key~=value tokens with quoted values decoded, and typed readers of a
 * token's value that fill one "NAME:LINE: what" error.
 */
#ifndef TAWASUL_SIM_LEX_H
#define TAWASUL_SIM_LEX_H

#include <stddef.h>
#include <stdint.h>

#define SIM_LEX_MAX_TOKS 40

/* One token; val points into the caller's scratch buffer. */
struct sim_tok {
	const char *key; /* NULL: a bare word */
	size_t klen;
	int op; /* '=' or '~' (for ~=) */
	char *val;
	size_t vlen;
	int used;
};

/* Where errors go: err gets "name:line: ..." (one line). */
struct sim_lex_ctx {
	const char *name;
	int line;
	char *err;
	size_t errlen;
};

/* Formats the error into x->err; returns -EINVAL. */
int sim_lex_fail(struct sim_lex_ctx *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Splits line (n octets, no newline) into at most SIM_LEX_MAX_TOKS
 * tokens; values are decoded into scratch (n + SIM_LEX_MAX_TOKS + 1
 * bytes). A '#' outside quotes ends the line. 0 or -EINVAL. */
int sim_lex_split(struct sim_lex_ctx *x, const char *line, size_t n,
		  char *scratch, struct sim_tok *t, int *ntok);
int sim_lex_key_is(const struct sim_tok *t, const char *key);
int sim_lex_val_is(const struct sim_tok *t, const char *s);
/* Decimal or 0x hex, at most max. */
int sim_lex_u32(struct sim_lex_ctx *x, const struct sim_tok *t, uint32_t max,
		uint32_t *out);
int sim_lex_u8(struct sim_lex_ctx *x, const struct sim_tok *t, uint8_t *out);
/* N, Nms, Ns or Nm; at most SIM_DURATION_MAX_MS. */
int sim_lex_duration(struct sim_lex_ctx *x, const struct sim_tok *t,
		     unsigned *ms);
/* Hex octets appended to *buf (grown with realloc), *len at most cap. */
int sim_lex_hex(struct sim_lex_ctx *x, const struct sim_tok *t, uint8_t **buf,
		size_t *len, size_t cap);
/* A C string of at most cap - 1 octets without NUL. */
int sim_lex_str(struct sim_lex_ctx *x, const struct sim_tok *t, char *out,
		size_t cap);
/* A malloc'd copy (NUL added) of at most cap octets. */
int sim_lex_bytes(struct sim_lex_ctx *x, const struct sim_tok *t, uint8_t **out,
		  size_t *len, size_t cap);

#endif
