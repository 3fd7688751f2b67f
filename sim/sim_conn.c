/*
 * sim_conn.c - the simulator's listener and ESME connections: accept on
 * 127.0.0.1, frame the byte stream with smpp_frame, hand whole PDUs to
 * sim_smsc.c, send PDUs (responses held back by the "delay" fault, order
 * kept), close with or without flushing.
 *
 * Owns every struct sim_conn and its bufferevent. A connection is never
 * freed inside its own callbacks: sim_conn_close() unlinks it, marks it
 * dead and queues the free for the loop's before_sleep phase. Does not
 * decide what to answer (sim_smsc.c) or what to inject (sim_script.c).
 */
#include "sim.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"

#define READ_CHUNK 65536

struct sim_out {
	struct sim_out *next;
	unsigned long long due_ms;
	size_t len;
	uint8_t data[];
};

static void
conn_free(void *p)
{
	struct sim_conn *c = p;
	struct sim_out *o, *next;

	if (c->dq_ev)
		event_free(c->dq_ev);
	for (o = c->dq_head; o; o = next) {
		next = o->next;
		free(o);
	}
	if (c->bev)
		bufferevent_free(c->bev);
	free(c);
}

static void
conn_kill(struct sim_conn *c, const char *why)
{
	struct sim *s = c->sim;
	struct sim_conn **pp;

	if (c->dead)
		return;
	c->dead = 1;
	bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	if (c->dq_ev)
		event_del(c->dq_ev);
	for (pp = &s->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	s->nconns--;
	LOG(LC_SMPP, LL_INFO, "conn=%u state=closed reason=%s bound=%s", c->id,
	    why, c->bound ? smpp_cmd_name(c->bound) : "no");
	sim_notify_event(s, c, SIM_EV_CLOSED);
	loop_defer_free(s->lp, conn_free, c);
}

static int
conn_drained(struct sim_conn *c)
{
	return !c->dq_head &&
	       evbuffer_get_length(bufferevent_get_output(c->bev)) == 0;
}

void
sim_conn_close(struct sim_conn *c, int flush, const char *why)
{
	if (c->dead)
		return;
	if (flush && !conn_drained(c)) {
		if (!c->closing)
			LOG(LC_SMPP, LL_DEBUG,
			    "conn=%u state=closing reason=%s", c->id, why);
		c->closing = 1;
		c->close_why = why;
		bufferevent_disable(c->bev, EV_READ);
		return;
	}
	conn_kill(c, why);
}

void
sim_conn_close_all(struct sim *s, int flush, const char *why)
{
	struct sim_conn *c = s->conns, *next;

	for (; c; c = next) {
		next = c->next;
		sim_conn_close(c, flush, why);
	}
}

void
sim_conn_free_all(struct sim *s)
{
	while (s->conns)
		conn_kill(s->conns, "exit");
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	struct sim_conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t have;

	while (!c->dead && !c->closing && (have = evbuffer_get_length(in))) {
		size_t take = have > READ_CHUNK ? READ_CHUNK : have;
		const uint8_t *data = evbuffer_pullup(in, (ssize_t)take);
		const uint8_t *pdu = NULL;
		size_t used = 0, plen = 0;
		enum smpp_frame_result r;

		if (!data)
			break;
		r = smpp_frame_feed(&c->frame, data, take, &used, &pdu, &plen);
		/* pdu may point into data: use it before draining */
		if (r == SMPP_FRAME_PDU)
			sim_smsc_pdu(c, pdu, plen);
		else if (r == SMPP_FRAME_BAD_LENGTH)
			sim_smsc_bad_length(c, pdu, plen);
		evbuffer_drain(in, used);
		if (r == SMPP_FRAME_NEED_MORE && used == 0)
			break;
	}
}

static void
on_write(struct bufferevent *bev, void *arg)
{
	struct sim_conn *c = arg;

	if (c->closing && !c->dead && conn_drained(c))
		conn_kill(c, c->close_why ? c->close_why : "flushed");
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	struct sim_conn *c = arg;

	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		conn_kill(c, what & BEV_EVENT_EOF ? "peer_closed"
						  : "socket_error");
}

static void
on_delay(evutil_socket_t fd, short what, void *arg)
{
	struct sim_conn *c = arg;
	unsigned long long now = loop_now_ms();

	while (c->dq_head && c->dq_head->due_ms <= now) {
		struct sim_out *o = c->dq_head;
		c->dq_head = o->next;
		if (!c->dq_head)
			c->dq_tail = NULL;
		bufferevent_write(c->bev, o->data, o->len);
		free(o);
	}
	if (c->dq_head) {
		unsigned long long ms = c->dq_head->due_ms - now;
		struct timeval tv = {(time_t)(ms / 1000),
				     (suseconds_t)(ms % 1000) * 1000};
		evtimer_add(c->dq_ev, &tv);
	} else if (c->closing && conn_drained(c)) {
		conn_kill(c, c->close_why ? c->close_why : "flushed");
	}
}

void
sim_conn_send(struct sim_conn *c, const uint8_t *pdu, size_t len, int is_resp)
{
	struct sim *s = c->sim;
	struct sim_out *o;

	if (c->dead)
		return;
	/* Nothing waits: write now unless this response is to be delayed.
	 * Something waits: queue behind it, so a deliver_sm never overtakes
	 * a delayed bind_resp. */
	if (!c->dq_head && (!is_resp || s->fault.delay_ms == 0)) {
		bufferevent_write(c->bev, pdu, len);
		return;
	}
	o = malloc(sizeof(*o) + len);
	if (!o) {
		bufferevent_write(c->bev, pdu, len);
		return;
	}
	o->next = NULL;
	o->len = len;
	memcpy(o->data, pdu, len);
	/* never overtake a response already waiting */
	o->due_ms = loop_now_ms() + (is_resp ? s->fault.delay_ms : 0);
	if (c->dq_tail && c->dq_tail->due_ms > o->due_ms)
		o->due_ms = c->dq_tail->due_ms;
	if (c->dq_tail)
		c->dq_tail->next = o;
	else
		c->dq_head = o;
	c->dq_tail = o;
	if (!c->dq_ev)
		c->dq_ev = evtimer_new(s->base, on_delay, c);
	if (c->dq_ev && !evtimer_pending(c->dq_ev, NULL)) {
		unsigned long long ms = c->dq_head->due_ms - loop_now_ms();
		if ((long long)ms < 0)
			ms = 0;
		struct timeval tv = {(time_t)(ms / 1000),
				     (suseconds_t)(ms % 1000) * 1000};
		evtimer_add(c->dq_ev, &tv);
	}
}

int
sim_conn_send_pdu(struct sim_conn *c, struct smpp_pdu *p, int is_resp)
{
	uint8_t buf[SMPP_PDU_MAX];
	int n = smpp_pdu_encode(p, buf, sizeof(buf));

	if (n < 0) {
		LOG(LC_SMPP, LL_ERROR, "conn=%u encode=failed cmd=%s error=%d",
		    c->id, smpp_cmd_name(p->command_id), n);
		return n;
	}
	LOG(LC_SMPP, LL_DEBUG, "conn=%u sent=%s seq=%u status=0x%x", c->id,
	    smpp_cmd_name(p->command_id), p->sequence, p->command_status);
	sim_conn_send(c, buf, (size_t)n, is_resp);
	return 0;
}

void
sim_conn_send_raw(struct sim_conn *c, const uint8_t *b, size_t n)
{
	sim_conn_send(c, b, n, 0); /* behind any delayed response */
}

uint32_t
sim_conn_next_seq(struct sim_conn *c)
{
	c->seq = c->seq % SMPP_SEQ_MAX + 1;
	return c->seq;
}

int
sim_conn_is_rx(const struct sim_conn *c)
{
	return !c->dead && !c->closing &&
	       (c->bound == SMPP_BIND_TRANSCEIVER ||
		c->bound == SMPP_BIND_RECEIVER);
}

struct sim_conn *
sim_conn_pick_rx(struct sim *s, const char *system_id)
{
	struct sim_conn *c, *any = NULL;

	/* the list is newest first */
	for (c = s->conns; c; c = c->next) {
		if (!sim_conn_is_rx(c))
			continue;
		if (!system_id || strcmp(c->system_id, system_id) == 0)
			return c;
		if (!any)
			any = c;
	}
	return any;
}

struct sim_conn *
sim_conn_find(struct sim *s, unsigned id)
{
	for (struct sim_conn *c = s->conns; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

struct sim_conn *
sim_conn_latest(struct sim *s, int bound)
{
	for (struct sim_conn *c = s->conns; c; c = c->next)
		if (!c->dead && !c->closing && (!bound || c->bound))
			return c;
	return NULL;
}

static void
on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
	  int salen, void *arg)
{
	struct sim *s = arg;
	struct sim_conn *c;

	if (s->finishing || s->nconns >= SIM_MAX_CONNS) {
		LOG(LC_SMPP, LL_WARN, "accept=refused reason=%s",
		    s->finishing ? "finishing" : "too_many_connections");
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	/* small PDUs, answered at once: Nagle would add delayed-ACK waits
	 * to every latency the flood measures */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
	c->sim = s;
	c->id = ++s->next_conn_id;
	c->opened_ms = loop_now_ms();
	smpp_frame_init(&c->frame);
	c->bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!c->bev) {
		close(fd);
		free(c);
		return;
	}
	bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	c->next = s->conns;
	s->conns = c;
	s->nconns++;
	s->st.connections++;
	LOG(LC_SMPP, LL_INFO, "conn=%u state=accepted", c->id);
	sim_notify_event(s, c, SIM_EV_CONNECT);
}

int
sim_conn_listen(struct sim *s)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)s->o.port);
	s->lst = evconnlistener_new_bind(
		s->base, on_accept, s,
		LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE |
			LEV_OPT_CLOSE_ON_EXEC,
		64, (struct sockaddr *)&sin, sizeof(sin));
	if (!s->lst)
		return errno ? -errno : -EIO;
	if (getsockname(evconnlistener_get_fd(s->lst), (struct sockaddr *)&sin,
			&len) < 0)
		return -errno;
	s->port = ntohs(sin.sin_port);
	return 0;
}

void
sim_conn_stop_listening(struct sim *s)
{
	if (s->lst) {
		evconnlistener_free(s->lst);
		s->lst = NULL;
	}
}
