/*
 * smpp_session_test.c - the SMPP session state machine against a fake
 * clock and a fake transport (SPEC §2).
 *
 * Every scenario writes a transcript, one line per input and per ops call
 * ("t=1000 send bind_transceiver seq=1 ...", "t=31000 timer enquire
 * fired"), compared with tests/unit/smpp_session/NAME.txt under
 * $top_srcdir (default "."). TAWASUL_REGEN=1 rewrites the expected files
 * instead (scripts/regen-transcripts), so a behaviour change is a diff to
 * review. Scenarios also assert the facts that matter (states, counts,
 * order per destination), so a wrong transcript cannot be blessed
 * blindly. PDUs are formatted here, not with smpp_pdu_format(): this test
 * links only the session objects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smpp_session.h"

#define MAX_SENT  512
#define MAX_DONE  512
#define MAX_TOKEN 64

struct sent {
	uint32_t id, seq, status;
	char dst[SMPP_ADDR_MAX];
	char sm[32];
	int answered;
	int ev; /* order of sends and completions */
	unsigned payload_len, payload_sum, tlv_sum;
};

struct done {
	int cookie;
	uint32_t status;
	char message_id[SMPP_MESSAGE_ID_MAX];
	int ev;
};

struct fake {
	struct smpp_session *s;
	unsigned long long now;
	int armed[SMPP_T__COUNT];
	unsigned long long due[SMPP_T__COUNT];
	unsigned last_ms[SMPP_T__COUNT];
	char *log;
	size_t len, cap;
	struct sent sent[MAX_SENT];
	int nsent;
	struct done done[MAX_DONE];
	int ndone;
	uint64_t tokens[MAX_TOKEN];
	int ntokens;
	int connects, disconnects, paused, npause;
	int ev;
	enum smpp_session_state state;
	/* behaviour knobs */
	int connect_rc;
	uint32_t send_fail_id; /* send() of this command fails ... */
	int send_fail_rc;      /* ... with this */
	int mo_sync;           /* complete each MO inside ops->mo */
	uint32_t mo_sync_status;
	int stop_on_bound;  /* stop() from inside ops->state */
	int resubmit_lost;  /* submit again from inside submit_done */
	int smsc_seen;      /* submit_sm seen by the fake SMSC */
	char labels[64][8]; /* cookie -> "A1" */
};

static const struct smpp_session_config base_cfg = {
	.mode = SMPP_BIND_TRX,
	.system_id = "tw",
	.password = "pw",
	.system_type = "test",
	.window = 3,
	.max_mo_pending = 2,
	.connect_ms = 5000,
	.bind_ms = 5000,
	.enquire_ms = 30000,
	.response_ms = 10000,
	.backoff_min_ms = 1000,
	.backoff_max_ms = 60000,
	.throttle_ms = 2000,
	.seed = 42,
};

/* ---- transcript ---------------------------------------------------------- */

static void __attribute__((format(printf, 2, 3)))
tlog(struct fake *f, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n, m;

	n = snprintf(line, sizeof(line), "t=%llu ", f->now);
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	assert_true(m >= 0 && (size_t)(n + m) < sizeof(line) - 1);
	n += m;
	line[n++] = '\n';
	if (f->len + (size_t)n + 1 > f->cap) {
		f->cap = (f->cap + (size_t)n + 1) * 2;
		f->log = realloc(f->log, f->cap);
		assert_non_null(f->log);
	}
	memcpy(f->log + f->len, line, (size_t)n);
	f->len += (size_t)n;
	f->log[f->len] = '\0';
}

/* Names from the codec, so transcripts read like its text form; unknown
 * commands as hex. */
static const char *
cmd_name(uint32_t id)
{
	static char buf[24];
	const char *n = smpp_cmd_name(id);

	if (strcmp(n, "unknown") != 0)
		return n;
	snprintf(buf, sizeof(buf), "cmd_0x%08x", id);
	return buf;
}

/* The session's own outcomes, then the codec's status names. */
static const char *
status_name(uint32_t st)
{
	switch (st) {
	case SMPP_SUBMIT_LINK_LOST:
		return "LINK_LOST";
	case SMPP_SUBMIT_STOPPED:
		return "STOPPED";
	case SMPP_SUBMIT_UNENCODABLE:
		return "UNENCODABLE";
	case SMPP_SUBMIT_BAD_RESPONSE:
		return "BAD_RESPONSE";
	default:
		return smpp_status_name(st);
	}
}

static int
fmt_status(char *b, size_t n, uint32_t st)
{
	const char *name = status_name(st);

	return name ? snprintf(b, n, "%s", name) : snprintf(b, n, "0x%08x", st);
}

static void
fmt_sm(char *b, size_t n, const uint8_t *p, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 5 < n; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\')
			b[o++] = (char)p[i];
		else
			o += (size_t)snprintf(b + o, n - o, "\\x%02x", p[i]);
	}
	b[o] = '\0';
}

static void
fmt_pdu(char *b, size_t n, const struct smpp_pdu *p)
{
	char st[24], sm[128];
	int o;

	o = snprintf(b, n, "%s seq=%u", cmd_name(p->command_id), p->sequence);
	if ((p->command_id & 0x80000000u) || p->command_status) {
		fmt_status(st, sizeof(st), p->command_status);
		o += snprintf(b + o, n - (size_t)o, " status=%s", st);
	}
	switch (p->command_id) {
	case SMPP_BIND_TRANSCEIVER:
	case SMPP_BIND_TRANSMITTER:
	case SMPP_BIND_RECEIVER:
		snprintf(b + o, n - (size_t)o,
			 " system_id=%s password=%s system_type=%s if=0x%02x",
			 p->system_id, p->password, p->system_type,
			 p->interface_version);
		break;
	case SMPP_SUBMIT_SM:
	case SMPP_DELIVER_SM:
	case SMPP_DATA_SM:
		fmt_sm(sm, sizeof(sm), p->short_message, p->sm_length);
		o += snprintf(b + o, n - (size_t)o, " src=%s dst=%s sm=\"%s\"",
			      p->source.addr, p->dest.addr, sm);
		if (p->message_payload_len)
			o += snprintf(b + o, n - (size_t)o, " payload=%u",
				      p->message_payload_len);
		for (int i = 0; i < p->ntlv; i++)
			o += snprintf(b + o, n - (size_t)o, " tlv=0x%04x:%u",
				      p->tlv[i].tag, p->tlv[i].len);
		break;
	case SMPP_SUBMIT_SM_RESP:
	case SMPP_DATA_SM_RESP:
	case SMPP_DELIVER_SM_RESP:
		if (p->message_id[0])
			snprintf(b + o, n - (size_t)o, " message_id=%s",
				 p->message_id);
		break;
	default:
		break;
	}
}

/* Compares the transcript with NAME.txt, or rewrites it (TAWASUL_REGEN). */
static void
check_transcript(struct fake *f, const char *name)
{
	const char *top = getenv("top_srcdir");
	const char *regen = getenv("TAWASUL_REGEN");
	char path[1024];
	char *want = NULL;
	size_t wlen = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/tests/unit/smpp_session/%s.txt",
		 top && *top ? top : ".", name);
	if (regen && *regen && strcmp(regen, "0") != 0) {
		fp = fopen(path, "w");
		assert_non_null(fp);
		assert_int_equal(fwrite(f->log, 1, f->len, fp), f->len);
		assert_int_equal(fclose(fp), 0);
		fprintf(stderr, "# regenerated %s\n", path);
		return;
	}
	fp = fopen(path, "r");
	if (!fp) {
		fprintf(stderr, "# missing %s (scripts/regen-transcripts)\n",
			path);
		fail();
	}
	want = malloc(1 << 20);
	assert_non_null(want);
	wlen = fread(want, 1, (1 << 20) - 1, fp);
	want[wlen] = '\0';
	fclose(fp);
	if (wlen != f->len || memcmp(want, f->log, wlen) != 0) {
		const char *a = want, *b = f->log;
		int line = 1;
		while (*a && *a == *b) {
			if (*a == '\n')
				line++;
			a++;
			b++;
		}
		while (a > want && a[-1] != '\n')
			a--, b--;
		fprintf(stderr,
			"# transcript %s differs at line %d\n"
			"# expected: %.*s\n# actual:   %.*s\n",
			name, line, (int)strcspn(a, "\n"), a,
			(int)strcspn(b, "\n"), b);
		snprintf(path, sizeof(path), "smpp_session_%s.actual", name);
		if ((fp = fopen(path, "w"))) {
			fwrite(f->log, 1, f->len, fp);
			fclose(fp);
			fprintf(stderr, "# actual transcript in %s\n", path);
		}
		free(want);
		fail();
	}
	free(want);
}

/* ---- ops ------------------------------------------------------------------- */

static int api_submit(struct fake *f, int cookie, const char *dst,
		      const char *text);

static int
op_connect(void *arg)
{
	struct fake *f = arg;

	f->connects++;
	tlog(f, "connect rc=%d", f->connect_rc);
	return f->connect_rc;
}

static void
op_disconnect(void *arg)
{
	struct fake *f = arg;

	f->disconnects++;
	tlog(f, "disconnect");
}

static int
op_send(void *arg, const struct smpp_pdu *pdu)
{
	struct fake *f = arg;
	struct sent *x;
	char line[400];

	fmt_pdu(line, sizeof(line), pdu);
	if (f->send_fail_id && pdu->command_id == f->send_fail_id) {
		tlog(f, "send %s -> rc=%d", line, f->send_fail_rc);
		return f->send_fail_rc;
	}
	tlog(f, "send %s", line);
	assert_true(f->nsent < MAX_SENT);
	x = &f->sent[f->nsent++];
	memset(x, 0, sizeof(*x));
	x->id = pdu->command_id;
	x->seq = pdu->sequence;
	x->status = pdu->command_status;
	x->ev = ++f->ev;
	snprintf(x->dst, sizeof(x->dst), "%s", pdu->dest.addr);
	if (pdu->sm_length && pdu->sm_length < sizeof(x->sm)) {
		memcpy(x->sm, pdu->short_message, pdu->sm_length);
		x->sm[pdu->sm_length] = '\0';
	}
	x->payload_len = pdu->message_payload_len;
	for (unsigned i = 0; i < pdu->message_payload_len; i++)
		x->payload_sum += pdu->message_payload[i];
	for (int i = 0; i < pdu->ntlv; i++)
		for (unsigned j = 0; j < pdu->tlv[i].len; j++)
			x->tlv_sum += pdu->tlv[i].val[j];
	/* the session keeps sequence numbers in range */
	assert_true((pdu->sequence >= 1 && pdu->sequence <= SMPP_SEQ_MAX) ||
		    (pdu->command_id & 0x80000000u));
	return 0;
}

static void
op_timer_start(void *arg, enum smpp_timer t, unsigned ms)
{
	struct fake *f = arg;

	tlog(f, "timer_start %s %u", smpp_timer_name(t), ms);
	f->armed[t] = 1;
	f->due[t] = f->now + ms;
	f->last_ms[t] = ms;
}

static void
op_timer_stop(void *arg, enum smpp_timer t)
{
	struct fake *f = arg;

	tlog(f, "timer_stop %s", smpp_timer_name(t));
	f->armed[t] = 0;
}

static void
op_state(void *arg, enum smpp_session_state old, enum smpp_session_state now,
	 const char *reason)
{
	struct fake *f = arg;

	tlog(f, "state %s->%s (%s)", smpp_session_state_name(old),
	     smpp_session_state_name(now), reason ? reason : "");
	assert_int_equal(old, f->state);
	f->state = now;
	if (f->stop_on_bound && now == SMPP_S_BOUND) {
		f->stop_on_bound = 0;
		tlog(f, "  (in state callback) api stop");
		smpp_session_stop(f->s); /* deferred */
		assert_int_equal(smpp_session_state(f->s), SMPP_S_BOUND);
	}
}

static void
op_mo(void *arg, const struct smpp_pdu *pdu, uint64_t token)
{
	struct fake *f = arg;
	char line[400];

	fmt_pdu(line, sizeof(line), pdu);
	tlog(f, "mo token=%u:%u %s", (unsigned)(token >> 32), (unsigned)token,
	     line);
	assert_true(f->ntokens < MAX_TOKEN);
	f->tokens[f->ntokens++] = token;
	if (f->mo_sync) {
		tlog(f, "  (in mo callback) api mo_complete token=%u:%u",
		     (unsigned)(token >> 32), (unsigned)token);
		assert_int_equal(smpp_session_mo_complete(f->s, token,
							  f->mo_sync_status),
				 0);
	}
}

static void
op_submit_done(void *arg, void *cookie, uint32_t status, const char *message_id)
{
	struct fake *f = arg;
	int c = (int)(intptr_t)cookie;
	char st[24];

	fmt_status(st, sizeof(st), status);
	tlog(f, "submit_done #%d %s status=%s message_id=%s", c, f->labels[c],
	     st, message_id);
	assert_true(f->ndone < MAX_DONE);
	f->done[f->ndone].cookie = c;
	f->done[f->ndone].status = status;
	f->done[f->ndone].ev = ++f->ev;
	snprintf(f->done[f->ndone].message_id, SMPP_MESSAGE_ID_MAX, "%s",
		 message_id);
	f->ndone++;
	if (f->resubmit_lost && status == SMPP_SUBMIT_LINK_LOST) {
		char dst[SMPP_ADDR_MAX];
		int nc = c + 20;
		snprintf(dst, sizeof(dst), "9733000000%c", f->labels[c][0]);
		tlog(f, "  (in submit_done) resubmit as #%d", nc);
		assert_int_equal(api_submit(f, nc, dst, f->labels[c]), 0);
	}
}

static void
op_read_pause(void *arg, int paused)
{
	struct fake *f = arg;

	tlog(f, "read_pause %d", paused);
	assert_int_not_equal(paused, f->paused);
	f->paused = paused;
	f->npause++;
}

static const struct smpp_session_ops fake_ops = {
	.connect = op_connect,
	.disconnect = op_disconnect,
	.send = op_send,
	.timer_start = op_timer_start,
	.timer_stop = op_timer_stop,
	.state = op_state,
	.mo = op_mo,
	.submit_done = op_submit_done,
	.read_pause = op_read_pause,
};

/* ---- driving ------------------------------------------------------------ */

static struct fake *
fake_new(const struct smpp_session_config *cfg)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct smpp_session_ops ops = fake_ops;

	assert_non_null(f);
	ops.arg = f;
	f->s = smpp_session_new(cfg ? cfg : &base_cfg, &ops);
	assert_non_null(f->s);
	f->state = SMPP_S_IDLE;
	return f;
}

static void
fake_free(struct fake *f)
{
	smpp_session_free(f->s);
	free(f->log);
	free(f);
}

/* Moves the clock, firing due timers in order. */
static void
advance(struct fake *f, unsigned ms)
{
	unsigned long long end = f->now + ms;

	for (;;) {
		int next = -1;
		for (int t = 0; t < SMPP_T__COUNT; t++)
			if (f->armed[t] && f->due[t] <= end &&
			    (next < 0 || f->due[t] < f->due[next]))
				next = t;
		if (next < 0)
			break;
		f->now = f->due[next];
		f->armed[next] = 0;
		tlog(f, "timer %s fired",
		     smpp_timer_name((enum smpp_timer)next));
		smpp_session_timer(f->s, (enum smpp_timer)next);
	}
	f->now = end;
}

static void
api_start(struct fake *f)
{
	tlog(f, "api start");
	assert_int_equal(smpp_session_start(f->s), 0);
}

static void
api_connected(struct fake *f)
{
	tlog(f, "api connected");
	smpp_session_connected(f->s);
}

static void
api_closed(struct fake *f, const char *reason)
{
	tlog(f, "api closed (%s)", reason);
	smpp_session_closed(f->s, reason);
}

static void
api_stop(struct fake *f)
{
	tlog(f, "api stop");
	smpp_session_stop(f->s);
}

static int
api_submit(struct fake *f, int cookie, const char *dst, const char *text)
{
	struct smpp_pdu p;
	int rc;

	memset(&p, 0, sizeof(p));
	p.command_id = SMPP_SUBMIT_SM;
	snprintf(p.source.addr, sizeof(p.source.addr), "80008001");
	snprintf(p.dest.addr, sizeof(p.dest.addr), "%s", dst);
	p.short_message = (const uint8_t *)text;
	p.sm_length = (uint8_t)strlen(text);
	assert_true(cookie >= 0 && cookie < 64);
	snprintf(f->labels[cookie], sizeof(f->labels[cookie]), "%s", text);
	tlog(f, "api submit #%d dst=%s sm=\"%s\"", cookie, dst, text);
	rc = smpp_session_submit(f->s, &p, (void *)(intptr_t)cookie);
	if (rc)
		tlog(f, "api submit #%d rc=%d", cookie, rc);
	return rc;
}

/* A submit to the destination of its label's letter: "B2" -> ...0B. */
static int
submit_to(struct fake *f, int cookie, const char *label)
{
	char dst[SMPP_ADDR_MAX];

	snprintf(dst, sizeof(dst), "9733000000%c", label[0]);
	return api_submit(f, cookie, dst, label);
}

static int
api_mo_complete(struct fake *f, uint64_t token, uint32_t status)
{
	char st[24];
	int rc;

	fmt_status(st, sizeof(st), status);
	tlog(f, "api mo_complete token=%u:%u status=%s",
	     (unsigned)(token >> 32), (unsigned)token, st);
	rc = smpp_session_mo_complete(f->s, token, status);
	if (rc)
		tlog(f, "api mo_complete rc=%d", rc);
	return rc;
}

static void
peer(struct fake *f, const struct smpp_pdu *p)
{
	char line[400];

	fmt_pdu(line, sizeof(line), p);
	tlog(f, "recv %s", line);
	smpp_session_input(f->s, p);
}

static void
peer_pdu(struct fake *f, uint32_t id, uint32_t status, uint32_t seq)
{
	struct smpp_pdu p;

	memset(&p, 0, sizeof(p));
	p.command_id = id;
	p.command_status = status;
	p.sequence = seq;
	peer(f, &p);
}

static void
peer_submit_resp(struct fake *f, uint32_t seq, uint32_t status)
{
	struct smpp_pdu p;

	memset(&p, 0, sizeof(p));
	p.command_id = SMPP_SUBMIT_SM_RESP;
	p.command_status = status;
	p.sequence = seq;
	if (status == SMPP_ESME_ROK)
		snprintf(p.message_id, sizeof(p.message_id), "m%u", seq);
	peer(f, &p);
}

static void
peer_deliver(struct fake *f, uint32_t id, uint32_t seq, const char *text)
{
	struct smpp_pdu p;

	memset(&p, 0, sizeof(p));
	p.command_id = id;
	p.sequence = seq;
	snprintf(p.source.addr, sizeof(p.source.addr), "97333000001");
	snprintf(p.dest.addr, sizeof(p.dest.addr), "80008001");
	p.short_message = (const uint8_t *)text;
	p.sm_length = (uint8_t)strlen(text);
	peer(f, &p);
}

static void
peer_error(struct fake *f, uint32_t id, uint32_t seq, uint32_t status)
{
	struct smpp_decode_error e = {status, id, seq, "test"};
	char st[24];

	fmt_status(st, sizeof(st), status);
	tlog(f, "recv undecodable cmd=%s seq=%u error=%s", cmd_name(id), seq,
	     st);
	smpp_session_input_error(f->s, &e);
}

static struct sent *
last_sent(struct fake *f, uint32_t id)
{
	for (int i = f->nsent - 1; i >= 0; i--)
		if (f->sent[i].id == id)
			return &f->sent[i];
	fail_msg("no %s sent", cmd_name(id));
	return NULL;
}

/* The last submit_sm carrying text. */
static struct sent *
sent_sm(struct fake *f, const char *text)
{
	for (int i = f->nsent - 1; i >= 0; i--)
		if (f->sent[i].id == SMPP_SUBMIT_SM &&
		    strcmp(f->sent[i].sm, text) == 0)
			return &f->sent[i];
	fail_msg("%s not sent", text);
	return NULL;
}

static int
count_sent(struct fake *f, uint32_t id)
{
	int n = 0;

	for (int i = 0; i < f->nsent; i++)
		n += f->sent[i].id == id;
	return n;
}

static void
answer(struct fake *f, const char *text, uint32_t status)
{
	struct sent *x = sent_sm(f, text);

	assert_false(x->answered);
	x->answered = 1;
	peer_submit_resp(f, x->seq, status);
}

/* start, connect, bind OK. */
static void
bind_ok(struct fake *f)
{
	api_start(f);
	advance(f, 100);
	api_connected(f);
	advance(f, 100);
	peer_pdu(f, SMPP_BIND_TRANSCEIVER_RESP, SMPP_ESME_ROK,
		 last_sent(f, SMPP_BIND_TRANSCEIVER)->seq);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_BOUND);
}

static struct smpp_session_stats
stats(struct fake *f)
{
	struct smpp_session_stats st;

	smpp_session_stats(f->s, &st);
	return st;
}

static int
done_status(struct fake *f, int cookie, uint32_t *status)
{
	int n = 0;

	for (int i = 0; i < f->ndone; i++)
		if (f->done[i].cookie == cookie) {
			*status = f->done[i].status;
			n++;
		}
	return n;
}

/* The fake SMSC answers every unanswered submit_sm in the order sent, 10
 * ms apart; the n-th one it sees (resends included) gets rule(n). */
static void
smsc_round(struct fake *f, uint32_t (*rule)(int n))
{
	for (int i = 0; i < f->nsent; i++) {
		struct sent *x = &f->sent[i];
		if (x->id != SMPP_SUBMIT_SM || x->answered)
			continue;
		advance(f, 10);
		x->answered = 1;
		peer_submit_resp(f, x->seq, rule(++f->smsc_seen));
	}
}

/* Every cookie 1..n done exactly once with ESME_ROK; per destination
 * (the label's letter) completions follow the submission order, and the
 * k-th message is sent (or resent) only after the (k-1)-th completed: one
 * outstanding per destination, never overtaken. */
static int
done_ev(struct fake *f, char d, int k)
{
	for (int i = 0; i < f->ndone; i++) {
		const char *l = f->labels[f->done[i].cookie];
		if (l[0] == d && atoi(l + 1) == k)
			return f->done[i].ev;
	}
	return 0;
}

static void
check_order(struct fake *f, int n)
{
	for (int c = 1; c <= n; c++) {
		uint32_t st = 0xdead;
		assert_int_equal(done_status(f, c, &st), 1);
		assert_int_equal(st, SMPP_ESME_ROK);
	}
	for (char d = 'A'; d <= 'Z'; d++) {
		int last = 0;
		for (int i = 0; i < f->nsent; i++) {
			if (f->sent[i].id != SMPP_SUBMIT_SM ||
			    f->sent[i].sm[0] != d)
				continue;
			int k = atoi(f->sent[i].sm + 1);
			assert_true(k >= last); /* never backwards */
			if (k > 1) {
				int prev = done_ev(f, d, k - 1);
				assert_true(prev > 0 && prev < f->sent[i].ev);
			}
			last = k;
		}
		last = 0;
		for (int i = 0; i < f->ndone; i++) {
			const char *l = f->labels[f->done[i].cookie];
			if (l[0] != d)
				continue;
			assert_int_equal(atoi(l + 1), last + 1);
			last++;
		}
	}
}

/* ---- scenarios ------------------------------------------------------------ */

static void
test_bind_ok(void **state)
{
	struct fake *f = fake_new(NULL);
	struct sent *b;

	bind_ok(f);
	b = last_sent(f, SMPP_BIND_TRANSCEIVER);
	assert_int_equal(b->seq, 1);
	assert_int_equal(count_sent(f, SMPP_BIND_TRANSCEIVER), 1);
	assert_int_equal(stats(f).binds, 1);
	assert_int_equal(stats(f).reconnects, 0);
	assert_true(f->armed[SMPP_T_ENQUIRE]);
	assert_int_equal(f->last_ms[SMPP_T_ENQUIRE], 30000);
	assert_false(f->armed[SMPP_T_BIND]);
	assert_false(f->armed[SMPP_T_CONNECT]);
	assert_false(f->armed[SMPP_T_RESPONSE]);
	check_transcript(f, "bind_ok");
	fake_free(f);
}

static void
test_bind_modes(void **state)
{
	static const struct {
		enum smpp_bind_mode mode;
		uint32_t id;
	} t[] = {
		{SMPP_BIND_TX, SMPP_BIND_TRANSMITTER},
		{SMPP_BIND_RX, SMPP_BIND_RECEIVER},
	};
	struct fake *f = NULL;
	char *all = NULL;
	size_t len = 0;

	for (size_t i = 0; i < 2; i++) {
		struct smpp_session_config cfg = base_cfg;
		cfg.mode = t[i].mode;
		f = fake_new(&cfg);
		api_start(f);
		api_connected(f);
		peer_pdu(f, t[i].id | 0x80000000u, SMPP_ESME_ROK, 1);
		assert_int_equal(smpp_session_state(f->s), SMPP_S_BOUND);
		assert_int_equal(last_sent(f, t[i].id)->seq, 1);
		if (t[i].mode == SMPP_BIND_RX)
			assert_int_equal(submit_to(f, 1, "A1"), -EOPNOTSUPP);
		else /* a transmitter refuses MO */
			peer_deliver(f, SMPP_DELIVER_SM, 9, "hi");
		all = realloc(all, len + f->len + 1);
		memcpy(all + len, f->log, f->len + 1);
		len += f->len;
		if (i == 0) {
			assert_int_equal(f->ntokens, 0);
			assert_int_equal(
				last_sent(f, SMPP_DELIVER_SM_RESP)->status,
				SMPP_ESME_RINVBNDSTS);
		}
		if (i == 0)
			fake_free(f);
	}
	free(f->log);
	f->log = all;
	f->len = len;
	check_transcript(f, "bind_modes");
	fake_free(f);
}

static void
test_bind_refused(void **state)
{
	struct fake *f = fake_new(NULL);
	unsigned d;

	api_start(f);
	advance(f, 100);
	api_connected(f);
	advance(f, 100);
	peer_pdu(f, SMPP_BIND_TRANSCEIVER_RESP, SMPP_ESME_RBINDFAIL, 1);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_BACKOFF);
	assert_int_equal(f->disconnects, 1);
	assert_true(f->armed[SMPP_T_BACKOFF]);
	d = f->last_ms[SMPP_T_BACKOFF];
	assert_in_range(d, 1000, 2000);
	advance(f, d - 1);
	assert_int_equal(f->connects, 1); /* not before the delay */
	advance(f, 1);
	assert_int_equal(f->connects, 2);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_CONNECTING);
	advance(f, 100);
	api_connected(f);
	peer_pdu(f, SMPP_BIND_TRANSCEIVER_RESP, SMPP_ESME_ROK,
		 last_sent(f, SMPP_BIND_TRANSCEIVER)->seq);
	assert_int_equal(last_sent(f, SMPP_BIND_TRANSCEIVER)->seq, 2);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_BOUND);
	assert_int_equal(stats(f).reconnects, 1);
	assert_int_equal(stats(f).binds, 1);
	check_transcript(f, "bind_refused");
	fake_free(f);
}

static void
test_bind_alybnd(void **state)
{
	struct fake *f = fake_new(NULL);
	unsigned d1, d2, d3;

	api_start(f);
	api_connected(f);
	advance(f, 50);
	peer_pdu(f, SMPP_BIND_TRANSCEIVER_RESP, SMPP_ESME_RALYBND, 1);
	/* not an immediate rebind: BACKOFF with a delay */
	assert_int_equal(smpp_session_state(f->s), SMPP_S_BACKOFF);
	assert_int_equal(f->connects, 1);
	d1 = f->last_ms[SMPP_T_BACKOFF];
	assert_in_range(d1, 1000, 2000);
	advance(f, d1);
	api_connected(f);
	advance(f, 50);
	peer_pdu(f, SMPP_BIND_TRANSCEIVER_RESP, SMPP_ESME_RALYBND, 2);
	d2 = f->last_ms[SMPP_T_BACKOFF];
	assert_in_range(d2, 1000, 4000); /* the ceiling doubled */
	advance(f, d2);
	api_connected(f);
	advance(f, 50);
	/* a bind timeout counts as a failure too */
	advance(f, 5000);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_BACKOFF);
	advance(f, f->last_ms[SMPP_T_BACKOFF]);
	api_connected(f);
	peer_pdu(f, SMPP_BIND_TRANSCEIVER_RESP, SMPP_ESME_ROK, 4);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_BOUND);
	/* bound resets the backoff: the next delay is short again */
	advance(f, 1000);
	api_closed(f, "connection reset");
	d3 = f->last_ms[SMPP_T_BACKOFF];
	assert_in_range(d3, 1000, 2000);
	assert_int_equal(stats(f).reconnects, 3);
	check_transcript(f, "bind_alybnd");
	fake_free(f);
}

static void
test_enquire_idle(void **state)
{
	struct fake *f = fake_new(NULL);
	struct sent *e;

	bind_ok(f); /* t=200 */
	advance(f, 30000);
	assert_int_equal(count_sent(f, SMPP_ENQUIRE_LINK), 1);
	e = last_sent(f, SMPP_ENQUIRE_LINK);
	assert_int_equal(e->seq, 2);
	assert_true(f->armed[SMPP_T_RESPONSE]);
	advance(f, 50);
	peer_pdu(f, SMPP_ENQUIRE_LINK_RESP, SMPP_ESME_ROK, e->seq);
	assert_false(f->armed[SMPP_T_RESPONSE]);
	/* the peer's enquire_link is answered, and counts as traffic */
	advance(f, 20000);
	peer_pdu(f, SMPP_ENQUIRE_LINK, SMPP_ESME_ROK, 77);
	assert_int_equal(last_sent(f, SMPP_ENQUIRE_LINK_RESP)->seq, 77);
	assert_int_equal(last_sent(f, SMPP_ENQUIRE_LINK_RESP)->status, 0);
	advance(f, 29999);
	assert_int_equal(count_sent(f, SMPP_ENQUIRE_LINK), 1);
	advance(f, 1);
	assert_int_equal(count_sent(f, SMPP_ENQUIRE_LINK), 2);
	advance(f, 9000); /* late but within response_ms */
	peer_pdu(f, SMPP_ENQUIRE_LINK_RESP, SMPP_ESME_ROK,
		 last_sent(f, SMPP_ENQUIRE_LINK)->seq);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_BOUND);
	check_transcript(f, "enquire_idle");
	fake_free(f);
}

static void
test_enquire_timeout(void **state)
{
	struct fake *f = fake_new(NULL);

	bind_ok(f);
	advance(f, 30000);
	assert_int_equal(count_sent(f, SMPP_ENQUIRE_LINK), 1);
	advance(f, 9999);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_BOUND);
	advance(f, 1);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_BACKOFF);
	assert_int_equal(f->disconnects, 1);
	assert_false(f->armed[SMPP_T_ENQUIRE]);
	assert_false(f->armed[SMPP_T_RESPONSE]);
	advance(f, f->last_ms[SMPP_T_BACKOFF]);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_CONNECTING);
	api_connected(f);
	peer_pdu(f, SMPP_BIND_TRANSCEIVER_RESP, SMPP_ESME_ROK,
		 last_sent(f, SMPP_BIND_TRANSCEIVER)->seq);
	assert_int_equal(stats(f).binds, 2);
	assert_int_equal(stats(f).reconnects, 1);
	check_transcript(f, "enquire_timeout");
	fake_free(f);
}

static void
test_enquire_single(void **state)
{
	struct smpp_session_config cfg = base_cfg;
	struct fake *f;

	cfg.enquire_ms = 4000; /* shorter than response_ms */
	f = fake_new(&cfg);
	bind_ok(f);
	advance(f, 4000);
	assert_int_equal(count_sent(f, SMPP_ENQUIRE_LINK), 1);
	/* still unanswered at the next idle tick: no second one */
	advance(f, 4000);
	assert_int_equal(count_sent(f, SMPP_ENQUIRE_LINK), 1);
	advance(f, 5999);
	assert_int_equal(count_sent(f, SMPP_ENQUIRE_LINK), 1);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_BOUND);
	advance(f, 1); /* response_ms after the one enquire_link */
	assert_int_equal(smpp_session_state(f->s), SMPP_S_BACKOFF);
	check_transcript(f, "enquire_single");
	fake_free(f);
}

static uint32_t
rule_throttle(int n)
{
	return n == 2 || n == 3 || n == 7 ? SMPP_ESME_RTHROTTLED
					  : SMPP_ESME_ROK;
}

static uint32_t
rule_qfull(int n)
{
	return n == 1 || n == 4 || n == 5 ? SMPP_ESME_RMSGQFUL : SMPP_ESME_ROK;
}

static void
run_throttled(const char *name, unsigned window, uint32_t (*rule)(int))
{
	static const char *const labels[] = {"A1", "A2", "B1", "C1", "B2",
					     "D1", "A3", "E1", "C2", "B3"};
	const int n = (int)(sizeof(labels) / sizeof(labels[0]));
	struct smpp_session_config cfg = base_cfg;
	struct fake *f;
	int guard = 0;

	cfg.window = window;
	f = fake_new(&cfg);
	bind_ok(f);
	for (int i = 0; i < n; i++)
		assert_int_equal(submit_to(f, i + 1, labels[i]), 0);
	assert_true(stats(f).submits_outstanding <= window);
	while (f->ndone < n && guard++ < 50) {
		smsc_round(f, rule);
		assert_true(stats(f).submits_outstanding <= window);
		advance(f, 1000);
	}
	check_order(f, n);
	assert_int_equal(stats(f).throttled, 3);
	assert_int_equal(stats(f).submits_ok, (unsigned long long)n);
	assert_int_equal(stats(f).submits_queued, 0);
	assert_int_equal(stats(f).submits_outstanding, 0);
	assert_int_equal(count_sent(f, SMPP_SUBMIT_SM), n + 3);
	check_transcript(f, name);
	fake_free(f);
}

static void
test_throttled(void **state)
{
	run_throttled("throttled", 3, rule_throttle);
}

static void
test_msgqful(void **state)
{
	run_throttled("msgqful", 2, rule_qfull);
}

static void
test_throttle_pause(void **state)
{
	struct fake *f = fake_new(NULL);
	uint32_t st;

	bind_ok(f);
	submit_to(f, 1, "A1");
	submit_to(f, 2, "A2");
	submit_to(f, 3, "B1");
	answer(f, "A1", SMPP_ESME_RTHROTTLED);
	/* nothing is sent during the pause: not A2, not a new C1, even with
	 * window free after B1's answer */
	answer(f, "B1", SMPP_ESME_ROK);
	advance(f, 500);
	submit_to(f, 4, "C1");
	assert_int_equal(count_sent(f, SMPP_SUBMIT_SM), 2);
	advance(f, 1499);
	assert_int_equal(count_sent(f, SMPP_SUBMIT_SM), 2);
	advance(f, 1);
	/* the throttled A1 first, then C1; A2 waits for A1 */
	assert_int_equal(count_sent(f, SMPP_SUBMIT_SM), 4);
	assert_string_equal(f->sent[f->nsent - 2].sm, "A1");
	assert_string_equal(f->sent[f->nsent - 1].sm, "C1");
	f->sent[f->nsent - 2].answered = 0;
	answer(f, "A1", SMPP_ESME_ROK);
	assert_string_equal(f->sent[f->nsent - 1].sm, "A2");
	answer(f, "A2", SMPP_ESME_RINVDSTADR); /* other statuses: data */
	assert_int_equal(done_status(f, 2, &st), 1);
	assert_int_equal(st, SMPP_ESME_RINVDSTADR);
	answer(f, "C1", SMPP_ESME_ROK);
	assert_int_equal(stats(f).submits_failed, 1);
	assert_int_equal(stats(f).submits_ok, 3);
	assert_int_equal(stats(f).throttled, 1);
	check_transcript(f, "throttle_pause");
	fake_free(f);
}

static void
test_submit_timeout(void **state)
{
	struct fake *f = fake_new(NULL);
	uint32_t st;

	bind_ok(f);
	submit_to(f, 1, "A1");
	submit_to(f, 2, "A2");
	submit_to(f, 3, "B1");
	advance(f, 1000);
	answer(f, "B1", SMPP_ESME_ROK); /* not the oldest: timer runs on */
	advance(f, 8999);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_BOUND);
	advance(f, 1);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_BACKOFF);
	assert_int_equal(done_status(f, 1, &st), 1);
	assert_int_equal(st, SMPP_SUBMIT_LINK_LOST);
	assert_int_equal(done_status(f, 2, &st), 0); /* still queued */
	assert_int_equal(stats(f).submits_queued, 1);
	advance(f, f->last_ms[SMPP_T_BACKOFF]);
	api_connected(f);
	peer_pdu(f, SMPP_BIND_TRANSCEIVER_RESP, SMPP_ESME_ROK,
		 last_sent(f, SMPP_BIND_TRANSCEIVER)->seq);
	answer(f, "A2", SMPP_ESME_ROK);
	assert_int_equal(done_status(f, 2, &st), 1);
	assert_int_equal(st, SMPP_ESME_ROK);
	check_transcript(f, "submit_timeout");
	fake_free(f);
}

static void
test_response_timer_oldest(void **state)
{
	struct fake *f = fake_new(NULL);

	bind_ok(f);
	submit_to(f, 1, "A1");
	advance(f, 4000);
	submit_to(f, 2, "B1");
	advance(f, 4000);
	answer(f, "A1", SMPP_ESME_ROK); /* restarts for B1 */
	advance(f, 9999);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_BOUND);
	advance(f, 1);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_BACKOFF);
	check_transcript(f, "response_timer_oldest");
	fake_free(f);
}

static void
test_peer_unbind(void **state)
{
	struct fake *f = fake_new(NULL);

	bind_ok(f);
	advance(f, 1000);
	peer_pdu(f, SMPP_UNBIND, SMPP_ESME_ROK, 500);
	assert_int_equal(last_sent(f, SMPP_UNBIND_RESP)->seq, 500);
	assert_int_equal(last_sent(f, SMPP_UNBIND_RESP)->status, 0);
	assert_int_equal(f->disconnects, 1);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_BACKOFF);
	advance(f, f->last_ms[SMPP_T_BACKOFF]);
	api_connected(f);
	peer_pdu(f, SMPP_BIND_TRANSCEIVER_RESP, SMPP_ESME_ROK,
		 last_sent(f, SMPP_BIND_TRANSCEIVER)->seq);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_BOUND);
	check_transcript(f, "peer_unbind");
	fake_free(f);
}

static void
test_stop(void **state)
{
	struct smpp_session_config cfg = base_cfg;
	struct fake *f;
	uint32_t st;

	cfg.window = 1;
	f = fake_new(&cfg);
	bind_ok(f);
	submit_to(f, 1, "A1");
	submit_to(f, 2, "B1"); /* queued: window 1 */
	advance(f, 100);
	api_stop(f);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_UNBINDING);
	assert_int_equal(count_sent(f, SMPP_UNBIND), 1);
	assert_int_equal(done_status(f, 2, &st), 1);
	assert_int_equal(st, SMPP_SUBMIT_STOPPED);
	assert_int_equal(submit_to(f, 3, "C1"), -ENOTCONN);
	/* outstanding ones still get their answers */
	answer(f, "A1", SMPP_ESME_ROK);
	assert_int_equal(done_status(f, 1, &st), 1);
	assert_int_equal(st, SMPP_ESME_ROK);
	api_stop(f); /* again: nothing */
	peer_pdu(f, SMPP_UNBIND_RESP, SMPP_ESME_ROK,
		 last_sent(f, SMPP_UNBIND)->seq);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_STOPPED);
	assert_int_equal(f->disconnects, 1);
	for (int t = 0; t < SMPP_T__COUNT; t++)
		assert_false(f->armed[t]);
	check_transcript(f, "stop");
	fake_free(f);
}

static void
test_stop_unanswered(void **state)
{
	struct fake *f = fake_new(NULL);
	uint32_t st;

	bind_ok(f);
	submit_to(f, 1, "A1");
	advance(f, 5000);
	api_stop(f);
	/* the response timer still runs for A1, the oldest */
	advance(f, 5000);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_STOPPED);
	assert_int_equal(done_status(f, 1, &st), 1);
	assert_int_equal(st, SMPP_SUBMIT_LINK_LOST);
	/* a stopped session starts again */
	api_start(f);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_CONNECTING);
	check_transcript(f, "stop_unanswered");
	fake_free(f);
}

static void
test_stop_elsewhere(void **state)
{
	struct fake *f = fake_new(NULL);
	uint32_t st;

	/* IDLE -> STOPPED; queued submits fail */
	submit_to(f, 1, "A1");
	api_stop(f);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_STOPPED);
	assert_int_equal(done_status(f, 1, &st), 1);
	assert_int_equal(st, SMPP_SUBMIT_STOPPED);
	/* BACKOFF -> STOPPED */
	f->connect_rc = -111;
	api_start(f);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_BACKOFF);
	submit_to(f, 2, "B1");
	api_stop(f);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_STOPPED);
	assert_int_equal(done_status(f, 2, &st), 1);
	assert_false(f->armed[SMPP_T_BACKOFF]);
	/* BINDING -> STOPPED (disconnect, no unbind) */
	f->connect_rc = 0;
	api_start(f);
	api_connected(f);
	api_stop(f);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_STOPPED);
	assert_int_equal(count_sent(f, SMPP_UNBIND), 0);
	assert_int_equal(f->disconnects, 1);
	check_transcript(f, "stop_elsewhere");
	fake_free(f);
}

static void
test_mo(void **state)
{
	struct fake *f = fake_new(NULL);
	uint64_t old;

	bind_ok(f);
	peer_deliver(f, SMPP_DELIVER_SM, 7, "C IGA road broken");
	assert_int_equal(f->ntokens, 1);
	assert_int_equal(api_mo_complete(f, f->tokens[0], SMPP_ESME_ROK), 0);
	assert_int_equal(last_sent(f, SMPP_DELIVER_SM_RESP)->seq, 7);
	assert_int_equal(last_sent(f, SMPP_DELIVER_SM_RESP)->status, 0);
	/* twice: ignored */
	assert_int_equal(api_mo_complete(f, f->tokens[0], SMPP_ESME_ROK),
			 -ENOENT);
	peer_deliver(f, SMPP_DELIVER_SM, 8, "STATUS 4839201753");
	assert_int_equal(api_mo_complete(f, f->tokens[1], SMPP_ESME_RX_T_APPN),
			 0);
	assert_int_equal(last_sent(f, SMPP_DELIVER_SM_RESP)->status, 0x64);
	peer_deliver(f, SMPP_DATA_SM, 9, "HELP");
	assert_int_equal(api_mo_complete(f, f->tokens[2], SMPP_ESME_ROK), 0);
	assert_int_equal(last_sent(f, SMPP_DATA_SM_RESP)->seq, 9);
	/* pending across a reconnect: the old token is dead, even when the
	 * SMSC redelivers with the same sequence number */
	peer_deliver(f, SMPP_DELIVER_SM, 10, "MY");
	old = f->tokens[3];
	assert_int_equal(stats(f).mo_pending, 1);
	api_closed(f, "connection reset");
	assert_int_equal(stats(f).mo_pending, 0);
	advance(f, f->last_ms[SMPP_T_BACKOFF]);
	api_connected(f);
	peer_pdu(f, SMPP_BIND_TRANSCEIVER_RESP, SMPP_ESME_ROK,
		 last_sent(f, SMPP_BIND_TRANSCEIVER)->seq);
	peer_deliver(f, SMPP_DELIVER_SM, 10, "MY");
	assert_true(f->tokens[4] != old);
	assert_int_equal((uint32_t)f->tokens[4], 10);
	int before = count_sent(f, SMPP_DELIVER_SM_RESP);
	assert_int_equal(api_mo_complete(f, old, SMPP_ESME_ROK), -ENOENT);
	assert_int_equal(count_sent(f, SMPP_DELIVER_SM_RESP), before);
	assert_int_equal(stats(f).mo_pending, 1);
	assert_int_equal(api_mo_complete(f, f->tokens[4], SMPP_ESME_ROK), 0);
	assert_int_equal(count_sent(f, SMPP_DELIVER_SM_RESP), before + 1);
	assert_int_equal(stats(f).mo_received, 5);
	check_transcript(f, "mo");
	fake_free(f);
}

static void
test_mo_backpressure(void **state)
{
	struct fake *f = fake_new(NULL); /* max_mo_pending 2 */

	bind_ok(f);
	peer_deliver(f, SMPP_DELIVER_SM, 1, "one");
	assert_int_equal(f->paused, 0);
	peer_deliver(f, SMPP_DELIVER_SM, 2, "two");
	assert_int_equal(f->paused, 1);
	/* read on anyway: the SMSC is told to retry, nothing handed up */
	peer_deliver(f, SMPP_DELIVER_SM, 3, "three");
	assert_int_equal(f->ntokens, 2);
	assert_int_equal(last_sent(f, SMPP_DELIVER_SM_RESP)->seq, 3);
	assert_int_equal(last_sent(f, SMPP_DELIVER_SM_RESP)->status,
			 SMPP_ESME_RX_T_APPN);
	advance(f, 300);
	assert_int_equal(api_mo_complete(f, f->tokens[1], SMPP_ESME_ROK), 0);
	assert_int_equal(f->paused, 0);
	peer_deliver(f, SMPP_DELIVER_SM, 4, "four");
	assert_int_equal(f->paused, 1);
	/* a lost link resumes reading */
	api_closed(f, "eof");
	assert_int_equal(f->paused, 0);
	assert_int_equal(f->npause, 4);
	check_transcript(f, "mo_backpressure");
	fake_free(f);
}

static void
test_seq_wrap(void **state)
{
	struct smpp_session_config cfg = base_cfg;
	struct fake *f;

	cfg.first_sequence = 0x7ffffffe;
	f = fake_new(&cfg);
	api_start(f);
	api_connected(f);
	assert_int_equal(last_sent(f, SMPP_BIND_TRANSCEIVER)->seq, 0x7ffffffe);
	peer_pdu(f, SMPP_BIND_TRANSCEIVER_RESP, SMPP_ESME_ROK, 0x7ffffffe);
	submit_to(f, 1, "A1");
	submit_to(f, 2, "B1");
	submit_to(f, 3, "C1");
	assert_int_equal(sent_sm(f, "A1")->seq, 0x7fffffff);
	assert_int_equal(sent_sm(f, "B1")->seq, 1);
	assert_int_equal(sent_sm(f, "C1")->seq, 2);
	answer(f, "A1", SMPP_ESME_ROK);
	answer(f, "B1", SMPP_ESME_ROK);
	answer(f, "C1", SMPP_ESME_ROK);
	assert_int_equal(stats(f).submits_ok, 3);
	check_transcript(f, "seq_wrap");
	fake_free(f);
}

static void
test_input_error(void **state)
{
	struct fake *f = fake_new(NULL);
	uint32_t st;

	bind_ok(f);
	/* unknown command id */
	peer_error(f, 0x00000999, 5, SMPP_ESME_RINVCMDID);
	assert_int_equal(last_sent(f, SMPP_GENERIC_NACK)->seq, 5);
	assert_int_equal(last_sent(f, SMPP_GENERIC_NACK)->status,
			 SMPP_ESME_RINVCMDID);
	/* bad command_length */
	peer_error(f, SMPP_ENQUIRE_LINK, 6, SMPP_ESME_RINVCMDLEN);
	assert_int_equal(last_sent(f, SMPP_GENERIC_NACK)->seq, 6);
	assert_int_equal(last_sent(f, SMPP_GENERIC_NACK)->status,
			 SMPP_ESME_RINVCMDLEN);
	peer_error(f, 0, 0, SMPP_ESME_RINVCMDLEN);
	assert_int_equal(last_sent(f, SMPP_GENERIC_NACK)->seq, 0);
	assert_int_equal(last_sent(f, SMPP_GENERIC_NACK)->status,
			 SMPP_ESME_RINVCMDLEN);
	/* a bad body of a request we answer: its own response */
	peer_error(f, SMPP_ENQUIRE_LINK, 10, SMPP_ESME_RINVMSGLEN);
	assert_int_equal(last_sent(f, SMPP_ENQUIRE_LINK_RESP)->seq, 10);
	assert_int_equal(last_sent(f, SMPP_ENQUIRE_LINK_RESP)->status,
			 SMPP_ESME_RINVMSGLEN);
	peer_error(f, SMPP_DELIVER_SM, 7, SMPP_ESME_RINVTLVSTREAM);
	assert_int_equal(last_sent(f, SMPP_DELIVER_SM_RESP)->seq, 7);
	assert_int_equal(last_sent(f, SMPP_DELIVER_SM_RESP)->status,
			 SMPP_ESME_RINVTLVSTREAM);
	assert_int_equal(f->ntokens, 0);
	/* a bad submit_sm (not ours to answer) */
	peer_error(f, SMPP_SUBMIT_SM, 8, SMPP_ESME_RINVMSGLEN);
	assert_int_equal(last_sent(f, SMPP_GENERIC_NACK)->seq, 8);
	assert_int_equal(last_sent(f, SMPP_GENERIC_NACK)->status,
			 SMPP_ESME_RINVMSGLEN);
	/* a response that fails to decode: no reply, its submit ends */
	submit_to(f, 1, "A1");
	int n = f->nsent;
	peer_error(f, SMPP_SUBMIT_SM_RESP, sent_sm(f, "A1")->seq,
		   SMPP_ESME_RINVMSGLEN);
	peer_error(f, 0x80000999, 9, SMPP_ESME_RINVCMDID);
	assert_int_equal(f->nsent, n);
	assert_int_equal(done_status(f, 1, &st), 1);
	assert_int_equal(st, SMPP_SUBMIT_BAD_RESPONSE);
	assert_false(f->armed[SMPP_T_RESPONSE]);
	assert_int_equal(stats(f).nacks_sent, 4);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_BOUND);
	assert_int_equal(f->disconnects, 0);
	check_transcript(f, "input_error");
	fake_free(f);
}

static void
test_unexpected_response(void **state)
{
	struct fake *f = fake_new(NULL);
	uint32_t st;
	int n;

	bind_ok(f);
	submit_to(f, 1, "A1");
	submit_to(f, 2, "B1");
	n = f->nsent;
	peer_submit_resp(f, 99, SMPP_ESME_ROK);
	peer_pdu(f, SMPP_ENQUIRE_LINK_RESP, SMPP_ESME_ROK, 98);
	peer_pdu(f, SMPP_GENERIC_NACK, SMPP_ESME_RINVCMDID, 97);
	peer_pdu(f, SMPP_BIND_TRANSCEIVER_RESP, SMPP_ESME_ROK, 1);
	/* right sequence, wrong command */
	peer_pdu(f, SMPP_DELIVER_SM_RESP, SMPP_ESME_ROK, sent_sm(f, "A1")->seq);
	assert_int_equal(f->nsent, n); /* never answered */
	assert_int_equal(f->ndone, 0);
	assert_int_equal(stats(f).submits_outstanding, 2);
	/* generic_nack for one of ours completes it with its status */
	peer_pdu(f, SMPP_GENERIC_NACK, SMPP_ESME_RSYSERR,
		 sent_sm(f, "A1")->seq);
	assert_int_equal(done_status(f, 1, &st), 1);
	assert_int_equal(st, SMPP_ESME_RSYSERR);
	answer(f, "B1", SMPP_ESME_ROK);
	assert_string_equal(f->done[1].message_id, "m3");
	assert_int_equal(smpp_session_state(f->s), SMPP_S_BOUND);
	check_transcript(f, "unexpected_response");
	fake_free(f);
}

static void
test_wrong_state(void **state)
{
	struct fake *f = fake_new(NULL);

	api_start(f);
	api_connected(f);
	/* BINDING: MO refused, enquire_link answered */
	peer_deliver(f, SMPP_DELIVER_SM, 40, "early");
	assert_int_equal(last_sent(f, SMPP_DELIVER_SM_RESP)->seq, 40);
	assert_int_equal(last_sent(f, SMPP_DELIVER_SM_RESP)->status,
			 SMPP_ESME_RINVBNDSTS);
	peer_deliver(f, SMPP_DATA_SM, 41, "early");
	assert_int_equal(last_sent(f, SMPP_DATA_SM_RESP)->status,
			 SMPP_ESME_RINVBNDSTS);
	peer_pdu(f, SMPP_ENQUIRE_LINK, SMPP_ESME_ROK, 42);
	assert_int_equal(last_sent(f, SMPP_ENQUIRE_LINK_RESP)->status, 0);
	assert_int_equal(f->ntokens, 0);
	peer_pdu(f, SMPP_BIND_TRANSCEIVER_RESP, SMPP_ESME_ROK, 1);
	/* requests an ESME does not serve */
	peer_pdu(f, SMPP_SUBMIT_SM, SMPP_ESME_ROK, 43);
	assert_int_equal(last_sent(f, SMPP_GENERIC_NACK)->seq, 43);
	assert_int_equal(last_sent(f, SMPP_GENERIC_NACK)->status,
			 SMPP_ESME_RINVCMDID);
	peer_pdu(f, SMPP_QUERY_SM, SMPP_ESME_ROK, 44);
	peer_pdu(f, SMPP_BIND_TRANSCEIVER, SMPP_ESME_ROK, 45);
	assert_int_equal(count_sent(f, SMPP_GENERIC_NACK), 3);
	/* ignored safely */
	int n = f->nsent;
	peer_pdu(f, SMPP_ALERT_NOTIFICATION, SMPP_ESME_ROK, 46);
	peer_pdu(f, SMPP_OUTBIND, SMPP_ESME_ROK, 47);
	assert_int_equal(f->nsent, n);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_BOUND);
	check_transcript(f, "wrong_state");
	fake_free(f);
}

static void
test_window_per_dest(void **state)
{
	struct fake *f = fake_new(NULL); /* window 3 */

	bind_ok(f);
	submit_to(f, 1, "A1");
	submit_to(f, 2, "A2");
	submit_to(f, 3, "A3");
	submit_to(f, 4, "B1");
	/* one per destination: A1 and B1 out, A2 A3 wait */
	assert_int_equal(count_sent(f, SMPP_SUBMIT_SM), 2);
	assert_int_equal(stats(f).submits_outstanding, 2);
	assert_int_equal(stats(f).submits_queued, 2);
	submit_to(f, 5, "C1");
	submit_to(f, 6, "D1");
	/* window 3: C1 out, D1 waits */
	assert_int_equal(count_sent(f, SMPP_SUBMIT_SM), 3);
	answer(f, "B1", SMPP_ESME_ROK);
	/* D1 was queued before A2 could go: the freed slot goes to D1 */
	assert_string_equal(f->sent[f->nsent - 1].sm, "D1");
	answer(f, "A1", SMPP_ESME_ROK);
	assert_string_equal(f->sent[f->nsent - 1].sm, "A2");
	answer(f, "C1", SMPP_ESME_ROK);
	answer(f, "D1", SMPP_ESME_ROK);
	answer(f, "A2", SMPP_ESME_ROK);
	answer(f, "A3", SMPP_ESME_ROK);
	check_order(f, 6);
	check_transcript(f, "window_per_dest");
	fake_free(f);
}

static void
test_callbacks(void **state)
{
	struct fake *f = fake_new(NULL);
	uint32_t st;

	/* MOs completed inside ops->mo: no pause */
	f->mo_sync = 1;
	f->mo_sync_status = SMPP_ESME_ROK;
	bind_ok(f);
	peer_deliver(f, SMPP_DELIVER_SM, 1, "a");
	peer_deliver(f, SMPP_DELIVER_SM, 2, "b");
	peer_deliver(f, SMPP_DELIVER_SM, 3, "c");
	assert_int_equal(f->npause, 0);
	assert_int_equal(count_sent(f, SMPP_DELIVER_SM_RESP), 3);
	assert_int_equal(stats(f).mo_pending, 0);
	/* a lost submit resubmitted from inside submit_done: queued, sent
	 * after the rebind */
	f->resubmit_lost = 1;
	submit_to(f, 1, "A1");
	api_closed(f, "eof");
	assert_int_equal(done_status(f, 1, &st), 1);
	assert_int_equal(st, SMPP_SUBMIT_LINK_LOST);
	assert_int_equal(stats(f).submits_queued, 1);
	/* stop() from inside ops->state runs once the call returns */
	f->stop_on_bound = 1;
	advance(f, f->last_ms[SMPP_T_BACKOFF]);
	api_connected(f);
	peer_pdu(f, SMPP_BIND_TRANSCEIVER_RESP, SMPP_ESME_ROK,
		 last_sent(f, SMPP_BIND_TRANSCEIVER)->seq);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_UNBINDING);
	assert_int_equal(done_status(f, 21, &st), 1);
	assert_int_equal(st, SMPP_SUBMIT_STOPPED);
	assert_int_equal(count_sent(f, SMPP_SUBMIT_SM), 1);
	peer_pdu(f, SMPP_UNBIND_RESP, SMPP_ESME_ROK,
		 last_sent(f, SMPP_UNBIND)->seq);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_STOPPED);
	check_transcript(f, "callbacks");
	fake_free(f);
}

static void
test_transport(void **state)
{
	struct fake *f = fake_new(NULL);
	uint32_t st;

	/* connect fails at once, then times out */
	f->connect_rc = -111;
	api_start(f);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_BACKOFF);
	f->connect_rc = 0;
	advance(f, f->last_ms[SMPP_T_BACKOFF]);
	advance(f, 5000);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_BACKOFF);
	assert_int_equal(f->disconnects, 1);
	/* the peer closes while binding */
	advance(f, f->last_ms[SMPP_T_BACKOFF]);
	api_connected(f);
	api_closed(f, "eof");
	assert_int_equal(smpp_session_state(f->s), SMPP_S_BACKOFF);
	assert_int_equal(f->disconnects, 1); /* closed: no disconnect */
	advance(f, f->last_ms[SMPP_T_BACKOFF]);
	api_connected(f);
	peer_pdu(f, SMPP_BIND_TRANSCEIVER_RESP, SMPP_ESME_ROK,
		 last_sent(f, SMPP_BIND_TRANSCEIVER)->seq);
	/* an unencodable submit fails alone; the link stays */
	f->send_fail_id = SMPP_SUBMIT_SM;
	f->send_fail_rc = -EINVAL;
	submit_to(f, 1, "A1");
	assert_int_equal(done_status(f, 1, &st), 1);
	assert_int_equal(st, SMPP_SUBMIT_UNENCODABLE);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_BOUND);
	/* a failed write drops the link; the unsent submit stays queued */
	f->send_fail_rc = -EIO;
	submit_to(f, 2, "B1");
	assert_int_equal(smpp_session_state(f->s), SMPP_S_BACKOFF);
	assert_int_equal(done_status(f, 2, &st), 0);
	assert_int_equal(stats(f).submits_queued, 1);
	f->send_fail_id = 0;
	advance(f, f->last_ms[SMPP_T_BACKOFF]);
	api_connected(f);
	peer_pdu(f, SMPP_BIND_TRANSCEIVER_RESP, SMPP_ESME_ROK,
		 last_sent(f, SMPP_BIND_TRANSCEIVER)->seq);
	answer(f, "B1", SMPP_ESME_ROK);
	assert_int_equal(done_status(f, 2, &st), 1);
	assert_int_equal(st, SMPP_ESME_ROK);
	/* stale timers and transport events are ignored */
	tlog(f, "api timer bind (stale)");
	smpp_session_timer(f->s, SMPP_T_BIND);
	tlog(f, "api timer backoff (stale)");
	smpp_session_timer(f->s, SMPP_T_BACKOFF);
	api_connected(f);
	assert_int_equal(smpp_session_state(f->s), SMPP_S_BOUND);
	assert_int_equal(smpp_session_start(f->s), -EALREADY);
	check_transcript(f, "transport");
	fake_free(f);
}

static void
test_submit_invalid(void **state)
{
	struct fake *f = fake_new(NULL);
	struct smpp_pdu p;

	memset(&p, 0, sizeof(p));
	p.command_id = SMPP_DELIVER_SM;
	assert_int_equal(smpp_session_submit(f->s, &p, NULL), -EINVAL);
	p.command_id = SMPP_SUBMIT_SM;
	p.sm_length = 3; /* NULL short_message */
	assert_int_equal(smpp_session_submit(f->s, &p, NULL), -EINVAL);
	p.sm_length = 0;
	p.ntlv = SMPP_MAX_TLVS + 1;
	assert_int_equal(smpp_session_submit(f->s, &p, NULL), -EINVAL);
	/* data_sm is a submit too; the copy is deep */
	uint8_t payload[300], tlvval[2] = {1, 2};
	memset(payload, 'x', sizeof(payload));
	memset(&p, 0, sizeof(p));
	p.command_id = SMPP_DATA_SM;
	snprintf(p.dest.addr, sizeof(p.dest.addr), "97330000001");
	p.message_payload = payload;
	p.message_payload_len = sizeof(payload);
	p.ntlv = 1;
	p.tlv[0].tag = 0x1400;
	p.tlv[0].len = 2;
	p.tlv[0].val = tlvval;
	snprintf(f->labels[1], sizeof(f->labels[1]), "data");
	assert_int_equal(smpp_session_submit(f->s, &p, (void *)(intptr_t)1), 0);
	memset(payload, 0, sizeof(payload));
	tlvval[0] = 0;
	bind_ok(f);
	assert_int_equal(last_sent(f, SMPP_DATA_SM)->seq, 2);
	/* what went out is the copy, not the caller's (since zeroed) buffers */
	assert_int_equal(last_sent(f, SMPP_DATA_SM)->payload_len, 300);
	assert_int_equal(last_sent(f, SMPP_DATA_SM)->payload_sum, 300 * 'x');
	assert_int_equal(last_sent(f, SMPP_DATA_SM)->tlv_sum, 3);
	peer_pdu(f, SMPP_DATA_SM_RESP, SMPP_ESME_ROK, 2);
	assert_int_equal(stats(f).submits_ok, 1);
	check_transcript(f, "submit_data_sm");
	fake_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bind_ok),
		cmocka_unit_test(test_bind_modes),
		cmocka_unit_test(test_bind_refused),
		cmocka_unit_test(test_bind_alybnd),
		cmocka_unit_test(test_enquire_idle),
		cmocka_unit_test(test_enquire_timeout),
		cmocka_unit_test(test_enquire_single),
		cmocka_unit_test(test_throttled),
		cmocka_unit_test(test_msgqful),
		cmocka_unit_test(test_throttle_pause),
		cmocka_unit_test(test_submit_timeout),
		cmocka_unit_test(test_response_timer_oldest),
		cmocka_unit_test(test_peer_unbind),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_stop_unanswered),
		cmocka_unit_test(test_stop_elsewhere),
		cmocka_unit_test(test_mo),
		cmocka_unit_test(test_mo_backpressure),
		cmocka_unit_test(test_seq_wrap),
		cmocka_unit_test(test_input_error),
		cmocka_unit_test(test_unexpected_response),
		cmocka_unit_test(test_wrong_state),
		cmocka_unit_test(test_window_per_dest),
		cmocka_unit_test(test_callbacks),
		cmocka_unit_test(test_transport),
		cmocka_unit_test(test_submit_invalid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
