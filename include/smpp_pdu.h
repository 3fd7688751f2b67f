/*
 * smpp_pdu.h - SMPP 3.4 PDUs as our own typed structs, the bounded decoder
 * for everything we may receive, and the encoder (SPEC §2, DESIGN §2).
 *
 * Decoding is ours (protocol/smpp_pdu_decode.c), never libsmpp34's: the
 * input is hostile network bytes. Encoding packs through libsmpp34
 * (protocol/smpp_pdu.c, the only file that includes its headers). Nothing
 * outside smpp_pdu.c sees a libsmpp34 type.
 *
 * Ownership: a decoded struct smpp_pdu BORROWS from the buffer it was
 * decoded from: short_message, message_payload and every TLV value point
 * into it. Keep the buffer alive as long as the struct, or copy.
 *
 * Round trip: decode -> encode -> decode gives the same struct (pointer
 * fields compared by content) except command_length where the first PDU
 * was a response whose body was absent (re-encoded with its empty
 * fields) or a submit_sm_resp error carrying only an empty message_id
 * (re-encoded without body). Otherwise the re-encoding is byte for byte
 * the input. smpp_pdu_encode() refuses (-EINVAL) the few decodable PDUs
 * that libsmpp34 cannot express: see there.
 */
#ifndef TAWASUL_SMPP_PDU_H
#define TAWASUL_SMPP_PDU_H

#include <stddef.h>
#include <stdint.h>

#define SMPP_HEADER_LEN 16
#define SMPP_PDU_MIN    16
#define SMPP_PDU_MAX    4096 /* command_length cap, both directions */
#define SMPP_MAX_TLVS   16   /* more than this: ESME_RINVTLVSTREAM */
#define SMPP_SEQ_MAX    0x7fffffffu

/* command_id */
enum smpp_cmd {
	SMPP_GENERIC_NACK = 0x80000000u,
	SMPP_BIND_RECEIVER = 0x00000001u,
	SMPP_BIND_RECEIVER_RESP = 0x80000001u,
	SMPP_BIND_TRANSMITTER = 0x00000002u,
	SMPP_BIND_TRANSMITTER_RESP = 0x80000002u,
	SMPP_QUERY_SM = 0x00000003u,
	SMPP_QUERY_SM_RESP = 0x80000003u,
	SMPP_SUBMIT_SM = 0x00000004u,
	SMPP_SUBMIT_SM_RESP = 0x80000004u,
	SMPP_DELIVER_SM = 0x00000005u,
	SMPP_DELIVER_SM_RESP = 0x80000005u,
	SMPP_UNBIND = 0x00000006u,
	SMPP_UNBIND_RESP = 0x80000006u,
	SMPP_REPLACE_SM = 0x00000007u,
	SMPP_REPLACE_SM_RESP = 0x80000007u,
	SMPP_CANCEL_SM = 0x00000008u,
	SMPP_CANCEL_SM_RESP = 0x80000008u,
	SMPP_BIND_TRANSCEIVER = 0x00000009u,
	SMPP_BIND_TRANSCEIVER_RESP = 0x80000009u,
	SMPP_OUTBIND = 0x0000000bu,
	SMPP_ENQUIRE_LINK = 0x00000015u,
	SMPP_ENQUIRE_LINK_RESP = 0x80000015u,
	SMPP_SUBMIT_MULTI = 0x00000021u,
	SMPP_SUBMIT_MULTI_RESP = 0x80000021u,
	SMPP_ALERT_NOTIFICATION = 0x00000102u,
	SMPP_DATA_SM = 0x00000103u,
	SMPP_DATA_SM_RESP = 0x80000103u,
};

/* command_status values we act on (any 32-bit value is accepted as data,
 * vendor codes 0x400-0x4FF included) */
enum smpp_status {
	SMPP_ESME_ROK = 0x00,
	SMPP_ESME_RINVMSGLEN = 0x01,
	SMPP_ESME_RINVCMDLEN = 0x02,
	SMPP_ESME_RINVCMDID = 0x03,
	SMPP_ESME_RINVBNDSTS = 0x04,
	SMPP_ESME_RALYBND = 0x05,
	SMPP_ESME_RSYSERR = 0x08,
	SMPP_ESME_RINVSRCADR = 0x0a,
	SMPP_ESME_RINVDSTADR = 0x0b,
	SMPP_ESME_RBINDFAIL = 0x0d,
	SMPP_ESME_RINVPASWD = 0x0e,
	SMPP_ESME_RINVSYSID = 0x0f,
	SMPP_ESME_RMSGQFUL = 0x14,
	SMPP_ESME_RTHROTTLED = 0x58,
	SMPP_ESME_RX_T_APPN = 0x64,
	SMPP_ESME_RX_P_APPN = 0x65,
	SMPP_ESME_RX_R_APPN = 0x66,
	SMPP_ESME_RINVTLVSTREAM = 0xc0,
	SMPP_ESME_RINVTLVLEN = 0xc2,
	SMPP_ESME_RMISSINGTLV = 0xc3,
	SMPP_ESME_RUNKNOWNERR = 0xff,
};

/* TLV tags we understand; others are kept in tlv[] and otherwise skipped */
enum smpp_tlv_tag {
	SMPP_TAG_DEST_ADDR_SUBUNIT = 0x0005,
	SMPP_TAG_USER_MESSAGE_REFERENCE = 0x0204,
	SMPP_TAG_SOURCE_PORT = 0x020a,
	SMPP_TAG_DEST_PORT = 0x020b,
	SMPP_TAG_SAR_MSG_REF_NUM = 0x020c,
	SMPP_TAG_SAR_TOTAL_SEGMENTS = 0x020e,
	SMPP_TAG_SAR_SEGMENT_SEQNUM = 0x020f,
	SMPP_TAG_SC_INTERFACE_VERSION = 0x0210,
	SMPP_TAG_NETWORK_ERROR_CODE = 0x0423,
	SMPP_TAG_MESSAGE_PAYLOAD = 0x0424,
	SMPP_TAG_DELIVERY_FAILURE_REASON = 0x0425,
	SMPP_TAG_MESSAGE_STATE = 0x0427,
	SMPP_TAG_RECEIPTED_MESSAGE_ID = 0x001e,
	SMPP_TAG_USSD_SERVICE_OP = 0x0501,
	SMPP_TAG_ITS_SESSION_INFO = 0x1383,
};

/* Field size limits including the terminating NUL (SMPP 3.4 §5.2). */
#define SMPP_SYSTEM_ID_MAX     16
#define SMPP_PASSWORD_MAX      9
#define SMPP_SYSTEM_TYPE_MAX   13
#define SMPP_SERVICE_TYPE_MAX  6
#define SMPP_ADDR_MAX          65 /* data_sm allows 65; submit/deliver 21 */
#define SMPP_ADDR_RANGE_MAX    41
#define SMPP_TIME_MAX          17
#define SMPP_MESSAGE_ID_MAX    65
#define SMPP_SHORT_MESSAGE_MAX 254 /* sm_length is one octet (0..254) */
/* libsmpp34 packs at most 253 octets of short_message: the encoder refuses
 * more (-EINVAL); put longer text in message_payload. */
#define SMPP_SHORT_MESSAGE_ENCODE_MAX 253
#define SMPP_PAYLOAD_MAX              (SMPP_PDU_MAX - SMPP_HEADER_LEN)

struct smpp_addr {
	uint8_t ton, npi; /* any value accepted on input */
	char addr[SMPP_ADDR_MAX];
};

struct smpp_tlv {
	uint16_t tag;
	uint16_t len;
	const uint8_t *val; /* borrowed; NULL when len == 0 */
};

struct smpp_pdu {
	uint32_t command_length; /* as received; set by the encoder */
	uint32_t command_id;
	uint32_t command_status;
	uint32_t sequence;

	/* bind_*, bind_*_resp (system_id), outbind (system_id, password) */
	char system_id[SMPP_SYSTEM_ID_MAX];
	char password[SMPP_PASSWORD_MAX];
	char system_type[SMPP_SYSTEM_TYPE_MAX];
	uint8_t interface_version;
	struct smpp_addr address_range; /* addr holds address_range */

	/* submit_sm, deliver_sm, data_sm (data_sm has no sm fields);
	 * alert_notification: source = source, dest = esme address */
	char service_type[SMPP_SERVICE_TYPE_MAX];
	struct smpp_addr source, dest;
	uint8_t esm_class, protocol_id, priority_flag;
	char schedule_delivery_time[SMPP_TIME_MAX];
	char validity_period[SMPP_TIME_MAX];
	uint8_t registered_delivery, replace_if_present_flag;
	uint8_t data_coding, sm_default_msg_id;
	uint8_t sm_length;
	const uint8_t *short_message; /* borrowed, sm_length octets */

	/* *_sm_resp, data_sm_resp: may be empty (error responses);
	 * query_sm, cancel_sm, replace_sm: the message asked about */
	char message_id[SMPP_MESSAGE_ID_MAX];

	/* query_sm_resp only (mandatory fields; not the message_state TLV) */
	char final_date[SMPP_TIME_MAX];
	uint8_t query_state, error_code;

	/* Every TLV as received, in order (unknown ones included). */
	int ntlv;
	struct smpp_tlv tlv[SMPP_MAX_TLVS];

	/* Known TLVs (the tags of enum smpp_tlv_tag), decoded with their
	 * lengths checked; has_* says which were present (has_sar: all three
	 * sar_* TLVs; each sar_* field is filled whenever its TLV is there).
	 * A known TLV of the wrong length is a decode error (ESME_RINVTLVLEN),
	 * never a silent misread. A repeated tag: the last one wins here,
	 * tlv[] keeps them all. receipted_message_id is taken up to its first
	 * NUL (with or without a terminating NUL on the wire).
	 *
	 * Encoding: each has_* field is emitted as its TLV(s) unless tlv[]
	 * already carries that tag (a decoded PDU carries both; tlv[] wins so
	 * re-encoding reproduces the input); those come first, then tlv[] in
	 * order; at most SMPP_MAX_TLVS in all. */
	unsigned has_sar : 1, has_payload : 1, has_receipted_id : 1,
		has_message_state : 1, has_ussd_op : 1, has_its_session : 1,
		has_umr : 1, has_network_error : 1;
	uint16_t sar_msg_ref_num;
	uint8_t sar_total_segments, sar_segment_seqnum;
	const uint8_t *message_payload; /* borrowed */
	uint16_t message_payload_len;
	char receipted_message_id[SMPP_MESSAGE_ID_MAX];
	uint8_t message_state;
	uint8_t ussd_service_op;
	uint8_t its_session_info[2];
	uint16_t user_message_reference;
	uint8_t network_error_code[3];
};

/* What went wrong with an inbound PDU, for the generic_nack or error
 * response: status is the command_status to answer with; sequence and
 * command_id are those of the header when it could be read (else 0). */
struct smpp_decode_error {
	uint32_t status;
	uint32_t command_id;
	uint32_t sequence;
	const char *reason; /* static text, for the log */
};

/* Reads the header fields of buf (len >= 16). */
void smpp_pdu_header(const uint8_t *buf, uint32_t *command_length,
		     uint32_t *command_id, uint32_t *command_status,
		     uint32_t *sequence);

/*
 * Decodes one whole PDU (len == command_length, 16..4096). Accepts every
 * PDU an ESME or an SMSC may receive: bind_* and their responses, unbind
 * (+resp), enquire_link (+resp), submit_sm (+resp), deliver_sm (+resp),
 * data_sm (+resp), generic_nack, alert_notification, outbind, query_sm,
 * cancel_sm, replace_sm (+resp each). submit_multi (+resp) is not
 * supported (ESME_RINVCMDID, like an unknown command_id).
 *
 * Lenient where carriers are sloppy: any command_status, TON, NPI and
 * interface_version; empty strings everywhere; a response whose body is
 * entirely absent (command_length 16) decodes with empty fields; bytes
 * after the mandatory fields of ANY PDU are an optional-parameter stream
 * (TLVs), header-only PDUs included; unknown TLVs are kept and skipped.
 *
 * Strict where it matters (bounded walk, never reads past len):
 *   len < 16, len != command_length, command_length > 4096: ESME_RINVCMDLEN
 *   unknown command_id:                                       ESME_RINVCMDID
 *   a C-Octet string without its NUL within its SMPP 3.4 limit, a field
 *   or short_message (sm_length) running past the end:       ESME_RINVMSGLEN
 *   a TLV header or value running past the end, more than
 *   SMPP_MAX_TLVS TLVs:                                   ESME_RINVTLVSTREAM
 *   a known TLV with a bad length:                           ESME_RINVTLVLEN
 * Returns 0, or -EBADMSG with *err filled (err may be NULL). *out is
 * always zeroed first. Never allocates.
 */
int smpp_pdu_decode(const uint8_t *buf, size_t len, struct smpp_pdu *out,
		    struct smpp_decode_error *err);

/*
 * Encodes pdu into buf (cap bytes, at most SMPP_PDU_MAX used) through
 * libsmpp34; command_length is computed (pdu->command_length is ignored).
 * Any command_status, sequence, TON, NPI and interface_version is written
 * as given (libsmpp34 would refuse values outside its tables: we pack a
 * placeholder and patch the octet). Refused with -EINVAL, never truncated:
 *   - a string longer than its field (SMPP 3.4 limits, and libsmpp34's:
 *     data_sm source_addr at most 20 characters; deliver_sm
 *     schedule_delivery_time and validity_period, and deliver_sm_resp
 *     message_id, must be empty), or not NUL-terminated in its array;
 *   - sm_length > SMPP_SHORT_MESSAGE_ENCODE_MAX (253): use message_payload;
 *   - more than SMPP_MAX_TLVS TLVs in all; ntlv out of range; a NULL
 *     value with a non-zero length;
 *   - a command_id we do not encode (submit_multi, unknown ids).
 * submit_sm_resp with a non-zero status, an empty message_id and no TLVs
 * is sent without body (SMPP 3.4 §4.4.2); otherwise with its body.
 * Returns the bytes written (> 0), -EINVAL, -ENOSPC (over cap or over
 * SMPP_PDU_MAX), or -EPROTO (libsmpp34 refused: a bug, every field is
 * checked beforehand). Not thread-safe (libsmpp34 writes a global trace).
 */
int smpp_pdu_encode(const struct smpp_pdu *pdu, uint8_t *buf, size_t cap);

/* Convenience initialiser: zero the struct, set id, status, sequence, and
 * interface_version 0x34. */
void smpp_pdu_init(struct smpp_pdu *pdu, uint32_t command_id,
		   uint32_t command_status, uint32_t sequence);

/* "submit_sm", "deliver_sm_resp", ...; "unknown" for others. */
const char *smpp_cmd_name(uint32_t command_id);
/* "ESME_RTHROTTLED", ...; NULL for values without a name. */
const char *smpp_status_name(uint32_t status);
/* 1 for *_resp and generic_nack. */
int smpp_cmd_is_response(uint32_t command_id);

/*
 * First TLV of pdu with that tag (in tlv[], so decoded PDUs only), or
 * NULL. The value is borrowed like the PDU's.
 */
const struct smpp_tlv *smpp_pdu_tlv_find(const struct smpp_pdu *pdu,
					 uint16_t tag);

/*
 * The TLVs smpp_pdu_encode() emits for pdu, in order: the has_* fields
 * whose tag is not already in tlv[] (user_message_reference,
 * sar_msg_ref_num, sar_total_segments, sar_segment_seqnum,
 * ussd_service_op, its_session_info, receipted_message_id (with its NUL),
 * message_state, network_error_code, message_payload), then tlv[]. Fills
 * out[] (room for SMPP_MAX_TLVS) with values borrowed from pdu or from
 * scratch (SMPP_TLVS_SCRATCH bytes, the caller's); returns the count, or
 * -EINVAL (more than SMPP_MAX_TLVS in all, ntlv out of range, a NULL
 * value with a non-zero length, an unterminated receipted id).
 */
#define SMPP_TLVS_SCRATCH 8
int smpp_pdu_tlvs(const struct smpp_pdu *pdu, struct smpp_tlv *out,
		  uint8_t *scratch);

/*
 * One-line text form of a PDU for transcripts and golden tests, stable:
 *
 *   NAME len=L seq=S status=ST FIELD=VALUE ... tlv=0xTAG:LEN:HEX ...
 *
 * NAME is smpp_cmd_name() (or "cmd_0x%08x" when unknown); L and S are
 * decimal; ST is the status name (ESME_ROK, ESME_RTHROTTLED...) or 0x%08x
 * when it has none. Then the mandatory fields of that command in PDU
 * order (for a response decoded without body, its empty fields): strings
 * in double quotes with bytes outside 0x20..0x7e, '"' and
 * '\' written \xHH; addresses TON/NPI/"ADDR" (decimal TON, NPI);
 * one-octet fields decimal except esm=0x%02x, rd=0x%02x, dcs=0x%02x,
 * if=0x%02x; short_message sm=LEN:HEX (lowercase hex); the password
 * always as "***" (or "" when empty): secrets never reach a transcript.
 * Field keys: sysid pw systype if range svc src dst esm pid prio sched
 * valid rd replace dcs defid sm msgid final state err esme. Then the TLVs
 * as smpp_pdu_tlvs() lists them (so a struct about to be encoded prints
 * like its decoding): tlv=0xTAG:LEN:HEX each, TAG 4 hex digits, LEN
 * decimal ("tlv=invalid" when the list is). Example:
 *
 *   deliver_sm len=62 seq=7 status=ESME_ROK svc="" src=1/1/"97333000001"
 *   dst=0/1/"80008001" esm=0x00 pid=0 prio=0 sched="" valid="" rd=0x00
 *   replace=0 dcs=0x08 defid=0 sm=4:06270644 tlv=0x0204:2:0001
 *
 * (one line). Writes at most n bytes, NUL-terminated when n > 0; returns
 * the length it needed (like snprintf).
 */
size_t smpp_pdu_format(const struct smpp_pdu *pdu, char *buf, size_t n);

#endif
