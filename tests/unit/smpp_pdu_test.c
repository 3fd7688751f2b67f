/*
 * smpp_pdu_test.c - the SMPP 3.4 codec (protocol/smpp_pdu*.c).
 *
 * Golden PDUs, one per type we send or receive: hex from the SMPP 3.4
 * example (the 60-octet submit_sm of the SMPP forum, quoted everywhere),
 * a carrier's published capture, and hand-built ones commented field by
 * field. Each decodes, prints as its expected line (smpp_pdu_format) and
 * re-encodes byte for byte. Then hostile and lenient decodes, encoder
 * refusals, and the encoder's own paths (patched octets, TLVs past what
 * libsmpp34 carries, exact buffers).
 *
 * Expected lines live in the table below; SMPP_PDU_TEST_PRINT=1 prints
 * the actual ones (name<TAB>line) to regenerate them after a deliberate
 * format change, so the change shows as a diff of this file.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "smpp_pdu.h"

static size_t
unhex(const char *h, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *h; h++) {
		int v;
		if (*h >= '0' && *h <= '9')
			v = *h - '0';
		else if (*h >= 'a' && *h <= 'f')
			v = *h - 'a' + 10;
		else if (*h >= 'A' && *h <= 'F')
			v = *h - 'A' + 10;
		else
			continue;
		if (hi < 0) {
			hi = v;
			continue;
		}
		assert_true(n < cap);
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	assert_int_equal(hi, -1);
	return n;
}

struct golden {
	const char *name;
	const char *hex;
	const char *text;
};

static const struct golden goldens[] = {
	/* --- ESME -> SMSC --- */
	{"bind_transceiver",
	 "00000026 00000009 00000000 00000001" /* len 38, id, ROK, seq 1 */
	 "7461776173756c00"                    /* system_id "tawasul" */
	 "736563726574313200"                  /* password "secret12" */
	 "00"                                  /* system_type "" */
	 "34"                                  /* interface_version 3.4 */
	 "00 00 00", /* addr_ton, addr_npi, address_range "" */
	 "bind_transceiver len=38 seq=1 status=ESME_ROK sysid=\"tawasul\" "
	 "pw=\"***\" systype=\"\" if=0x34 range=0/0/\"\""},
	{"bind_transmitter",
	 "00000027 00000002 00000000 00000002" /* len 39, seq 2 */
	 "65736d655f747800"                    /* system_id "esme_tx" */
	 "707700"                              /* password "pw" */
	 "564d4100"                            /* system_type "VMA" */
	 "34"                                  /* interface_version */
	 "01 01 5e39373300",                   /* range TON 1, NPI 1, "^973" */
	 "bind_transmitter len=39 seq=2 status=ESME_ROK sysid=\"esme_tx\" "
	 "pw=\"***\" systype=\"VMA\" if=0x34 range=1/1/\"^973\""},
	{"bind_receiver",
	 "0000001e 00000001 00000000 00000003" /* len 30, seq 3 */
	 "65736d655f727800"                    /* system_id "esme_rx" */
	 "00 00 34"  /* password "", system_type "", version */
	 "00 00 00", /* range */
	 "bind_receiver len=30 seq=3 status=ESME_ROK sysid=\"esme_rx\" pw=\"\" "
	 "systype=\"\" if=0x34 range=0/0/\"\""},
	{"submit_sm, SMPP 3.4 example",
	 "0000003c"                   /* command_length 60 */
	 "00000004"                   /* command_id submit_sm */
	 "00000000"                   /* command_status ESME_ROK */
	 "00000005"                   /* sequence_number 5 */
	 "00"                         /* service_type "" */
	 "02 08 35353500"             /* source TON 2, NPI 8, "555" */
	 "01 01 35353535353535353500" /* dest TON 1, NPI 1, "555555555" */
	 "00 00 00"    /* esm_class, protocol_id, priority_flag */
	 "00 00"       /* schedule_delivery_time "", validity_period "" */
	 "00 00 00 00" /* registered_delivery, replace_if_present,
			  data_coding, sm_default_msg_id */
	 "0f 48656c6c6f2077696b697065646961", /* sm_length 15
						 "Hello wikipedia" */
	 "submit_sm len=60 seq=5 status=ESME_ROK svc=\"\" src=2/8/\"555\" "
	 "dst=1/1/\"555555555\" esm=0x00 pid=0 prio=0 sched=\"\" valid=\"\" "
	 "rd=0x00 replace=0 dcs=0x00 defid=0 "
	 "sm=15:48656c6c6f2077696b697065646961"},
	{"submit_sm, carrier capture with validity period",
	 "0000006b 00000004 00000000 0005c4a3" /* len 107, seq 378019 */
	 "4f4d563400"                          /* service_type "OMV4" */
	 "03 01 383033363200"                  /* source 3/1 "80362" */
	 "01 01 38313233343530303130303000"    /* dest 1/1 "812345001000" */
	 "00 00 00 00"                        /* esm, pid, priority, sched "" */
	 "3138303130353132303030303030342b00" /* validity
						 "180105120000004+" */
	 "01 00 00 00"                        /* rd 1, replace, dcs 0, defid */
	 "25 5265706c792059657320746f206f707420696e206f72204e6f20746f20"
	 "6f7074206f75742e", /* sm_length 37, "Reply Yes to opt in..." */
	 "submit_sm len=107 seq=378019 status=ESME_ROK svc=\"OMV4\" "
	 "src=3/1/\"80362\" dst=1/1/\"812345001000\" esm=0x00 pid=0 prio=0 "
	 "sched=\"\" valid=\"180105120000004+\" rd=0x01 replace=0 dcs=0x00 "
	 "defid=0 "
	 "sm=37:"
	 "5265706c792059657320746f206f707420696e206f72204e6f20746f206f7074206f7"
	 "5742e"},
	{"submit_sm, concatenated UCS-2 part",
	 "00000043 00000004 00000000 00000010" /* len 67, seq 16 */
	 "00"                                  /* service_type */
	 "05 00 5461776173756c00"         /* source 5/0 "Tawasul" (alpha) */
	 "01 01 393733333330303030303100" /* dest 1/1 "97333000001" */
	 "40 00 00"                       /* esm UDHI, pid, priority */
	 "00 00"                          /* sched, validity */
	 "01 00 08 00"                    /* rd 1, replace, dcs UCS-2, defid */
	 "10 0500032a0201"                /* sm_length 16, UDH ref 42 1/2 */
	 "06450631062d06280627",          /* "marhaba" in UCS-2 */
	 "submit_sm len=67 seq=16 status=ESME_ROK svc=\"\" src=5/0/\"Tawasul\" "
	 "dst=1/1/\"97333000001\" esm=0x40 pid=0 prio=0 sched=\"\" valid=\"\" "
	 "rd=0x01 replace=0 dcs=0x08 defid=0 "
	 "sm=16:0500032a020106450631062d06280627"},
	{"submit_sm, text in message_payload",
	 "0000004f 00000004 00000000 00000011" /* len 79, seq 17 */
	 "00 05 00 5461776173756c00"           /* service_type, source 5/0 */
	 "01 01 393733333330303030303100"      /* dest 1/1 */
	 "00 00 00 00 00 01 00 00 00"          /* esm..defid, rd 1 */
	 "00"                                  /* sm_length 0 */
	 "0204 0002 0001"                      /* user_message_reference 1 */
	 "0424 0012 436173652031303432207265636569766564", /* payload
				"Case 1042 received" */
	 "submit_sm len=79 seq=17 status=ESME_ROK svc=\"\" src=5/0/\"Tawasul\" "
	 "dst=1/1/\"97333000001\" esm=0x00 pid=0 prio=0 sched=\"\" valid=\"\" "
	 "rd=0x01 replace=0 dcs=0x00 defid=0 sm=0: tlv=0x0204:2:0001 "
	 "tlv=0x0424:18:436173652031303432207265636569766564"},
	{"deliver_sm_resp",
	 "00000011 80000005 00000000 00000007" /* len 17, seq 7 */
	 "00",                                 /* message_id "" */
	 "deliver_sm_resp len=17 seq=7 status=ESME_ROK msgid=\"\""},
	{"deliver_sm_resp, ESME_RX_T_APPN (database down)",
	 "00000011 80000005 00000064 00000008 00",
	 "deliver_sm_resp len=17 seq=8 status=ESME_RX_T_APPN msgid=\"\""},
	{"data_sm_resp",
	 "00000015 80000103 00000000 00000009 6162313200", /* "ab12" */
	 "data_sm_resp len=21 seq=9 status=ESME_ROK msgid=\"ab12\""},
	{"unbind", "00000010 00000006 00000000 0000000a",
	 "unbind len=16 seq=10 status=ESME_ROK"},
	{"unbind_resp", "00000010 80000006 00000000 0000000a",
	 "unbind_resp len=16 seq=10 status=ESME_ROK"},
	{"enquire_link", "00000010 00000015 00000000 0000002a",
	 "enquire_link len=16 seq=42 status=ESME_ROK"},
	{"enquire_link_resp", "00000010 80000015 00000000 0000002a",
	 "enquire_link_resp len=16 seq=42 status=ESME_ROK"},
	{"generic_nack, unknown command", "00000010 80000000 00000003 0000002b",
	 "generic_nack len=16 seq=43 status=ESME_RINVCMDID"},
	{"generic_nack, unreadable header: sequence 0",
	 "00000010 80000000 00000002 00000000",
	 "generic_nack len=16 seq=0 status=ESME_RINVCMDLEN"},
	{"query_sm",
	 "00000023 00000003 00000000 0000000b" /* len 35 */
	 "3566326139633031 00"                 /* message_id "5f2a9c01" */
	 "05 00 5461776173756c00",             /* source 5/0 "Tawasul" */
	 "query_sm len=35 seq=11 status=ESME_ROK msgid=\"5f2a9c01\" "
	 "src=5/0/\"Tawasul\""},
	{"cancel_sm",
	 "00000032 00000008 00000000 0000000c" /* len 50 */
	 "00"                                  /* service_type */
	 "3566326139633031 00"                 /* message_id */
	 "05 00 5461776173756c00"              /* source */
	 "01 01 393733333330303030303100",     /* dest */
	 "cancel_sm len=50 seq=12 status=ESME_ROK svc=\"\" msgid=\"5f2a9c01\" "
	 "src=5/0/\"Tawasul\" dst=1/1/\"97333000001\""},
	{"replace_sm",
	 "0000002d 00000007 00000000 0000000d" /* len 45 */
	 "3566326139633031 00"                 /* message_id */
	 "05 00 5461776173756c00"              /* source */
	 "00 00"                               /* schedule, validity */
	 "01 00"                               /* rd 1, sm_default_msg_id */
	 "05 48656c6c6f",                      /* sm_length 5 "Hello" */
	 "replace_sm len=45 seq=13 status=ESME_ROK msgid=\"5f2a9c01\" "
	 "src=5/0/\"Tawasul\" sched=\"\" valid=\"\" rd=0x01 defid=0 "
	 "sm=5:48656c6c6f"},

	/* --- SMSC -> ESME --- */
	{"bind_transceiver_resp with sc_interface_version",
	 "0000001c 80000009 00000000 00000001" /* len 28 */
	 "534d53433031 00"                     /* system_id "SMSC01" */
	 "0210 0001 34",                       /* sc_interface_version 0x34 */
	 "bind_transceiver_resp len=28 seq=1 status=ESME_ROK sysid=\"SMSC01\" "
	 "tlv=0x0210:1:34"},
	{"bind_transmitter_resp",
	 "00000017 80000002 00000000 00000002 534d5343303100",
	 "bind_transmitter_resp len=23 seq=2 status=ESME_ROK sysid=\"SMSC01\""},
	{"bind_receiver_resp",
	 "00000017 80000001 00000000 00000003 534d5343303100",
	 "bind_receiver_resp len=23 seq=3 status=ESME_ROK sysid=\"SMSC01\""},
	{"outbind",
	 "0000001a 0000000b 00000000 00000001" /* len 26 */
	 "534d5343303100 707700",              /* "SMSC01", "pw" */
	 "outbind len=26 seq=1 status=ESME_ROK sysid=\"SMSC01\" pw=\"***\""},
	{"submit_sm_resp",
	 "00000019 80000004 00000000 00000005" /* len 25 */
	 "3566326139633031 00",                /* message_id "5f2a9c01" */
	 "submit_sm_resp len=25 seq=5 status=ESME_ROK msgid=\"5f2a9c01\""},
	{"submit_sm_resp, ESME_RTHROTTLED without body",
	 "00000010 80000004 00000058 00000006",
	 "submit_sm_resp len=16 seq=6 status=ESME_RTHROTTLED msgid=\"\""},
	{"submit_sm_resp, vendor status 0x400 without body",
	 "00000010 80000004 00000400 00000006",
	 "submit_sm_resp len=16 seq=6 status=0x00000400 msgid=\"\""},
	{"deliver_sm, MO in UCS-2",
	 "00000042 00000005 00000000 00000007" /* len 66, seq 7 */
	 "00"                                  /* service_type */
	 "01 01 393733333330303030303100"      /* source 1/1 "97333000001" */
	 "00 01 383030303830303100"            /* dest 0/1 "80008001" */
	 "00 00 00 00 00"      /* esm, pid, prio, sched, valid */
	 "00 00 08 00"         /* rd, replace, dcs 8, defid */
	 "08 0634064306480649" /* sm_length 8, "shakwa" */
	 "0204 0002 0007",     /* user_message_reference 7 */
	 "deliver_sm len=66 seq=7 status=ESME_ROK svc=\"\" "
	 "src=1/1/\"97333000001\" dst=0/1/\"80008001\" esm=0x00 pid=0 prio=0 "
	 "sched=\"\" valid=\"\" rd=0x00 replace=0 dcs=0x08 defid=0 "
	 "sm=8:0634064306480649 tlv=0x0204:2:0007"},
	{"deliver_sm, delivery receipt",
	 "000000b0 00000005 00000000 00000008" /* len 176, seq 8 */
	 "00"                                  /* service_type */
	 "01 01 393733333330303030303100"      /* source 1/1 (the handset) */
	 "05 00 5461776173756c00"              /* dest 5/0 "Tawasul" */
	 "04 00 00 00 00" /* esm 0x04 receipt, pid..valid */
	 "00 00 00 00"    /* rd, replace, dcs, defid */
	 "64" /* sm_length 100: "id:5f2a9c01 sub:001 dlvrd:001 ..." */
	 "69643a3566326139633031207375623a30303120646c7672643a30303120"
	 "7375626d697420646174653a3234303130313132303020646f6e652064617465"
	 "3a3234303130313132303120737461743a44454c49565244206572723a303030"
	 "20746578743a"
	 "001e 0009 356632613963303100" /* receipted_message_id */
	 "0427 0001 02"                 /* message_state DELIVERED */
	 "0423 0003 030000",            /* network_error_code GSM 0 */
	 "deliver_sm len=176 seq=8 status=ESME_ROK svc=\"\" "
	 "src=1/1/\"97333000001\" dst=5/0/\"Tawasul\" esm=0x04 pid=0 prio=0 "
	 "sched=\"\" valid=\"\" rd=0x00 replace=0 dcs=0x00 defid=0 "
	 "sm=100:"
	 "69643a3566326139633031207375623a30303120646c7672643a303031207375626d6"
	 "97420646174653a3234303130313132303020646f6e6520646174653a323430313031"
	 "3132303120737461743a44454c49565244206572723a30303020746578743a "
	 "tlv=0x001e:9:356632613963303100 tlv=0x0427:1:02 tlv=0x0423:3:030000"},
	{"deliver_sm, USSD begin",
	 "00000045 00000005 00000000 00000009" /* len 69, seq 9 */
	 "5553534400"                          /* service_type "USSD" */
	 "01 01 393733333330303030303100"      /* source 1/1 */
	 "00 00 2a3132332300"                  /* dest 0/0 "*123#" */
	 "00 00 00 00 00 00 00 0f 00"          /* esm..defid, dcs 0x0f */
	 "05 2a31323323"                       /* sm_length 5 "*123#" */
	 "0501 0001 01"                        /* ussd_service_op PSSR ind */
	 "1383 0002 0a00",                     /* its_session_info 10, 0 */
	 "deliver_sm len=69 seq=9 status=ESME_ROK svc=\"USSD\" "
	 "src=1/1/\"97333000001\" dst=0/0/\"*123#\" esm=0x00 pid=0 prio=0 "
	 "sched=\"\" valid=\"\" rd=0x00 replace=0 dcs=0x0f defid=0 "
	 "sm=5:2a31323323 tlv=0x0501:1:01 tlv=0x1383:2:0a00"},
	{"deliver_sm, SAR part, reserved TON 7 and NPI 11, vendor TLV",
	 "00000052 00000005 00000000 0000000a" /* len 82, seq 10 */
	 "00"                                  /* service_type */
	 "07 0b 393733333330303030303100"      /* source TON 7, NPI 11 */
	 "01 01 383030303830303100"            /* dest 1/1 "80008001" */
	 "00 00 00 00 00 00 00 00 00"          /* esm..defid */
	 "07 48656c6c6f2c20"                   /* sm_length 7 "Hello, " */
	 "020c 0002 002a"                      /* sar_msg_ref_num 42 */
	 "020e 0001 02"                        /* sar_total_segments 2 */
	 "020f 0001 01"                        /* sar_segment_seqnum 1 */
	 "1401 0003 616263",                   /* vendor 0x1401 "abc" */
	 "deliver_sm len=82 seq=10 status=ESME_ROK svc=\"\" "
	 "src=7/11/\"97333000001\" dst=1/1/\"80008001\" esm=0x00 pid=0 prio=0 "
	 "sched=\"\" valid=\"\" rd=0x00 replace=0 dcs=0x00 defid=0 "
	 "sm=7:48656c6c6f2c20 tlv=0x020c:2:002a tlv=0x020e:1:02 "
	 "tlv=0x020f:1:01 tlv=0x1401:3:616263"},
	{"data_sm, MO in message_payload",
	 "00000041 00000103 00000000 0000000b" /* len 65, seq 11 */
	 "00"                                  /* service_type */
	 "01 01 393733333330303030303100"      /* source 1/1 */
	 "00 01 383030303830303100"            /* dest 0/1 */
	 "00 00 08"                            /* esm, rd, dcs UCS-2 */
	 "0424 000a 06450631062d06280627"      /* message_payload */
	 "0204 0002 0001",                     /* user_message_reference 1 */
	 "data_sm len=65 seq=11 status=ESME_ROK svc=\"\" "
	 "src=1/1/\"97333000001\" dst=0/1/\"80008001\" esm=0x00 rd=0x00 "
	 "dcs=0x08 tlv=0x0424:10:06450631062d06280627 tlv=0x0204:2:0001"},
	{"data_sm_resp, ESME_RDELIVERYFAILURE with TLVs",
	 "00000021 80000103 000000fe 0000000c" /* len 33 */
	 "00"                                  /* message_id "" */
	 "0425 0001 01"                        /* delivery_failure_reason 1 */
	 "001d 0007 616273656e7400",           /* additional_status_info_text
					       "absent" */
	 "data_sm_resp len=33 seq=12 status=ESME_RDELIVERYFAILURE msgid=\"\" "
	 "tlv=0x0425:1:01 tlv=0x001d:7:616273656e7400"},
	{"alert_notification",
	 "0000002e 00000102 00000000 0000000d" /* len 46 */
	 "01 01 393733333330303030303100"      /* source 1/1 */
	 "00 01 383030303830303100"            /* esme 0/1 "80008001" */
	 "0422 0001 00",                       /* ms_availability_status 0 */
	 "alert_notification len=46 seq=13 status=ESME_ROK "
	 "src=1/1/\"97333000001\" esme=0/1/\"80008001\" tlv=0x0422:1:00"},
	{"query_sm_resp",
	 "0000002c 80000003 00000000 0000000b" /* len 44 */
	 "3566326139633031 00"                 /* message_id */
	 "3234303130313132303130303030302b00"  /* final_date */
	 "02 00",                              /* message_state, error */
	 "query_sm_resp len=44 seq=11 status=ESME_ROK msgid=\"5f2a9c01\" "
	 "final=\"240101120100000+\" state=2 err=0"},
	{"cancel_sm_resp", "00000010 80000008 00000000 0000000c",
	 "cancel_sm_resp len=16 seq=12 status=ESME_ROK"},
	{"replace_sm_resp", "00000010 80000007 00000000 0000000d",
	 "replace_sm_resp len=16 seq=13 status=ESME_ROK"},
};

static void
test_golden(void **state)
{
	const char *print = getenv("SMPP_PDU_TEST_PRINT");

	for (size_t i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++) {
		const struct golden *g = &goldens[i];
		uint8_t in[SMPP_PDU_MAX], out[SMPP_PDU_MAX];
		struct smpp_pdu p;
		struct smpp_decode_error err;
		char text[8192];
		size_t n = unhex(g->hex, in, sizeof(in));
		int r = smpp_pdu_decode(in, n, &p, &err);

		if (r != 0)
			fail_msg("%s: decode: %s", g->name, err.reason);
		smpp_pdu_format(&p, text, sizeof(text));
		if (print && *print)
			printf("%s\t%s\n", g->name, text);
		else if (strcmp(text, g->text) != 0)
			fail_msg("%s:\n got %s\nwant %s", g->name, text,
				 g->text);
		r = smpp_pdu_encode(&p, out, sizeof(out));
		if (r != (int)n || memcmp(in, out, n) != 0)
			fail_msg("%s: re-encoding differs (%d bytes, want %zu)",
				 g->name, r, n);
	}
}

/* Every golden cut short (command_length fixed up) and with each 0x00
 * octet of its body turned into 'A': never a crash or an overread (ASan
 * runs this), and a cut PDU decodes only at a TLV boundary, where it
 * re-encodes to exactly those bytes, or as a response without body. */
static void
test_truncations(void **state)
{
	for (size_t i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++) {
		uint8_t in[SMPP_PDU_MAX], out[SMPP_PDU_MAX];
		size_t n = unhex(goldens[i].hex, in, sizeof(in));
		struct smpp_pdu full, p;

		assert_int_equal(smpp_pdu_decode(in, n, &full, NULL), 0);
		for (size_t k = 16; k < n; k++) {
			uint8_t *cut = malloc(k); /* exact size for ASan */
			assert_non_null(cut);
			memcpy(cut, in, k);
			cut[0] = (uint8_t)(k >> 24);
			cut[1] = (uint8_t)(k >> 16);
			cut[2] = (uint8_t)(k >> 8);
			cut[3] = (uint8_t)k;
			if (smpp_pdu_decode(cut, k, &p, NULL) == 0) {
				int resp = smpp_cmd_is_response(p.command_id);
				if (!(resp && k == 16)) {
					assert_true(p.ntlv < full.ntlv);
					assert_int_equal(
						smpp_pdu_encode(&p, out, k),
						(int)k);
					assert_memory_equal(out, cut, k);
				}
			}
			free(cut);
		}
		for (size_t k = 16; k < n; k++) {
			uint8_t *m;
			if (in[k] != 0)
				continue;
			m = malloc(n);
			assert_non_null(m);
			memcpy(m, in, n);
			m[k] = 'A';
			(void)smpp_pdu_decode(m, n, &p, NULL);
			free(m);
		}
	}
}

/* A PDU built field by field, command_length fixed up by b_done(). */
struct bld {
	uint8_t b[8192];
	size_t n;
};

static void
b_hex(struct bld *b, const char *hex)
{
	b->n += unhex(hex, b->b + b->n, sizeof(b->b) - b->n);
}

static void
b_u8(struct bld *b, uint8_t v)
{
	b->b[b->n++] = v;
}

static void
b_u16(struct bld *b, uint16_t v)
{
	b_u8(b, (uint8_t)(v >> 8));
	b_u8(b, (uint8_t)v);
}

static void
b_u32(struct bld *b, uint32_t v)
{
	b_u16(b, (uint16_t)(v >> 16));
	b_u16(b, (uint16_t)v);
}

/* n copies of c, then a NUL when nul */
static void
b_fill(struct bld *b, char c, size_t n, int nul)
{
	memset(b->b + b->n, c, n);
	b->n += n;
	if (nul)
		b_u8(b, 0);
}

static void
b_cstr(struct bld *b, const char *s)
{
	size_t l = strlen(s) + 1;
	memcpy(b->b + b->n, s, l);
	b->n += l;
}

static void
b_head(struct bld *b, uint32_t id, uint32_t status, uint32_t seq)
{
	b->n = 0;
	b_u32(b, 0);
	b_u32(b, id);
	b_u32(b, status);
	b_u32(b, seq);
}

static void
b_done(struct bld *b)
{
	uint32_t n = (uint32_t)b->n;
	b->b[0] = (uint8_t)(n >> 24);
	b->b[1] = (uint8_t)(n >> 16);
	b->b[2] = (uint8_t)(n >> 8);
	b->b[3] = (uint8_t)n;
}

/* submit_sm/deliver_sm mandatory part with the given strings. */
static void
b_sm(struct bld *b, uint32_t id, const char *svc, const char *src,
     const char *dst, const char *sched, const char *valid)
{
	b_head(b, id, 0, 99);
	b_cstr(b, svc);
	b_hex(b, "01 01");
	b_cstr(b, src);
	b_hex(b, "01 01");
	b_cstr(b, dst);
	b_hex(b, "00 00 00");
	b_cstr(b, sched);
	b_cstr(b, valid);
	b_hex(b, "00 00 00 00");
}

static int
decode(struct bld *b, struct smpp_pdu *p, struct smpp_decode_error *e)
{
	return smpp_pdu_decode(b->b, b->n, p, e);
}

static void
expect_fail(struct bld *b, uint32_t status, const char *what)
{
	struct smpp_pdu p;
	struct smpp_decode_error e;

	if (decode(b, &p, &e) != -EBADMSG)
		fail_msg("%s: decoded, expected status 0x%x", what, status);
	if (e.status != status)
		fail_msg("%s: status 0x%x (%s), expected 0x%x", what, e.status,
			 e.reason, status);
	assert_non_null(e.reason);
}

static void
test_hostile_lengths(void **state)
{
	struct bld b;
	struct smpp_pdu p;
	struct smpp_decode_error e;
	static uint8_t big[SMPP_PDU_MAX + 1];

	/* shorter than a header: nothing of the header is trusted */
	assert_int_equal(smpp_pdu_decode(big, 10, &p, &e), -EBADMSG);
	assert_int_equal(e.status, SMPP_ESME_RINVCMDLEN);
	assert_int_equal(e.sequence, 0);

	/* command_length 0, 15, 2^31 on a 16-byte PDU: sequence kept */
	uint32_t lens[] = {0, 15, 17, 0x80000000u, 0xffffffffu};
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		b_head(&b, SMPP_ENQUIRE_LINK, 0, 77);
		b.b[0] = (uint8_t)(lens[i] >> 24);
		b.b[1] = (uint8_t)(lens[i] >> 16);
		b.b[2] = (uint8_t)(lens[i] >> 8);
		b.b[3] = (uint8_t)lens[i];
		expect_fail(&b, SMPP_ESME_RINVCMDLEN, "bad command_length");
		assert_int_equal(decode(&b, &p, &e), -EBADMSG);
		assert_int_equal(e.sequence, 77);
		assert_int_equal(e.command_id, SMPP_ENQUIRE_LINK);
	}

	/* 4097 bytes that say 4097 */
	memset(big, 0, sizeof(big));
	big[2] = 0x10;
	big[3] = 0x01;
	big[7] = 0x15;
	assert_int_equal(smpp_pdu_decode(big, sizeof(big), &p, &e), -EBADMSG);
	assert_int_equal(e.status, SMPP_ESME_RINVCMDLEN);
	/* 4096 is fine: an enquire_link and 4 TLVs of 1016 octets */
	memset(big + 16, 0, sizeof(big) - 16);
	big[2] = 0x10;
	big[3] = 0x00;
	for (size_t i = 16; i < SMPP_PDU_MAX; i += 1020) {
		big[i + 2] = 0x03;
		big[i + 3] = 0xf8;
	}
	assert_int_equal(smpp_pdu_decode(big, SMPP_PDU_MAX, &p, &e), 0);
	assert_int_equal(p.ntlv, 4);
}

static void
test_hostile_fields(void **state)
{
	struct bld b;
	char id[80];

	/* unknown and unsupported commands */
	b_head(&b, 0x00000099, 0, 5);
	b_done(&b);
	expect_fail(&b, SMPP_ESME_RINVCMDID, "unknown command");
	b_head(&b, SMPP_SUBMIT_MULTI, 0, 5);
	b_hex(&b, "00 00 00 00 01");
	b_done(&b);
	expect_fail(&b, SMPP_ESME_RINVCMDID, "submit_multi");
	b_head(&b, 0x8000ffff, 0, 5);
	b_done(&b);
	expect_fail(&b, SMPP_ESME_RINVCMDID, "unknown response");

	/* every C-Octet string of bind: one octet over its limit, i.e. no
	 * NUL within reach; exactly at the limit decodes */
	const size_t bind_max[] = {16, 9, 13, 41};
	for (int f = 0; f < 4; f++) {
		for (int over = 0; over < 2; over++) {
			b_head(&b, SMPP_BIND_TRANSCEIVER, 0, 1);
			for (int g = 0; g < 4; g++) {
				if (g == 3)
					b_hex(&b, "34 00 00");
				b_fill(&b, 'a',
				       g == f ? bind_max[g] - 1 + (size_t)over
					      : 1,
				       1);
			}
			b_done(&b);
			if (over) {
				expect_fail(&b, SMPP_ESME_RINVMSGLEN,
					    "bind string over its limit");
			} else {
				struct smpp_pdu p;
				assert_int_equal(decode(&b, &p, NULL), 0);
			}
		}
	}

	/* submit_sm strings: service_type 6, addresses 21, times 17 */
	const size_t sm_max[] = {6, 21, 21, 17, 17};
	for (int f = 0; f < 5; f++) {
		char s[5][40];
		for (int g = 0; g < 5; g++) {
			size_t l = g == f ? sm_max[g] : 1;
			memset(s[g], '1', l);
			s[g][l] = '\0';
		}
		b_sm(&b, SMPP_SUBMIT_SM, s[0], s[1], s[2], s[3], s[4]);
		b_u8(&b, 0);
		b_done(&b);
		expect_fail(&b, SMPP_ESME_RINVMSGLEN, "submit_sm string");
		b_sm(&b, SMPP_DELIVER_SM, s[0], s[1], s[2], s[3], s[4]);
		b_u8(&b, 0);
		b_done(&b);
		expect_fail(&b, SMPP_ESME_RINVMSGLEN, "deliver_sm string");
	}

	/* data_sm addresses reach 65 (64 characters) */
	memset(id, '7', 64);
	id[64] = '\0';
	b_head(&b, SMPP_DATA_SM, 0, 3);
	b_hex(&b, "00 01 01");
	b_cstr(&b, id);
	b_hex(&b, "01 01");
	b_cstr(&b, id);
	b_hex(&b, "00 00 00");
	b_done(&b);
	struct smpp_pdu p;
	assert_int_equal(decode(&b, &p, NULL), 0);
	assert_string_equal(p.source.addr, id);
	b.b[16 + 3 + 10] = '7'; /* NUL of source moved out of reach */
	b.b[16 + 3 + 64] = '7';
	expect_fail(&b, SMPP_ESME_RINVMSGLEN, "data_sm address 65");

	/* message_id: 64 characters fine, 65 not */
	memset(id, 'f', 65);
	id[65] = '\0';
	b_head(&b, SMPP_SUBMIT_SM_RESP, 0, 4);
	b_cstr(&b, id);
	b_done(&b);
	expect_fail(&b, SMPP_ESME_RINVMSGLEN, "message_id 65");
	id[64] = '\0';
	b_head(&b, SMPP_SUBMIT_SM_RESP, 0, 4);
	b_cstr(&b, id);
	b_done(&b);
	assert_int_equal(decode(&b, &p, NULL), 0);
	assert_string_equal(p.message_id, id);

	/* a string cut by the end of the PDU, without its NUL */
	b_head(&b, SMPP_BIND_TRANSMITTER_RESP, 0, 2);
	b_hex(&b, "534d5343");
	b_done(&b);
	expect_fail(&b, SMPP_ESME_RINVMSGLEN, "system_id unterminated");

	/* sm_length beyond the PDU */
	b_sm(&b, SMPP_DELIVER_SM, "", "1", "2", "", "");
	b_hex(&b, "05 41424344");
	b_done(&b);
	expect_fail(&b, SMPP_ESME_RINVMSGLEN, "sm_length past the end");
	/* octet fields missing */
	b_sm(&b, SMPP_DELIVER_SM, "", "1", "2", "", "");
	b.n -= 2;
	b_done(&b);
	expect_fail(&b, SMPP_ESME_RINVMSGLEN, "fields missing");
}

static void
test_hostile_tlvs(void **state)
{
	struct bld b;
	struct smpp_pdu p;

	/* truncated TLV header, and a value running past the end */
	b_head(&b, SMPP_ENQUIRE_LINK, 0, 1);
	b_hex(&b, "0424 00");
	b_done(&b);
	expect_fail(&b, SMPP_ESME_RINVTLVSTREAM, "truncated TLV header");
	b_head(&b, SMPP_ENQUIRE_LINK, 0, 1);
	b_hex(&b, "04240005 41424344");
	b_done(&b);
	expect_fail(&b, SMPP_ESME_RINVTLVSTREAM, "TLV past the end");

	/* 16 TLVs decode, 17 and 100 do not */
	for (int n = 15; n <= 100; n++) {
		b_head(&b, SMPP_DATA_SM_RESP, 0, 1);
		b_u8(&b, 0);
		for (int i = 0; i < n; i++) {
			b_u16(&b, (uint16_t)(0x1400 + i));
			b_u16(&b, 1);
			b_u8(&b, (uint8_t)i);
		}
		b_done(&b);
		if (n <= SMPP_MAX_TLVS) {
			assert_int_equal(decode(&b, &p, NULL), 0);
			assert_int_equal(p.ntlv, n);
			assert_int_equal(p.tlv[n - 1].tag, 0x1400 + n - 1);
		} else {
			expect_fail(&b, SMPP_ESME_RINVTLVSTREAM, "many TLVs");
		}
		if (n == 20)
			n = 99;
	}

	/* integer TLVs of the wrong length */
	static const struct {
		uint16_t tag, len;
	} bad[] = {
		{SMPP_TAG_SAR_MSG_REF_NUM, 1},
		{SMPP_TAG_SAR_TOTAL_SEGMENTS, 2},
		{SMPP_TAG_SAR_SEGMENT_SEQNUM, 0},
		{SMPP_TAG_MESSAGE_STATE, 4},
		{SMPP_TAG_USSD_SERVICE_OP, 2},
		{SMPP_TAG_ITS_SESSION_INFO, 1},
		{SMPP_TAG_USER_MESSAGE_REFERENCE, 4},
		{SMPP_TAG_NETWORK_ERROR_CODE, 2},
		{SMPP_TAG_SOURCE_PORT, 1},
		{SMPP_TAG_DEST_PORT, 3},
		{SMPP_TAG_DEST_ADDR_SUBUNIT, 2},
		{SMPP_TAG_SC_INTERFACE_VERSION, 0},
		{SMPP_TAG_DELIVERY_FAILURE_REASON, 2},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b_sm(&b, SMPP_DELIVER_SM, "", "1", "2", "", "");
		b_u8(&b, 0);
		b_u16(&b, bad[i].tag);
		b_u16(&b, bad[i].len);
		b_fill(&b, 1, bad[i].len, 0);
		b_done(&b);
		expect_fail(&b, SMPP_ESME_RINVTLVLEN, "integer TLV length");
	}

	/* receipted_message_id: without NUL fine, 65 characters not */
	b_sm(&b, SMPP_DELIVER_SM, "", "1", "2", "", "");
	b_hex(&b, "00 001e0008 3566326139633031");
	b_done(&b);
	assert_int_equal(decode(&b, &p, NULL), 0);
	assert_true(p.has_receipted_id);
	assert_string_equal(p.receipted_message_id, "5f2a9c01");
	b_sm(&b, SMPP_DELIVER_SM, "", "1", "2", "", "");
	b_hex(&b, "00 001e0041");
	b_fill(&b, 'x', 65, 0);
	b_done(&b);
	expect_fail(&b, SMPP_ESME_RINVTLVLEN, "receipted_message_id 65");

	/* enquire_link with 3 stray bytes */
	b_head(&b, SMPP_ENQUIRE_LINK, 0, 1);
	b_hex(&b, "010203");
	b_done(&b);
	expect_fail(&b, SMPP_ESME_RINVTLVSTREAM, "stray bytes");
}

static void
test_lenient(void **state)
{
	struct bld b;
	struct smpp_pdu p, q;
	uint8_t out[SMPP_PDU_MAX];

	/* error response with an empty message_id body: decoded, and sent
	 * back without body (the one re-encoding that is shorter) */
	b_head(&b, SMPP_SUBMIT_SM_RESP, 0x45, 3);
	b_u8(&b, 0);
	b_done(&b);
	assert_int_equal(decode(&b, &p, NULL), 0);
	assert_int_equal(p.command_status, 0x45);
	assert_string_equal(p.message_id, "");
	assert_int_equal(smpp_pdu_encode(&p, out, sizeof(out)), 16);

	/* vendor status 0x400 with a message_id: kept as it is */
	b_head(&b, SMPP_SUBMIT_SM_RESP, 0x400, 3);
	b_cstr(&b, "abc");
	b_done(&b);
	assert_int_equal(decode(&b, &p, NULL), 0);
	assert_int_equal(p.command_status, 0x400);
	assert_null(smpp_status_name(0x400));
	assert_int_equal(smpp_pdu_encode(&p, out, sizeof(out)), (int)b.n);
	assert_memory_equal(out, b.b, b.n);

	/* responses without any body, whatever the status */
	const uint32_t resp[] = {
		SMPP_BIND_TRANSMITTER_RESP, SMPP_BIND_RECEIVER_RESP,
		SMPP_BIND_TRANSCEIVER_RESP, SMPP_SUBMIT_SM_RESP,
		SMPP_DELIVER_SM_RESP,       SMPP_DATA_SM_RESP,
		SMPP_QUERY_SM_RESP};
	for (size_t i = 0; i < sizeof(resp) / sizeof(resp[0]); i++) {
		for (uint32_t st = 0; st < 2; st++) {
			b_head(&b, resp[i], st ? 0x0e : 0, 5);
			b_done(&b);
			assert_int_equal(decode(&b, &p, NULL), 0);
			assert_string_equal(p.message_id, "");
			assert_string_equal(p.system_id, "");
			int n = smpp_pdu_encode(&p, out, sizeof(out));
			assert_true(n >= 16);
			assert_int_equal(
				smpp_pdu_decode(out, (size_t)n, &q, NULL), 0);
			assert_int_equal(q.command_status, p.command_status);
		}
	}
	/* a request without body is not lenient */
	b_head(&b, SMPP_SUBMIT_SM, 0, 5);
	b_done(&b);
	expect_fail(&b, SMPP_ESME_RINVMSGLEN, "submit_sm without body");

	/* unknown TLVs are kept and skipped; known ones still decoded;
	 * zero-length values borrow nothing */
	b_sm(&b, SMPP_DELIVER_SM, "", "1", "2", "", "");
	b_hex(&b, "00 3fff0003 010203 1500 0000 0427 0001 05");
	b_done(&b);
	assert_int_equal(decode(&b, &p, NULL), 0);
	assert_int_equal(p.ntlv, 3);
	assert_int_equal(p.tlv[0].tag, 0x3fff);
	assert_int_equal(p.tlv[0].len, 3);
	assert_ptr_equal(p.tlv[0].val, b.b + b.n - 12);
	assert_null(p.tlv[1].val);
	assert_true(p.has_message_state);
	assert_int_equal(p.message_state, 5);
	assert_ptr_equal(smpp_pdu_tlv_find(&p, 0x1500), &p.tlv[1]);
	assert_null(smpp_pdu_tlv_find(&p, 0x1501));

	/* sm_length 255: decoded (data is there), not re-encodable */
	b_sm(&b, SMPP_DELIVER_SM, "", "1", "2", "", "");
	b_u8(&b, 255);
	b_fill(&b, 'z', 255, 0);
	b_done(&b);
	assert_int_equal(decode(&b, &p, NULL), 0);
	assert_int_equal(p.sm_length, 255);
	assert_int_equal(smpp_pdu_encode(&p, out, sizeof(out)), -EINVAL);

	/* SAR: has_sar only with all three; fields filled anyway */
	b_sm(&b, SMPP_DELIVER_SM, "", "1", "2", "", "");
	b_hex(&b, "00 020c 0002 1234 020f 0001 03");
	b_done(&b);
	assert_int_equal(decode(&b, &p, NULL), 0);
	assert_false(p.has_sar);
	assert_int_equal(p.sar_msg_ref_num, 0x1234);
	assert_int_equal(p.sar_segment_seqnum, 3);

	/* TON 7, any NPI, interface_version 0x50 decode and re-encode */
	b_head(&b, SMPP_BIND_TRANSMITTER, 0, 9);
	b_hex(&b, "414200 00 00 50 07 ff 00");
	b_done(&b);
	assert_int_equal(decode(&b, &p, NULL), 0);
	assert_int_equal(p.address_range.ton, 7);
	assert_int_equal(p.address_range.npi, 0xff);
	assert_int_equal(smpp_pdu_encode(&p, out, sizeof(out)), (int)b.n);
	assert_memory_equal(out, b.b, b.n);
}

static void
test_header_and_names(void **state)
{
	uint8_t h[16] = {0, 0, 0, 0x10, 0x80, 0,    0,    0x04,
			 0, 0, 0, 0x58, 0x7f, 0xff, 0xff, 0xff};
	uint32_t l, id, st, seq;
	char text[16];

	smpp_pdu_header(h, &l, &id, &st, &seq);
	assert_int_equal(l, 16);
	assert_int_equal(id, SMPP_SUBMIT_SM_RESP);
	assert_int_equal(st, SMPP_ESME_RTHROTTLED);
	assert_int_equal(seq, SMPP_SEQ_MAX);
	assert_string_equal(smpp_cmd_name(SMPP_DATA_SM_RESP), "data_sm_resp");
	assert_string_equal(smpp_cmd_name(SMPP_SUBMIT_MULTI), "submit_multi");
	assert_string_equal(smpp_cmd_name(0x42), "unknown");
	assert_string_equal(smpp_status_name(SMPP_ESME_RX_T_APPN),
			    "ESME_RX_T_APPN");
	assert_string_equal(smpp_status_name(0xc0), "ESME_RINVTLVSTREAM");
	assert_true(smpp_cmd_is_response(SMPP_GENERIC_NACK));
	assert_true(smpp_cmd_is_response(SMPP_ENQUIRE_LINK_RESP));
	assert_false(smpp_cmd_is_response(SMPP_OUTBIND));

	/* format: truncation keeps a NUL and reports the full length */
	struct smpp_pdu p;
	smpp_pdu_init(&p, SMPP_ENQUIRE_LINK, 0, 42);
	size_t need = smpp_pdu_format(&p, text, sizeof(text));
	assert_int_equal(need, strlen("enquire_link len=0 seq=42 "
				      "status=ESME_ROK"));
	assert_string_equal(text, "enquire_link le");
	assert_int_equal(smpp_pdu_format(&p, NULL, 0), need);
	p.command_id = 0x1234;
	p.command_status = 0x4ff;
	smpp_pdu_format(&p, text, sizeof(text));
	char big[128];
	smpp_pdu_format(&p, big, sizeof(big));
	assert_string_equal(big, "cmd_0x00001234 len=0 seq=42 "
				 "status=0x000004ff");

	/* strings are quoted and escaped */
	smpp_pdu_init(&p, SMPP_SUBMIT_SM_RESP, 0, 1);
	memcpy(p.message_id, "a\"b\\c d\x01\xff", 10);
	smpp_pdu_format(&p, big, sizeof(big));
	assert_string_equal(big, "submit_sm_resp len=0 seq=1 status=ESME_ROK "
				 "msgid=\"a\\x22b\\x5cc d\\x01\\xff\"");
}

/* Encodes p, decodes it back into q; returns the length. */
static int
round_trip(const struct smpp_pdu *p, struct smpp_pdu *q, uint8_t *out)
{
	int n = smpp_pdu_encode(p, out, SMPP_PDU_MAX);
	struct smpp_decode_error e;

	if (n < 0)
		fail_msg("encode %s: %d", smpp_cmd_name(p->command_id), n);
	if (smpp_pdu_decode(out, (size_t)n, q, &e) != 0)
		fail_msg("decode back %s: %s", smpp_cmd_name(p->command_id),
			 e.reason);
	return n;
}

static void
test_encode_refusals(void **state)
{
	struct smpp_pdu p;
	uint8_t out[SMPP_PDU_MAX];
	static const uint8_t text[300];

	/* strings one over: -EINVAL, never truncated */
	smpp_pdu_init(&p, SMPP_BIND_TRANSCEIVER, 0, 1);
	memset(p.system_id, 'a', 15);
	assert_true(smpp_pdu_encode(&p, out, sizeof(out)) > 0);
	memset(p.system_id, 'a', 16); /* no NUL left in the array */
	assert_int_equal(smpp_pdu_encode(&p, out, sizeof(out)), -EINVAL);
	smpp_pdu_init(&p, SMPP_BIND_TRANSMITTER, 0, 1);
	memset(p.password, 'p', 9);
	assert_int_equal(smpp_pdu_encode(&p, out, sizeof(out)), -EINVAL);
	smpp_pdu_init(&p, SMPP_BIND_RECEIVER, 0, 1);
	memset(p.address_range.addr, '1', 41);
	assert_int_equal(smpp_pdu_encode(&p, out, sizeof(out)), -EINVAL);
	p.address_range.addr[40] = '\0';
	assert_true(smpp_pdu_encode(&p, out, sizeof(out)) > 0);

	smpp_pdu_init(&p, SMPP_SUBMIT_SM, 0, 1);
	memset(p.source.addr, '1', 21);
	assert_int_equal(smpp_pdu_encode(&p, out, sizeof(out)), -EINVAL);
	p.source.addr[20] = '\0';
	assert_true(smpp_pdu_encode(&p, out, sizeof(out)) > 0);
	memset(p.service_type, 's', 5);
	memset(p.validity_period, '0', 16);
	assert_true(smpp_pdu_encode(&p, out, sizeof(out)) > 0);

	/* data_sm: libsmpp34 holds 20 source characters (SMPP allows 64) */
	smpp_pdu_init(&p, SMPP_DATA_SM, 0, 1);
	memset(p.source.addr, '1', 21);
	memset(p.dest.addr, '2', 64);
	assert_int_equal(smpp_pdu_encode(&p, out, sizeof(out)), -EINVAL);
	p.source.addr[20] = '\0';
	assert_true(smpp_pdu_encode(&p, out, sizeof(out)) > 0);

	/* deliver_sm times and deliver_sm_resp message_id must be empty */
	smpp_pdu_init(&p, SMPP_DELIVER_SM, 0, 1);
	memcpy(p.schedule_delivery_time, "240101120000000+", 17);
	assert_int_equal(smpp_pdu_encode(&p, out, sizeof(out)), -EINVAL);
	smpp_pdu_init(&p, SMPP_DELIVER_SM_RESP, 0, 1);
	memcpy(p.message_id, "x", 2);
	assert_int_equal(smpp_pdu_encode(&p, out, sizeof(out)), -EINVAL);

	/* short_message: 253 fine, 254 not; NULL with a length not */
	smpp_pdu_init(&p, SMPP_SUBMIT_SM, 0, 1);
	p.short_message = text;
	p.sm_length = SMPP_SHORT_MESSAGE_ENCODE_MAX;
	assert_int_equal(smpp_pdu_encode(&p, out, sizeof(out)), 16 + 17 + 253);
	p.sm_length = 254;
	assert_int_equal(smpp_pdu_encode(&p, out, sizeof(out)), -EINVAL);
	p.sm_length = 1;
	p.short_message = NULL;
	assert_int_equal(smpp_pdu_encode(&p, out, sizeof(out)), -EINVAL);

	/* TLV count and consistency */
	smpp_pdu_init(&p, SMPP_SUBMIT_SM, 0, 1);
	p.ntlv = SMPP_MAX_TLVS;
	for (int i = 0; i < SMPP_MAX_TLVS; i++)
		p.tlv[i].tag = (uint16_t)(0x1400 + i);
	assert_true(smpp_pdu_encode(&p, out, sizeof(out)) > 0);
	p.has_umr = 1; /* a 17th */
	assert_int_equal(smpp_pdu_encode(&p, out, sizeof(out)), -EINVAL);
	p.has_umr = 0;
	p.ntlv = SMPP_MAX_TLVS + 1;
	assert_int_equal(smpp_pdu_encode(&p, out, sizeof(out)), -EINVAL);
	p.ntlv = -1;
	assert_int_equal(smpp_pdu_encode(&p, out, sizeof(out)), -EINVAL);
	p.ntlv = 1;
	p.tlv[0].len = 3; /* and val NULL */
	assert_int_equal(smpp_pdu_encode(&p, out, sizeof(out)), -EINVAL);

	/* commands we do not encode */
	smpp_pdu_init(&p, SMPP_SUBMIT_MULTI, 0, 1);
	assert_int_equal(smpp_pdu_encode(&p, out, sizeof(out)), -EINVAL);
	smpp_pdu_init(&p, 0x77, 0, 1);
	assert_int_equal(smpp_pdu_encode(&p, out, sizeof(out)), -EINVAL);

	/* room: exact fits (no spare byte needed), one less does not */
	smpp_pdu_init(&p, SMPP_ENQUIRE_LINK, 0, 1);
	assert_int_equal(smpp_pdu_encode(&p, out, 16), 16);
	assert_int_equal(smpp_pdu_encode(&p, out, 15), -ENOSPC);
	smpp_pdu_init(&p, SMPP_SUBMIT_SM_RESP, 0, 1);
	memcpy(p.message_id, "abc", 4);
	assert_int_equal(smpp_pdu_encode(&p, out, 20), 20);
	assert_int_equal(smpp_pdu_encode(&p, out, 19), -ENOSPC);

	/* over SMPP_PDU_MAX in all */
	static uint8_t payload[SMPP_PDU_MAX];
	smpp_pdu_init(&p, SMPP_DATA_SM, 0, 1);
	p.has_payload = 1;
	p.message_payload = payload;
	p.message_payload_len = SMPP_PDU_MAX - 16 - 10 - 4; /* 4096 */
	assert_int_equal(smpp_pdu_encode(&p, out, sizeof(out)), SMPP_PDU_MAX);
	p.message_payload_len++;
	assert_int_equal(smpp_pdu_encode(&p, out, sizeof(out)), -ENOSPC);
}

static void
test_encode_patched(void **state)
{
	struct smpp_pdu p, q;
	uint8_t out[SMPP_PDU_MAX];

	/* octets libsmpp34 refuses are written as given */
	smpp_pdu_init(&p, SMPP_SUBMIT_SM, 0, SMPP_SEQ_MAX);
	p.source = (struct smpp_addr){7, 0x0b, "9733"};
	p.dest = (struct smpp_addr){0xff, 0x13, "80008"};
	round_trip(&p, &q, out);
	assert_int_equal(q.sequence, SMPP_SEQ_MAX);
	assert_int_equal(q.source.ton, 7);
	assert_int_equal(q.source.npi, 0x0b);
	assert_string_equal(q.source.addr, "9733");
	assert_int_equal(q.dest.ton, 0xff);
	assert_int_equal(q.dest.npi, 0x13);

	smpp_pdu_init(&p, SMPP_BIND_TRANSCEIVER, 0, 2);
	p.interface_version = 0x33;
	p.address_range.ton = 9;
	round_trip(&p, &q, out);
	assert_int_equal(q.interface_version, 0x33);
	assert_int_equal(q.address_range.ton, 9);

	smpp_pdu_init(&p, SMPP_DELIVER_SM_RESP, 0x4a0, 3); /* vendor */
	round_trip(&p, &q, out);
	assert_int_equal(q.command_status, 0x4a0);

	smpp_pdu_init(&p, SMPP_GENERIC_NACK, SMPP_ESME_RINVCMDLEN, 0);
	assert_int_equal(round_trip(&p, &q, out), 16);
	assert_int_equal(q.sequence, 0);

	smpp_pdu_init(&p, SMPP_ALERT_NOTIFICATION, 0, 4);
	p.source = (struct smpp_addr){6, 14, "1"};
	p.dest = (struct smpp_addr){8, 99, "2"};
	round_trip(&p, &q, out);
	assert_int_equal(q.dest.ton, 8);
	assert_int_equal(q.dest.npi, 99);

	/* submit_sm_resp errors: a body when there is something in it */
	smpp_pdu_init(&p, SMPP_SUBMIT_SM_RESP, SMPP_ESME_RTHROTTLED, 5);
	assert_int_equal(round_trip(&p, &q, out), 16);
	memcpy(p.message_id, "m1", 3);
	assert_int_equal(round_trip(&p, &q, out), 19);
	assert_string_equal(q.message_id, "m1");
	p.message_id[0] = '\0';
	p.has_network_error = 1;
	p.network_error_code[0] = 3;
	assert_int_equal(round_trip(&p, &q, out), 17 + 7);
	assert_true(q.has_network_error);
	assert_int_equal(q.network_error_code[0], 3);
}

static void
test_encode_tlvs(void **state)
{
	struct smpp_pdu p, q;
	uint8_t out[SMPP_PDU_MAX];
	static uint8_t payload[3000];
	char a[4096], b[4096];

	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7);

	/* the session's way: typed fields, no tlv[] */
	smpp_pdu_init(&p, SMPP_SUBMIT_SM, 0, 6);
	memcpy(p.source.addr, "Tawasul", 8);
	p.source.ton = 5;
	memcpy(p.dest.addr, "97333000001", 12);
	p.dest.ton = p.dest.npi = 1;
	p.esm_class = 0x40;
	p.data_coding = 8;
	p.has_umr = 1;
	p.user_message_reference = 0xbeef;
	p.has_sar = 1;
	p.sar_msg_ref_num = 0x0102;
	p.sar_total_segments = 3;
	p.sar_segment_seqnum = 2;
	p.has_ussd_op = 1;
	p.ussd_service_op = 17;
	p.has_its_session = 1;
	p.its_session_info[0] = 0x0a;
	p.its_session_info[1] = 0x01;
	p.has_payload = 1;
	p.message_payload = payload;
	p.message_payload_len = 1024; /* the most libsmpp34 carries */
	round_trip(&p, &q, out);
	assert_int_equal(q.user_message_reference, 0xbeef);
	assert_true(q.has_sar && q.has_umr && q.has_ussd_op);
	assert_int_equal(q.sar_msg_ref_num, 0x0102);
	assert_int_equal(q.sar_total_segments, 3);
	assert_int_equal(q.sar_segment_seqnum, 2);
	assert_int_equal(q.ussd_service_op, 17);
	assert_memory_equal(q.its_session_info, "\x0a\x01", 2);
	assert_int_equal(q.message_payload_len, 1024);
	assert_memory_equal(q.message_payload, payload, 1024);
	assert_int_equal(q.ntlv, 7);
	/* it prints as its decoding does, but for len= */
	smpp_pdu_format(&p, a, sizeof(a));
	smpp_pdu_format(&q, b, sizeof(b));
	assert_string_equal(strchr(a, ' ') + strlen(" len=0"),
			    strchr(b, ' ') + strlen(" len=1112"));
	assert_int_equal(q.command_length, 1112);

	/* longer payloads go past libsmpp34, appended by us */
	p.message_payload_len = 1025;
	round_trip(&p, &q, out);
	assert_int_equal(q.message_payload_len, 1025);
	assert_memory_equal(q.message_payload, payload, 1025);
	p.message_payload_len = 3000;
	round_trip(&p, &q, out);
	assert_int_equal(q.message_payload_len, 3000);
	assert_memory_equal(q.message_payload, payload, 3000);

	/* order kept across the switch: small, big (ours), small */
	smpp_pdu_init(&p, SMPP_DELIVER_SM, 0, 7);
	p.ntlv = 4;
	p.tlv[0] = (struct smpp_tlv){SMPP_TAG_SAR_MSG_REF_NUM, 2, payload};
	p.tlv[1] = (struct smpp_tlv){SMPP_TAG_MESSAGE_PAYLOAD, 2000, payload};
	p.tlv[2] = (struct smpp_tlv){SMPP_TAG_MESSAGE_STATE, 1, payload + 1};
	p.tlv[3] = (struct smpp_tlv){0x4000, 0, NULL};
	p.has_message_state = 1; /* tlv[] carries it: not twice */
	p.message_state = 99;
	round_trip(&p, &q, out);
	assert_int_equal(q.ntlv, 4);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(q.tlv[i].tag, p.tlv[i].tag);
		assert_int_equal(q.tlv[i].len, p.tlv[i].len);
	}
	assert_int_equal(q.message_state, payload[1]);

	/* an integer-typed tag of an odd length: ours too, same bytes */
	smpp_pdu_init(&p, SMPP_DATA_SM, 0, 8);
	p.ntlv = 2;
	p.tlv[0] = (struct smpp_tlv){0x0017, 2, payload}; /* qos_ttl is U32 */
	p.tlv[1] = (struct smpp_tlv){0x0030, 1, payload + 5};
	round_trip(&p, &q, out);
	assert_int_equal(q.tlv[0].len, 2);
	assert_memory_equal(q.tlv[0].val, payload, 2);
	assert_memory_equal(q.tlv[1].val, payload + 5, 1);

	/* receipted_message_id: emitted with its NUL */
	smpp_pdu_init(&p, SMPP_DELIVER_SM, 0, 9);
	p.has_receipted_id = 1;
	memcpy(p.receipted_message_id, "5f2a9c01", 9);
	p.has_message_state = 1;
	p.message_state = 2;
	round_trip(&p, &q, out);
	assert_int_equal(q.tlv[0].len, 9);
	assert_string_equal(q.receipted_message_id, "5f2a9c01");
	assert_int_equal(q.message_state, 2);

	/* TLVs after PDUs libsmpp34 gives no TLV list */
	const uint32_t ids[] = {SMPP_DATA_SM_RESP,       SMPP_ENQUIRE_LINK,
				SMPP_BIND_TRANSMITTER,   SMPP_QUERY_SM_RESP,
				SMPP_BIND_RECEIVER_RESP, SMPP_OUTBIND};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		smpp_pdu_init(&p, ids[i], 0, 10);
		p.has_network_error = 1;
		p.network_error_code[2] = 9;
		round_trip(&p, &q, out);
		assert_true(q.has_network_error);
		assert_int_equal(q.network_error_code[2], 9);
	}

	/* 16 TLVs at the longest strings: libsmpp34's trace stays bounded
	 * (ASan would see its global buffer overflow) */
	smpp_pdu_init(&p, SMPP_DATA_SM, 0, 11);
	memset(p.service_type, 's', 5);
	memset(p.source.addr, 'a', 20);
	memset(p.dest.addr, 'b', 64);
	p.ntlv = SMPP_MAX_TLVS;
	for (int i = 0; i < SMPP_MAX_TLVS; i++)
		p.tlv[i] =
			(struct smpp_tlv){(uint16_t)(0x0005 + i), 1, payload};
	for (int i = 0; i < SMPP_MAX_TLVS; i++)
		if (p.tlv[i].tag == 0x0008 || p.tlv[i].tag == 0x0017)
			p.tlv[i].len = p.tlv[i].tag == 0x0008 ? 2 : 4;
	round_trip(&p, &q, out);
	assert_int_equal(q.ntlv, SMPP_MAX_TLVS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_hostile_lengths),
		cmocka_unit_test(test_hostile_fields),
		cmocka_unit_test(test_hostile_tlvs),
		cmocka_unit_test(test_lenient),
		cmocka_unit_test(test_header_and_names),
		cmocka_unit_test(test_encode_refusals),
		cmocka_unit_test(test_encode_patched),
		cmocka_unit_test(test_encode_tlvs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
