/*
 * sim_mo.h - what a mobile-originated message looks like before it is
 * encoded (struct sim_mo_spec, filled by the scenario parser, the console
 * and the flood generator) and the builder that turns one into deliver_sm
 * PDUs: text encoded, split into parts, concatenated by 8-bit or 16-bit
 * UDH reference, SAR TLVs or one message_payload, USSD TLVs added.
 */
#ifndef TAWASUL_SIM_MO_H
#define TAWASUL_SIM_MO_H

#include <stddef.h>
#include <stdint.h>

#define SIM_MO_MAX_PARTS 32
#define SIM_MO_BODY_MAX  8192 /* encoded octets, all parts together */
#define SIM_MO_TEXT_MAX  4096 /* UTF-8 (or raw) input octets */
#define SIM_MO_ADDR_MAX  21   /* source/destination incl. NUL */

enum sim_mo_enc {
	SIM_ENC_TEXT,   /* UTF-8: GSM 7-bit when it fits, else UCS-2 */
	SIM_ENC_GSM7,   /* UTF-8 that must fit GSM 7-bit */
	SIM_ENC_UCS2,   /* UTF-8 sent as UCS-2 (data_coding 8) */
	SIM_ENC_LATIN1, /* UTF-8 sent as Latin-1 (data_coding 3) */
	SIM_ENC_HEX,    /* raw octets (data_coding from dcs=, default 4) */
};

enum sim_mo_concat {
	SIM_CAT_UDH8,    /* 05 00 03 ref total seq */
	SIM_CAT_UDH16,   /* 06 08 04 ref ref total seq */
	SIM_CAT_SAR,     /* sar_msg_ref_num, sar_total_segments, _seqnum */
	SIM_CAT_PAYLOAD, /* one deliver_sm, whole body in message_payload */
};

struct sim_mo_spec {
	char from[SIM_MO_ADDR_MAX];
	char to[SIM_MO_ADDR_MAX];
	enum sim_mo_enc enc;
	uint8_t *body; /* UTF-8 text or raw octets; owned by the holder */
	size_t body_len;
	int dcs;   /* -1: from the encoding */
	int parts; /* 0: as many as needed */
	int norder;
	uint8_t order[SIM_MO_MAX_PARTS]; /* 1-based send order */
	int skip; /* 1-based part never sent (a lost part); 0: none */
	enum sim_mo_concat concat;
	int ref; /* -1: next automatic reference */
	uint8_t esm_class, registered_delivery;
	uint8_t ton; /* the sender's type of number, when has_ton (else 1) */
	unsigned ussd : 1, has_session : 1, spread : 1, has_ton : 1;
	uint8_t ussd_op;
	uint16_t session; /* its_session_info, big-endian on the wire */
	char service_type[6];
};

/* One encoded deliver_sm, sequence number 0 (patched when sent). */
typedef void sim_mo_emit_fn(void *arg, const uint8_t *pdu, size_t len, int part,
			    int total);

/*
 * Encodes the body of spec (text conversion per enc) into out (cap
 * octets); *dcs gets the data_coding. Returns the octets, or -EILSEQ /
 * -ENOSPC / -EINVAL (bad dcs for the encoding).
 */
int sim_mo_encode_body(const struct sim_mo_spec *spec, uint8_t *out, size_t cap,
		       uint8_t *dcs);

/*
 * Plans the parts of spec without building PDUs: returns the number of
 * parts (>= 1) or a negative errno with a static reason in *why. Pure:
 * used by the scenario parser to refuse impossible lines early.
 */
int sim_mo_plan(const struct sim_mo_spec *spec, const char **why);

/*
 * Builds the deliver_sm PDUs of spec and calls emit once per part, in
 * spec->order when given (else 1..n). *ref_counter supplies automatic
 * concatenation references (incremented). Returns the number of parts, or
 * a negative errno with a static reason in *why.
 */
int sim_mo_build(const struct sim_mo_spec *spec, unsigned *ref_counter,
		 sim_mo_emit_fn *emit, void *arg, const char **why);

#endif
