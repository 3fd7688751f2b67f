/*
 * sim_scenario.c - parser and printer of the simulator's scenario files.
 *
 * A scenario is what an integration test wants the SMSC to do and to see,
 * one step per line, run in order by sim_script.c:
 *
 *   # comment (also after a step); blank lines are skipped
 *   expect CMD [FILTER...] [timeout=DUR]
 *       wait (default 5 s, --timeout, "set timeout") for a PDU CMD from
 *       the ESME matching every filter; the earliest unconsumed match is
 *       consumed. CMD: bind_transceiver bind_transmitter bind_receiver
 *       bind (any) unbind unbind_resp enquire_link enquire_link_resp
 *       submit_sm data_sm deliver_sm_resp data_sm_resp generic_nack
 *       query_sm cancel_sm replace_sm, or the events connect, disconnect,
 *       undecodable (a PDU our decoder refused). FILTER: status=N
 *       system_id=S password=S src=S dst=S dcs=N esm=N rd=N op=N
 *       (ussd_service_op) session=N (its_session_info) service_type=S
 *       text="exact" text~="substring" (decoded per data_coding, UDH
 *       stripped) hex=OCTETS (the body, UDH included).
 *   send mo from=MSISDN to=ADDR BODY [dcs=N] [parts=N] [order=3,1,2]
 *           [udh=8|16|sar|payload] [ref=N] [esm=N] [rd=N] [ton=N]
 *           [service_type=S] [spread=1] [skip=N] [timeout=DUR]
 *       BODY is one of text="..." (GSM 7-bit when it fits, else UCS-2),
 *       gsm="..." (must fit GSM 7-bit), ucs2="..." (data_coding 8),
 *       latin1="..." (data_coding 3), hex=OCTETS (raw, dcs= or 4).
 *       parts=N splits into exactly N parts (else as many as the standard
 *       sizes need); order= gives the send order; skip=N never sends
 *       part N (a part the network lost); spread=1 spreads the
 *       parts over every bound receiver; ton=N is the sender's type of
 *       number (default 1, international). Waits (timeout) for a bound
 *       receiver first.
 *   send ussd from=MSISDN to=CODE op=N [session=N] BODY [timeout=DUR]
 *       one deliver_sm, service_type USSD, ussd_service_op and (when
 *       given) its_session_info TLVs.
 *   send raw HEX...            arbitrary octets (several tokens joined)
 *   send enquire_link | send unbind
 *   wait DUR
 *   fault throttle N | fault queue_full N   next N submits refused
 *   fault drop                 close every connection now
 *   fault delay DUR            hold every response DUR (0 = off)
 *   fault malformed KIND       bad_length_0 bad_length_15 bad_length_huge
 *                              bad_length_4097 truncated_tlv many_tlvs_100
 *                              missing_nul unknown_cmd bad_tlv_len
 *                              sm_overrun
 *   fault mute_enquire [on|off]
 *   fault bind_status STATUS [N]   answer the next N (1) binds STATUS
 *   fault clear                every fault off
 *   set dlr on|off | set dlr_stat WORD | set redeliver DUR
 *   set timeout DUR | set msgid hex|dec
 *
 * Values: bare (no spaces, no quotes) or "quoted" with \" \\ \n \t \r \xHH.
 * Numbers: decimal or 0x hex. DUR: N, Nms, Ns or Nm (at most 1 h).
 *
 * Owns the parsed steps and their strings; does no I/O and no conversion
 * beyond checking that a message can be built (sim_mo_plan). The printer
 * writes the canonical form, which parses back to the same steps (the
 * fuzz target checks that).
 */
#include "sim_scenario.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "sim_lex.h"

static const struct {
	const char *name;
	uint32_t id;
} cmds[] = {
	{"bind_transceiver", SMPP_BIND_TRANSCEIVER},
	{"bind_transmitter", SMPP_BIND_TRANSMITTER},
	{"bind_receiver", SMPP_BIND_RECEIVER},
	{"bind", SIM_CMD_BIND},
	{"unbind", SMPP_UNBIND},
	{"unbind_resp", SMPP_UNBIND_RESP},
	{"enquire_link", SMPP_ENQUIRE_LINK},
	{"enquire_link_resp", SMPP_ENQUIRE_LINK_RESP},
	{"submit_sm", SMPP_SUBMIT_SM},
	{"data_sm", SMPP_DATA_SM},
	{"deliver_sm_resp", SMPP_DELIVER_SM_RESP},
	{"data_sm_resp", SMPP_DATA_SM_RESP},
	{"generic_nack", SMPP_GENERIC_NACK},
	{"query_sm", SMPP_QUERY_SM},
	{"cancel_sm", SMPP_CANCEL_SM},
	{"replace_sm", SMPP_REPLACE_SM},
	{"connect", SIM_CMD_CONNECT},
	{"disconnect", SIM_CMD_DISCONNECT},
	{"undecodable", SIM_CMD_UNDECODABLE},
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

const char *
sim_scenario_cmd_name(uint32_t cmd)
{
	for (size_t i = 0; i < NCMDS; i++)
		if (cmds[i].id == cmd)
			return cmds[i].name;
	return "?";
}

static int
parse_expect(struct sim_lex_ctx *x, struct sim_tok *t, int nt,
	     struct sim_step *st)
{
	struct sim_match *m = &st->m;
	size_t i;
	uint32_t v;

	if (nt < 2 || t[1].key)
		return sim_lex_fail(x, "expect: which PDU?");
	for (i = 0; i < NCMDS; i++)
		if (sim_lex_val_is(&t[1], cmds[i].name))
			break;
	if (i == NCMDS)
		return sim_lex_fail(x, "expect: unknown PDU '%s'", t[1].val);
	m->cmd = cmds[i].id;
	for (int k = 2; k < nt; k++) {
		struct sim_tok *a = &t[k];
		int rc = 0;

		if (!a->key)
			return sim_lex_fail(x, "expect: '%s' is not key=value",
					    a->val);
		if (a->op == '~' && !sim_lex_key_is(a, "text"))
			return sim_lex_fail(x, "~= is for text only");
		if (sim_lex_key_is(a, "status")) {
			rc = sim_lex_u32(x, a, 0xffffffffu, &m->status);
			m->what |= SIM_M_STATUS;
		} else if (sim_lex_key_is(a, "system_id")) {
			rc = sim_lex_str(x, a, m->system_id,
					 sizeof(m->system_id));
			m->what |= SIM_M_SYSTEM_ID;
		} else if (sim_lex_key_is(a, "password")) {
			rc = sim_lex_str(x, a, m->password,
					 sizeof(m->password));
			m->what |= SIM_M_PASSWORD;
		} else if (sim_lex_key_is(a, "src")) {
			rc = sim_lex_str(x, a, m->src, sizeof(m->src));
			m->what |= SIM_M_SRC;
		} else if (sim_lex_key_is(a, "dst")) {
			rc = sim_lex_str(x, a, m->dst, sizeof(m->dst));
			m->what |= SIM_M_DST;
		} else if (sim_lex_key_is(a, "service_type")) {
			rc = sim_lex_str(x, a, m->service_type,
					 sizeof(m->service_type));
			m->what |= SIM_M_SERVICE_TYPE;
		} else if (sim_lex_key_is(a, "dcs")) {
			rc = sim_lex_u8(x, a, &m->dcs);
			m->what |= SIM_M_DCS;
		} else if (sim_lex_key_is(a, "esm")) {
			rc = sim_lex_u8(x, a, &m->esm);
			m->what |= SIM_M_ESM;
		} else if (sim_lex_key_is(a, "rd")) {
			rc = sim_lex_u8(x, a, &m->rd);
			m->what |= SIM_M_RD;
		} else if (sim_lex_key_is(a, "op")) {
			rc = sim_lex_u8(x, a, &m->op);
			m->what |= SIM_M_OP;
		} else if (sim_lex_key_is(a, "session")) {
			rc = sim_lex_u32(x, a, 0xffff, &v);
			m->session = (uint16_t)v;
			m->what |= SIM_M_SESSION;
		} else if (sim_lex_key_is(a, "text")) {
			if (m->what & (SIM_M_TEXT | SIM_M_TEXT_SUB))
				return sim_lex_fail(x, "text given twice");
			rc = sim_lex_bytes(x, a, &m->text, &m->text_len,
					   SIM_MO_TEXT_MAX);
			m->what |= a->op == '~' ? SIM_M_TEXT_SUB : SIM_M_TEXT;
		} else if (sim_lex_key_is(a, "hex")) {
			if (m->what & SIM_M_HEX)
				return sim_lex_fail(x, "hex given twice");
			rc = sim_lex_hex(x, a, &m->hex, &m->hex_len,
					 SMPP_PAYLOAD_MAX);
			m->what |= SIM_M_HEX;
		} else if (sim_lex_key_is(a, "timeout")) {
			rc = sim_lex_duration(x, a, &st->timeout_ms);
		} else {
			return sim_lex_fail(x, "expect: unknown filter '%.*s'",
					    (int)a->klen, a->key);
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
parse_order(struct sim_lex_ctx *x, const struct sim_tok *t,
	    struct sim_mo_spec *mo)
{
	unsigned seen = 0, v = 0;
	int digits = 0;

	mo->norder = 0;
	for (size_t i = 0; i <= t->vlen; i++) {
		char c = i < t->vlen ? t->val[i] : ',';
		if (c >= '0' && c <= '9') {
			v = v * 10 + (unsigned)(c - '0');
			if (v > SIM_MO_MAX_PARTS || ++digits > 2)
				return sim_lex_fail(x, "order: part over %d",
						    SIM_MO_MAX_PARTS);
			continue;
		}
		if (c != ',' || !digits || v == 0)
			return sim_lex_fail(x, "order: a list like 3,1,2");
		if (mo->norder == SIM_MO_MAX_PARTS)
			return sim_lex_fail(x, "order: too many parts");
		if (seen & (1u << (v - 1)))
			return sim_lex_fail(x, "order: part %u twice", v);
		seen |= 1u << (v - 1);
		mo->order[mo->norder++] = (uint8_t)v;
		v = 0;
		digits = 0;
	}
	/* a permutation of 1..n */
	if (seen != (mo->norder == 32 ? 0xffffffffu : (1u << mo->norder) - 1))
		return sim_lex_fail(x, "order: must list 1..%d once each",
				    mo->norder);
	return 0;
}

static int
set_body(struct sim_lex_ctx *x, struct sim_mo_spec *mo, const struct sim_tok *a,
	 enum sim_mo_enc enc, int *have)
{
	if ((*have)++)
		return sim_lex_fail(x, "more than one message body");
	mo->enc = enc;
	if (enc == SIM_ENC_HEX)
		return sim_lex_hex(x, a, &mo->body, &mo->body_len,
				   SIM_MO_TEXT_MAX);
	return sim_lex_bytes(x, a, &mo->body, &mo->body_len, SIM_MO_TEXT_MAX);
}

static int
parse_send_mo(struct sim_lex_ctx *x, struct sim_tok *t, int nt,
	      struct sim_step *st, int ussd)
{
	struct sim_mo_spec *mo = &st->mo;
	int have_body = 0, have_from = 0, have_to = 0, have_op = 0;
	const char *why = NULL;
	uint32_t v;

	mo->dcs = -1;
	mo->ref = -1;
	mo->ussd = ussd != 0;
	for (int k = 2; k < nt; k++) {
		struct sim_tok *a = &t[k];
		int rc = 0;

		if (!a->key || a->op != '=')
			return sim_lex_fail(x, "send: '%s' is not key=value",
					    a->val);
		if (sim_lex_key_is(a, "from")) {
			rc = sim_lex_str(x, a, mo->from, sizeof(mo->from));
			have_from = 1;
		} else if (sim_lex_key_is(a, "to")) {
			rc = sim_lex_str(x, a, mo->to, sizeof(mo->to));
			have_to = 1;
		} else if (sim_lex_key_is(a, "text"))
			rc = set_body(x, mo, a, SIM_ENC_TEXT, &have_body);
		else if (sim_lex_key_is(a, "gsm"))
			rc = set_body(x, mo, a, SIM_ENC_GSM7, &have_body);
		else if (sim_lex_key_is(a, "ucs2"))
			rc = set_body(x, mo, a, SIM_ENC_UCS2, &have_body);
		else if (sim_lex_key_is(a, "latin1"))
			rc = set_body(x, mo, a, SIM_ENC_LATIN1, &have_body);
		else if (sim_lex_key_is(a, "hex"))
			rc = set_body(x, mo, a, SIM_ENC_HEX, &have_body);
		else if (sim_lex_key_is(a, "dcs")) {
			rc = sim_lex_u32(x, a, 0xff, &v);
			mo->dcs = (int)v;
		} else if (sim_lex_key_is(a, "esm"))
			rc = sim_lex_u8(x, a, &mo->esm_class);
		else if (sim_lex_key_is(a, "rd"))
			rc = sim_lex_u8(x, a, &mo->registered_delivery);
		else if (sim_lex_key_is(a, "ton")) {
			rc = sim_lex_u8(x, a, &mo->ton);
			mo->has_ton = 1;
		} else if (sim_lex_key_is(a, "service_type"))
			rc = sim_lex_str(x, a, mo->service_type,
					 sizeof(mo->service_type));
		else if (sim_lex_key_is(a, "session")) {
			rc = sim_lex_u32(x, a, 0xffff, &v);
			mo->session = (uint16_t)v;
			mo->has_session = 1;
		} else if (sim_lex_key_is(a, "timeout"))
			rc = sim_lex_duration(x, a, &st->timeout_ms);
		else if (ussd && sim_lex_key_is(a, "op")) {
			rc = sim_lex_u8(x, a, &mo->ussd_op);
			have_op = 1;
		} else if (!ussd && sim_lex_key_is(a, "parts")) {
			rc = sim_lex_u32(x, a, SIM_MO_MAX_PARTS, &v);
			if (!rc && v == 0)
				return sim_lex_fail(x, "parts must be 1..%d",
						    SIM_MO_MAX_PARTS);
			mo->parts = (int)v;
		} else if (!ussd && sim_lex_key_is(a, "order"))
			rc = parse_order(x, a, mo);
		else if (!ussd && sim_lex_key_is(a, "udh")) {
			if (sim_lex_val_is(a, "8"))
				mo->concat = SIM_CAT_UDH8;
			else if (sim_lex_val_is(a, "16"))
				mo->concat = SIM_CAT_UDH16;
			else if (sim_lex_val_is(a, "sar"))
				mo->concat = SIM_CAT_SAR;
			else if (sim_lex_val_is(a, "payload"))
				mo->concat = SIM_CAT_PAYLOAD;
			else
				return sim_lex_fail(
					x, "udh: 8, 16, sar or payload");
		} else if (!ussd && sim_lex_key_is(a, "ref")) {
			rc = sim_lex_u32(x, a, 0xffff, &v);
			mo->ref = (int)v;
		} else if (!ussd && sim_lex_key_is(a, "skip")) {
			rc = sim_lex_u32(x, a, SIM_MO_MAX_PARTS, &v);
			mo->skip = (int)v;
		} else if (!ussd && sim_lex_key_is(a, "spread")) {
			rc = sim_lex_u32(x, a, 1, &v);
			mo->spread = v != 0;
		} else {
			return sim_lex_fail(x, "send %s: unknown key '%.*s'",
					    ussd ? "ussd" : "mo", (int)a->klen,
					    a->key);
		}
		if (rc < 0)
			return rc;
	}
	if (!have_from || !have_to)
		return sim_lex_fail(x, "send: from= and to= are required");
	if (!have_body)
		return sim_lex_fail(
			x, "send: text=, gsm=, ucs2=, latin1= or hex=");
	if (ussd && !have_op)
		return sim_lex_fail(x, "send ussd: op= is required");
	if (mo->enc != SIM_ENC_HEX && mo->enc != SIM_ENC_TEXT && mo->dcs >= 0)
		return sim_lex_fail(x, "dcs= goes with text= or hex= only");
	if (mo->norder && mo->parts && mo->norder != mo->parts)
		return sim_lex_fail(x, "order= lists %d parts, parts=%d",
				    mo->norder, mo->parts);
	if (mo->ref > 0xff && mo->concat == SIM_CAT_UDH8)
		return sim_lex_fail(x, "ref over 255 needs udh=16 or sar");
	if (sim_mo_plan(mo, &why) < 0)
		return sim_lex_fail(x, "send: %s", why);
	return 0;
}

static int
parse_fault(struct sim_lex_ctx *x, struct sim_tok *t, int nt,
	    struct sim_step *st)
{
	int want = 2, rc = 0;
	uint32_t v;

	if (nt < 2 || t[1].key)
		return sim_lex_fail(x, "fault: which?");
	if (sim_lex_val_is(&t[1], "throttle") ||
	    sim_lex_val_is(&t[1], "queue_full")) {
		st->op = sim_lex_val_is(&t[1], "throttle") ? SIM_F_THROTTLE
							   : SIM_F_QUEUE_FULL;
		if (nt < 3 || t[2].key)
			return sim_lex_fail(x, "fault %s N", t[1].val);
		rc = sim_lex_u32(x, &t[2], 1000000, &v);
		st->n = v;
		want = 3;
	} else if (sim_lex_val_is(&t[1], "drop")) {
		st->op = SIM_F_DROP;
	} else if (sim_lex_val_is(&t[1], "clear")) {
		st->op = SIM_F_CLEAR;
	} else if (sim_lex_val_is(&t[1], "delay")) {
		st->op = SIM_F_DELAY;
		if (nt < 3 || t[2].key)
			return sim_lex_fail(x, "fault delay DURATION");
		rc = sim_lex_duration(x, &t[2], &st->n);
		want = 3;
	} else if (sim_lex_val_is(&t[1], "malformed")) {
		int kind;
		st->op = SIM_F_MALFORMED;
		if (nt < 3 || t[2].key)
			return sim_lex_fail(x, "fault malformed KIND");
		kind = sim_fault_malformed_kind(t[2].val);
		if (kind < 0)
			return sim_lex_fail(x, "unknown malformed kind '%s'",
					    t[2].val);
		st->n = (unsigned)kind;
		want = 3;
	} else if (sim_lex_val_is(&t[1], "mute_enquire")) {
		st->op = SIM_F_MUTE_ENQUIRE;
		st->n = 1;
		if (nt >= 3 && !t[2].key) {
			if (sim_lex_val_is(&t[2], "off"))
				st->n = 0;
			else if (!sim_lex_val_is(&t[2], "on"))
				return sim_lex_fail(x, "mute_enquire on|off");
			want = 3;
		}
	} else if (sim_lex_val_is(&t[1], "bind_status")) {
		st->op = SIM_F_BIND_STATUS;
		if (nt < 3 || t[2].key)
			return sim_lex_fail(x, "fault bind_status STATUS [N]");
		rc = sim_lex_u32(x, &t[2], 0xffffffffu, &st->status);
		st->n = 1;
		want = 3;
		if (!rc && nt >= 4 && !t[3].key) {
			rc = sim_lex_u32(x, &t[3], 1000000, &v);
			st->n = v;
			want = 4;
		}
	} else {
		return sim_lex_fail(x, "unknown fault '%s'", t[1].val);
	}
	if (rc < 0)
		return rc;
	if (nt > want)
		return sim_lex_fail(x, "fault %s: unexpected '%s'", t[1].val,
				    t[want].val);
	return 0;
}

static int
parse_set(struct sim_lex_ctx *x, struct sim_tok *t, int nt, struct sim_step *st)
{
	if (nt != 3 || t[1].key || t[2].key)
		return sim_lex_fail(x, "set NAME VALUE");
	if (sim_lex_val_is(&t[1], "dlr")) {
		st->op = SIM_SET_DLR;
		if (sim_lex_val_is(&t[2], "on"))
			st->n = 1;
		else if (!sim_lex_val_is(&t[2], "off"))
			return sim_lex_fail(x, "set dlr on|off");
		return 0;
	}
	if (sim_lex_val_is(&t[1], "msgid")) {
		st->op = SIM_SET_MSGID;
		if (sim_lex_val_is(&t[2], "dec"))
			st->n = 1;
		else if (!sim_lex_val_is(&t[2], "hex"))
			return sim_lex_fail(x, "set msgid hex|dec");
		return 0;
	}
	if (sim_lex_val_is(&t[1], "dlr_stat")) {
		st->op = SIM_SET_DLR_STAT;
		if (t[2].vlen != 7)
			return sim_lex_fail(x,
					    "dlr_stat is 7 capitals (DELIVRD)");
		for (size_t i = 0; i < 7; i++)
			if (t[2].val[i] < 'A' || t[2].val[i] > 'Z')
				return sim_lex_fail(x,
						    "dlr_stat is 7 capitals");
		memcpy(st->word, t[2].val, 8);
		return 0;
	}
	if (sim_lex_val_is(&t[1], "redeliver") ||
	    sim_lex_val_is(&t[1], "timeout")) {
		st->op = sim_lex_val_is(&t[1], "redeliver") ? SIM_SET_REDELIVER
							    : SIM_SET_TIMEOUT;
		return sim_lex_duration(x, &t[2], &st->n);
	}
	return sim_lex_fail(x, "unknown setting '%s'", t[1].val);
}

static int
parse_send(struct sim_lex_ctx *x, struct sim_tok *t, int nt,
	   struct sim_step *st)
{
	if (nt < 2 || t[1].key)
		return sim_lex_fail(x, "send what?");
	if (sim_lex_val_is(&t[1], "mo") || sim_lex_val_is(&t[1], "ussd")) {
		st->kind = SIM_STEP_SEND_MO;
		return parse_send_mo(x, t, nt, st,
				     sim_lex_val_is(&t[1], "ussd"));
	}
	if (sim_lex_val_is(&t[1], "raw")) {
		st->kind = SIM_STEP_SEND_RAW;
		if (nt < 3)
			return sim_lex_fail(x, "send raw HEX");
		for (int k = 2; k < nt; k++) {
			if (t[k].key)
				return sim_lex_fail(x,
						    "send raw takes hex only");
			if (sim_lex_hex(x, &t[k], &st->raw, &st->raw_len,
					SIM_SCENARIO_MAX_RAW) < 0)
				return -EINVAL;
		}
		return 0;
	}
	st->kind = SIM_STEP_SEND_PDU;
	if (sim_lex_val_is(&t[1], "enquire_link"))
		st->cmd = SMPP_ENQUIRE_LINK;
	else if (sim_lex_val_is(&t[1], "unbind"))
		st->cmd = SMPP_UNBIND;
	else
		return sim_lex_fail(
			x, "send: mo, ussd, raw, enquire_link or unbind");
	for (int k = 2; k < nt; k++) {
		if (!sim_lex_key_is(&t[k], "timeout") || t[k].op != '=')
			return sim_lex_fail(x, "send %s: unexpected '%s'",
					    t[1].val, t[k].val);
		if (sim_lex_duration(x, &t[k], &st->timeout_ms) < 0)
			return -EINVAL;
	}
	return 0;
}

static void
step_free(struct sim_step *st)
{
	free(st->m.text);
	free(st->m.hex);
	free(st->mo.body);
	free(st->raw);
}

static int
parse_line(struct sim_lex_ctx *x, const char *line, size_t n,
	   struct sim_step *st)
{
	struct sim_tok t[SIM_LEX_MAX_TOKS];
	char *scratch;
	int nt = 0, rc;

	scratch = malloc(n + SIM_LEX_MAX_TOKS + 1);
	if (!scratch)
		return sim_lex_fail(x, "out of memory");
	rc = sim_lex_split(x, line, n, scratch, t, &nt);
	if (rc < 0 || nt == 0)
		goto out;
	memset(st, 0, sizeof(*st));
	st->line = x->line;
	rc = -EINVAL;
	if (t[0].key)
		rc = sim_lex_fail(x, "a line starts with a verb");
	else if (sim_lex_val_is(&t[0], "expect")) {
		st->kind = SIM_STEP_EXPECT;
		rc = parse_expect(x, t, nt, st);
	} else if (sim_lex_val_is(&t[0], "send"))
		rc = parse_send(x, t, nt, st);
	else if (sim_lex_val_is(&t[0], "wait")) {
		st->kind = SIM_STEP_WAIT;
		if (nt != 2 || t[1].key)
			rc = sim_lex_fail(x, "wait DURATION");
		else
			rc = sim_lex_duration(x, &t[1], &st->n);
	} else if (sim_lex_val_is(&t[0], "fault")) {
		st->kind = SIM_STEP_FAULT;
		rc = parse_fault(x, t, nt, st);
	} else if (sim_lex_val_is(&t[0], "set")) {
		st->kind = SIM_STEP_SET;
		rc = parse_set(x, t, nt, st);
	} else
		rc = sim_lex_fail(x, "unknown verb '%s'", t[0].val);
	if (rc < 0)
		step_free(st);
	else
		rc = 1;
out:
	free(scratch);
	return rc;
}

void
sim_scenario_free(struct sim_scenario *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < sc->n; i++)
		step_free(&sc->steps[i]);
	free(sc->steps);
	free(sc);
}

struct sim_scenario *
sim_scenario_parse(const char *name, const char *text, size_t len, char *err,
		   size_t errlen)
{
	struct sim_lex_ctx x = {name, 0, err, errlen};
	struct sim_scenario *sc;
	size_t pos = 0;

	if (errlen)
		err[0] = '\0';
	if (len > SIM_SCENARIO_MAX_BYTES) {
		sim_lex_fail(&x, "file over %u bytes", SIM_SCENARIO_MAX_BYTES);
		return NULL;
	}
	if (memchr(text, '\0', len)) {
		x.line = 1;
		for (const char *p = text; *p; p++)
			x.line += *p == '\n';
		sim_lex_fail(&x, "NUL byte");
		return NULL;
	}
	sc = calloc(1, sizeof(*sc));
	if (!sc) {
		sim_lex_fail(&x, "out of memory");
		return NULL;
	}
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len, n = end - pos;
		struct sim_step st;
		int rc;

		x.line++;
		if (n && text[pos + n - 1] == '\r')
			n--;
		if (n > SIM_SCENARIO_MAX_LINE) {
			sim_lex_fail(&x, "line over %d bytes",
				     SIM_SCENARIO_MAX_LINE);
			goto fail;
		}
		rc = parse_line(&x, text + pos, n, &st);
		if (rc < 0)
			goto fail;
		pos = end + 1;
		if (rc == 0)
			continue;
		if (sc->n == SIM_SCENARIO_MAX_STEPS) {
			step_free(&st);
			sim_lex_fail(&x, "more than %d steps",
				     SIM_SCENARIO_MAX_STEPS);
			goto fail;
		}
		if (sc->n == sc->cap) {
			size_t cap = sc->cap ? sc->cap * 2 : 32;
			struct sim_step *ns =
				realloc(sc->steps, cap * sizeof(*ns));
			if (!ns) {
				step_free(&st);
				sim_lex_fail(&x, "out of memory");
				goto fail;
			}
			sc->steps = ns;
			sc->cap = cap;
		}
		sc->steps[sc->n++] = st;
	}
	return sc;
fail:
	sim_scenario_free(sc);
	return NULL;
}
