/*
 * sim_scenario.h - the simulator's scenario files: a parsed scenario is an
 * array of typed steps (expect / send / wait / fault / set). The format
 * is documented at the top of sim_scenario.c and in docs/simulator.md.
 *
 * Pure: parsing and printing only, no I/O besides the FILE * given to the
 * printer, no libevent (a fuzz target links it alone).
 */
#ifndef TAWASUL_SIM_SCENARIO_H
#define TAWASUL_SIM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim_mo.h"
#include "smpp_pdu.h"

#define SIM_SCENARIO_MAX_BYTES (1u << 20)
#define SIM_SCENARIO_MAX_STEPS 10000
#define SIM_SCENARIO_MAX_LINE  16384
#define SIM_SCENARIO_MAX_RAW   8192
#define SIM_DURATION_MAX_MS    3600000u

/* Pseudo command ids for expect lines that are not one PDU. */
#define SIM_CMD_CONNECT     0xfffffff1u /* an ESME connected */
#define SIM_CMD_DISCONNECT  0xfffffff2u /* a connection closed */
#define SIM_CMD_BIND        0xfffffff3u /* any of the three binds */
#define SIM_CMD_UNDECODABLE 0xfffffff4u /* a PDU our decoder refused */

enum sim_step_kind {
	SIM_STEP_EXPECT,
	SIM_STEP_SEND_MO, /* send mo / send ussd */
	SIM_STEP_SEND_RAW,
	SIM_STEP_SEND_PDU, /* send enquire_link / send unbind */
	SIM_STEP_WAIT,
	SIM_STEP_FAULT,
	SIM_STEP_SET,
};

enum sim_fault_op {
	SIM_F_THROTTLE,     /* n: next n submits ESME_RTHROTTLED */
	SIM_F_QUEUE_FULL,   /* n: next n submits ESME_RMSGQFUL */
	SIM_F_DROP,         /* close every connection now */
	SIM_F_DELAY,        /* n: responses held n ms (0 = off) */
	SIM_F_MALFORMED,    /* n: malformed kind (sim_fault.c) */
	SIM_F_MUTE_ENQUIRE, /* n: 1 on, 0 off */
	SIM_F_BIND_STATUS,  /* status for the next n binds */
	SIM_F_CLEAR,        /* every fault off */
};

enum sim_set_op {
	SIM_SET_DLR,       /* n: 1 on, 0 off */
	SIM_SET_DLR_STAT,  /* word */
	SIM_SET_REDELIVER, /* n ms, 0 off */
	SIM_SET_TIMEOUT,   /* n ms: default expect timeout from here */
	SIM_SET_MSGID,     /* n: 0 hex, 1 dec */
};

/* Which fields of struct sim_match are compared. */
enum {
	SIM_M_STATUS = 1u << 0,
	SIM_M_SYSTEM_ID = 1u << 1,
	SIM_M_PASSWORD = 1u << 2,
	SIM_M_SRC = 1u << 3,
	SIM_M_DST = 1u << 4,
	SIM_M_DCS = 1u << 5,
	SIM_M_ESM = 1u << 6,
	SIM_M_RD = 1u << 7,
	SIM_M_OP = 1u << 8,
	SIM_M_SESSION = 1u << 9,
	SIM_M_SERVICE_TYPE = 1u << 10,
	SIM_M_TEXT = 1u << 11,     /* decoded text equals */
	SIM_M_TEXT_SUB = 1u << 12, /* decoded text contains */
	SIM_M_HEX = 1u << 13,      /* body octets equal */
};

struct sim_match {
	uint32_t cmd;
	unsigned what;
	uint32_t status;
	char system_id[SMPP_SYSTEM_ID_MAX];
	char password[SMPP_PASSWORD_MAX];
	char src[SMPP_ADDR_MAX], dst[SMPP_ADDR_MAX];
	char service_type[SMPP_SERVICE_TYPE_MAX];
	uint8_t dcs, esm, rd, op;
	uint16_t session;
	uint8_t *text; /* UTF-8, text_len octets (owned) */
	size_t text_len;
	uint8_t *hex; /* owned */
	size_t hex_len;
};

struct sim_step {
	int line;
	enum sim_step_kind kind;
	unsigned timeout_ms; /* 0: the default */
	struct sim_match m;
	struct sim_mo_spec mo; /* body owned */
	uint8_t *raw;          /* owned */
	size_t raw_len;
	uint32_t cmd; /* SEND_PDU */
	int op;       /* enum sim_fault_op / sim_set_op */
	unsigned n;   /* count, ms, kind, on/off */
	uint32_t status;
	char word[8];
};

struct sim_scenario {
	struct sim_step *steps;
	size_t n, cap;
};

/*
 * Parses a scenario (text of len octets, NUL bytes refused). Returns a
 * new scenario, free with sim_scenario_free(); or NULL with one line in
 * err: "NAME:LINE: what is wrong".
 */
struct sim_scenario *sim_scenario_parse(const char *name, const char *text,
					size_t len, char *err, size_t errlen);
void sim_scenario_free(struct sim_scenario *sc);

/* Prints one step in the canonical form the parser reads back (one line,
 * no newline). */
void sim_scenario_print_step(const struct sim_step *st, FILE *f);
/* Every step, one per line. */
void sim_scenario_print(const struct sim_scenario *sc, FILE *f);

/* "submit_sm", "connect", ... for a command id of an expect line. */
const char *sim_scenario_cmd_name(uint32_t cmd);

#endif
