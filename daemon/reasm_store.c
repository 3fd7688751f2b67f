/*
 * reasm_store.c - long-MO parts in Redis (SPEC §2, §3; see reasm_store.h).
 *
 * Layout, with P the key prefix ([redis] key_prefix, "tw:") and
 * K = P "mr:" SRC ":" DST ":" KIND REF ":" TOTAL:
 *   K            hash: "p<seq>" -> data_coding octet + user data (first
 *                copy wins, so duplicates change nothing), "n" parts held,
 *                "link" "src" "dst" "total" "id" of the first part,
 *                "claim" (ms until which "owner" holds it)
 *   P mr:due     sorted set: K scored by when it times out (or when the
 *                claim of a sweeper runs out)
 *   P mrd:...    after delivery, for an hour: "p<seq>" -> SHA-1 of what
 *                was delivered. A byte-identical part that comes later is
 *                stored as usual but counted in the hash's "dups": a
 *                message that completes is delivered (an identical re-send;
 *                intake answers it with the case already filed), one that
 *                times out made only of such copies (a part redelivered
 *                because its acknowledgement was lost) is dropped
 * Time inside the scripts is Redis's own TIME, so instances with skewed
 * clocks agree. The sweep script names keys it reads from the sorted set,
 * which a Redis Cluster would refuse; one Redis (with replicas) is the
 * design.
 *
 * Owns nothing between calls but the requests in flight. Addresses come
 * from the network: anything but [0-9A-Za-z+] in them is hex-encoded in
 * the key (at most 64 bytes each, so keys fit REASM_STORE_KEY_MAX), so a
 * crafted address cannot reach another sender's parts.
 */
#include "reasm_store.h"

#include <errno.h>
#include <stdio.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "log.h"
#include "reasm.h"
#include "redis_client.h"

#define TOMBSTONE_SEC "3600"
/* A forgotten hash (every instance gone for a week) expires at last. */
#define SAFETY_TTL_MS "604800000"

#define LUA_NOW                                                                \
	"local t = redis.call('TIME')\n"                                       \
	"local now = t[1] * 1000 + math.floor(t[2] / 1000)\n"

/* KEYS: part hash, due set, tombstone. ARGV: seq, data, timeout ms, lease
 * ms, link, src, dst, total, owner token, id. Returns {result} or
 * {1, hgetall}. A part byte-identical to one already delivered under this
 * key is stored like any other but counted in "dups". */
static const char add_lua[] = LUA_NOW
	"local f = 'p' .. ARGV[1]\n"
	"local c = tonumber(redis.call('HGET', KEYS[1], 'claim') or '0')\n"
	"if c > now then\n"
	"  if redis.call('HEXISTS', KEYS[1], f) == 1 then return {2} end\n"
	"  return {4}\n"
	"end\n"
	"if redis.call('HSETNX', KEYS[1], f, ARGV[2]) == 1 then\n"
	"  redis.call('HINCRBY', KEYS[1], 'n', 1)\n"
	"  if redis.call('HGET', KEYS[3], f) == redis.sha1hex(ARGV[2]) then\n"
	"    redis.call('HINCRBY', KEYS[1], 'dups', 1)\n"
	"  end\n"
	"end\n"
	"if redis.call('HSETNX', KEYS[1], 'link', ARGV[5]) == 1 then\n"
	"  redis.call('HSET', KEYS[1], 'src', ARGV[6], 'dst', ARGV[7],\n"
	"             'total', ARGV[8], 'id', ARGV[10])\n"
	"  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), KEYS[1])\n"
	"end\n"
	"redis.call('PEXPIRE', KEYS[1], " SAFETY_TTL_MS ")\n"
	"local n = tonumber(redis.call('HGET', KEYS[1], 'n'))\n"
	"if n < tonumber(ARGV[8]) then return {0} end\n"
	"redis.call('HSET', KEYS[1], 'claim', now + tonumber(ARGV[4]),\n"
	"           'owner', ARGV[9])\n"
	"return {1, redis.call('HGETALL', KEYS[1])}\n";

/* KEYS: due set. ARGV: lease ms, max, owner token.
 * Returns {discarded, key, hgetall, ...}: a timed-out message made only of
 * parts that were delivered already (redelivered copies) is dropped, not
 * delivered twice. */
static const char sweep_lua[] = LUA_NOW
	"local ks = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now,\n"
	"                      'LIMIT', 0, tonumber(ARGV[2]))\n"
	"local out = {0}\n"
	"for _, k in ipairs(ks) do\n"
	"  if redis.call('EXISTS', k) == 0 then\n"
	"    redis.call('ZREM', KEYS[1], k)\n"
	"  else\n"
	"    local c = tonumber(redis.call('HGET', k, 'claim') or '0')\n"
	"    local n = tonumber(redis.call('HGET', k, 'n') or '0')\n"
	"    local d = tonumber(redis.call('HGET', k, 'dups') or '0')\n"
	"    if c > now then\n"
	"      redis.call('ZADD', KEYS[1], c, k)\n"
	"    elseif n > 0 and d >= n then\n"
	"      redis.call('DEL', k)\n"
	"      redis.call('ZREM', KEYS[1], k)\n"
	"      out[1] = out[1] + 1\n"
	"    else\n"
	"      redis.call('HSET', k, 'claim', now + tonumber(ARGV[1]),\n"
	"                 'owner', ARGV[3])\n"
	"      redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), k)\n"
	"      out[#out + 1] = k\n"
	"      out[#out + 1] = redis.call('HGETALL', k)\n"
	"    end\n"
	"  end\n"
	"end\n"
	"return out\n";

/* KEYS: part hash, due set, tombstone. ARGV: owner token. 1 when done, 0
 * when the claim is not ours (any more). */
static const char finish_lua[] =
	"if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 "
	"end\n"
	"local h = redis.call('HGETALL', KEYS[1])\n"
	"for i = 1, #h, 2 do\n"
	"  if string.sub(h[i], 1, 1) == 'p' then\n"
	"    redis.call('HSET', KEYS[3], h[i], redis.sha1hex(h[i + 1]))\n"
	"  end\n"
	"end\n"
	"redis.call('EXPIRE', KEYS[3], " TOMBSTONE_SEC ")\n"
	"redis.call('DEL', KEYS[1])\n"
	"redis.call('ZREM', KEYS[2], KEYS[1])\n"
	"return 1\n";

/* KEYS: part hash. ARGV: owner token. */
static const char release_lua[] =
	"if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 "
	"end\n"
	"redis.call('HDEL', KEYS[1], 'claim', 'owner')\n"
	"return 1\n";

static void
new_token(char *out, size_t cap)
{
	static uint64_t counter;
	uint64_t v = 0;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != sizeof(v))
		v = (uint64_t)time(NULL) << 20 ^ (uint64_t)getpid();
	snprintf(out, cap, "%016llx%llx", (unsigned long long)v,
		 (unsigned long long)++counter % 16);
}

void
reasm_msg_clear(struct reasm_msg *m)
{
	free(m->text);
	m->text = NULL;
	m->len = 0;
}

/* Appends s to the key, hex-encoding it when it has any byte outside
 * [0-9A-Za-z+]. Returns the new length; -1 when it did not fit. */
static int
key_addr(char *out, size_t pos, size_t cap, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	int plain = 1;

	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= 'A' && *p <= 'Z') || *p == '+'))
			plain = 0;
	if (!plain) {
		if (pos + 1 >= cap)
			return -1;
		out[pos++] = '=';
	}
	for (const char *p = s; *p; p++) {
		if (pos + 2 >= cap)
			return -1;
		if (plain) {
			out[pos++] = *p;
		} else {
			out[pos++] = hex[(unsigned char)*p >> 4];
			out[pos++] = hex[(unsigned char)*p & 15];
		}
	}
	out[pos] = '\0';
	return (int)pos;
}

/* The keys of one message: hash, tombstone, due set. 0, or -ENAMETOOLONG
 * (cannot happen with addresses of at most 64 bytes and a prefix of at
 * most 31; checked all the same). */
static int
make_claim(struct reasm_claim *c, const char *prefix, const char *src,
	   const char *dst, const struct concat_info *ci)
{
	static const char kinds[] = {'-', 'u', 'U', 's'};
	char tail[REASM_STORE_KEY_MAX];
	int pos = 0, n;

	pos = key_addr(tail, 0, sizeof(tail), src);
	if (pos >= 0 && (size_t)pos + 1 < sizeof(tail)) {
		tail[pos++] = ':';
		pos = key_addr(tail, (size_t)pos, sizeof(tail), dst);
	}
	if (pos < 0)
		return -ENAMETOOLONG;
	n = snprintf(tail + pos, sizeof(tail) - (size_t)pos, ":%c%u:%u",
		     kinds[ci->kind & 3], (unsigned)ci->ref,
		     (unsigned)ci->total);
	if (n < 0 || (size_t)n >= sizeof(tail) - (size_t)pos)
		return -ENAMETOOLONG;
	n = snprintf(c->key, sizeof(c->key), "%smr:%s", prefix, tail);
	if (n < 0 || (size_t)n >= sizeof(c->key))
		return -ENAMETOOLONG;
	n = snprintf(c->tomb, sizeof(c->tomb), "%smrd:%s", prefix, tail);
	if (n < 0 || (size_t)n >= sizeof(c->tomb))
		return -ENAMETOOLONG;
	snprintf(c->due, sizeof(c->due), "%smr:due", prefix);
	return 0;
}

/* The claim of a key read back from the due set (sweep). */
static int
claim_from_key(struct reasm_claim *c, const char *prefix, const char *key)
{
	size_t pl = strlen(prefix);
	int n;

	if (strncmp(key, prefix, pl) != 0 || strncmp(key + pl, "mr:", 3) != 0)
		return -EPROTO;
	snprintf(c->key, sizeof(c->key), "%s", key);
	n = snprintf(c->tomb, sizeof(c->tomb), "%smrd:%s", prefix,
		     key + pl + 3);
	if (n < 0 || (size_t)n >= sizeof(c->tomb))
		return -ENAMETOOLONG;
	snprintf(c->due, sizeof(c->due), "%smr:due", prefix);
	return 0;
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
 * "p<seq>" with a data_coding octet in front of the user data. The claim
 * is filled by the caller. Returns 0 or -ENOMEM / -EPROTO.
 */
static int
msg_from_hash(struct reasm_msg *m, const redisReply *h)
{
	struct reasm_part parts[REASM_PARTS_MAX];
	size_t n = 0, octets = 0;
	int complete = 0, r;

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
		} else if (strcmp(f->str, "id") == 0) {
			copy_field(m->id, sizeof(m->id), v);
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

/* Sends an EVAL; argv[k] lengths by strlen except those given in bin
 * (index, length) pairs. Returns redis_client_command()'s result. */
static int
eval(struct redis_client *rc, int argc, const char **argv, int bin_at,
     size_t bin_len, redis_client_cb *cb, void *arg)
{
	size_t lens[16];

	for (int i = 0; i < argc && i < 16; i++)
		lens[i] = i == bin_at ? bin_len : strlen(argv[i]);
	return redis_client_command(rc, argc, argv, lens, cb, arg);
}

/* ---- add --------------------------------------------------------------- */

struct req {
	reasm_store_cb *cb;
	reasm_sweep_cb *sweep_cb;
	void *arg;
	struct reasm_claim claim;
	char prefix[40];
};

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
		      redis_client_why(reply, err));
		free(q);
		return;
	}
	r = reply->element[0]->integer;
	if (r == REASM_STORE_COMPLETE) {
		m.claim = q->claim;
		int e = reply->elements == 2
				? msg_from_hash(&m, reply->element[1])
				: -EPROTO;
		if (e < 0) {
			/* unreadable: let the lease run out, the sweep
			 * tries again */
			q->cb(q->arg, REASM_STORE_ERROR, NULL,
			      e == -ENOMEM ? "out of memory" : "bad parts");
			free(q);
			return;
		}
		q->cb(q->arg, REASM_STORE_COMPLETE, &m, NULL);
		reasm_msg_clear(&m);
	} else if (r == REASM_STORE_STORED || r == REASM_STORE_BUSY ||
		   r == REASM_STORE_RETRY) {
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
	char seq[8], timeout[16], lease[16], total[8], id[24];
	uint8_t *data;
	struct req *q = calloc(1, sizeof(*q));
	int r;

	if (!q)
		return -ENOMEM;
	if (make_claim(&q->claim, o->prefix, src, dst, ci) < 0) {
		free(q);
		return -EINVAL;
	}
	data = malloc(ci->ud_len + 1);
	if (!data) {
		free(q);
		return -ENOMEM;
	}
	q->cb = cb;
	q->arg = arg;
	new_token(q->claim.token, sizeof(q->claim.token));
	new_token(id, sizeof(id));
	data[0] = data_coding;
	if (ci->ud_len)
		memcpy(data + 1, ci->ud, ci->ud_len);
	snprintf(seq, sizeof(seq), "%u", (unsigned)ci->seq);
	snprintf(timeout, sizeof(timeout), "%u", o->timeout_ms);
	snprintf(lease, sizeof(lease), "%u", o->lease_ms);
	snprintf(total, sizeof(total), "%u", (unsigned)ci->total);
	const char *argv[] = {"EVAL",
			      add_lua,
			      "3",
			      q->claim.key,
			      q->claim.due,
			      q->claim.tomb,
			      seq,
			      (const char *)data,
			      timeout,
			      lease,
			      link,
			      src,
			      dst,
			      total,
			      q->claim.token,
			      id};
	r = eval(rc, 16, argv, 7, ci->ud_len + 1, on_add, q);
	free(data);
	if (redis_client_cb_lost(rc, r)) {
		free(q);
		return r < 0 ? r : -EIO;
	}
	return 0;
}

/* ---- finish / release -------------------------------------------------- */

static void
on_finished(void *arg, const redisReply *reply, const char *err)
{
	char val[128];

	if (!reply || reply->type != REDIS_REPLY_INTEGER)
		LOG(LC_REDIS, LL_WARN,
		    "reassembly=finish_failed reason=%s effect=\"delivered "
		    "again after the lease\"",
		    log_value(val, sizeof(val), redis_client_why(reply, err)));
	else if (reply->integer == 0)
		LOG(LC_REDIS, LL_WARN,
		    "reassembly=claim_lost effect=\"another holder delivers it "
		    "too\"");
}

int
reasm_store_finish(struct redis_client *rc, const struct reasm_claim *c)
{
	const char *argv[] = {"EVAL", finish_lua, "3",     c->key,
			      c->due, c->tomb,    c->token};
	int r = eval(rc, 7, argv, -1, 0, on_finished, NULL);

	return r < 0 && redis_client_cb_lost(rc, r) ? r : 0;
}

int
reasm_store_release(struct redis_client *rc, const struct reasm_claim *c)
{
	const char *argv[] = {"EVAL", release_lua, "1", c->key, c->token};

	return eval(rc, 5, argv, -1, 0, NULL, NULL);
}

/* ---- sweep ------------------------------------------------------------- */

static void
on_sweep(void *arg, const redisReply *reply, const char *err)
{
	struct req *q = arg;

	if (!reply || reply->type != REDIS_REPLY_ARRAY) {
		q->sweep_cb(q->arg, NULL, redis_client_why(reply, err));
		free(q);
		return;
	}
	if (reply->elements >= 1 &&
	    reply->element[0]->type == REDIS_REPLY_INTEGER &&
	    reply->element[0]->integer > 0)
		LOG(LC_REDIS, LL_INFO,
		    "reassembly=dropped_copies messages=%lld "
		    "reason=\"only parts delivered before\"",
		    reply->element[0]->integer);
	for (size_t i = 1; i + 1 < reply->elements; i += 2) {
		const redisReply *k = reply->element[i];
		struct reasm_msg m;
		char key[REASM_STORE_KEY_MAX];

		memset(&m, 0, sizeof(m));
		if (k->type != REDIS_REPLY_STRING || k->len >= sizeof(key))
			continue;
		copy_field(key, sizeof(key), k);
		if (claim_from_key(&m.claim, q->prefix, key) < 0 ||
		    msg_from_hash(&m, reply->element[i + 1]) < 0) {
			LOG(LC_REDIS, LL_ERROR,
			    "reassembly=unreadable key_len=%zu", k->len);
			reasm_msg_clear(&m);
			continue;
		}
		snprintf(m.claim.token, sizeof(m.claim.token), "%s",
			 q->claim.token);
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
	char lease[16], smax[16];
	struct req *q = calloc(1, sizeof(*q));
	int r;

	if (!q)
		return -ENOMEM;
	q->sweep_cb = cb;
	q->arg = arg;
	snprintf(q->prefix, sizeof(q->prefix), "%s", o->prefix);
	snprintf(q->claim.due, sizeof(q->claim.due), "%smr:due", o->prefix);
	new_token(q->claim.token, sizeof(q->claim.token));
	snprintf(lease, sizeof(lease), "%u", o->lease_ms);
	snprintf(smax, sizeof(smax), "%u", max ? max : 1);
	const char *argv[] = {"EVAL", sweep_lua, "1",           q->claim.due,
			      lease,  smax,      q->claim.token};
	r = eval(rc, 7, argv, -1, 0, on_sweep, q);
	if (redis_client_cb_lost(rc, r)) {
		free(q);
		return r < 0 ? r : -EIO;
	}
	return 0;
}
