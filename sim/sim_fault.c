/*
 * sim_fault.c - the simulator's fault modes (SPEC §2 "ESME_RTHROTTLED and
 * ESME_RMSGQFUL pause that link's submits", "malformed or unknown input
 * never crashes or wedges the daemon"; DESIGN §4 hostile input).
 *
 * Decides what happens to each submit (throttle / queue full for the next
 * N or every Nth, drop the connection at the Nth) and builds the named
 * malformed PDUs a scenario can throw at the ESME. Owns no state of its
 * own: the counters live in struct sim_fault (set from the command line
 * and by scenario "fault" lines). Delays and mute enquire_link are applied
 * where the bytes go out (sim_conn.c, sim_smsc.c).
 */
#include "sim.h"

#include <errno.h>
#include <string.h>

enum sim_submit_verdict
sim_fault_submit(struct sim *s, unsigned long nth, uint32_t *status)
{
	struct sim_fault *f = &s->fault;

	if (f->drop_after && nth == f->drop_after)
		return SIM_SUBMIT_DROP;
	if (f->throttle_left ||
	    (f->throttle_every && nth % f->throttle_every == 0)) {
		if (f->throttle_left)
			f->throttle_left--;
		s->st.throttled++;
		*status = SMPP_ESME_RTHROTTLED;
		return SIM_SUBMIT_REFUSE;
	}
	if (f->queue_full_left ||
	    (f->queue_full_every && nth % f->queue_full_every == 0)) {
		if (f->queue_full_left)
			f->queue_full_left--;
		s->st.queue_full++;
		*status = SMPP_ESME_RMSGQFUL;
		return SIM_SUBMIT_REFUSE;
	}
	return SIM_SUBMIT_OK;
}

enum {
	MAL_BAD_LENGTH_0,
	MAL_BAD_LENGTH_15,
	MAL_BAD_LENGTH_HUGE,
	MAL_BAD_LENGTH_4097,
	MAL_TRUNCATED_TLV,
	MAL_MANY_TLVS_100,
	MAL_MISSING_NUL,
	MAL_UNKNOWN_CMD,
	MAL_BAD_TLV_LEN,
	MAL_SM_OVERRUN,
	MAL__COUNT
};

static const char *const mal_names[MAL__COUNT] = {
	"bad_length_0",  "bad_length_15", "bad_length_huge", "bad_length_4097",
	"truncated_tlv", "many_tlvs_100", "missing_nul",     "unknown_cmd",
	"bad_tlv_len",   "sm_overrun",
};

int
sim_fault_malformed_kind(const char *name)
{
	for (int i = 0; i < MAL__COUNT; i++)
		if (strcmp(name, mal_names[i]) == 0)
			return i;
	return -EINVAL;
}

const char *
sim_fault_malformed_name(int kind)
{
	return kind >= 0 && kind < MAL__COUNT ? mal_names[kind] : "?";
}

struct wr {
	uint8_t *b;
	size_t n, cap;
};

static void
put8(struct wr *w, uint8_t v)
{
	if (w->n < w->cap)
		w->b[w->n] = v;
	w->n++;
}

static void
put16(struct wr *w, uint16_t v)
{
	put8(w, (uint8_t)(v >> 8));
	put8(w, (uint8_t)v);
}

static void
put32(struct wr *w, uint32_t v)
{
	put16(w, (uint16_t)(v >> 16));
	put16(w, (uint16_t)v);
}

static void
putstr(struct wr *w, const char *s)
{
	do
		put8(w, (uint8_t)*s);
	while (*s++);
}

static void
header(struct wr *w, uint32_t len, uint32_t cmd, uint32_t seq)
{
	put32(w, len);
	put32(w, cmd);
	put32(w, 0);
	put32(w, seq);
}

/* The mandatory part of a deliver_sm with a short message of sm_len
 * octets claimed and body octets present. */
static void
deliver_body(struct wr *w, uint8_t sm_len, const char *body)
{
	putstr(w, "");
	put8(w, 1);
	put8(w, 1);
	putstr(w, "97333000009");
	put8(w, 0);
	put8(w, 1);
	putstr(w, "80008001");
	put8(w, 0); /* esm_class */
	put8(w, 0); /* protocol_id */
	put8(w, 0); /* priority_flag */
	putstr(w, "");
	putstr(w, "");
	put8(w, 0); /* registered_delivery */
	put8(w, 0); /* replace_if_present_flag */
	put8(w, 0); /* data_coding */
	put8(w, 0); /* sm_default_msg_id */
	put8(w, sm_len);
	for (const char *p = body; *p; p++)
		put8(w, (uint8_t)*p);
}

/* Patches command_length to the bytes written. */
static void
fix_length(struct wr *w)
{
	uint32_t n = (uint32_t)w->n;

	if (w->cap >= 4) {
		w->b[0] = (uint8_t)(n >> 24);
		w->b[1] = (uint8_t)(n >> 16);
		w->b[2] = (uint8_t)(n >> 8);
		w->b[3] = (uint8_t)n;
	}
}

size_t
sim_fault_malformed_build(int kind, uint32_t seq, uint8_t *buf, size_t cap)
{
	struct wr w = {buf, 0, cap};

	switch (kind) {
	case MAL_BAD_LENGTH_0:
		/* a bare header claiming 0 octets */
		header(&w, 0, SMPP_DELIVER_SM, seq);
		break;
	case MAL_BAD_LENGTH_15:
		header(&w, 15, SMPP_DELIVER_SM, seq);
		break;
	case MAL_BAD_LENGTH_HUGE:
		header(&w, 0x7fffffffu, SMPP_DELIVER_SM, seq);
		break;
	case MAL_BAD_LENGTH_4097:
		/* one over the cap, and really that long: a framer that
		 * discards what the length claims stays in step */
		header(&w, SMPP_PDU_MAX + 1, SMPP_DELIVER_SM, seq);
		while (w.n < SMPP_PDU_MAX + 1)
			put8(&w, 0);
		break;
	case MAL_TRUNCATED_TLV:
		header(&w, 0, SMPP_DELIVER_SM, seq);
		deliver_body(&w, 2, "hi");
		put16(&w, 0x1401);
		put16(&w, 10); /* claims 10, 2 follow */
		put16(&w, 0x4142);
		fix_length(&w);
		break;
	case MAL_MANY_TLVS_100:
		header(&w, 0, SMPP_DELIVER_SM, seq);
		deliver_body(&w, 2, "hi");
		for (int i = 0; i < 100; i++) {
			put16(&w, (uint16_t)(0x1400 + i));
			put16(&w, 1);
			put8(&w, (uint8_t)i);
		}
		fix_length(&w);
		break;
	case MAL_MISSING_NUL:
		/* service_type runs on without its NUL */
		header(&w, 0, SMPP_DELIVER_SM, seq);
		for (int i = 0; i < 40; i++)
			put8(&w, 'A');
		fix_length(&w);
		break;
	case MAL_UNKNOWN_CMD:
		header(&w, 0, 0x00000099u, seq);
		put32(&w, 0);
		fix_length(&w);
		break;
	case MAL_BAD_TLV_LEN:
		header(&w, 0, SMPP_DELIVER_SM, seq);
		deliver_body(&w, 2, "hi");
		put16(&w, SMPP_TAG_SAR_MSG_REF_NUM);
		put16(&w, 1); /* an integer TLV of 2 octets */
		put8(&w, 7);
		fix_length(&w);
		break;
	case MAL_SM_OVERRUN:
		header(&w, 0, SMPP_DELIVER_SM, seq);
		deliver_body(&w, 200, "short");
		fix_length(&w);
		break;
	default:
		return 0;
	}
	return w.n <= cap ? w.n : 0;
}
