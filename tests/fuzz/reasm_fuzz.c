/*
 * reasm_fuzz.c - fuzz target for joining MO parts: the input is cut into
 * parts whose seq, data_coding and length come from the input itself;
 * the join never fails for a buffer of REASM_OUT_MAX, writes valid UTF-8,
 * and reports completeness exactly when every seq 1..total is present.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "reasm.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[REASM_OUT_MAX(70000, 255)];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t codings[] = {0, 1, 3, 8, 4};
	struct reasm_part parts[64];
	int seen[256] = {0};
	size_t n = 0, pos = 1, total_len = 0;
	int complete = -1;

	if (size < 1)
		return 0;
	unsigned total = data[0] % 9 + 1;
	while (pos + 3 <= size && n < 64) {
		struct reasm_part *p = &parts[n++];
		p->seq = data[pos] % (total + 2); /* strays too */
		p->data_coding = codings[data[pos + 1] % sizeof(codings)];
		p->len = data[pos + 2] % 200;
		pos += 3;
		if (p->len > size - pos)
			p->len = size - pos;
		p->ud = data + pos;
		pos += p->len;
		total_len += p->len;
		if (p->seq >= 1 && p->seq <= total)
			seen[p->seq] = 1;
	}
	int rc = reasm_join(parts, n, total, out,
			    REASM_OUT_MAX(total_len, total), &complete);
	if (rc < 0 || !utf8_valid(out, (size_t)rc))
		abort();
	int all = 1;
	for (unsigned s = 1; s <= total; s++)
		all &= seen[s];
	if (complete != all)
		abort();
	return 0;
}
