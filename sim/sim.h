/*
 * sim.h - the SMSC simulator (tawasul-smsc-sim): shared state and the
 * interfaces between its modules (SPEC §1 programs, §2 as the carrier).
 *
 *   sim_main.c      options, start-up, exit, the readiness line
 *   sim_conn.c      listener, connections, framing, sending (delays), close
 *   sim_smsc.c      what an SMSC answers: binds, enquire_link, unbind,
 *                   submit_sm/data_sm (message ids, receipts), nacks
 *   sim_fault.c     fault state (throttle, queue full, drop, delay, mute)
 *                   and the malformed PDUs it can send
 *   sim_deliver.c   MO store: deliver_sm sent, answered, redelivered
 *   sim_mo.c        building MO / USSD deliver_sm PDUs
 *   sim_summary.c   what was received, as JSON
 *   sim_scenario.c  the scenario file parser (pure); sim_lex.c its words
 *                   and values; sim_scenario_print.c the canonical form
 *   sim_script.c    running a parsed scenario
 *   sim_flood.c     the MO flood generator (benchmarks)
 *   sim_console.c   the interactive phone console
 *   sim_text.c      UTF-8 <-> GSM 7-bit / UCS-2
 *
 * One process, one event loop (daemon/loop.c); everything runs in
 * callbacks of that loop. Connections are never freed inside their own
 * callbacks: they are marked dead and freed in the before_sleep phase.
 */
#ifndef TAWASUL_SIM_H
#define TAWASUL_SIM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "smpp_frame.h"
#include "smpp_pdu.h"

struct bufferevent;
struct event;
struct event_base;
struct evconnlistener;
struct loop;
struct sim_script;
struct sim_flood;
struct sim_console;
struct sim_summary;

#define SIM_DEFAULT_TIMEOUT_MS 5000
#define SIM_MAX_CONNS          64
#define SIM_MO_INFLIGHT_MAX    65536 /* deliver_sm awaiting an answer */

enum sim_msgid_fmt { SIM_ID_HEX, SIM_ID_DEC, SIM_ID_SAME };

struct sim_opts {
	int port;
	const char *system_id; /* NULL: any */
	const char *password;  /* NULL: any */
	const char *smsc_id;   /* system_id in our bind responses */
	enum sim_msgid_fmt msgid_fmt;
	enum sim_msgid_fmt dlr_id_fmt; /* SIM_ID_SAME: as in submit_sm_resp */
	int dlr;
	unsigned dlr_delay_ms;
	char dlr_stat[8]; /* DELIVRD, UNDELIV, ... */
	unsigned dlr_err;
	const char *scenario;
	unsigned timeout_ms;
	int stay;
	unsigned throttle_every, queue_full_every, delay_ms, drop_after;
	int mute_enquire;
	const char *summary_path;
	unsigned redeliver_ms; /* 0: an MO answered with an error is final */
	unsigned record_max;
	int record_all; /* also list refused and dropped submits */
	unsigned flood_n, flood_window, flood_numbers;
	const char *flood_base, *flood_text;
	int console;
	const char *short_code;
	const char *log_spec;
};

/* Events the scenario runner, the flood and the console observe. */
enum sim_event {
	SIM_EV_CONNECT,
	SIM_EV_BOUND,
	SIM_EV_CLOSED,
};

struct sim_out; /* a delayed response, sim_conn.c */

struct sim_conn {
	struct sim *sim;
	struct sim_conn *next;
	unsigned id;
	struct bufferevent *bev;
	struct smpp_frame frame;
	uint32_t bound; /* 0 or the bind command_id accepted */
	char system_id[SMPP_SYSTEM_ID_MAX];
	uint32_t seq;          /* our requests' sequence numbers */
	unsigned closing : 1;  /* close once the output is written */
	const char *close_why; /* static text, one word */
	unsigned dead : 1;     /* gone: ignored, freed before sleep */
	struct sim_out *dq_head, *dq_tail; /* delayed responses */
	struct event *dq_ev;
	unsigned long long opened_ms;
};

struct sim_fault {
	unsigned throttle_left, queue_full_left; /* scenario: next N */
	unsigned throttle_every, queue_full_every;
	unsigned delay_ms;
	unsigned drop_after; /* 0: off; once, at that submit */
	int mute_enquire;
	unsigned bind_fail_left;
	uint32_t bind_fail_status;
};

struct sim_stats {
	unsigned long connections, binds_ok, binds_refused;
	unsigned long bind_trx, bind_tx, bind_rx;
	unsigned long unbinds_received, unbinds_sent;
	unsigned long enquire_received, enquire_answered, enquire_muted;
	unsigned long submits, submits_ok, data_sm;
	unsigned long throttled, queue_full, dropped_conns, submit_refused;
	unsigned long dlr_sent;
	unsigned long nacks_sent, nacks_received;
	unsigned long mo_sent, mo_acked, mo_errors, mo_redelivered, mo_lost;
	unsigned long malformed_sent, raw_sent, decode_errors;
};

struct sim_mo; /* sim_deliver.c */

/* An MO's outcome: the deliver_sm_resp status, or SIM_MO_LOST. */
#define SIM_MO_LOST 0xffffff01u
typedef void sim_mo_done_fn(void *arg, uint64_t tag, uint32_t status,
			    unsigned conn_id);

struct sim {
	struct sim_opts o;
	struct loop *lp;
	struct event_base *base;
	struct evconnlistener *lst;
	int port;
	struct sim_conn *conns;
	unsigned nconns, next_conn_id;
	struct sim_fault fault;
	struct sim_stats st;
	uint64_t next_msgid;
	unsigned next_ref; /* concatenation references of MOs */
	struct sim_summary *sum;
	/* MO store (sim_deliver.c) */
	struct sim_mo *mo_head, *mo_tail, *mo_inflight;
	unsigned mo_count;
	struct event *mo_timer;
	struct sim_script *script;
	struct sim_flood *flood;
	struct sim_console *console;
	int exit_code;
	unsigned finishing : 1;
	struct event *finish_ev;
	FILE *out; /* stdout: readiness, results */
};

/* ---- sim_conn.c ---- */
int sim_conn_listen(struct sim *s);
void sim_conn_stop_listening(struct sim *s);
/* Sends one encoded PDU (copied); a response (is_resp) waits the delay
 * fault first; nothing overtakes what waits. */
void sim_conn_send(struct sim_conn *c, const uint8_t *pdu, size_t len,
		   int is_resp);
/* Encodes and sends; returns 0 or the encoder's negative errno. */
int sim_conn_send_pdu(struct sim_conn *c, struct smpp_pdu *p, int is_resp);
/* Raw bytes, written as they are (not delayed, but never ahead of a
 * response the delay fault holds). */
void sim_conn_send_raw(struct sim_conn *c, const uint8_t *b, size_t n);
uint32_t sim_conn_next_seq(struct sim_conn *c);
/* flush: write what is queued first. Never frees c at once. why: one
 * word, static (it goes into the log as reason=why). */
void sim_conn_close(struct sim_conn *c, int flush, const char *why);
void sim_conn_close_all(struct sim *s, int flush, const char *why);
/* Bound connections that may receive deliver_sm (rx or trx). */
struct sim_conn *sim_conn_pick_rx(struct sim *s, const char *system_id);
struct sim_conn *sim_conn_find(struct sim *s, unsigned id);
struct sim_conn *sim_conn_latest(struct sim *s, int bound);
int sim_conn_is_rx(const struct sim_conn *c);
void sim_conn_free_all(struct sim *s);

/* ---- sim_smsc.c ---- */
/* Handles one whole PDU of len bytes received on c. */
void sim_smsc_pdu(struct sim_conn *c, const uint8_t *raw, size_t len);
/* Answers a frame with a bad command_length. */
void sim_smsc_bad_length(struct sim_conn *c, const uint8_t *hdr, size_t n);
/* Formats the next message id into out (>= 24 bytes). */
void sim_smsc_msgid(struct sim *s, char *out, size_t n);

/* ---- sim_fault.c ---- */
enum sim_submit_verdict { SIM_SUBMIT_OK, SIM_SUBMIT_REFUSE, SIM_SUBMIT_DROP };
/* Decides the fate of the nth submit (1-based): *status for REFUSE. */
enum sim_submit_verdict sim_fault_submit(struct sim *s, unsigned long nth,
					 uint32_t *status);
/* Named malformed PDUs; -EINVAL for an unknown name. */
int sim_fault_malformed_kind(const char *name);
const char *sim_fault_malformed_name(int kind);
/* Builds malformed PDU kind with sequence seq into buf; returns bytes. */
size_t sim_fault_malformed_build(int kind, uint32_t seq, uint8_t *buf,
				 size_t cap);

/* ---- sim_deliver.c ---- */
/* Queues a deliver_sm (copied; its sequence number is set when sent) for
 * c, or for any receiver when c is NULL or, with redelivery on, when c
 * closes first. Sent after delay_ms (0: now, when a receiver is bound).
 * done (may be NULL) hears the outcome once. Returns 0 or -ENOMEM /
 * -ENOBUFS (too many in flight). */
#define SIM_DELIVER_KEEP 1u /* like --redeliver-ms even when it is off */
int sim_deliver_queue(struct sim *s, struct sim_conn *c, const uint8_t *pdu,
		      size_t len, unsigned delay_ms, unsigned flags,
		      sim_mo_done_fn *done, void *arg, uint64_t tag);
/* A response (or generic_nack) to one of our requests on c. */
int sim_deliver_response(struct sim *s, struct sim_conn *c,
			 const struct smpp_pdu *p);
/* c bound (send what waits) or closed (requeue or lose its MOs). */
void sim_deliver_conn_event(struct sim *s, struct sim_conn *c,
			    enum sim_event ev);
void sim_deliver_free_all(struct sim *s);
unsigned sim_deliver_pending(const struct sim *s);

/* ---- sim_summary.c ---- */
struct sim_summary *sim_summary_new(unsigned record_max);
void sim_summary_free(struct sim_summary *sum);
/* Records a submit_sm/data_sm: accepted (status 0, msgid as answered),
 * refused with status, or dropped with its connection
 * (SIM_SUBMIT_DROPPED). */
#define SIM_SUBMIT_DROPPED 0xffffffffu
void sim_summary_submit(struct sim_summary *sum, const struct smpp_pdu *p,
			const char *msgid, uint32_t status);
void sim_summary_write(const struct sim *s, FILE *f);
/* JSON string with escapes (UTF-8 passes through). */
void sim_json_str(FILE *f, const char *s, size_t n);
void sim_json_hex(FILE *f, const uint8_t *b, size_t n);

/* ---- body helpers (sim_smsc.c) ---- */
/* The message octets of a submit/deliver/data_sm (payload wins) and the
 * user data without its UDH; concatenation info when present. */
struct sim_body {
	const uint8_t *all;
	size_t all_len;
	const uint8_t *ud; /* without UDH */
	size_t ud_len;
	int concat; /* 0 none, 8, 16 (UDH) or 'S' (SAR) */
	unsigned ref, total, seq;
};
void sim_body_of(const struct smpp_pdu *p, struct sim_body *b);

/* ---- sim_main.c ---- */
/* Ends the run with code: stops accepting, lets output drain, stops the
 * loop (the summary is printed by main after the loop). */
void sim_finish(struct sim *s, int code);
/* Tells the observers (runner, flood, console) and the MO store. */
void sim_notify_event(struct sim *s, struct sim_conn *c, enum sim_event ev);
void sim_notify_pdu(struct sim *s, struct sim_conn *c, const struct smpp_pdu *p,
		    const uint8_t *raw, size_t len);

/* ---- sim_script.c / sim_flood.c / sim_console.c ----
 * Each is told about every PDU an ESME sent, after sim_smsc.c answered it
 * (p NULL when it did not decode; p borrows raw, valid for the call), and
 * about connection events. */
struct sim_scenario;
struct sim_script *sim_script_new(struct sim *s, struct sim_scenario *sc);
void sim_script_free(struct sim_script *r);
void sim_script_start(struct sim_script *r);
void sim_script_on_pdu(struct sim_script *r, struct sim_conn *c,
		       const struct smpp_pdu *p, const uint8_t *raw,
		       size_t len);
void sim_script_on_event(struct sim_script *r, struct sim_conn *c,
			 enum sim_event ev);
/* Prints "scenario ok ...", "scenario failed line=N: ..." or
 * "scenario interrupted ..."; returns the exit status it implies. */
int sim_script_report(struct sim_script *r, FILE *f);

struct sim_flood *sim_flood_new(struct sim *s);
void sim_flood_free(struct sim_flood *fl);
void sim_flood_on_pdu(struct sim_flood *fl, struct sim_conn *c,
		      const struct smpp_pdu *p);
void sim_flood_on_event(struct sim_flood *fl, struct sim_conn *c,
			enum sim_event ev);
void sim_flood_report(struct sim_flood *fl, FILE *f);

struct sim_console *sim_console_new(struct sim *s);
void sim_console_free(struct sim_console *con);
void sim_console_on_pdu(struct sim_console *con, struct sim_conn *c,
			const struct smpp_pdu *p);
void sim_console_on_event(struct sim_console *con, struct sim_conn *c,
			  enum sim_event ev);

#endif
