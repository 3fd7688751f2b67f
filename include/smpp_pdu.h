/*
 * smpp_pdu.h - SMPP 3.4 PDUs as our own typed structs, the bounded decoder
 * for everything we may receive, and the encoder (SPEC §2, DESIGN §2).
 *
 * Decoding is ours (protocol/smpp_pdu.c), never libsmpp34's: the input is
 * hostile network bytes. Encoding packs through libsmpp34. Nothing outside
 * smpp_pdu.c sees a libsmpp34 type.
 *
 * Ownership: a decoded struct smpp_pdu BORROWS from the buffer it was
 * decoded from: short_message, message_payload and every TLV value point
 * into it. Keep the buffer alive as long as the struct, or copy.
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
#define SMPP_PAYLOAD_MAX       (SMPP_PDU_MAX - SMPP_HEADER_LEN)

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

	/* *_sm_resp, data_sm_resp: may be empty (error responses) */
	char message_id[SMPP_MESSAGE_ID_MAX];

	/* Every TLV as received, in order (unknown ones included). */
	int ntlv;
	struct smpp_tlv tlv[SMPP_MAX_TLVS];

	/* Known TLVs, decoded with their lengths checked; has_* says which
	 * were present. Integer TLVs of the wrong length are a decode error
	 * (ESME_RINVTLVLEN), never a silent misread. */
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
 * cancel_sm, replace_sm resp. Bounded walk of every field: a C-Octet
 * string without its NUL within its limit, a field running past the end,
 * more than SMPP_MAX_TLVS TLVs, a TLV running past the end, or a known TLV
 * with a bad length are errors; unknown TLVs are kept and skipped; an
 * unknown command_id is ESME_RINVCMDID. Returns 0, or -EBADMSG with *err
 * filled. Never allocates.
 */
int smpp_pdu_decode(const uint8_t *buf, size_t len, struct smpp_pdu *out,
		    struct smpp_decode_error *err);

/*
 * Encodes pdu into buf (cap bytes, at most SMPP_PDU_MAX used) through
 * libsmpp34; sets command_length. Short messages over 254 octets must go
 * in message_payload. TLVs in tlv[] are emitted in order (in addition to
 * the known fields marked has_*). Returns the bytes written (> 0), or
 * -EINVAL (a field too long for its type: never truncated silently) /
 * -ENOSPC / -EPROTO (libsmpp34 refused; reason logged at debug).
 */
int smpp_pdu_encode(const struct smpp_pdu *pdu, uint8_t *buf, size_t cap);

/* Convenience initialisers: zero the struct, set id, status, sequence. */
void smpp_pdu_init(struct smpp_pdu *pdu, uint32_t command_id,
		   uint32_t command_status, uint32_t sequence);

/* "submit_sm", "deliver_sm_resp", ...; "unknown" for others. */
const char *smpp_cmd_name(uint32_t command_id);
/* "ESME_RTHROTTLED", ...; NULL for values without a name. */
const char *smpp_status_name(uint32_t status);
/* 1 for *_resp and generic_nack. */
int smpp_cmd_is_response(uint32_t command_id);

/*
 * One-line text form of a PDU for transcripts and golden tests:
 * "deliver_sm seq=7 status=0 src=1/1/97333000001 dst=0/1/80008001
 *  esm=0x00 dcs=8 sm=0627... tlv=0x0424:4:..." (hex for octet fields).
 * Writes at most n bytes (NUL-terminated); returns the length it needed.
 */
size_t smpp_pdu_format(const struct smpp_pdu *pdu, char *buf, size_t n);

#endif
