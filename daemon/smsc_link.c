/*
 * smsc_link.c - one carrier link: sockets, TLS, timers and the tps cap
 * around the pure SMPP session(s) (SPEC §2, DESIGN §1-§3).
 *
 * Owns: one or two connections (transceiver, or transmitter + receiver for
 * bind = pair), each with its bufferevent, framer, smpp_session and one
 * libevent timer per named session timer; the link's FIFO of submits
 * waiting for a token; the TLS context.
 *
 * The session decides everything SMPP; this file moves bytes and time.
 * Inbound bytes go framer -> our decoder -> session. A submit waits in the
 * link FIFO until the sending session is bound, has fewer than `window`
 * submits of its own, and the token bucket gives a token: so at most a
 * window's worth is ever inside the session, and a rebind cannot release
 * a burst above tps. The FIFO keeps submits as encoded bytes (an exact
 * deep copy: decode(encode(x)) == x is fuzz-tested) and decodes each one
 * when handing it to the session, which copies it again.
 *
 * Does not decide what a submit or MO means, nor resend after LINK_LOST:
 * callers (intake, outbox) do. Bufferevents are never freed inside their
 * own callbacks: a dropped one is parked and freed from a zero-delay event.
 */
#include "smsc_link.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "conf.h"
#include "log.h"
#include "loop.h"
#include "smpp_frame.h"
#include "smpp_session.h"
#include "tbucket.h"

#define LINK_MAX_CONNS      2
#define LINK_MAX_MO_PENDING 64
#define LINK_FIFO_MAX       100000
#define LINK_LINGER_MS      1000

/* One submit, from smsc_link_submit() until its callback has run: in the
 * FIFO (waiting), then in the session (inflight list), then in `done`
 * with its outcome until the loop runs the callback. */
struct link_submit {
	struct link_submit *next;          /* FIFO or done list */
	struct link_submit *iprev, *inext; /* inflight list */
	smsc_submit_cb *cb;
	void *arg;
	uint32_t status;
	char message_id[SMPP_MESSAGE_ID_MAX];
	size_t len;
	uint8_t bytes[]; /* the encoded PDU */
};

struct link_fifo {
	struct link_submit *head, *tail;
	unsigned n;
};

struct link_conn {
	struct smsc_link *link;
	unsigned idx;
	const char *role; /* "trx", "tx", "rx" */
	enum smpp_bind_mode mode;
	struct smpp_session *s;
	enum smpp_session_state state;
	struct bufferevent *bev;
	struct smpp_frame frame;
	struct conn_timer {
		struct link_conn *cn;
		enum smpp_timer t;
		struct event *ev;
	} timers[SMPP_T__COUNT];
	struct event *resume_ev; /* reads buffered input after a pause */
	int paused;
};

struct smsc_link {
	struct event_base *base;
	uint64_t
		id; /* unique in this process: tells a link from its successor */
	struct conf_smsc c; /* copied strings below */
	char *host, *system_id, *password, *system_type, *ca_file;
	struct smsc_link_ops ops;
	struct sockaddr_storage addr;
	int addrlen;
	SSL_CTX *ssl_ctx;
	struct link_conn conns[LINK_MAX_CONNS];
	unsigned nconns;
	struct link_conn *tx; /* the connection that submits */
	struct tbucket bucket;
	struct link_fifo fifo;        /* waiting for a token / a slot */
	struct link_submit *inflight; /* handed to the session */
	struct link_fifo done; /* outcomes: callbacks run from the loop */
	struct event *pump_ev, *done_ev, *reap_ev;
	/* Dropped bufferevents: flushed (at most LINK_LINGER_MS), then freed
	 * from the loop, so an unbind_resp written just before the session
	 * disconnects still goes out. */
	struct parked {
		struct bufferevent *bev;
		uint64_t deadline;
		int broken;
	} parked[4 * LINK_MAX_CONNS];
	unsigned nparked;
	int can_submit, stopping;
};

/* ---- small helpers ---------------------------------------------------- */

static void
fifo_push(struct link_fifo *f, struct link_submit *ls)
{
	ls->next = NULL;
	if (f->tail)
		f->tail->next = ls;
	else
		f->head = ls;
	f->tail = ls;
	f->n++;
}

static struct link_submit *
fifo_pop(struct link_fifo *f)
{
	struct link_submit *ls = f->head;

	if (ls) {
		f->head = ls->next;
		if (!f->head)
			f->tail = NULL;
		f->n--;
	}
	return ls;
}

static void
inflight_add(struct smsc_link *l, struct link_submit *ls)
{
	ls->iprev = NULL;
	ls->inext = l->inflight;
	if (l->inflight)
		l->inflight->iprev = ls;
	l->inflight = ls;
}

static void
inflight_del(struct smsc_link *l, struct link_submit *ls)
{
	if (ls->iprev)
		ls->iprev->inext = ls->inext;
	else
		l->inflight = ls->inext;
	if (ls->inext)
		ls->inext->iprev = ls->iprev;
	ls->iprev = ls->inext = NULL;
}

static void
later(struct event *ev, unsigned ms)
{
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};

	evtimer_add(ev, &tv);
}

/* Records the outcome; the callback runs from the loop (done_cb), never
 * inside a session callback or inside the caller of smsc_link_stop(). */
static void
finish(struct smsc_link *l, struct link_submit *ls, uint32_t status,
       const char *message_id)
{
	ls->status = status;
	snprintf(ls->message_id, sizeof(ls->message_id), "%s",
		 message_id ? message_id : "");
	fifo_push(&l->done, ls);
	later(l->done_ev, 0);
}

/* ---- submits: FIFO -> session ---------------------------------------- */

static void
pump(struct smsc_link *l)
{
	struct link_conn *cn = l->tx;
	struct smpp_session_stats st;

	while (l->fifo.head && cn && cn->state == SMPP_S_BOUND) {
		/* The session caps what is outstanding (window, one per
		 * destination). Feed it while fewer than a window of
		 * destinations could send now: submits queued behind a busy
		 * number (a long multipart MT) do not hold up the others. */
		smpp_session_stats(cn->s, &st);
		if (st.submits_ready >= (unsigned)l->c.window)
			return; /* submit_done pumps again */
		unsigned wait = tbucket_take(&l->bucket, loop_now_ms());
		if (wait) {
			later(l->pump_ev, wait);
			return;
		}
		struct link_submit *ls = fifo_pop(&l->fifo);
		struct smpp_pdu pdu;
		struct smpp_decode_error de;
		int rc = smpp_pdu_decode(ls->bytes, ls->len, &pdu, &de);
		if (rc == 0) {
			inflight_add(l, ls);
			rc = smpp_session_submit(cn->s, &pdu, ls);
			if (rc < 0)
				inflight_del(l, ls);
		}
		if (rc < 0)
			finish(l, ls,
			       rc == -EINVAL || rc == -EBADMSG
				       ? SMPP_SUBMIT_UNENCODABLE
				       : SMPP_SUBMIT_STOPPED,
			       "");
	}
}

static void
pump_cb(evutil_socket_t fd, short what, void *arg)
{
	pump(arg);
}

static void
done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct smsc_link *l = arg;
	struct link_submit *ls;
	unsigned n = l->done.n; /* those queued when the pass began */

	while (n-- > 0 && (ls = fifo_pop(&l->done))) {
		ls->cb(ls->arg, ls->status, ls->message_id);
		free(ls);
	}
	if (l->done.n)
		later(l->done_ev, 0);
}

int
smsc_link_submit(struct smsc_link *l, const struct smpp_pdu *pdu,
		 smsc_submit_cb *cb, void *arg)
{
	uint8_t buf[SMPP_PDU_MAX];
	struct link_submit *ls;
	int n;

	if (l->stopping)
		return -ENOTCONN;
	if (pdu->command_id != SMPP_SUBMIT_SM &&
	    pdu->command_id != SMPP_DATA_SM)
		return -EINVAL;
	if (l->fifo.n >= LINK_FIFO_MAX)
		return -ENOBUFS;
	n = smpp_pdu_encode(pdu, buf, sizeof(buf));
	if (n < 0)
		return n;
	ls = malloc(sizeof(*ls) + (size_t)n);
	if (!ls)
		return -ENOMEM;
	ls->cb = cb;
	ls->arg = arg;
	ls->len = (size_t)n;
	memcpy(ls->bytes, buf, (size_t)n);
	fifo_push(&l->fifo, ls);
	later(l->pump_ev, 0); /* never send from inside the caller */
	return 0;
}

/* ---- session ops -------------------------------------------------------- */

static void conn_drop(struct link_conn *cn);

static void on_read(struct bufferevent *bev, void *arg);

static void
process_input(struct link_conn *cn)
{
	struct evbuffer *in;

	while (cn->bev && !cn->paused &&
	       evbuffer_get_length(in = bufferevent_get_input(cn->bev))) {
		size_t avail = evbuffer_get_length(in);
		size_t chunk = avail < SMPP_PDU_MAX ? avail : SMPP_PDU_MAX;
		const uint8_t *data = evbuffer_pullup(in, (ssize_t)chunk);
		const uint8_t *pdu_bytes;
		size_t used = 0, pdu_len = 0;
		enum smpp_frame_result r;

		if (!data)
			return;
		r = smpp_frame_feed(&cn->frame, data, chunk, &used, &pdu_bytes,
				    &pdu_len);
		if (r == SMPP_FRAME_PDU) {
			struct smpp_pdu pdu;
			struct smpp_decode_error de;
			/* the PDU may point into the evbuffer: dispatch
			 * before draining */
			if (smpp_pdu_decode(pdu_bytes, pdu_len, &pdu, &de) == 0)
				smpp_session_input(cn->s, &pdu);
			else {
				LOG(LC_SMPP, LL_WARN,
				    "link=%s conn=%s pdu=rejected cmd=0x%08x "
				    "seq=%u status=0x%x reason=%s",
				    cn->link->c.name, cn->role, de.command_id,
				    de.sequence, de.status,
				    de.reason ? de.reason : "-");
				smpp_session_input_error(cn->s, &de);
			}
		} else if (r == SMPP_FRAME_BAD_LENGTH) {
			struct smpp_decode_error de = {
				.status = SMPP_ESME_RINVCMDLEN,
				.reason = "command_length out of range"};
			uint32_t clen = 0, st;
			if (pdu_len >= SMPP_HEADER_LEN)
				smpp_pdu_header(pdu_bytes, &clen,
						&de.command_id, &st,
						&de.sequence);
			LOG(LC_SMPP, LL_WARN,
			    "link=%s conn=%s pdu=rejected reason=bad_length "
			    "command_length=%u seq=%u",
			    cn->link->c.name, cn->role, clen, de.sequence);
			smpp_session_input_error(cn->s, &de);
		}
		if (!cn->bev)
			return; /* dropped while dispatching */
		evbuffer_drain(in, used);
		if (r == SMPP_FRAME_NEED_MORE && used == 0)
			return; /* cannot happen with a sane framer: no spin */
	}
}

static void
resume_cb(evutil_socket_t fd, short what, void *arg)
{
	process_input(arg);
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	process_input(arg);
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	struct link_conn *cn = arg;
	char reason[160];

	if (what & BEV_EVENT_CONNECTED) {
		smpp_session_connected(cn->s);
		return;
	}
	if (what & BEV_EVENT_EOF)
		snprintf(reason, sizeof(reason), "connection closed by peer");
	else if (what & BEV_EVENT_ERROR) {
		unsigned long e = bufferevent_get_openssl_error(bev);
		if (e)
			ERR_error_string_n(e, reason, sizeof(reason));
		else
			snprintf(reason, sizeof(reason), "%s",
				 evutil_socket_error_to_string(
					 EVUTIL_SOCKET_ERROR()));
	} else
		snprintf(reason, sizeof(reason), "transport event 0x%x", what);
	conn_drop(cn);
	smpp_session_closed(cn->s, reason);
}

static void
reap_cb(evutil_socket_t fd, short what, void *arg)
{
	struct smsc_link *l = arg;
	uint64_t now = loop_now_ms();
	unsigned k = 0;

	for (unsigned i = 0; i < l->nparked; i++) {
		struct parked *p = &l->parked[i];
		if (fd == -2 || p->broken || now >= p->deadline ||
		    evbuffer_get_length(bufferevent_get_output(p->bev)) == 0)
			bufferevent_free(p->bev);
		else
			l->parked[k++] = *p;
	}
	l->nparked = k;
	if (k)
		later(l->reap_ev, 20);
}

static void
parked_event(struct bufferevent *bev, short what, void *arg)
{
	struct smsc_link *l = arg;

	for (unsigned i = 0; i < l->nparked; i++)
		if (l->parked[i].bev == bev)
			l->parked[i].broken = 1;
	later(l->reap_ev, 0);
}

/* Detaches the connection's bufferevent: it stops reading, flushes what
 * was written (bounded by LINK_LINGER_MS) and is freed from the loop. */
static void
conn_drop(struct link_conn *cn)
{
	struct smsc_link *l = cn->link;

	if (!cn->bev)
		return;
	bufferevent_disable(cn->bev, EV_READ);
	if (l->nparked == sizeof(l->parked) / sizeof(l->parked[0]))
		reap_cb(-2, 0, l); /* a reconnect storm: free the older ones
				      (cn->bev, maybe in its callback, is
				      not among them) */
	bufferevent_setcb(cn->bev, NULL, NULL, parked_event, l);
	l->parked[l->nparked++] =
		(struct parked){cn->bev, loop_now_ms() + LINK_LINGER_MS, 0};
	later(l->reap_ev, 0);
	cn->bev = NULL;
	cn->paused = 0;
	smpp_frame_init(&cn->frame);
}
static int
op_connect(void *arg)
{
	struct link_conn *cn = arg;
	struct smsc_link *l = cn->link;
	struct bufferevent *bev;

	conn_drop(cn);
	if (l->ssl_ctx) {
		SSL *ssl = SSL_new(l->ssl_ctx);
		if (!ssl)
			return -ENOMEM;
		X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), l->host);
		bev = bufferevent_openssl_socket_new(l->base, -1, ssl,
						     BUFFEREVENT_SSL_CONNECTING,
						     BEV_OPT_CLOSE_ON_FREE);
		/* on failure libevent 2.1 frees ssl itself (CLOSE_ON_FREE) */
		if (bev)
			bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	} else {
		bev = bufferevent_socket_new(l->base, -1,
					     BEV_OPT_CLOSE_ON_FREE);
	}
	if (!bev)
		return -ENOMEM;
	cn->bev = bev;
	bufferevent_setcb(bev, on_read, NULL, on_event, cn);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect(bev, (struct sockaddr *)&l->addr,
				       l->addrlen) < 0) {
		conn_drop(cn);
		return -ECONNREFUSED;
	}
	LOG(LC_SMPP, LL_DEBUG, "link=%s conn=%s connecting=%s:%d tls=%s",
	    l->c.name, cn->role, l->host, l->c.port, l->ssl_ctx ? "yes" : "no");
	return 0;
}

static void
op_disconnect(void *arg)
{
	conn_drop(arg);
}

static int
op_send(void *arg, const struct smpp_pdu *pdu)
{
	struct link_conn *cn = arg;
	uint8_t buf[SMPP_PDU_MAX];
	int n;

	if (!cn->bev)
		return -ENOTCONN;
	n = smpp_pdu_encode(pdu, buf, sizeof(buf));
	if (n < 0) {
		LOG(LC_SMPP, LL_ERROR,
		    "link=%s conn=%s pdu=unencodable cmd=%s seq=%u rc=%d",
		    cn->link->c.name, cn->role, smpp_cmd_name(pdu->command_id),
		    pdu->sequence, n);
		return n;
	}
	if (log_levels[LC_SMPP] >= LL_DEBUG) {
		char line[512];
		smpp_pdu_format(pdu, line, sizeof(line));
		LOG(LC_SMPP, LL_DEBUG, "link=%s conn=%s send=%s",
		    cn->link->c.name, cn->role, line);
	}
	return bufferevent_write(cn->bev, buf, (size_t)n) < 0 ? -EIO : 0;
}

static void
op_timer_start(void *arg, enum smpp_timer t, unsigned ms)
{
	struct link_conn *cn = arg;

	later(cn->timers[t].ev, ms);
}

static void
op_timer_stop(void *arg, enum smpp_timer t)
{
	struct link_conn *cn = arg;

	evtimer_del(cn->timers[t].ev);
}

static void
update_can_submit(struct smsc_link *l)
{
	int can = l->tx && l->tx->state == SMPP_S_BOUND && !l->stopping;

	if (can == l->can_submit)
		return;
	l->can_submit = can;
	if (l->ops.state)
		l->ops.state(l->ops.arg, l, can);
}

static void
op_state(void *arg, enum smpp_session_state old, enum smpp_session_state now,
	 const char *reason)
{
	struct link_conn *cn = arg;
	struct smsc_link *l = cn->link;
	char val[200];

	cn->state = now;
	LOG(LC_SMPP, now == SMPP_S_BACKOFF ? LL_WARN : LL_INFO,
	    "link=%s conn=%s state=%s->%s%s%s", l->c.name, cn->role,
	    smpp_session_state_name(old), smpp_session_state_name(now),
	    reason ? " reason=" : "",
	    reason ? log_value(val, sizeof(val), reason) : "");
	update_can_submit(l);
	if (now == SMPP_S_BOUND && cn == l->tx)
		later(l->pump_ev, 0);
}

static void
op_mo(void *arg, const struct smpp_pdu *pdu, uint64_t token)
{
	struct link_conn *cn = arg;
	struct smsc_link *l = cn->link;
	struct smsc_mo_ref ref = {cn->idx, token};

	l->ops.mo(l->ops.arg, l, pdu, ref);
}

static void
op_submit_done(void *arg, void *cookie, uint32_t status, const char *message_id)
{
	struct link_conn *cn = arg;
	struct link_submit *ls = cookie;

	inflight_del(cn->link, ls);
	finish(cn->link, ls, status, message_id);
	later(cn->link->pump_ev, 0); /* a slot is free */
}

static void
op_read_pause(void *arg, int paused)
{
	struct link_conn *cn = arg;

	cn->paused = paused;
	LOG(LC_SMPP, LL_INFO, "link=%s conn=%s reading=%s", cn->link->c.name,
	    cn->role, paused ? "paused" : "resumed");
	if (!cn->bev)
		return;
	if (paused) {
		bufferevent_disable(cn->bev, EV_READ);
	} else {
		bufferevent_enable(cn->bev, EV_READ);
		later(cn->resume_ev, 0); /* what is already buffered */
	}
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn_timer *ct = arg;

	smpp_session_timer(ct->cn->s, ct->t);
}

/* ---- life cycle ---------------------------------------------------------- */

static SSL_CTX *
make_ssl_ctx(const struct conf_smsc *c, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (!ctx) {
		snprintf(err, errlen, "link %s: cannot create a TLS context",
			 c->name);
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(
		ctx, c->tls_verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
	int ok = c->tls_ca_file && c->tls_ca_file[0]
			 ? SSL_CTX_load_verify_locations(ctx, c->tls_ca_file,
							 NULL)
			 : SSL_CTX_set_default_verify_paths(ctx);
	if (!ok) {
		snprintf(err, errlen, "link %s: cannot load CA file '%s'",
			 c->name, c->tls_ca_file ? c->tls_ca_file : "");
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static int
conn_init(struct smsc_link *l, unsigned idx, enum smpp_bind_mode mode,
	  const char *role)
{
	struct link_conn *cn = &l->conns[idx];
	const struct conf_smsc *c = &l->c;
	struct smpp_session_config cfg = {
		.mode = mode,
		.window = (unsigned)c->window,
		.max_mo_pending = LINK_MAX_MO_PENDING,
		.connect_ms = c->timers.ms[T_SMSC_CONNECT],
		.bind_ms = c->timers.ms[T_SMSC_BIND],
		.enquire_ms = c->timers.ms[T_SMSC_ENQUIRE],
		.response_ms = c->timers.ms[T_SMSC_RESPONSE],
		.backoff_min_ms = c->timers.ms[T_SMSC_BACKOFF_MIN],
		.backoff_max_ms = c->timers.ms[T_SMSC_BACKOFF_MAX],
		.throttle_ms = c->timers.ms[T_SMSC_THROTTLE],
	};
	struct smpp_session_ops ops = {
		.arg = cn,
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

	if (getrandom(&cfg.seed, sizeof(cfg.seed), GRND_NONBLOCK) < 0)
		cfg.seed = loop_now_ms() ^ (uint64_t)(uintptr_t)cn;
	snprintf(cfg.system_id, sizeof(cfg.system_id), "%s", l->system_id);
	snprintf(cfg.password, sizeof(cfg.password), "%s", l->password);
	snprintf(cfg.system_type, sizeof(cfg.system_type), "%s",
		 l->system_type);
	cn->link = l;
	cn->idx = idx;
	cn->role = role;
	cn->mode = mode;
	smpp_frame_init(&cn->frame);
	for (int t = 0; t < SMPP_T__COUNT; t++) {
		cn->timers[t].cn = cn;
		cn->timers[t].t = (enum smpp_timer)t;
		cn->timers[t].ev =
			evtimer_new(l->base, timer_cb, &cn->timers[t]);
		if (!cn->timers[t].ev)
			return -ENOMEM;
	}
	cn->resume_ev = evtimer_new(l->base, resume_cb, cn);
	cn->s = smpp_session_new(&cfg, &ops);
	return cn->resume_ev && cn->s ? 0 : -ENOMEM;
}

static char *
dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

struct smsc_link *
smsc_link_new(struct event_base *base, const struct conf_smsc *c,
	      const struct smsc_link_ops *ops, char *err, size_t errlen)
{
	static uint64_t next_id;
	struct smsc_link *l = calloc(1, sizeof(*l));
	struct sockaddr_in *sin;
	struct sockaddr_in6 *sin6;

	if (!l) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	l->id = ++next_id;
	l->base = base;
	l->c = *c;
	l->host = dup_or_empty(c->host);
	l->system_id = dup_or_empty(c->system_id);
	l->password = dup_or_empty(c->password);
	l->system_type = dup_or_empty(c->system_type);
	l->ca_file = dup_or_empty(c->tls_ca_file);
	/* the copied conf must not point into the caller's strings */
	l->c.host = l->host;
	l->c.system_id = l->system_id;
	l->c.password = l->password;
	l->c.system_type = l->system_type;
	l->c.tls_ca_file = l->ca_file;
	l->c.bind = NULL;
	l->c.ussd_profile = NULL;
	l->ops = *ops;
	if (!l->host || !l->system_id || !l->password || !l->system_type ||
	    !l->ca_file) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (strlen(l->system_id) >= SMPP_SYSTEM_ID_MAX ||
	    strlen(l->password) >= SMPP_PASSWORD_MAX ||
	    strlen(l->system_type) >= SMPP_SYSTEM_TYPE_MAX) {
		snprintf(err, errlen,
			 "link %s: system_id (15), password (8) or "
			 "system_type (12) too long for SMPP",
			 c->name);
		goto fail;
	}
	sin = (struct sockaddr_in *)&l->addr;
	sin6 = (struct sockaddr_in6 *)&l->addr;
	if (inet_pton(AF_INET, l->host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)c->port);
		l->addrlen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, l->host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)c->port);
		l->addrlen = sizeof(*sin6);
	} else {
		snprintf(err, errlen, "link %s: host '%s' is not numeric",
			 c->name, l->host);
		goto fail;
	}
	if (c->tls && !(l->ssl_ctx = make_ssl_ctx(c, err, errlen)))
		goto fail;
	tbucket_init(&l->bucket, (unsigned)c->tps, 0, loop_now_ms());
	l->pump_ev = evtimer_new(base, pump_cb, l);
	l->done_ev = evtimer_new(base, done_cb, l);
	l->reap_ev = evtimer_new(base, reap_cb, l);
	if (!l->pump_ev || !l->done_ev || !l->reap_ev)
		goto nomem;
	if (c->bind && strcmp(c->bind, "pair") == 0) {
		l->nconns = 2;
		if (conn_init(l, 0, SMPP_BIND_TX, "tx") < 0 ||
		    conn_init(l, 1, SMPP_BIND_RX, "rx") < 0)
			goto nomem;
	} else {
		l->nconns = 1;
		if (conn_init(l, 0, SMPP_BIND_TRX, "trx") < 0)
			goto nomem;
	}
	l->tx = &l->conns[0];
	return l;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	smsc_link_free(l);
	return NULL;
}

int
smsc_link_start(struct smsc_link *l)
{
	for (unsigned i = 0; i < l->nconns; i++) {
		int rc = smpp_session_start(l->conns[i].s);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void
smsc_link_stop(struct smsc_link *l)
{
	struct link_submit *ls;

	if (l->stopping)
		return;
	l->stopping = 1;
	while ((ls = fifo_pop(&l->fifo)))
		finish(l, ls, SMPP_SUBMIT_STOPPED, "");
	for (unsigned i = 0; i < l->nconns; i++)
		smpp_session_stop(l->conns[i].s);
	update_can_submit(l);
}

int
smsc_link_stopped(const struct smsc_link *l)
{
	/* stopped: no session running and every callback delivered */
	if (l->fifo.n || l->done.n || l->inflight)
		return 0;
	for (unsigned i = 0; i < l->nconns; i++)
		if (smpp_session_state(l->conns[i].s) != SMPP_S_STOPPED)
			return 0;
	return 1;
}

void
smsc_link_free(struct smsc_link *l)
{
	struct link_submit *ls;

	if (!l)
		return;
	for (unsigned i = 0; i < l->nconns; i++) {
		struct link_conn *cn = &l->conns[i];
		conn_drop(cn);
		smpp_session_free(cn->s);
		for (int t = 0; t < SMPP_T__COUNT; t++)
			if (cn->timers[t].ev)
				event_free(cn->timers[t].ev);
		if (cn->resume_ev)
			event_free(cn->resume_ev);
	}
	reap_cb(-2, 0, l); /* -2: free everything now */
	/* Every callback still owed runs now, exactly once: waiting ones as
	 * stopped, ones the session held as lost (the outcome is unknown). */
	while ((ls = fifo_pop(&l->fifo)))
		finish(l, ls, SMPP_SUBMIT_STOPPED, "");
	while ((ls = l->inflight)) {
		inflight_del(l, ls);
		finish(l, ls, SMPP_SUBMIT_LINK_LOST, "");
	}
	while ((ls = fifo_pop(&l->done))) {
		ls->cb(ls->arg, ls->status, ls->message_id);
		free(ls);
	}
	if (l->pump_ev)
		event_free(l->pump_ev);
	if (l->done_ev)
		event_free(l->done_ev);
	if (l->reap_ev)
		event_free(l->reap_ev);
	if (l->ssl_ctx)
		SSL_CTX_free(l->ssl_ctx);
	free(l->host);
	free(l->system_id);
	free(l->password);
	free(l->system_type);
	free(l->ca_file);
	free(l);
}

uint64_t
smsc_link_id(const struct smsc_link *l)
{
	return l->id;
}

const char *
smsc_link_name(const struct smsc_link *l)
{
	return l->c.name;
}

int
smsc_link_can_submit(const struct smsc_link *l)
{
	return l->can_submit;
}

int
smsc_link_mo_complete(struct smsc_link *l, struct smsc_mo_ref ref,
		      uint32_t status)
{
	if (ref.conn >= l->nconns)
		return -ENOENT;
	return smpp_session_mo_complete(l->conns[ref.conn].s, ref.token,
					status);
}

void
smsc_link_stats(const struct smsc_link *l, struct smsc_link_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < l->nconns; i++) {
		struct smpp_session_stats st;
		smpp_session_stats(l->conns[i].s, &st);
		out->submits_ok += st.submits_ok;
		out->submits_failed += st.submits_failed;
		out->throttled += st.throttled;
		out->mo_received += st.mo_received;
		out->nacks_sent += st.nacks_sent;
		out->binds += st.binds;
		out->reconnects += st.reconnects;
		out->outstanding += st.submits_outstanding;
		out->queued += st.submits_queued;
		out->mo_pending += st.mo_pending;
	}
	out->queued += l->fifo.n;
	out->bound = l->can_submit;
}
