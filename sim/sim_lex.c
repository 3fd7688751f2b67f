/*
 * sim_lex.c - the words and values of scenario lines (sim_scenario.c is the
 * grammar): splitting a line into bare words and key=value / key~=value
 * tokens, decoding "quoted" values (\" \\ \n \t \r \xHH), and reading
 * numbers (decimal, 0x hex), durations (N, Nms, Ns, Nm), hex octets and
 * bounded strings with one "NAME:LINE: what" error line.
 *
 * Owns nothing: values are decoded into the caller's scratch buffer, and
 * copies the caller asked for (sim_lex_hex, sim_lex_bytes) become the
 * caller's. Pure: no I/O.
 */
#include "sim_lex.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_scenario.h"

int
sim_lex_fail(struct sim_lex_ctx *x, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (!x->errlen)
		return -EINVAL;
	n = (size_t)snprintf(x->err, x->errlen, "%s:%d: ", x->name, x->line);
	if (n < x->errlen) {
		va_start(ap, fmt);
		vsnprintf(x->err + n, x->errlen - n, fmt, ap);
		va_end(ap);
	}
	/* one line, whatever the input held */
	for (char *p = x->err; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	return -EINVAL;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t';
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Splits line (n octets) into tokens; values are decoded into scratch. */
int
sim_lex_split(struct sim_lex_ctx *x, const char *line, size_t n, char *scratch,
	      struct sim_tok *t, int *ntok)
{
	size_t i = 0, o = 0;
	int k = 0;

	while (i < n) {
		size_t j;

		while (i < n && is_space(line[i]))
			i++;
		if (i == n || line[i] == '#')
			break;
		if (k == SIM_LEX_MAX_TOKS)
			return sim_lex_fail(x, "more than %d words",
					    SIM_LEX_MAX_TOKS);
		memset(&t[k], 0, sizeof(t[k]));
		for (j = i;
		     j < n && !is_space(line[j]) && line[j] != '=' &&
		     line[j] != '"' &&
		     !(line[j] == '~' && j + 1 < n && line[j + 1] == '=');
		     j++)
			;
		if (j < n && j > i && (line[j] == '=' || line[j] == '~')) {
			t[k].key = line + i;
			t[k].klen = j - i;
			t[k].op = line[j];
			for (size_t q = i; q < j; q++) {
				char c = line[q];
				if (!((c >= 'a' && c <= 'z') || c == '_' ||
				      (c >= '0' && c <= '9')))
					return sim_lex_fail(x, "bad key '%.*s'",
							    (int)(j - i),
							    line + i);
			}
			i = j + (line[j] == '~' ? 2 : 1);
		} else if (j < n && j == i && line[j] != '"') {
			return sim_lex_fail(x, "a value without a key");
		}
		t[k].val = scratch + o;
		if (i < n && line[i] == '"') {
			i++;
			while (i < n && line[i] != '"') {
				char c = line[i++];
				if (c == '\\') {
					if (i == n)
						break;
					c = line[i++];
					if (c == 'n')
						c = '\n';
					else if (c == 't')
						c = '\t';
					else if (c == 'r')
						c = '\r';
					else if (c == 'x') {
						int h, l;
						if (i + 2 > n ||
						    (h = hexval(line[i])) < 0 ||
						    (l = hexval(line[i + 1])) <
							    0)
							return sim_lex_fail(
								x, "bad \\x "
								   "escape");
						c = (char)(h << 4 | l);
						i += 2;
					} else if (c != '"' && c != '\\')
						return sim_lex_fail(
							x,
							"unknown escape \\%c",
							c);
				}
				scratch[o++] = c;
			}
			if (i == n)
				return sim_lex_fail(x, "unterminated quote");
			i++;
			if (i < n && !is_space(line[i]))
				return sim_lex_fail(
					x, "text after a closing quote");
		} else {
			while (i < n && !is_space(line[i])) {
				if (line[i] == '"')
					return sim_lex_fail(
						x, "quote inside a word");
				scratch[o++] = line[i++];
			}
		}
		t[k].vlen = (size_t)(scratch + o - t[k].val);
		scratch[o++] = '\0';
		k++;
	}
	*ntok = k;
	return 0;
}

int
sim_lex_key_is(const struct sim_tok *t, const char *key)
{
	return t->key && strlen(key) == t->klen &&
	       memcmp(t->key, key, t->klen) == 0;
}

int
sim_lex_val_is(const struct sim_tok *t, const char *s)
{
	return strlen(s) == t->vlen && memcmp(t->val, s, t->vlen) == 0;
}

int
sim_lex_u32(struct sim_lex_ctx *x, const struct sim_tok *t, uint32_t max,
	    uint32_t *out)
{
	const char *v = t->val;
	size_t n = t->vlen, i = 0;
	uint64_t r = 0;
	int base = 10;

	if (n > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == n)
		return sim_lex_fail(x, "'%s' is not a number", v);
	for (; i < n; i++) {
		int d = base == 16                     ? hexval(v[i])
			: (v[i] >= '0' && v[i] <= '9') ? v[i] - '0'
						       : -1;
		if (d < 0)
			return sim_lex_fail(x, "'%s' is not a number", v);
		r = r * (uint64_t)base + (uint64_t)d;
		if (r > max)
			return sim_lex_fail(x, "%s is over %u", v, max);
	}
	*out = (uint32_t)r;
	return 0;
}

int
sim_lex_duration(struct sim_lex_ctx *x, const struct sim_tok *t, unsigned *ms)
{
	const char *v = t->val;
	size_t n = t->vlen, i = 0;
	uint64_t r = 0, mul = 1;

	for (; i < n && v[i] >= '0' && v[i] <= '9'; i++) {
		r = r * 10 + (uint64_t)(v[i] - '0');
		if (r > SIM_DURATION_MAX_MS)
			return sim_lex_fail(x, "duration %s is over 1h", v);
	}
	if (i == 0)
		return sim_lex_fail(x, "'%s' is not a duration", v);
	if (n - i == 2 && v[i] == 'm' && v[i + 1] == 's')
		mul = 1;
	else if (n - i == 1 && v[i] == 's')
		mul = 1000;
	else if (n - i == 1 && v[i] == 'm')
		mul = 60000;
	else if (n != i)
		return sim_lex_fail(x, "'%s' is not a duration (ms, s, m)", v);
	if (r * mul > SIM_DURATION_MAX_MS)
		return sim_lex_fail(x, "duration %s is over 1h", v);
	*ms = (unsigned)(r * mul);
	return 0;
}

/* Hex octets (whitespace-free); appends to *buf (grown), capped. */
int
sim_lex_hex(struct sim_lex_ctx *x, const struct sim_tok *t, uint8_t **buf,
	    size_t *len, size_t cap)
{
	size_t n = t->vlen;
	uint8_t *b;

	if (n % 2)
		return sim_lex_fail(x, "odd number of hex digits");
	if (*len + n / 2 > cap)
		return sim_lex_fail(x, "more than %zu octets", cap);
	b = realloc(*buf, *len + n / 2 + 1);
	if (!b)
		return sim_lex_fail(x, "out of memory");
	*buf = b;
	for (size_t i = 0; i < n; i += 2) {
		int h = hexval(t->val[i]), l = hexval(t->val[i + 1]);
		if (h < 0 || l < 0)
			return sim_lex_fail(x, "'%s' is not hex", t->val);
		b[(*len)++] = (uint8_t)(h << 4 | l);
	}
	return 0;
}

/* A C string value that must fit cap (with NUL) and hold no NUL. */
int
sim_lex_str(struct sim_lex_ctx *x, const struct sim_tok *t, char *out,
	    size_t cap)
{
	if (t->vlen >= cap)
		return sim_lex_fail(x, "%.*s is longer than %zu", (int)t->klen,
				    t->key, cap - 1);
	if (memchr(t->val, '\0', t->vlen))
		return sim_lex_fail(x, "NUL in %.*s", (int)t->klen, t->key);
	memcpy(out, t->val, t->vlen);
	out[t->vlen] = '\0';
	return 0;
}

int
sim_lex_bytes(struct sim_lex_ctx *x, const struct sim_tok *t, uint8_t **out,
	      size_t *len, size_t cap)
{
	if (t->vlen > cap)
		return sim_lex_fail(x, "value over %zu octets", cap);
	*out = malloc(t->vlen + 1);
	if (!*out)
		return sim_lex_fail(x, "out of memory");
	memcpy(*out, t->val, t->vlen);
	(*out)[t->vlen] = '\0';
	*len = t->vlen;
	return 0;
}

int
sim_lex_u8(struct sim_lex_ctx *x, const struct sim_tok *t, uint8_t *out)
{
	uint32_t v;
	int rc = sim_lex_u32(x, t, 0xff, &v);

	*out = (uint8_t)v;
	return rc;
}
