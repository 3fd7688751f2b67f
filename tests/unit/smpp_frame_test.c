/*
 * smpp_frame_test.c - the SMPP stream framer (protocol/smpp_frame.c):
 * byte by byte, random chunkings, several PDUs per chunk, partial
 * headers, and bad command_length (0, 15, 4097, 65536, 65537, 2^31) with
 * exactly what resynchronisation discards.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "smpp_frame.h"

/* What a feed loop saw: PDUs (whole bytes) and bad-length headers. */
struct event {
	int kind; /* SMPP_FRAME_PDU or SMPP_FRAME_BAD_LENGTH */
	size_t len;
	uint8_t bytes[SMPP_PDU_MAX];
};

struct run {
	struct event ev[64];
	int n;
	size_t consumed;
};

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Appends a PDU of len bytes (header says claimed) to s. */
static size_t
add_pdu(uint8_t *s, size_t at, uint32_t claimed, size_t len, uint32_t id,
	uint32_t seq)
{
	put_be32(s + at, claimed);
	put_be32(s + at + 4, id);
	put_be32(s + at + 8, 0);
	put_be32(s + at + 12, seq);
	for (size_t i = 16; i < len; i++)
		s[at + i] = (uint8_t)(seq + i);
	return at + len;
}

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static size_t
rnd(size_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (size_t)(rng % n);
}

/* Feeds s in chunks: chunk 0 = everything at once, 1 = byte by byte,
 * else random sizes in 1..chunk. */
static void
feed(const uint8_t *s, size_t len, size_t chunk, struct run *r)
{
	struct smpp_frame f;
	size_t pos = 0;

	smpp_frame_init(&f);
	memset(r, 0, sizeof(*r));
	while (pos < len) {
		size_t c = chunk == 0   ? len - pos
			   : chunk == 1 ? 1
					: 1 + rnd(chunk);
		if (c > len - pos)
			c = len - pos;
		const uint8_t *d = s + pos;
		size_t left = c;
		while (left > 0) {
			const uint8_t *pdu;
			size_t used, pl;
			enum smpp_frame_result res =
				smpp_frame_feed(&f, d, left, &used, &pdu, &pl);
			assert_true(used > 0 && used <= left);
			if (res != SMPP_FRAME_NEED_MORE) {
				assert_true(r->n < 64);
				struct event *e = &r->ev[r->n++];
				e->kind = (int)res;
				e->len = pl;
				memcpy(e->bytes, pdu, pl);
			} else {
				assert_int_equal(used, left);
			}
			d += used;
			left -= used;
			r->consumed += used;
		}
		pos += c;
	}
}

static void
assert_same(const struct run *a, const struct run *b)
{
	assert_int_equal(a->n, b->n);
	assert_int_equal(a->consumed, b->consumed);
	for (int i = 0; i < a->n; i++) {
		assert_int_equal(a->ev[i].kind, b->ev[i].kind);
		assert_int_equal(a->ev[i].len, b->ev[i].len);
		assert_memory_equal(a->ev[i].bytes, b->ev[i].bytes,
				    a->ev[i].len);
	}
}

static uint8_t stream[200000];

static void
test_chunkings(void **state)
{
	size_t n = 0;
	struct run whole, r;

	n = add_pdu(stream, n, 16, 16, 0x15, 1);
	n = add_pdu(stream, n, 61, 61, 0x05, 2);
	n = add_pdu(stream, n, 4096, 4096, 0x103, 3);
	n = add_pdu(stream, n, 17, 17, 0x80000005, 4);
	n = add_pdu(stream, n, 300, 300, 0x04, 5);
	feed(stream, n, 0, &whole);
	assert_int_equal(whole.n, 5);
	assert_int_equal(whole.consumed, n);
	assert_int_equal(whole.ev[2].len, 4096);
	assert_memory_equal(whole.ev[2].bytes, stream + 16 + 61, 4096);
	for (int i = 0; i < 5; i++)
		assert_int_equal(whole.ev[i].kind, SMPP_FRAME_PDU);

	feed(stream, n, 1, &r); /* byte by byte */
	assert_same(&whole, &r);
	for (int k = 0; k < 300; k++) {
		feed(stream, n, 2 + rnd(k < 150 ? 40 : 5000), &r);
		assert_same(&whole, &r);
	}
}

static void
test_in_place_and_partial(void **state)
{
	struct smpp_frame f;
	uint8_t s[64];
	const uint8_t *pdu;
	size_t used, pl, n;

	/* two PDUs in one chunk: both handed out in place, no copy */
	n = add_pdu(s, 0, 16, 16, 0x15, 1);
	n = add_pdu(s, n, 20, 20, 0x80000004, 2);
	smpp_frame_init(&f);
	assert_int_equal(smpp_frame_feed(&f, s, n, &used, &pdu, &pl),
			 SMPP_FRAME_PDU);
	assert_ptr_equal(pdu, s);
	assert_int_equal(used, 16);
	assert_int_equal(smpp_frame_feed(&f, s + 16, n - 16, &used, &pdu, &pl),
			 SMPP_FRAME_PDU);
	assert_ptr_equal(pdu, s + 16);
	assert_int_equal(pl, 20);
	assert_int_equal(used, 20);

	/* partial header: 3 bytes, then 10, then the rest */
	smpp_frame_init(&f);
	assert_int_equal(smpp_frame_feed(&f, s, 3, &used, &pdu, &pl),
			 SMPP_FRAME_NEED_MORE);
	assert_int_equal(used, 3);
	assert_null(pdu);
	assert_int_equal(smpp_frame_feed(&f, s + 3, 10, &used, &pdu, &pl),
			 SMPP_FRAME_NEED_MORE);
	assert_int_equal(smpp_frame_feed(&f, s + 13, n - 13, &used, &pdu, &pl),
			 SMPP_FRAME_PDU);
	assert_int_equal(used, 3); /* the rest of the first PDU only */
	assert_ptr_equal(pdu, f.buf);
	assert_memory_equal(pdu, s, 16);

	/* nothing in, nothing out */
	assert_int_equal(smpp_frame_feed(&f, s, 0, &used, &pdu, &pl),
			 SMPP_FRAME_NEED_MORE);
	assert_int_equal(used, 0);
}

/* A bad header (seq 9), junk, then a good enquire_link (seq 10): what
 * survives, for every chunking. */
static void
check_bad(uint32_t claimed, size_t junk, int expect_good)
{
	size_t n = add_pdu(stream, 0, claimed, 16, 0x04, 9);
	struct run whole, r;

	memset(stream + n, 0xee, junk);
	n += junk;
	n = add_pdu(stream, n, 16, 16, 0x15, 10);
	feed(stream, n, 0, &whole);
	assert_int_equal(whole.consumed, n);
	assert_int_equal(whole.ev[0].kind, SMPP_FRAME_BAD_LENGTH);
	assert_int_equal(whole.ev[0].len, 16);
	assert_memory_equal(whole.ev[0].bytes, stream, 16); /* seq 9 */
	assert_int_equal(whole.n, 1 + expect_good);
	if (expect_good) {
		assert_int_equal(whole.ev[1].kind, SMPP_FRAME_PDU);
		assert_memory_equal(whole.ev[1].bytes, stream + n - 16, 16);
	}
	if (claimed <= 65536) { /* chunking does not matter then */
		feed(stream, n, 1, &r);
		assert_same(&whole, &r);
		for (int k = 0; k < 20; k++) {
			feed(stream, n, 2 + rnd(3000), &r);
			assert_same(&whole, &r);
		}
	}
}

static void
test_bad_lengths(void **state)
{
	/* under 16: only the header goes; the next PDU follows at once */
	check_bad(0, 0, 1);
	check_bad(15, 0, 1);
	check_bad(1, 0, 1);
	/* just over the cap: the claimed 4097 bytes go, then in step */
	check_bad(4097, 4097 - 16, 1);
	check_bad(65536, 65536 - 16, 1);
	/* too large to believe: the rest of that chunk goes (here it holds
	 * the good PDU too); framing resumes with the next chunk */
	check_bad(65537, 100, 0);
	check_bad(0x80000000u, 100, 0);
	check_bad(0xffffffffu, 0, 0);

	/* 2^31, then a good PDU in the next chunk */
	struct smpp_frame f;
	uint8_t s[64];
	const uint8_t *pdu;
	size_t used, pl, n;

	n = add_pdu(s, 0, 0x80000000u, 16, 0x04, 9);
	memset(s + n, 0xee, 10);
	smpp_frame_init(&f);
	assert_int_equal(smpp_frame_feed(&f, s, n + 10, &used, &pdu, &pl),
			 SMPP_FRAME_BAD_LENGTH);
	assert_int_equal(used, n + 10);
	assert_int_equal(pl, 16);
	n = add_pdu(s, 0, 16, 16, 0x15, 11);
	assert_int_equal(smpp_frame_feed(&f, s, n, &used, &pdu, &pl),
			 SMPP_FRAME_PDU);
	assert_ptr_equal(pdu, s);

	/* a bad header arriving in pieces is reported once whole */
	n = add_pdu(s, 0, 5000, 16, 0x04, 12);
	smpp_frame_init(&f);
	assert_int_equal(smpp_frame_feed(&f, s, 4, &used, &pdu, &pl),
			 SMPP_FRAME_NEED_MORE);
	assert_int_equal(smpp_frame_feed(&f, s + 4, 11, &used, &pdu, &pl),
			 SMPP_FRAME_NEED_MORE);
	assert_int_equal(smpp_frame_feed(&f, s + 15, 1, &used, &pdu, &pl),
			 SMPP_FRAME_BAD_LENGTH);
	assert_memory_equal(pdu, s, 16);
	assert_int_equal(f.discard, 5000 - 16);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chunkings),
		cmocka_unit_test(test_in_place_and_partial),
		cmocka_unit_test(test_bad_lengths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
