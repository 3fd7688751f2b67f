/*
 * reasm_store.c - long-MO parts in Redis (SPEC §2, §3; see reasm_store.h).
 *
 * Layout, with P the key prefix ([redis] key_prefix, "tw:") and
 * K = P "mr:" SRC ":" DST ":" KIND REF ":" TOTAL:
 *   K            hash: "p<seq>" -> data_coding octet + user data (first
 *                copy wins, so duplicates change nothing), "n" parts held,
 *                "link" "src" "dst" "total" of the first part, "claim"
 *                (ms until which a completer holds it)
 *   P mr:due     sorted set: K scored by when it times out (or when the
 *                claim of a sweeper runs out)
 *   P mrd:...    tombstone of a delivered K (a day), so a late duplicate
 *                part is acknowledged and starts nothing
 * Time inside the scripts is Redis's own TIME, so instances with skewed
 * clocks agree. The scripts name keys they compute (the sweep), which a
 * Redis Cluster would refuse; one Redis (with replicas) is the design.
 *
 * Owns nothing between calls but the requests in flight. Addresses come
 * from the network: anything but [0-9A-Za-z+] in them is hex-encoded in
 * the key, so a crafted address cannot reach another sender's parts.
 */
#include "reasm_store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "log.h"
#include "reasm.h"
#include "redis_client.h"

#define TOMBSTONE_SEC "86400"
/* A forgotten hash (every instance gone for a week) expires at last. */
#define SAFETY_TTL_MS "604800000"

/* KEYS: part hash, due set, tombstone. ARGV: seq, data, timeout ms, lease
 * ms, link, src, dst, total. Returns {result} or {1, hgetall}. */
static const char add_lua[] =
	"local t = redis.call('TIME')\n"
	"local now = t[1] * 1000 + math.floor(t[2] / 1000)\n"
	"if redis.call('EXISTS', KEYS[3]) == 1 then return {3} end\n"
	"if redis.call('HSETNX', KEYS[1], 'p' .. ARGV[1], ARGV[2]) == 1 then\n"
	"  redis.call('HINCRBY', KEYS[1], 'n', 1)\n"
	"end\n"
	"if redis.call('HSETNX', KEYS[1], 'link', ARGV[5]) == 1 then\n"
	"  redis.call('HSET', KEYS[1], 'src', ARGV[6], 'dst', ARGV[7],\n"
	"             'total', ARGV[8])\n"
	"  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), KEYS[1])\n"
	"end\n"
	"redis.call('PEXPIRE', KEYS[1], " SAFETY_TTL_MS ")\n"
	"local n = tonumber(redis.call('HGET', KEYS[1], 'n'))\n"
	"if n < tonumber(ARGV[8]) then return {0} end\n"
	"local c = tonumber(redis.call('HGET', KEYS[1], 'claim') or '0')\n"
	"if c > now then return {2} end\n"
	"redis.call('HSET', KEYS[1], 'claim', now + tonumber(ARGV[4]))\n"
	"return {1, redis.call('HGETALL', KEYS[1])}\n";

/* KEYS: due set. ARGV: lease ms, max. Returns {key, hgetall, ...}. */
static const char sweep_lua[] =
	"local t = redis.call('TIME')\n"
	"local now = t[1] * 1000 + math.floor(t[2] / 1000)\n"
	"local ks = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now,\n"
	"                      'LIMIT', 0, tonumber(ARGV[2]))\n"
	"local out = {}\n"
	"for _, k in ipairs(ks) do\n"
	"  if redis.call('EXISTS', k) == 0 then\n"
	"    redis.call('ZREM', KEYS[1], k)\n"
	"  else\n"
	"    local c = tonumber(redis.call('HGET', k, 'claim') or '0')\n"
	"    if c > now then\n"
	"      redis.call('ZADD', KEYS[1], c, k)\n"
	"    else\n"
	"      redis.call('HSET', k, 'claim', now + tonumber(ARGV[1]))\n"
	"      redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), k)\n"
	"      out[#out + 1] = k\n"
	"      out[#out + 1] = redis.call('HGETALL', k)\n"
	"    end\n"
	"  end\n"
	"end\n"
	"return out\n";

/* KEYS: part hash, due set, tombstone. */
static const char finish_lua[] =
	"redis.call('DEL', KEYS[1])\n"
	"redis.call('ZREM', KEYS[2], KEYS[1])\n"
	"redis.call('SET', KEYS[3], '1', 'EX', " TOMBSTONE_SEC ")\n"
	"return 3\n";

void
reasm_msg_clear(struct reasm_msg *m)
{
	free(m->text);
	m->text = NULL;
	m->len = 0;
}

/* Appends s to the key, hex-encoding any byte outside [0-9A-Za-z+]. */
static size_t
key_addr(char *out, size_t pos, size_t cap, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	int plain = 1;

	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= 'A' && *p <= 'Z') || *p == '+'))
			plain = 0;
	if (!plain && pos + 1 < cap)
		out[pos++] = '=';
	for (const char *p = s; *p && pos + 2 < cap; p++) {
		if (plain) {
			out[pos++] = *p;
		} else {
			out[pos++] = hex[(unsigned char)*p >> 4];
			out[pos++] = hex[(unsigned char)*p & 15];
		}
	}
	out[pos] = '\0';
	return pos;
}

/* The part hash's key for a message; its tombstone is the same with
 * "mrd:" for "mr:". */
static void
make_key(char *out, size_t cap, const char *prefix, const char *src,
	 const char *dst, const struct concat_info *ci)
{
	static const char kinds[] = {'-', 'u', 'U', 's'};
	size_t pos = (size_t)snprintf(out, cap, "%smr:", prefix);

	pos = key_addr(out, pos, cap, src);
	pos += (size_t)snprintf(out + pos, cap - pos, ":");
	pos = key_addr(out, pos, cap, dst);
	snprintf(out + pos, cap - pos, ":%c%u:%u", kinds[ci->kind & 3],
		 (unsigned)ci->ref, (unsigned)ci->total);
}

static void
tombstone_key(char *out, size_t cap, const char *prefix, const char *key)
{
	size_t pl = strlen(prefix);

	snprintf(out, cap, "%smrd:%s", prefix, key + pl + 3);
}

static void
due_key(char *out, size_t cap, const char *prefix)
{
	snprintf(out, cap, "%smr:due", prefix);
}

static void
copy_field(char *dst, size_t cap, const redisReply *v)
{
	size_t n = v->len < cap - 1 ? v->len : cap - 1;

	memcpy(dst, v->str, n);
	dst[n] = '\0';
}

/*
 * Builds the message from an HGETALL array (field, value, ...). Parts are
 * "p<seq>" with a data_coding octet in front of the user data. Returns 0
 * or -ENOMEM / -EPROTO.
 */
static int
msg_from_hash(struct reasm_msg *m, const char *key, const redisReply *h)
{
	struct reasm_part parts[REASM_PARTS_MAX];
	size_t n = 0, octets = 0;
	int complete = 0, r;

	memset(m, 0, sizeof(*m));
	snprintf(m->key, sizeof(m->key), "%s", key);
	if (h->type != REDIS_REPLY_ARRAY || h->elements % 2)
		return -EPROTO;
	for (size_t i = 0; i + 1 < h->elements; i += 2) {
		const redisReply *f = h->element[i], *v = h->element[i + 1];
		if (f->type != REDIS_REPLY_STRING ||
		    v->type != REDIS_REPLY_STRING)
			return -EPROTO;
		if (f->len > 1 && f->str[0] == 'p' && v->len >= 1 &&
		    n < REASM_PARTS_MAX) {
			long seq = strtol(f->str + 1, NULL, 10);
			if (seq < 1 || seq > REASM_PARTS_MAX)
				continue;
			parts[n].seq = (uint8_t)seq;
			parts[n].data_coding = (uint8_t)v->str[0];
			parts[n].ud = (const uint8_t *)v->str + 1;
			parts[n].len = v->len - 1;
			octets += v->len - 1;
			n++;
		} else if (strcmp(f->str, "link") == 0) {
			copy_field(m->link, sizeof(m->link), v);
		} else if (strcmp(f->str, "src") == 0) {
			copy_field(m->src, sizeof(m->src), v);
		} else if (strcmp(f->str, "dst") == 0) {
			copy_field(m->dst, sizeof(m->dst), v);
		} else if (strcmp(f->str, "total") == 0) {
			m->total = (unsigned)strtoul(v->str, NULL, 10);
		}
	}
	if (m->total < 2 || m->total > REASM_PARTS_MAX)
		return -EPROTO;
	size_t cap = REASM_OUT_MAX(octets, m->total);
	m->text = malloc(cap);
	if (!m->text)
		return -ENOMEM;
	r = reasm_join(parts, n, m->total, m->text, cap, &complete);
	if (r < 0) {
		reasm_msg_clear(m);
		return r;
	}
	m->len = (size_t)r;
	m->have = (unsigned)n;
	m->complete = complete;
	return 0;
}

/* ---- add --------------------------------------------------------------- */

struct req {
	reasm_store_cb *cb;
	reasm_sweep_cb *sweep_cb;
	void *arg;
	char key[REASM_STORE_KEY_MAX];
};

static struct req *
req_new(reasm_store_cb *cb, reasm_sweep_cb *scb, void *arg, const char *key)
{
	struct req *q = calloc(1, sizeof(*q));

	if (q) {
		q->cb = cb;
		q->sweep_cb = scb;
		q->arg = arg;
		snprintf(q->key, sizeof(q->key), "%s", key ? key : "");
	}
	return q;
}

static void
on_add(void *arg, const redisReply *reply, const char *err)
{
	struct req *q = arg;
	struct reasm_msg m;
	long long r;

	memset(&m, 0, sizeof(m));
	if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements < 1 ||
	    reply->element[0]->type != REDIS_REPLY_INTEGER) {
		q->cb(q->arg, REASM_STORE_ERROR, NULL,
		      err ? err
		      : reply && reply->type == REDIS_REPLY_ERROR
			      ? reply->str
			      : "unexpected reply");
		free(q);
		return;
	}
	r = reply->element[0]->integer;
	if (r == REASM_STORE_COMPLETE) {
		int e = reply->elements == 2
				? msg_from_hash(&m, q->key, reply->element[1])
				: -EPROTO;
		if (e < 0) {
			q->cb(q->arg, REASM_STORE_ERROR, NULL,
			      e == -ENOMEM ? "out of memory" : "bad parts");
			free(q);
			return;
		}
		q->cb(q->arg, REASM_STORE_COMPLETE, &m, NULL);
		reasm_msg_clear(&m);
	} else if (r >= REASM_STORE_STORED && r <= REASM_STORE_DONE) {
		q->cb(q->arg, (enum reasm_store_result)r, NULL, NULL);
	} else {
		q->cb(q->arg, REASM_STORE_ERROR, NULL, "unexpected reply");
	}
	free(q);
}

int
reasm_store_add(struct redis_client *rc, const struct reasm_store_opts *o,
		const char *src, const char *dst, const char *link,
		uint8_t data_coding, const struct concat_info *ci,
		reasm_store_cb *cb, void *arg)
{
	char key[REASM_STORE_KEY_MAX], tomb[REASM_STORE_KEY_MAX + 8];
	char seq[8], timeout[16], lease[16], total[8], due[48];
	uint8_t *data = malloc(ci->ud_len + 1);
	struct req *q = req_new(cb, NULL, arg, NULL);
	int r;

	if (!data || !q) {
		free(data);
		free(q);
		return -ENOMEM;
	}
	make_key(key, sizeof(key), o->prefix, src, dst, ci);
	snprintf(q->key, sizeof(q->key), "%s", key);
	tombstone_key(tomb, sizeof(tomb), o->prefix, key);
	due_key(due, sizeof(due), o->prefix);
	data[0] = data_coding;
	if (ci->ud_len)
		memcpy(data + 1, ci->ud, ci->ud_len);
	snprintf(seq, sizeof(seq), "%u", (unsigned)ci->seq);
	snprintf(timeout, sizeof(timeout), "%u", o->timeout_ms);
	snprintf(lease, sizeof(lease), "%u", o->lease_ms);
	snprintf(total, sizeof(total), "%u", (unsigned)ci->total);
	const char *argv[] = {"EVAL", add_lua, "3",          key,     due,
			      tomb,   seq,     (char *)data, timeout, lease,
			      link,   src,     dst,          total};
	size_t lens[14];
	for (int i = 0; i < 14; i++)
		lens[i] = strlen(argv[i]);
	lens[7] = ci->ud_len + 1;
	r = redis_client_command(rc, 14, argv, lens, on_add, q);
	free(data);
	if (r == -EINVAL || r == -ENOMEM || r == -ESHUTDOWN) {
		/* the callback will not run */
		free(q);
		return r;
	}
	return 0;
}

/* ---- finish / release -------------------------------------------------- */

static void
on_finish(void *arg, const redisReply *reply, const char *err)
{
	struct req *q = arg;

	if (q->cb)
		q->cb(q->arg,
		      reply && reply->type == REDIS_REPLY_INTEGER
			      ? REASM_STORE_DONE
			      : REASM_STORE_ERROR,
		      NULL, err ? err : NULL);
	free(q);
}

int
reasm_store_finish(struct redis_client *rc, const struct reasm_store_opts *o,
		   const char *key, reasm_store_cb *cb, void *arg)
{
	char tomb[REASM_STORE_KEY_MAX + 8], due[48];
	struct req *q = req_new(cb, NULL, arg, key);
	int r;

	if (!q)
		return -ENOMEM;
	tombstone_key(tomb, sizeof(tomb), o->prefix, key);
	due_key(due, sizeof(due), o->prefix);
	const char *argv[] = {"EVAL", finish_lua, "3", key, due, tomb};
	size_t lens[6];
	for (int i = 0; i < 6; i++)
		lens[i] = strlen(argv[i]);
	r = redis_client_command(rc, 6, argv, lens, on_finish, q);
	if (r == -EINVAL || r == -ENOMEM || r == -ESHUTDOWN) {
		free(q);
		return r;
	}
	return 0;
}

int
reasm_store_release(struct redis_client *rc, const char *key)
{
	const char *argv[] = {"HDEL", key, "claim"};
	size_t lens[] = {4, strlen(key), 5};

	return redis_client_command(rc, 3, argv, lens, NULL, NULL);
}

/* ---- sweep ------------------------------------------------------------- */

static void
on_sweep(void *arg, const redisReply *reply, const char *err)
{
	struct req *q = arg;

	if (!reply || reply->type != REDIS_REPLY_ARRAY) {
		q->sweep_cb(q->arg, NULL,
			    err ? err
			    : reply && reply->type == REDIS_REPLY_ERROR
				    ? reply->str
				    : "unexpected reply");
		free(q);
		return;
	}
	for (size_t i = 0; i + 1 < reply->elements; i += 2) {
		const redisReply *k = reply->element[i];
		struct reasm_msg m;
		char key[REASM_STORE_KEY_MAX];

		if (k->type != REDIS_REPLY_STRING || k->len >= sizeof(key))
			continue;
		copy_field(key, sizeof(key), k);
		if (msg_from_hash(&m, key, reply->element[i + 1]) < 0) {
			LOG(LC_REDIS, LL_ERROR,
			    "reassembly=unreadable key_len=%zu", k->len);
			reasm_msg_clear(&m);
			continue;
		}
		q->sweep_cb(q->arg, &m, NULL);
		reasm_msg_clear(&m);
	}
	q->sweep_cb(q->arg, NULL, NULL);
	free(q);
}

int
reasm_store_sweep(struct redis_client *rc, const struct reasm_store_opts *o,
		  unsigned max, reasm_sweep_cb *cb, void *arg)
{
	char lease[16], smax[16], due[48];
	struct req *q = req_new(NULL, cb, arg, NULL);
	int r;

	if (!q)
		return -ENOMEM;
	snprintf(lease, sizeof(lease), "%u", o->lease_ms);
	snprintf(smax, sizeof(smax), "%u", max ? max : 1);
	due_key(due, sizeof(due), o->prefix);
	const char *argv[] = {"EVAL", sweep_lua, "1", due, lease, smax};
	size_t lens[6];
	for (int i = 0; i < 6; i++)
		lens[i] = strlen(argv[i]);
	r = redis_client_command(rc, 6, argv, lens, on_sweep, q);
	if (r == -EINVAL || r == -ENOMEM || r == -ESHUTDOWN) {
		free(q);
		return r;
	}
	return 0;
}
