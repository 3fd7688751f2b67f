/*
 * reasm.c - joins MO parts into one text (SPEC §2 long MO, §3 text).
 *
 * Sorts the parts by seq into a table (at most 255: the UDH counts in one
 * octet), then walks seq 1..total: a run of present parts with the same
 * data_coding is concatenated as octets and decoded once, so a pair split
 * by a careless sender decodes whole; a data_coding change starts a new
 * run; a gap writes one marker. Never reads beyond a part's length and
 * never writes beyond cap. Owns nothing.
 */
#include "reasm.h"

#include <errno.h>
#include <string.h>

#include "ucs2.h"

/* Decodes one run (octets of consecutive parts, same data_coding). */
static int
flush_run(unsigned dcs, const uint8_t *run, size_t len, uint8_t *out,
	  size_t cap, size_t *off)
{
	int n;

	if (len == 0)
		return 0;
	n = text_decode_mo(dcs, run, len, out + *off, cap - *off);
	if (n == -ENOTSUP) {
		/* unknown coding: carry the octets as Latin-1, visibly odd
		 * but not lost */
		n = text_decode_mo(3, run, len, out + *off, cap - *off);
	}
	if (n < 0)
		return n;
	*off += (size_t)n;
	return 0;
}

int
reasm_join(const struct reasm_part *parts, size_t n, unsigned total,
	   uint8_t *out, size_t cap, int *complete)
{
	const struct reasm_part *by_seq[REASM_PARTS_MAX + 1] = {0};
	static const char gap[] = REASM_GAP;
	uint8_t run[4 * 1024];
	size_t run_len = 0, off = 0;
	unsigned run_dcs = 0;
	int missing = 0, rc;

	if (total == 0 || total > REASM_PARTS_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (parts[i].seq >= 1 && parts[i].seq <= total &&
		    !by_seq[parts[i].seq])
			by_seq[parts[i].seq] = &parts[i];

	for (unsigned s = 1; s <= total; s++) {
		const struct reasm_part *p = by_seq[s];
		if (!p) {
			if ((rc = flush_run(run_dcs, run, run_len, out, cap,
					    &off)) < 0)
				return rc;
			run_len = 0;
			if (s == 1 || by_seq[s - 1]) { /* one marker a gap */
				if (cap - off < sizeof(gap) - 1)
					return -ENOSPC;
				memcpy(out + off, gap, sizeof(gap) - 1);
				off += sizeof(gap) - 1;
			}
			missing = 1;
			continue;
		}
		if (run_len && (p->data_coding != run_dcs ||
				run_len + p->len > sizeof(run))) {
			if ((rc = flush_run(run_dcs, run, run_len, out, cap,
					    &off)) < 0)
				return rc;
			run_len = 0;
		}
		run_dcs = p->data_coding;
		if (p->len > sizeof(run)) {
			/* a part larger than the run buffer: decode alone */
			if ((rc = flush_run(run_dcs, p->ud, p->len, out, cap,
					    &off)) < 0)
				return rc;
			continue;
		}
		if (p->len)
			memcpy(run + run_len, p->ud, p->len);
		run_len += p->len;
	}
	if ((rc = flush_run(run_dcs, run, run_len, out, cap, &off)) < 0)
		return rc;
	if (complete)
		*complete = !missing;
	return off > (size_t)0x7fffffff ? -EOVERFLOW : (int)off;
}
