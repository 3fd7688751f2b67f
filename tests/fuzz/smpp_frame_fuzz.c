/*
 * smpp_frame_fuzz.c - fuzz target for the SMPP stream framer
 * (protocol/smpp_frame.c). The input is a byte stream; it goes through
 * the framer twice, in one chunk and in pseudo-random chunks derived from
 * a hash of the input. Invariants (abort() on violation):
 *   - every call with bytes consumes 1..len of them; NEED_MORE consumes
 *     all; the bytes consumed add up to the input length;
 *   - every PDU has 16..4096 bytes, its header says so, and its bytes
 *     are the stream's bytes that end where the call's consumption ends;
 *   - every BAD_LENGTH hands out 16 bytes whose command_length is
 *     outside 16..4096;
 *   - both chunkings see the same PDUs and bad headers, unless a length
 *     over 64 KiB appeared (then "the rest of the chunk" is dropped,
 *     which depends on the chunking by design).
 * Every PDU is also run through smpp_pdu_decode().
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smpp_frame.h"
#include "smpp_pdu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct trace {
	uint64_t hash;
	int big; /* a bad length over 64 KiB was seen */
};

static uint64_t
mix(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void
run(const uint8_t *data, size_t size, uint64_t seed, struct trace *t)
{
	static struct smpp_frame f; /* 4 KiB: keep it off the stack */
	size_t off = 0;

	smpp_frame_init(&f);
	t->hash = 0xcbf29ce484222325ULL;
	t->big = 0;
	while (off < size) {
		size_t chunk = size - off;
		if (seed) {
			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			chunk = 1 + (size_t)(seed % 300);
			if (chunk > size - off)
				chunk = size - off;
		}
		size_t left = chunk;
		while (left) {
			const uint8_t *pdu;
			size_t used, pl;
			uint8_t kind;
			enum smpp_frame_result r = smpp_frame_feed(
				&f, data + off, left, &used, &pdu, &pl);

			if (used == 0 || used > left)
				abort();
			if (r == SMPP_FRAME_NEED_MORE) {
				if (used != left || pdu)
					abort();
			} else if (r == SMPP_FRAME_PDU) {
				if (pl < 16 || pl > 4096 || be32(pdu) != pl ||
				    used + off < pl ||
				    memcmp(pdu, data + off + used - pl, pl))
					abort();
				struct smpp_pdu p;
				smpp_pdu_decode(pdu, pl, &p, NULL);
			} else if (r == SMPP_FRAME_BAD_LENGTH) {
				uint32_t l = be32(pdu);
				if (pl != 16 || (l >= 16 && l <= 4096))
					abort();
				if (l > 65536)
					t->big = 1;
			} else {
				abort();
			}
			if (r != SMPP_FRAME_NEED_MORE) {
				kind = (uint8_t)r;
				t->hash = mix(t->hash, &kind, 1);
				t->hash = mix(t->hash, pdu, pl);
			}
			off += used;
			left -= used;
		}
	}
	if (off != size)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace a, b;
	uint64_t seed = mix(0x9e3779b97f4a7c15ULL, data, size) | 1;

	run(data, size, 0, &a);
	run(data, size, seed, &b);
	if (!a.big && !b.big && a.hash != b.hash)
		abort();
	return 0;
}
