/*
 * mtplan.c - splits an MT text into SMS parts (SPEC §3).
 *
 * Owns nothing: the caller's struct mtplan receives every part. Encodes
 * the whole text once (GSM septets or UTF-16BE units), then cuts it into
 * parts of the standard sizes, moving a cut back by one where it would
 * split an escape pair (0x1B + code) or a surrogate pair. Over max_parts
 * the last part is shortened to end in "..." (GSM) or U+2026 (UCS-2), so
 * a citizen sees that the text goes on rather than a silent cut. Does not
 * pack septets into octets: SMPP carries data_coding 0 unpacked and the
 * SMSC packs; gsm7_pack() exists for those that need packed data.
 */
#include "mtplan.h"

#include <errno.h>
#include <string.h>

#include "gsm7.h"
#include "ucs2.h"

/* Encoded text: GSM septets (1 octet each) or UTF-16BE (2 octets each). */
struct units {
	uint8_t buf[2 * MTPLAN_TEXT_MAX];
	size_t n;    /* units */
	size_t size; /* octets per unit */
};

static int
is_pair_start(const struct units *u, size_t i)
{
	if (u->size == 1)
		return u->buf[i] == GSM7_ESC;
	uint16_t cu = (uint16_t)(u->buf[2 * i] << 8 | u->buf[2 * i + 1]);
	return cu >= 0xd800 && cu <= 0xdbff;
}

/* Where a part starting at unit `from` with room for `cap` units ends. */
static size_t
cut(const struct units *u, size_t from, size_t cap)
{
	size_t end = from + cap;

	if (end >= u->n)
		return u->n;
	if (end > from + 1 && is_pair_start(u, end - 1))
		end--; /* keep the pair together in the next part */
	return end;
}

static void
put_part(struct mtplan *p, const struct mtplan_opts *o, int seq, int total,
	 const struct units *u, size_t from, size_t to, const uint8_t *tail,
	 size_t tail_len)
{
	struct mtplan_part *part = &p->part[seq - 1];
	size_t off = 0;

	if (total > 1) {
		if (o->ref16) {
			const uint8_t h[] = {0x06,          0x08,
					     0x04,          o->ref >> 8,
					     o->ref & 0xff, (uint8_t)total,
					     (uint8_t)seq};
			memcpy(part->octets, h, sizeof(h));
			off = sizeof(h);
		} else {
			const uint8_t h[] = {0x05,           0x00,
					     0x03,           o->ref & 0xff,
					     (uint8_t)total, (uint8_t)seq};
			memcpy(part->octets, h, sizeof(h));
			off = sizeof(h);
		}
	}
	memcpy(part->octets + off, u->buf + from * u->size,
	       (to - from) * u->size);
	off += (to - from) * u->size;
	if (tail_len)
		memcpy(part->octets + off, tail, tail_len);
	part->len = off + tail_len;
}

int
mtplan_build(const uint8_t *utf8, size_t len, const struct mtplan_opts *opts,
	     struct mtplan *out)
{
	struct units u;
	static const uint8_t gsm_dots[] = {'.', '.', '.'};
	static const uint8_t ucs_ellipsis[] = {0x20, 0x26};
	struct mtplan_opts o = opts ? *opts : (struct mtplan_opts){0};
	size_t single, cap, from = 0, ends[MTPLAN_PARTS_MAX + 1];
	int n, nparts = 0;

	if (len == 0)
		return -EMSGSIZE;
	if (len > MTPLAN_TEXT_MAX)
		return -E2BIG;
	if (o.max_parts == 0)
		o.max_parts = 6;
	if (o.max_parts > MTPLAN_PARTS_MAX)
		o.max_parts = MTPLAN_PARTS_MAX;
	memset(out, 0, sizeof(*out));

	n = gsm7_from_utf8(utf8, len, u.buf, sizeof(u.buf), NULL);
	if (n >= 0) {
		u.size = 1;
		u.n = (size_t)n;
		out->data_coding = 0;
		single = 160;
		cap = o.ref16 ? 152 : 153;
	} else {
		n = ucs2_from_utf8(utf8, len, u.buf, sizeof(u.buf));
		if (n < 0)
			return n; /* cannot happen: 2 octets per byte fit */
		u.size = 2;
		u.n = (size_t)n / 2;
		out->data_coding = 8;
		single = 70;
		cap = o.ref16 ? 66 : 67;
	}

	if (u.n <= single) {
		out->nparts = 1;
		put_part(out, &o, 1, 1, &u, 0, u.n, NULL, 0);
		return 0;
	}
	while (from < u.n && nparts <= (int)o.max_parts) {
		ends[nparts++] = cut(&u, from, cap);
		from = ends[nparts - 1];
	}
	const uint8_t *tail = NULL;
	size_t tail_units = 0;
	if (from < u.n || nparts > (int)o.max_parts) {
		/* Too long: the last part keeps room for the marker. */
		out->truncated = 1;
		tail = u.size == 1 ? gsm_dots : ucs_ellipsis;
		tail_units = u.size == 1 ? sizeof(gsm_dots) : 1;
		if (o.max_parts == 1) {
			/* one SMS: no UDH, the single-part room */
			out->nparts = 1;
			put_part(out, &o, 1, 1, &u, 0,
				 cut(&u, 0, single - tail_units), tail,
				 tail_units * u.size);
			return 0;
		}
		nparts = (int)o.max_parts;
		ends[nparts - 1] = cut(&u, ends[nparts - 2], cap - tail_units);
	}
	out->esm_class = 0x40;
	out->nparts = nparts;
	from = 0;
	for (int i = 0; i < nparts; i++) {
		int last = i == nparts - 1;
		put_part(out, &o, i + 1, nparts, &u, from, ends[i],
			 last ? tail : NULL, last ? tail_units * u.size : 0);
		from = ends[i];
	}
	return 0;
}
