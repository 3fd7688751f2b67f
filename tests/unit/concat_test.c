/*
 * concat_test.c - concatenation data of MOs: 8- and 16-bit UDH
 * references, other elements around them, SAR TLVs, message_payload, and
 * every malformed case taken as a whole message with nothing lost.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "concat.h"

static const struct {
	const char *name;
	uint8_t body[32];
	size_t len;
	int udhi;
	enum concat_kind kind;
	unsigned ref, total, seq;
	size_t ud_off, ud_len;
	int bad;
} cases[] = {
	{"no udh", {'h', 'i'}, 2, 0, CONCAT_NONE, 0, 1, 1, 0, 2, 0},
	{"udh8",
	 {5, 0, 3, 0x2a, 3, 2, 'x', 'y'},
	 8,
	 1,
	 CONCAT_UDH8,
	 0x2a,
	 3,
	 2,
	 6,
	 2,
	 0},
	{"udh16",
	 {6, 8, 4, 0x12, 0x34, 2, 1, 'x'},
	 8,
	 1,
	 CONCAT_UDH16,
	 0x1234,
	 2,
	 1,
	 7,
	 1,
	 0},
	{"ports before concat",
	 {11, 5, 4, 0x0b, 0x84, 0x23, 0xf0, 0, 3, 7, 2, 2, 'z'},
	 13,
	 1,
	 CONCAT_UDH8,
	 7,
	 2,
	 2,
	 12,
	 1,
	 0},
	{"udh without concat",
	 {4, 5, 2, 0, 1, 'a', 'b'},
	 7,
	 1,
	 CONCAT_NONE,
	 0,
	 1,
	 1,
	 5,
	 2,
	 0},
	{"seq 0 is whole",
	 {5, 0, 3, 1, 3, 0, 'x'},
	 7,
	 1,
	 CONCAT_NONE,
	 0,
	 1,
	 1,
	 6,
	 1,
	 0},
	{"seq > total is whole",
	 {5, 0, 3, 1, 2, 3, 'x'},
	 7,
	 1,
	 CONCAT_NONE,
	 0,
	 1,
	 1,
	 6,
	 1,
	 0},
	{"total 1 is whole",
	 {5, 0, 3, 1, 1, 1, 'x'},
	 7,
	 1,
	 CONCAT_NONE,
	 0,
	 1,
	 1,
	 6,
	 1,
	 0},
	{"udhl past end",
	 {9, 0, 3, 1, 2, 1},
	 6,
	 1,
	 CONCAT_NONE,
	 0,
	 1,
	 1,
	 0,
	 6,
	 1},
	{"ie past udh",
	 {4, 0, 3, 1, 2, 1, 'x'},
	 7,
	 1,
	 CONCAT_NONE,
	 0,
	 1,
	 1,
	 0,
	 7,
	 1},
	{"dangling iei",
	 {3, 0, 0, 5, 'x'},
	 5,
	 1,
	 CONCAT_NONE,
	 0,
	 1,
	 1,
	 0,
	 5,
	 1},
	{"empty body with udhi", {0}, 0, 1, CONCAT_NONE, 0, 1, 1, 0, 0, 1},
	{"udhl 0", {0, 'a'}, 2, 1, CONCAT_NONE, 0, 1, 1, 1, 1, 0},
	{"wrong iedl for udh8",
	 {6, 0, 4, 1, 2, 1, 0, 'q'},
	 8,
	 1,
	 CONCAT_NONE,
	 0,
	 1,
	 1,
	 7,
	 1,
	 0},
};

static void
test_bodies(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct concat_info ci;
		concat_parse_body(cases[i].body, cases[i].len, cases[i].udhi,
				  &ci);
		if (ci.kind != cases[i].kind || ci.ref != cases[i].ref ||
		    ci.total != cases[i].total || ci.seq != cases[i].seq ||
		    ci.ud != cases[i].body + cases[i].ud_off ||
		    ci.ud_len != cases[i].ud_len || ci.bad_udh != cases[i].bad)
			fail_msg("%s: kind %d ref %u %u/%u ud +%td len %zu bad "
				 "%d",
				 cases[i].name, ci.kind, ci.ref, ci.seq,
				 ci.total, ci.ud - cases[i].body, ci.ud_len,
				 ci.bad_udh);
	}
}

static void
test_pdu(void **state)
{
	struct smpp_pdu p;
	struct concat_info ci;
	static const uint8_t sm[] = {'a', 'b'};
	static const uint8_t payload[] = {5, 0, 3, 9, 2, 2, 'p'};

	memset(&p, 0, sizeof(p));
	p.short_message = sm;
	p.sm_length = 2;
	p.has_sar = 1;
	p.sar_msg_ref_num = 0x0102;
	p.sar_total_segments = 2;
	p.sar_segment_seqnum = 2;
	concat_parse(&p, &ci);
	assert_int_equal(ci.kind, CONCAT_SAR);
	assert_int_equal(ci.ref, 0x0102);
	assert_int_equal(ci.seq, 2);
	assert_int_equal(ci.ud_len, 2);

	p.sar_segment_seqnum = 3; /* impossible: whole */
	concat_parse(&p, &ci);
	assert_int_equal(ci.kind, CONCAT_NONE);
	assert_int_equal(ci.ud_len, 2);

	/* message_payload carries the body, with its own UDH */
	memset(&p, 0, sizeof(p));
	p.esm_class = 0x40;
	p.has_payload = 1;
	p.message_payload = payload;
	p.message_payload_len = sizeof(payload);
	concat_parse(&p, &ci);
	assert_int_equal(ci.kind, CONCAT_UDH8);
	assert_int_equal(ci.ref, 9);
	assert_int_equal(ci.ud_len, 1);
	assert_int_equal(ci.ud[0], 'p');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bodies),
		cmocka_unit_test(test_pdu),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
