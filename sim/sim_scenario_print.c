/*
 * sim_scenario_print.c - prints parsed scenario steps in the canonical
 * form sim_scenario.c reads back: for messages naming the failed step,
 * and for the fuzz target's parse -> print -> parse round trip.
 *
 * Owns nothing. Strings are always quoted, with \" \\ \n \t \r and \xHH
 * for other control octets; numbers in decimal (statuses in hex);
 * durations in ms; only fields that differ from their defaults.
 */
#include "sim_scenario.h"

#include <string.h>

#include "sim.h"

static void
pstr(FILE *f, const void *v, size_t n)
{
	const uint8_t *s = v;

	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		uint8_t c = s[i];
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c == '\r')
			fputs("\\r", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void
kstr(FILE *f, const char *key, const char *s)
{
	fprintf(f, " %s=", key);
	pstr(f, s, strlen(s));
}

static void
phex(FILE *f, const uint8_t *b, size_t n)
{
	if (!n)
		fputs("\"\"", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
}

static void
print_expect(const struct sim_step *st, FILE *f)
{
	const struct sim_match *m = &st->m;

	fprintf(f, "expect %s", sim_scenario_cmd_name(m->cmd));
	if (m->what & SIM_M_STATUS)
		fprintf(f, " status=0x%x", m->status);
	if (m->what & SIM_M_SYSTEM_ID)
		kstr(f, "system_id", m->system_id);
	if (m->what & SIM_M_PASSWORD)
		kstr(f, "password", m->password);
	if (m->what & SIM_M_SRC)
		kstr(f, "src", m->src);
	if (m->what & SIM_M_DST)
		kstr(f, "dst", m->dst);
	if (m->what & SIM_M_SERVICE_TYPE)
		kstr(f, "service_type", m->service_type);
	if (m->what & SIM_M_DCS)
		fprintf(f, " dcs=%u", m->dcs);
	if (m->what & SIM_M_ESM)
		fprintf(f, " esm=%u", m->esm);
	if (m->what & SIM_M_RD)
		fprintf(f, " rd=%u", m->rd);
	if (m->what & SIM_M_OP)
		fprintf(f, " op=%u", m->op);
	if (m->what & SIM_M_SESSION)
		fprintf(f, " session=0x%04x", m->session);
	if (m->what & (SIM_M_TEXT | SIM_M_TEXT_SUB)) {
		fputs(m->what & SIM_M_TEXT ? " text=" : " text~=", f);
		pstr(f, m->text, m->text_len);
	}
	if (m->what & SIM_M_HEX) {
		fputs(" hex=", f);
		phex(f, m->hex, m->hex_len);
	}
}

static void
print_mo(const struct sim_step *st, FILE *f)
{
	const struct sim_mo_spec *mo = &st->mo;
	static const char *const enc[] = {"text", "gsm", "ucs2", "latin1",
					  "hex"};
	static const char *const cat[] = {"8", "16", "sar", "payload"};

	fputs(mo->ussd ? "send ussd" : "send mo", f);
	kstr(f, "from", mo->from);
	kstr(f, "to", mo->to);
	if (mo->ussd)
		fprintf(f, " op=%u", mo->ussd_op);
	if (mo->has_session)
		fprintf(f, " session=0x%04x", mo->session);
	fprintf(f, " %s=", enc[mo->enc]);
	if (mo->enc == SIM_ENC_HEX)
		phex(f, mo->body, mo->body_len);
	else
		pstr(f, mo->body, mo->body_len);
	if (mo->dcs >= 0)
		fprintf(f, " dcs=%d", mo->dcs);
	if (mo->parts)
		fprintf(f, " parts=%d", mo->parts);
	for (int i = 0; i < mo->norder; i++)
		fprintf(f, "%s%u", i ? "," : " order=", mo->order[i]);
	if (mo->concat != SIM_CAT_UDH8)
		fprintf(f, " udh=%s", cat[mo->concat]);
	if (mo->ref >= 0)
		fprintf(f, " ref=%d", mo->ref);
	if (mo->esm_class)
		fprintf(f, " esm=%u", mo->esm_class);
	if (mo->registered_delivery)
		fprintf(f, " rd=%u", mo->registered_delivery);
	if (mo->has_ton)
		fprintf(f, " ton=%u", mo->ton);
	if (mo->service_type[0])
		kstr(f, "service_type", mo->service_type);
	if (mo->skip)
		fprintf(f, " skip=%d", mo->skip);
	if (mo->spread)
		fputs(" spread=1", f);
}

static void
print_fault(const struct sim_step *st, FILE *f)
{
	switch ((enum sim_fault_op)st->op) {
	case SIM_F_THROTTLE:
		fprintf(f, "fault throttle %u", st->n);
		break;
	case SIM_F_QUEUE_FULL:
		fprintf(f, "fault queue_full %u", st->n);
		break;
	case SIM_F_DROP:
		fputs("fault drop", f);
		break;
	case SIM_F_DELAY:
		fprintf(f, "fault delay %ums", st->n);
		break;
	case SIM_F_MALFORMED:
		fprintf(f, "fault malformed %s",
			sim_fault_malformed_name((int)st->n));
		break;
	case SIM_F_MUTE_ENQUIRE:
		fprintf(f, "fault mute_enquire %s", st->n ? "on" : "off");
		break;
	case SIM_F_BIND_STATUS:
		fprintf(f, "fault bind_status 0x%x %u", st->status, st->n);
		break;
	case SIM_F_CLEAR:
		fputs("fault clear", f);
		break;
	}
}

static void
print_set(const struct sim_step *st, FILE *f)
{
	switch ((enum sim_set_op)st->op) {
	case SIM_SET_DLR:
		fprintf(f, "set dlr %s", st->n ? "on" : "off");
		break;
	case SIM_SET_DLR_STAT:
		fprintf(f, "set dlr_stat %s", st->word);
		break;
	case SIM_SET_REDELIVER:
		fprintf(f, "set redeliver %ums", st->n);
		break;
	case SIM_SET_TIMEOUT:
		fprintf(f, "set timeout %ums", st->n);
		break;
	case SIM_SET_MSGID:
		fprintf(f, "set msgid %s", st->n ? "dec" : "hex");
		break;
	}
}

void
sim_scenario_print_step(const struct sim_step *st, FILE *f)
{
	switch (st->kind) {
	case SIM_STEP_EXPECT:
		print_expect(st, f);
		break;
	case SIM_STEP_SEND_MO:
		print_mo(st, f);
		break;
	case SIM_STEP_SEND_RAW:
		fputs("send raw ", f);
		phex(f, st->raw, st->raw_len);
		break;
	case SIM_STEP_SEND_PDU:
		fprintf(f, "send %s",
			st->cmd == SMPP_UNBIND ? "unbind" : "enquire_link");
		break;
	case SIM_STEP_WAIT:
		fprintf(f, "wait %ums", st->n);
		break;
	case SIM_STEP_FAULT:
		print_fault(st, f);
		break;
	case SIM_STEP_SET:
		print_set(st, f);
		break;
	}
	if (st->timeout_ms)
		fprintf(f, " timeout=%ums", st->timeout_ms);
}

void
sim_scenario_print(const struct sim_scenario *sc, FILE *f)
{
	for (size_t i = 0; i < sc->n; i++) {
		sim_scenario_print_step(&sc->steps[i], f);
		fputc('\n', f);
	}
}
