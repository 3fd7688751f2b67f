/*
 * mtplan_fuzz.c - fuzz target for MT planning: any text (valid UTF-8 or
 * not) plans without error into parts that fit 140 octets on the air,
 * carry a consistent UDH, and, when nothing was truncated and the input
 * was well-formed, decode and join back to the input exactly.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gsm7.h"
#include "mtplan.h"
#include "ucs2.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct mtplan p;
static uint8_t back[4 * MTPLAN_TEXT_MAX];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mtplan_opts o = {0};
	size_t off = 0;

	if (size < 2)
		return 0;
	o.max_parts = data[0] % (MTPLAN_PARTS_MAX + 1);
	o.ref16 = data[1] & 1;
	o.ref = (uint16_t)(data[1] * 257);
	data += 2;
	size -= 2;
	int rc = mtplan_build(data, size, &o, &p);
	if (size == 0 || size > MTPLAN_TEXT_MAX) {
		if (rc == 0)
			abort();
		return 0;
	}
	if (rc != 0 || p.nparts < 1 || p.nparts > MTPLAN_PARTS_MAX)
		abort();
	for (int i = 0; i < p.nparts; i++) {
		size_t udh = p.nparts > 1 ? (size_t)p.part[i].octets[0] + 1 : 0;
		size_t len = p.part[i].len - udh;
		size_t bits = p.data_coding == 0 ? udh * 8 + len * 7
						 : (udh + len) * 8;
		if (bits > 140 * 8 ||
		    (p.nparts > 1 && (p.part[i].octets[udh - 1] != i + 1 ||
				      p.part[i].octets[udh - 2] != p.nparts)))
			abort();
		int n = p.data_coding == 0
				? gsm7_to_utf8(p.part[i].octets + udh, len,
					       back + off, sizeof(back) - off)
				: ucs2_to_utf8(p.part[i].octets + udh, len,
					       back + off, sizeof(back) - off);
		if (n < 0)
			abort();
		off += (size_t)n;
	}
	if (!p.truncated && utf8_valid(data, size) &&
	    (off != size || memcmp(back, data, size) != 0))
		abort();
	return 0;
}
