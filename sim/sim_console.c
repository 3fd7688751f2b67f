/*
 * sim_console.c - the interactive "phone" console (--console), what
 * scripts/run opens for humans (SPEC §1 programs, §3 text, §6 USSD).
 *
 * Reads lines from stdin: "97333000001> text" sends text as an MO from
 * that number to the short code (":as NUMBER" sets the number used by
 * lines without a prefix). GSM 7-bit text goes as data_coding 0, anything
 * else (Arabic typed in UTF-8) as UCS-2; long text as concatenated parts.
 * "*8001#" or "*8001*3*REF#" starts a USSD dialogue (ussd_service_op 1,
 * its_session_info); while the network keeps it open, the number's next
 * lines are the user's replies (op 18). Every MT (submit_sm / data_sm) is
 * printed decoded ("< 97333000001: ..."), concatenated parts joined.
 *
 * Owns the stdin event and buffer, per-number USSD dialogues and the
 * partial concatenated MTs (at most CON_PARTIAL_MAX, each shown as
 * incomplete after CON_PARTIAL_MS). After stdin closes it ends the run
 * once what was typed went out (or --timeout passed) and CON_QUIET_MS
 * passed quietly (--stay keeps serving). Text conversion is sim_text.c's.
 */
#include "sim.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loop.h"
#include "sim_mo.h"
#include "sim_text.h"

#define CON_USSD_MAX    16
#define CON_PARTIAL_MAX 32
#define CON_PARTIAL_MS  30000
#define CON_QUIET_MS    2000
#define CON_LINE_MAX    SIM_MO_TEXT_MAX
#define TICK_MS         100

#define USSD_OP_BEGIN   1
#define USSD_OP_REPLY   18
#define USSD_OP_END     17
#define USSD_OP_ABORT   0x81

struct con_ussd {
	int active;
	char num[SIM_MO_ADDR_MAX];
	char code[SIM_MO_ADDR_MAX];
	uint16_t session; /* its_session_info as last seen */
};

struct con_partial {
	int used;
	char dst[SMPP_ADDR_MAX];
	int concat;
	unsigned ref, total, have;
	uint8_t dcs;
	int ussd;
	unsigned long long first_ms;
	uint8_t *part[256];
	size_t len[256];
};

struct sim_console {
	struct sim *s;
	FILE *out;
	struct event *in_ev, *tick;
	struct evbuffer *inbuf;
	int eof;
	unsigned long long eof_ms;
	char current[SIM_MO_ADDR_MAX];
	struct con_ussd ussd[CON_USSD_MAX];
	struct con_partial part[CON_PARTIAL_MAX];
	uint8_t next_session;
	unsigned long long last_activity;
};

static void
say(struct sim_console *con, const char *prefix, const char *num,
    const char *tag, const char *text, size_t n)
{
	fprintf(con->out, "%s %s%s: ", prefix, num, tag);
	for (size_t i = 0; i < n; i++) {
		if (text[i] == '\n')
			fputs("\n    ", con->out);
		else if (text[i] != '\r')
			fputc(text[i], con->out);
	}
	fputc('\n', con->out);
	fflush(con->out);
}

static struct con_ussd *
ussd_find(struct sim_console *con, const char *num, int create)
{
	struct con_ussd *free_slot = NULL;

	for (int i = 0; i < CON_USSD_MAX; i++) {
		struct con_ussd *u = &con->ussd[i];
		if (u->num[0] && strcmp(u->num, num) == 0)
			return u;
		if (!free_slot && !u->active)
			free_slot = u;
	}
	if (!create)
		return NULL;
	if (!free_slot)
		free_slot = &con->ussd[0];
	memset(free_slot, 0, sizeof(*free_slot));
	snprintf(free_slot->num, sizeof(free_slot->num), "%s", num);
	return free_slot;
}

static void
on_mo_done(void *arg, uint64_t tag, uint32_t status, unsigned conn_id)
{
	struct sim_console *con = arg;
	const char *name;

	if (status == SMPP_ESME_ROK)
		return;
	name = status == SIM_MO_LOST ? "connection lost"
				     : smpp_status_name(status);
	fprintf(con->out, "! MO refused by the gateway: status=0x%x (%s)\n",
		status, name ? name : "?");
	fflush(con->out);
}

static void
emit(void *arg, const uint8_t *pdu, size_t len, int part, int total)
{
	struct sim_console *con = arg;

	sim_deliver_queue(con->s, NULL, pdu, len, 0, 0, on_mo_done, con, 0);
}

/* Sends text from num; ussd_op > 0 makes it a USSD step. */
static void
send_mo(struct sim_console *con, const char *num, const char *to,
	const char *text, size_t n, int ussd_op, uint16_t session)
{
	struct sim_mo_spec spec;
	const char *why = "";
	int parts;

	memset(&spec, 0, sizeof(spec));
	snprintf(spec.from, sizeof(spec.from), "%s", num);
	snprintf(spec.to, sizeof(spec.to), "%s", to);
	spec.enc = SIM_ENC_TEXT;
	spec.dcs = -1;
	spec.ref = -1;
	spec.body = (uint8_t *)(uintptr_t)text;
	spec.body_len = n;
	if (ussd_op > 0) {
		spec.ussd = 1;
		spec.ussd_op = (uint8_t)ussd_op;
		spec.has_session = 1;
		spec.session = session;
		/* one PDU: short_message, or message_payload when too long */
		if (sim_mo_plan(&spec, &why) < 0)
			spec.concat = SIM_CAT_PAYLOAD;
	}
	parts = sim_mo_build(&spec, &con->s->next_ref, emit, con, &why);
	if (parts < 0) {
		fprintf(con->out, "! not sent: %s\n", why);
	} else {
		fprintf(con->out, "> %s to %s [%s%s", num, to,
			sim_text_is_gsm7(text, n) ? "gsm7" : "ucs2",
			ussd_op > 0 ? " ussd" : "");
		if (parts > 1)
			fprintf(con->out, ", %d parts", parts);
		fputs("]\n", con->out);
	}
	fflush(con->out);
}

static int
is_ussd_code(const char *t, size_t n)
{
	if (n < 2 || n >= SIM_MO_ADDR_MAX || (t[0] != '*' && t[0] != '#') ||
	    t[n - 1] != '#')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(t[i] == '*' || t[i] == '#' ||
		      (t[i] >= '0' && t[i] <= '9')))
			return 0;
	return 1;
}

static int
valid_number(const char *t, size_t n)
{
	size_t i = t[0] == '+' ? 1 : 0;

	if (n <= i || n >= SIM_MO_ADDR_MAX)
		return 0;
	for (; i < n; i++)
		if (t[i] < '0' || t[i] > '9')
			return 0;
	return 1;
}

static void
help(struct sim_console *con)
{
	fprintf(con->out,
		"  97333000001> text   send text from that number to %s\n"
		"  text                send from the current number (%s)\n"
		"  *8001#              start a USSD dialogue; then type "
		"replies\n"
		"  :as NUMBER          set the current number\n"
		"  :abort              abort the current number's USSD "
		"dialogue\n"
		"  :status             connections and counters\n"
		"  :quit               leave\n",
		con->s->o.short_code, con->current);
	fflush(con->out);
}

static void
command(struct sim_console *con, char *line, size_t n)
{
	char *arg = memchr(line, ' ', n);
	size_t alen = 0;

	if (arg) {
		*arg++ = '\0';
		while (*arg == ' ')
			arg++;
		alen = strlen(arg);
	}
	if (strcmp(line, ":as") == 0 && arg && valid_number(arg, alen)) {
		snprintf(con->current, sizeof(con->current), "%s", arg);
		fprintf(con->out, "  now typing as %s\n", con->current);
	} else if (strcmp(line, ":quit") == 0) {
		sim_finish(con->s, 0);
	} else if (strcmp(line, ":abort") == 0) {
		struct con_ussd *u = ussd_find(con, con->current, 0);
		if (u && u->active) {
			send_mo(con, u->num, u->code, "", 0, USSD_OP_ABORT,
				u->session);
			u->active = 0;
		} else
			fprintf(con->out, "  no USSD dialogue for %s\n",
				con->current);
	} else if (strcmp(line, ":status") == 0) {
		fprintf(con->out,
			"  connections=%u binds=%lu submits=%lu mo_sent=%lu "
			"mo_acked=%lu pending=%u\n",
			con->s->nconns, con->s->st.binds_ok, con->s->st.submits,
			con->s->st.mo_sent, con->s->st.mo_acked,
			sim_deliver_pending(con->s));
	} else {
		help(con);
	}
	fflush(con->out);
}

static void
handle_line(struct sim_console *con, char *line, size_t n)
{
	const char *num = con->current;
	char numbuf[SIM_MO_ADDR_MAX];
	char *gt;
	struct con_ussd *u;

	while (n && (line[n - 1] == '\r' || line[n - 1] == ' '))
		line[--n] = '\0';
	while (n && *line == ' ') {
		line++;
		n--;
	}
	if (!n)
		return;
	con->last_activity = loop_now_ms();
	if (line[0] == ':') {
		command(con, line, n);
		return;
	}
	gt = memchr(line, '>', n);
	if (gt && valid_number(line, (size_t)(gt - line))) {
		size_t k = (size_t)(gt - line);
		memcpy(numbuf, line, k);
		numbuf[k] = '\0';
		num = numbuf;
		n -= k + 1;
		line = gt + 1;
		if (n && *line == ' ') {
			line++;
			n--;
		}
		if (!n)
			return;
	}
	u = ussd_find(con, num, 0);
	if (u && u->active) {
		send_mo(con, num, u->code, line, n, USSD_OP_REPLY, u->session);
		return;
	}
	if (is_ussd_code(line, n)) {
		u = ussd_find(con, num, 1);
		u->active = 1;
		memcpy(u->code, line, n);
		u->code[n] = '\0';
		u->session = (uint16_t)(++con->next_session << 8);
		send_mo(con, num, u->code, line, n, USSD_OP_BEGIN, u->session);
		return;
	}
	send_mo(con, num, con->s->o.short_code, line, n, 0, 0);
}

static void
drain_lines(struct sim_console *con)
{
	char *line;
	size_t n;

	while ((line = evbuffer_readln(con->inbuf, &n, EVBUFFER_EOL_LF))) {
		if (n < CON_LINE_MAX)
			handle_line(con, line, n);
		else
			fprintf(con->out, "! line too long, ignored\n");
		free(line);
	}
	if (evbuffer_get_length(con->inbuf) > CON_LINE_MAX) {
		evbuffer_drain(con->inbuf, evbuffer_get_length(con->inbuf));
		fprintf(con->out, "! line too long, ignored\n");
	}
	if (con->eof && evbuffer_get_length(con->inbuf)) {
		/* a last line without its newline */
		evbuffer_add(con->inbuf, "\n", 1);
		drain_lines(con);
	}
}

static void
on_stdin(evutil_socket_t fd, short what, void *arg)
{
	struct sim_console *con = arg;
	int n = evbuffer_read(con->inbuf, fd, 4096);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		con->eof = 1;
		con->eof_ms = loop_now_ms();
		event_del(con->in_ev);
	}
	drain_lines(con);
}

/* ---- MT side ---- */

static void
show_mt(struct sim_console *con, const char *dst, int ussd, uint8_t dcs,
	const uint8_t *body, size_t n, const char *extra)
{
	char text[4 * SIM_MO_BODY_MAX];
	size_t tl = sim_text_decode(dcs, body, n, text, sizeof(text));
	char tag[64];

	snprintf(tag, sizeof(tag), "%s%s", ussd ? " [USSD]" : "", extra);
	say(con, "<", dst, tag, text, tl);
}

static void
partial_flush(struct sim_console *con, struct con_partial *cp, int complete)
{
	uint8_t body[SIM_MO_BODY_MAX];
	size_t n = 0;
	char extra[48] = "";

	for (unsigned i = 1; i <= cp->total && i < 256; i++) {
		if (!cp->part[i] || n + cp->len[i] > sizeof(body))
			continue;
		memcpy(body + n, cp->part[i], cp->len[i]);
		n += cp->len[i];
	}
	if (!complete)
		snprintf(extra, sizeof(extra), " [incomplete %u/%u]", cp->have,
			 cp->total);
	show_mt(con, cp->dst, cp->ussd, cp->dcs, body, n, extra);
	for (int i = 0; i < 256; i++)
		free(cp->part[i]);
	memset(cp, 0, sizeof(*cp));
}

static void
partial_add(struct sim_console *con, const struct smpp_pdu *p,
	    const struct sim_body *b, int ussd)
{
	struct con_partial *cp = NULL, *oldest = NULL;

	for (int i = 0; i < CON_PARTIAL_MAX && !cp; i++) {
		struct con_partial *x = &con->part[i];
		if (x->used && x->concat == b->concat && x->ref == b->ref &&
		    x->total == b->total && strcmp(x->dst, p->dest.addr) == 0)
			cp = x;
	}
	/* else a free slot, else the oldest one (shown as incomplete) */
	for (int i = 0; i < CON_PARTIAL_MAX && !cp; i++) {
		struct con_partial *x = &con->part[i];
		if (!x->used) {
			oldest = x;
			break;
		}
		if (!oldest || x->first_ms < oldest->first_ms)
			oldest = x;
	}
	if (!cp) {
		cp = oldest;
		if (cp->used)
			partial_flush(con, cp, 0);
		cp->used = 1;
		snprintf(cp->dst, sizeof(cp->dst), "%s", p->dest.addr);
		cp->concat = b->concat;
		cp->ref = b->ref;
		cp->total = b->total;
		cp->dcs = p->data_coding;
		cp->ussd = ussd;
		cp->first_ms = loop_now_ms();
	}
	if (b->seq >= 1 && b->seq <= b->total && b->seq < 256 &&
	    !cp->part[b->seq]) {
		cp->part[b->seq] = malloc(b->ud_len ? b->ud_len : 1);
		if (cp->part[b->seq]) {
			memcpy(cp->part[b->seq], b->ud, b->ud_len);
			cp->len[b->seq] = b->ud_len;
			cp->have++;
		}
	}
	if (cp->have == cp->total)
		partial_flush(con, cp, 1);
}

void
sim_console_on_pdu(struct sim_console *con, struct sim_conn *c,
		   const struct smpp_pdu *p)
{
	struct sim_body b;
	int ussd;

	if (p->command_id != SMPP_SUBMIT_SM && p->command_id != SMPP_DATA_SM)
		return;
	con->last_activity = loop_now_ms();
	sim_body_of(p, &b);
	ussd = p->has_ussd_op || strcmp(p->service_type, "USSD") == 0;
	if (b.concat && b.total > 1)
		partial_add(con, p, &b, ussd);
	else
		show_mt(con, p->dest.addr, ussd, p->data_coding, b.ud, b.ud_len,
			"");
	if (ussd) {
		struct con_ussd *u = ussd_find(con, p->dest.addr, 1);
		uint16_t sess =
			p->has_its_session
				? (uint16_t)(p->its_session_info[0] << 8 |
					     p->its_session_info[1])
				: u->session;
		int end = (p->has_ussd_op &&
			   (p->ussd_service_op == USSD_OP_END ||
			    p->ussd_service_op == USSD_OP_ABORT)) ||
			  (p->has_its_session && (p->its_session_info[1] & 1));
		if (!u->code[0]) {
			size_t k = strnlen(p->source.addr, sizeof(u->code) - 1);
			memcpy(u->code, p->source.addr, k);
			u->code[k] = '\0';
		}
		u->session = (uint16_t)(sess & 0xff00) |
			     (uint16_t)((sess + 2) & 0xfe);
		u->active = !end;
		fprintf(con->out, "  [USSD %s: %s]\n", u->code,
			end ? "dialogue ended" : "reply to continue");
		fflush(con->out);
	}
}

void
sim_console_on_event(struct sim_console *con, struct sim_conn *c,
		     enum sim_event ev)
{
	if (ev == SIM_EV_BOUND)
		fprintf(con->out, "  [gateway bound: %s as %s]\n", c->system_id,
			smpp_cmd_name(c->bound));
	else if (ev == SIM_EV_CLOSED && c->bound)
		fprintf(con->out, "  [gateway connection closed]\n");
	fflush(con->out);
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct sim_console *con = arg;
	unsigned long long now = loop_now_ms();
	struct timeval tv = {0, TICK_MS * 1000};
	int partials = 0;

	for (int i = 0; i < CON_PARTIAL_MAX; i++) {
		struct con_partial *cp = &con->part[i];
		if (cp->used && now - cp->first_ms > CON_PARTIAL_MS)
			partial_flush(con, cp, 0);
		partials += cp->used;
	}
	/* stdin closed: leave once quiet, after what was typed went out (or
	 * --timeout passed without a gateway to take it) */
	if (con->eof && !con->s->o.stay && !partials &&
	    (sim_deliver_pending(con->s) == 0 ||
	     now - con->eof_ms >= con->s->o.timeout_ms) &&
	    now - con->last_activity >= CON_QUIET_MS) {
		sim_finish(con->s, 0);
		return;
	}
	evtimer_add(con->tick, &tv);
}

struct sim_console *
sim_console_new(struct sim *s)
{
	struct sim_console *con = calloc(1, sizeof(*con));
	struct timeval tv = {0, TICK_MS * 1000};
	struct stat stt;

	if (!con)
		return NULL;
	con->s = s;
	con->out = s->out;
	snprintf(con->current, sizeof(con->current), "97333000001");
	con->inbuf = evbuffer_new();
	con->tick = evtimer_new(s->base, on_tick, con);
	con->last_activity = loop_now_ms();
	if (!con->inbuf || !con->tick)
		goto fail;
	if (fstat(0, &stt) == 0 && S_ISREG(stt.st_mode)) {
		/* epoll cannot watch a file: take it all now; the MOs wait
		 * in the store for a receiver */
		while (evbuffer_read(con->inbuf, 0, 65536) > 0)
			if (evbuffer_get_length(con->inbuf) > (1u << 20))
				break;
		con->eof = 1;
		con->eof_ms = loop_now_ms();
	} else {
		con->in_ev = event_new(s->base, 0, EV_READ | EV_PERSIST,
				       on_stdin, con);
		if (!con->in_ev || event_add(con->in_ev, NULL) < 0)
			goto fail;
	}
	evtimer_add(con->tick, &tv);
	fprintf(con->out,
		"console: type \"97333000001> text\" or plain text (as %s) "
		"to send to %s; *8001# for USSD; :help\n",
		con->current, s->o.short_code);
	fflush(con->out);
	if (con->eof)
		drain_lines(con);
	return con;
fail:
	sim_console_free(con);
	return NULL;
}

void
sim_console_free(struct sim_console *con)
{
	if (!con)
		return;
	for (int i = 0; i < CON_PARTIAL_MAX; i++)
		for (int k = 0; k < 256; k++)
			free(con->part[i].part[k]);
	if (con->in_ev)
		event_free(con->in_ev);
	if (con->tick)
		event_free(con->tick);
	if (con->inbuf)
		evbuffer_free(con->inbuf);
	free(con);
}
