/*
 * esme_probe.c - a tiny scripted ESME for the simulator's tests
 * (tests/integration/sim_test.sh): blocking socket, the production codec
 * (smpp_frame, smpp_pdu), one command per line from a file or stdin.
 *
 *   bind trx|tx|rx SYSTEM_ID PASSWORD   send bind_transceiver/...
 *   submit SRC DST [text=".."|ucs2=".."|hex=..] [dcs=N] [rd=N] [esm=N]
 *          [op=N] [session=N]     (op: USSD service op, service_type USSD)
 *   data_sm SRC DST [text=..|ucs2=..|hex=..] [rd=N]    (message_payload)
 *   enquire | unbind | raw HEX
 *   ack STATUS        answer later deliver_sm with STATUS (default 0)
 *   noack             do not answer deliver_sm
 *   autoreply         answer every MO (not receipts) with a submit_sm
 *                     "ok" to its sender (for --flood)
 *   quiet             print deliver_sm and submit_sm_resp no more
 *   wait CMD [status=N] [count=N] [timeout=MS]
 *                     read until CMD arrived (count times); fail (exit 1)
 *                     on timeout or close
 *   drain MS          read for MS milliseconds
 *   closed [timeout=MS]  wait until the peer closes
 *   close | connect   drop / open the connection
 *
 * Every PDU received is printed on one line ("< deliver_sm seq=3
 * status=0x0 src=... text=\"...\" ..."), every PDU sent as "> NAME
 * seq=N". deliver_sm, enquire_link and unbind are answered like an ESME
 * would; what does not decode is printed as "< undecodable ..." and
 * answered generic_nack (or "< bad_length ..." for a bad command_length).
 * Usage: esme_probe -p PORT [-t TIMEOUT_MS] [SCRIPT]. Exit 0, 1 (a wait
 * failed), 2 (usage, connect).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sim_text.h"
#include "smpp_frame.h"
#include "smpp_pdu.h"

#define MAX_ARGS 16

static int fd = -1, port, noack, autoreply, quiet;
static uint32_t seq, ack_status;
static unsigned default_timeout = 5000;
static struct smpp_frame fr;
static uint8_t rbuf[65536];
static size_t rlen, roff;

static unsigned long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 +
	       (unsigned long long)ts.tv_nsec / 1000000;
}

static int
do_connect(void)
{
	struct sockaddr_in sin;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		close(fd);
		fd = -1;
		return -1;
	}
	smpp_frame_init(&fr);
	rlen = roff = 0;
	printf("* connected\n");
	return 0;
}

static int
write_all(const uint8_t *b, size_t n)
{
	while (n) {
		ssize_t w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
send_pdu(struct smpp_pdu *p)
{
	uint8_t buf[SMPP_PDU_MAX];
	int n = smpp_pdu_encode(p, buf, sizeof(buf));

	if (n < 0) {
		printf("! encode %s failed: %d\n", smpp_cmd_name(p->command_id),
		       n);
		return -1;
	}
	if (!quiet)
		printf("> %s seq=%u\n", smpp_cmd_name(p->command_id),
		       p->sequence);
	return fd < 0 ? -1 : write_all(buf, (size_t)n);
}

static void
answer(uint32_t cmd, uint32_t status, uint32_t sq)
{
	struct smpp_pdu r;

	smpp_pdu_init(&r, cmd, status, sq);
	send_pdu(&r);
}

static void
print_quoted(const char *s, size_t n)
{
	putchar('"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			printf("\\%c", s[i]);
		else if (s[i] == '\n')
			fputs("\\n", stdout);
		else if ((unsigned char)s[i] < 0x20)
			printf("\\x%02x", (unsigned char)s[i]);
		else
			putchar(s[i]);
	}
	putchar('"');
}

/* Prints and answers one decoded PDU. */
static void
print_pdu(const struct smpp_pdu *p)
{
	printf("< %s seq=%u status=0x%x", smpp_cmd_name(p->command_id),
	       p->sequence, p->command_status);
	switch (p->command_id) {
	case SMPP_BIND_TRANSCEIVER_RESP:
	case SMPP_BIND_TRANSMITTER_RESP:
	case SMPP_BIND_RECEIVER_RESP:
		printf(" system_id=%s", p->system_id);
		break;
	case SMPP_SUBMIT_SM_RESP:
	case SMPP_DATA_SM_RESP:
		printf(" msgid=%s", p->message_id);
		break;
	case SMPP_DELIVER_SM:
	case SMPP_DATA_SM:
	case SMPP_SUBMIT_SM: {
		const uint8_t *body =
			p->has_payload ? p->message_payload : p->short_message;
		size_t n = p->has_payload ? p->message_payload_len
					  : p->sm_length,
		       off = 0;
		char text[4 * SMPP_PAYLOAD_MAX];
		size_t tl;

		printf(" svc=%s src=%s dst=%s esm=0x%02x dcs=%u",
		       p->service_type, p->source.addr, p->dest.addr,
		       p->esm_class, p->data_coding);
		if ((p->esm_class & 0x40) && n >= 1 && body[0] + 1u <= n) {
			off = body[0] + 1u;
			if (body[0] >= 5 && body[1] == 0 && body[2] == 3)
				printf(" concat=udh8/%u/%u/%u", body[3],
				       body[4], body[5]);
			else if (body[0] >= 6 && body[1] == 8 && body[2] == 4)
				printf(" concat=udh16/%u/%u/%u",
				       body[3] << 8 | body[4], body[5],
				       body[6]);
		}
		if (p->has_sar)
			printf(" concat=sar/%u/%u/%u", p->sar_msg_ref_num,
			       p->sar_total_segments, p->sar_segment_seqnum);
		if (p->has_payload)
			printf(" payload=%u", p->message_payload_len);
		if (p->has_ussd_op)
			printf(" op=%u", p->ussd_service_op);
		if (p->has_its_session)
			printf(" session=0x%02x%02x", p->its_session_info[0],
			       p->its_session_info[1]);
		if (p->has_receipted_id)
			printf(" rid=%s", p->receipted_message_id);
		if (p->has_message_state)
			printf(" state=%u", p->message_state);
		tl = sim_text_decode(p->data_coding, body + off, n - off, text,
				     sizeof(text));
		fputs(" text=", stdout);
		print_quoted(text, tl);
		fputs(" hex=", stdout);
		for (size_t i = 0; i < n; i++)
			printf("%02x", body[i]);
		break;
	}
	default:
		break;
	}
	putchar('\n');
}

/* Prints (unless quiet) and answers one decoded PDU like an ESME. */
static void
on_pdu(const struct smpp_pdu *p)
{
	if (!quiet || (p->command_id != SMPP_DELIVER_SM &&
		       p->command_id != SMPP_SUBMIT_SM_RESP))
		print_pdu(p);
	if (p->command_id == SMPP_DELIVER_SM && !noack)
		answer(SMPP_DELIVER_SM_RESP, ack_status, p->sequence);
	if (p->command_id == SMPP_DELIVER_SM && autoreply &&
	    (p->esm_class & 0x3c) == 0 &&
	    (!p->has_sar || p->sar_segment_seqnum == 1)) {
		struct smpp_pdu r;
		smpp_pdu_init(&r, SMPP_SUBMIT_SM, 0, ++seq);
		r.source = p->dest;
		r.dest = p->source;
		r.source.addr[20] = r.dest.addr[20] = '\0';
		r.short_message = (const uint8_t *)"ok";
		r.sm_length = 2;
		send_pdu(&r);
	} else if (p->command_id == SMPP_ENQUIRE_LINK)
		answer(SMPP_ENQUIRE_LINK_RESP, 0, p->sequence);
	else if (p->command_id == SMPP_UNBIND)
		answer(SMPP_UNBIND_RESP, 0, p->sequence);
}

/* Reads until one PDU was handled: returns its command id (or 1 for an
 * undecodable one), 0 on timeout, -1 when closed. */
static long
read_one(unsigned long long deadline, uint32_t *status)
{
	for (;;) {
		const uint8_t *pdu;
		size_t used, plen;
		enum smpp_frame_result r;

		if (fd < 0)
			return -1;
		if (roff < rlen) {
			r = smpp_frame_feed(&fr, rbuf + roff, rlen - roff,
					    &used, &pdu, &plen);
			if (r == SMPP_FRAME_PDU) {
				struct smpp_pdu p;
				struct smpp_decode_error err;
				uint8_t copy[SMPP_PDU_MAX];
				memcpy(copy, pdu, plen);
				roff += used;
				if (smpp_pdu_decode(copy, plen, &p, &err) < 0) {
					printf("< undecodable len=%zu "
					       "cmd=0x%08x status=0x%x "
					       "reason=\"%s\"\n",
					       plen, err.command_id, err.status,
					       err.reason ? err.reason : "");
					if (!smpp_cmd_is_response(
						    err.command_id))
						answer(SMPP_GENERIC_NACK,
						       err.status,
						       err.sequence);
					*status = err.status;
					return 1;
				}
				on_pdu(&p);
				*status = p.command_status;
				return (long)p.command_id;
			}
			roff += used;
			if (r == SMPP_FRAME_BAD_LENGTH) {
				uint32_t l = 0, id = 0, st = 0, sq = 0;
				if (plen >= SMPP_HEADER_LEN)
					smpp_pdu_header(pdu, &l, &id, &st, &sq);
				printf("< bad_length command_length=%u\n", l);
				answer(SMPP_GENERIC_NACK, SMPP_ESME_RINVCMDLEN,
				       sq <= SMPP_SEQ_MAX ? sq : 0);
				*status = SMPP_ESME_RINVCMDLEN;
				return 1;
			}
			continue;
		}
		long long left = (long long)(deadline - now_ms());
		struct pollfd pfd = {fd, POLLIN, 0};
		if (deadline < now_ms() || left <= 0)
			return 0;
		int pr = poll(&pfd, 1, (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			return 0;
		ssize_t n = read(fd, rbuf, sizeof(rbuf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			printf("* closed by peer\n");
			close(fd);
			fd = -1;
			return -1;
		}
		rlen = (size_t)n;
		roff = 0;
	}
}

/* Splits a line into words; "quoted" values with \" \\ \n escapes. */
static int
split(char *line, char **argv)
{
	int n = 0;
	char *p = line, *o;

	while (*p && n < MAX_ARGS) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			break;
		argv[n++] = o = p;
		while (*p && *p != ' ' && *p != '\t') {
			if (*p == '"') {
				p++;
				while (*p && *p != '"') {
					if (*p == '\\' && p[1]) {
						p++;
						*o++ = *p == 'n' ? '\n' : *p;
						p++;
					} else
						*o++ = *p++;
				}
				if (*p)
					p++;
			} else
				*o++ = *p++;
		}
		if (*p)
			p++;
		*o = '\0';
	}
	return n;
}

static const char *
opt(int argc, char **argv, const char *key)
{
	size_t k = strlen(key);

	for (int i = 0; i < argc; i++)
		if (strncmp(argv[i], key, k) == 0 && argv[i][k] == '=')
			return argv[i] + k + 1;
	return NULL;
}

static size_t
hex_to(const char *h, uint8_t *out, size_t cap)
{
	size_t n = 0;

	for (; h[0] && h[1] && n < cap; h += 2) {
		unsigned v;
		if (sscanf(h, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
	}
	return n;
}

static int
cmd_submit(int argc, char **argv, uint32_t cmd)
{
	struct smpp_pdu p;
	uint8_t body[SMPP_PAYLOAD_MAX];
	const char *v;
	int n = 0;

	if (argc < 3)
		return -1;
	smpp_pdu_init(&p, cmd, 0, ++seq);
	p.source.ton = 0;
	p.source.npi = 1;
	snprintf(p.source.addr, 21, "%s", argv[1]);
	p.dest.ton = 1;
	p.dest.npi = 1;
	snprintf(p.dest.addr, 21, "%s", argv[2]);
	if ((v = opt(argc, argv, "text"))) {
		if (sim_text_is_gsm7(v, strlen(v))) {
			n = sim_text_to_gsm7(v, strlen(v), body, sizeof(body));
		} else {
			n = sim_text_to_ucs2(v, strlen(v), body, sizeof(body));
			p.data_coding = 8;
		}
	} else if ((v = opt(argc, argv, "ucs2"))) {
		n = sim_text_to_ucs2(v, strlen(v), body, sizeof(body));
		p.data_coding = 8;
	} else if ((v = opt(argc, argv, "hex"))) {
		n = (int)hex_to(v, body, sizeof(body));
	}
	if (n < 0)
		return -1;
	if ((v = opt(argc, argv, "dcs")))
		p.data_coding = (uint8_t)strtoul(v, NULL, 0);
	if ((v = opt(argc, argv, "rd")))
		p.registered_delivery = (uint8_t)strtoul(v, NULL, 0);
	if ((v = opt(argc, argv, "esm")))
		p.esm_class = (uint8_t)strtoul(v, NULL, 0);
	if ((v = opt(argc, argv, "op"))) {
		p.has_ussd_op = 1;
		p.ussd_service_op = (uint8_t)strtoul(v, NULL, 0);
		memcpy(p.service_type, "USSD", 5);
	}
	if ((v = opt(argc, argv, "session"))) {
		unsigned long x = strtoul(v, NULL, 0);
		p.has_its_session = 1;
		p.its_session_info[0] = (uint8_t)(x >> 8);
		p.its_session_info[1] = (uint8_t)x;
	}
	if (cmd == SMPP_DATA_SM || n > SMPP_SHORT_MESSAGE_ENCODE_MAX) {
		p.has_payload = 1;
		p.message_payload = body;
		p.message_payload_len = (uint16_t)n;
	} else {
		p.short_message = body;
		p.sm_length = (uint8_t)n;
	}
	return send_pdu(&p);
}

static uint32_t
cmd_id(const char *name)
{
	static const uint32_t ids[] = {
		SMPP_GENERIC_NACK,
		SMPP_BIND_RECEIVER_RESP,
		SMPP_BIND_TRANSMITTER_RESP,
		SMPP_BIND_TRANSCEIVER_RESP,
		SMPP_SUBMIT_SM_RESP,
		SMPP_DELIVER_SM,
		SMPP_UNBIND,
		SMPP_UNBIND_RESP,
		SMPP_ENQUIRE_LINK,
		SMPP_ENQUIRE_LINK_RESP,
		SMPP_DATA_SM,
		SMPP_DATA_SM_RESP,
	};
	if (strcmp(name, "undecodable") == 0)
		return 1;
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (strcmp(name, smpp_cmd_name(ids[i])) == 0)
			return ids[i];
	return 0;
}

static int
cmd_wait(int argc, char **argv)
{
	const char *v;
	unsigned count = 1, timeout = default_timeout;
	uint32_t want, status = 0;
	int check_status = 0;
	unsigned long long deadline;

	if (argc < 2 || !(want = cmd_id(argv[1]))) {
		printf("! wait: unknown PDU '%s'\n", argc > 1 ? argv[1] : "");
		return -1;
	}
	if ((v = opt(argc, argv, "count")))
		count = (unsigned)strtoul(v, NULL, 0);
	if ((v = opt(argc, argv, "timeout")))
		timeout = (unsigned)strtoul(v, NULL, 0);
	if ((v = opt(argc, argv, "status"))) {
		status = (uint32_t)strtoul(v, NULL, 0);
		check_status = 1;
	}
	deadline = now_ms() + timeout;
	while (count) {
		uint32_t st = 0;
		long got = read_one(deadline, &st);
		if (got <= 0) {
			printf("! %s waiting for %s\n",
			       got == 0 ? "timeout" : "closed", argv[1]);
			return -1;
		}
		if ((uint32_t)got == want && (!check_status || st == status))
			count--;
	}
	return 0;
}

static int
run_line(char *line)
{
	char *argv[MAX_ARGS];
	int argc = split(line, argv);

	if (argc == 0)
		return 0;
	fflush(stdout);
	if (strcmp(argv[0], "bind") == 0 && argc == 4) {
		struct smpp_pdu p;
		uint32_t id = strcmp(argv[1], "tx") == 0 ? SMPP_BIND_TRANSMITTER
			      : strcmp(argv[1], "rx") == 0
				      ? SMPP_BIND_RECEIVER
				      : SMPP_BIND_TRANSCEIVER;
		smpp_pdu_init(&p, id, 0, ++seq);
		snprintf(p.system_id, sizeof(p.system_id), "%s", argv[2]);
		snprintf(p.password, sizeof(p.password), "%s", argv[3]);
		return send_pdu(&p);
	}
	if (strcmp(argv[0], "submit") == 0)
		return cmd_submit(argc, argv, SMPP_SUBMIT_SM);
	if (strcmp(argv[0], "data_sm") == 0)
		return cmd_submit(argc, argv, SMPP_DATA_SM);
	if (strcmp(argv[0], "enquire") == 0) {
		answer(SMPP_ENQUIRE_LINK, 0, ++seq);
		return 0;
	}
	if (strcmp(argv[0], "unbind") == 0) {
		answer(SMPP_UNBIND, 0, ++seq);
		return 0;
	}
	if (strcmp(argv[0], "raw") == 0 && argc == 2) {
		uint8_t b[SMPP_PDU_MAX * 2];
		size_t n = hex_to(argv[1], b, sizeof(b));
		printf("> raw %zu\n", n);
		return fd < 0 ? -1 : write_all(b, n);
	}
	if (strcmp(argv[0], "ack") == 0 && argc == 2) {
		ack_status = (uint32_t)strtoul(argv[1], NULL, 0);
		noack = 0;
		return 0;
	}
	if (strcmp(argv[0], "noack") == 0) {
		noack = 1;
		return 0;
	}
	if (strcmp(argv[0], "autoreply") == 0) {
		autoreply = 1;
		return 0;
	}
	if (strcmp(argv[0], "quiet") == 0) {
		quiet = 1;
		return 0;
	}
	if (strcmp(argv[0], "wait") == 0)
		return cmd_wait(argc, argv);
	if (strcmp(argv[0], "drain") == 0 && argc == 2) {
		unsigned long long deadline =
			now_ms() + strtoul(argv[1], NULL, 0);
		uint32_t st;
		while (read_one(deadline, &st) > 0)
			;
		return 0;
	}
	if (strcmp(argv[0], "closed") == 0) {
		const char *v = opt(argc, argv, "timeout");
		unsigned long long deadline =
			now_ms() + (v ? strtoul(v, NULL, 0) : default_timeout);
		uint32_t st;
		long got;
		while ((got = read_one(deadline, &st)) > 0)
			;
		if (got == 0) {
			printf("! timeout waiting for the close\n");
			return -1;
		}
		return 0;
	}
	if (strcmp(argv[0], "close") == 0) {
		if (fd >= 0)
			close(fd);
		fd = -1;
		printf("* closed\n");
		return 0;
	}
	if (strcmp(argv[0], "connect") == 0)
		return do_connect();
	printf("! unknown command '%s'\n", argv[0]);
	return -1;
}

int
main(int argc, char **argv)
{
	FILE *in = stdin;
	char line[8192];
	int o, rc = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((o = getopt(argc, argv, "p:t:")) != -1) {
		if (o == 'p')
			port = atoi(optarg);
		else if (o == 't')
			default_timeout = (unsigned)atoi(optarg);
		else
			return 2;
	}
	if (!port || optind + 1 < argc)
		return 2;
	if (optind < argc && !(in = fopen(argv[optind], "r")))
		return 2;
	if (do_connect() < 0) {
		printf("! cannot connect to port %d\n", port);
		return 2;
	}
	while (fgets(line, sizeof(line), in)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (run_line(line) < 0) {
			rc = 1;
			break;
		}
	}
	if (in != stdin)
		fclose(in);
	if (fd >= 0)
		close(fd);
	return rc;
}
