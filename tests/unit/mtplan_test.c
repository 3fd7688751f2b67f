/*
 * mtplan_test.c - MT planning edges: 160/161 GSM and 70/71 UCS-2
 * characters, 153/67 split points, 16-bit references, an extension
 * character and an emoji at a part boundary, '@' (0x00) at both ends,
 * truncation with its marker; and, for lengths up to 700, the parts fit
 * 140 octets on the air and decode and join back to exactly the text.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "gsm7.h"
#include "mtplan.h"
#include "ucs2.h"

static char text[8192];

/* n copies of the UTF-8 character c, then the rest (may be NULL). */
static const char *
rep(const char *c, int n, const char *rest)
{
	size_t off = 0, cl = strlen(c);

	for (int i = 0; i < n; i++, off += cl)
		memcpy(text + off, c, cl);
	snprintf(text + off, sizeof(text) - off, "%s", rest ? rest : "");
	return text;
}

static void
plan(const char *s, unsigned max_parts, int ref16, struct mtplan *p)
{
	struct mtplan_opts o = {
		.max_parts = max_parts, .ref16 = ref16, .ref = 0x1234};
	assert_int_equal(mtplan_build((const uint8_t *)s, strlen(s), &o, p), 0);
}

/* User data of part i (after the UDH). */
static const uint8_t *
ud(const struct mtplan *p, int i, size_t *len)
{
	size_t udh = p->nparts > 1 ? (size_t)p->part[i].octets[0] + 1 : 0;
	*len = p->part[i].len - udh;
	return p->part[i].octets + udh;
}

/* Decodes and joins every part. */
static size_t
join(const struct mtplan *p, char *out, size_t cap)
{
	size_t off = 0;

	for (int i = 0; i < p->nparts; i++) {
		size_t len;
		const uint8_t *d = ud(p, i, &len);
		int n = p->data_coding == 0
				? gsm7_to_utf8(d, len, (uint8_t *)out + off,
					       cap - off)
				: ucs2_to_utf8(d, len, (uint8_t *)out + off,
					       cap - off);
		assert_true(n >= 0);
		off += (size_t)n;
	}
	out[off] = '\0';
	return off;
}

static struct mtplan p;

static void
test_single_limits(void **state)
{
	plan(rep("a", 160, NULL), 6, 0, &p);
	assert_int_equal(p.nparts, 1);
	assert_int_equal(p.data_coding, 0);
	assert_int_equal(p.esm_class, 0);
	assert_int_equal(p.part[0].len, 160);

	plan(rep("a", 161, NULL), 6, 0, &p);
	assert_int_equal(p.nparts, 2);
	assert_int_equal(p.esm_class, 0x40);
	assert_int_equal(p.part[0].len, 6 + 153);
	assert_int_equal(p.part[1].len, 6 + 8);
	const uint8_t udh[] = {0x05, 0x00, 0x03, 0x34, 0x02, 0x01};
	assert_memory_equal(p.part[0].octets, udh, 6);
	assert_int_equal(p.part[1].octets[5], 2);

	plan(rep("ب", 70, NULL), 6, 0, &p); /* Arabic: UCS-2 */
	assert_int_equal(p.nparts, 1);
	assert_int_equal(p.data_coding, 8);
	assert_int_equal(p.part[0].len, 140);
	plan(rep("ب", 71, NULL), 6, 0, &p);
	assert_int_equal(p.nparts, 2);
	assert_int_equal(p.part[0].len, 6 + 134);
	assert_int_equal(p.part[1].len, 6 + 8);

	/* extension characters count two: 80 of them fill one SMS */
	plan(rep("€", 80, NULL), 6, 0, &p);
	assert_int_equal(p.nparts, 1);
	plan(rep("€", 81, NULL), 6, 0, &p);
	assert_int_equal(p.nparts, 2);
}

static void
test_ref16(void **state)
{
	plan(rep("a", 161, NULL), 6, 1, &p);
	const uint8_t udh[] = {0x06, 0x08, 0x04, 0x12, 0x34, 0x02, 0x01};
	assert_memory_equal(p.part[0].octets, udh, 7);
	assert_int_equal(p.part[0].len, 7 + 152);
	plan(rep("ب", 71, NULL), 6, 1, &p);
	assert_int_equal(p.part[0].len, 7 + 132);
}

static void
test_pairs_never_split(void **state)
{
	size_t len;

	/* 152 septets then an escape pair straddling 153 */
	plan(rep("a", 152, "€bbbbbbbb"), 6, 0, &p);
	const uint8_t *d = ud(&p, 0, &len);
	assert_int_equal(len, 152);
	assert_int_not_equal(d[len - 1], GSM7_ESC);
	d = ud(&p, 1, &len);
	assert_int_equal(d[0], GSM7_ESC);

	/* 66 units then a surrogate pair (emoji) straddling 67 */
	plan(rep("ب", 66, "😀ببب"), 6, 0, &p);
	assert_int_equal(p.data_coding, 8);
	d = ud(&p, 0, &len);
	assert_int_equal(len, 2 * 66);
	d = ud(&p, 1, &len);
	assert_int_equal(d[0], 0xd8); /* the pair starts part 2 */
}

static void
test_at_sign(void **state)
{
	char back[64];

	plan("@hello@", 6, 0, &p);
	assert_int_equal(p.part[0].len, 7);
	assert_int_equal(p.part[0].octets[0], 0x00);
	assert_int_equal(p.part[0].octets[6], 0x00);
	join(&p, back, sizeof(back));
	assert_string_equal(back, "@hello@");
}

static void
test_truncation(void **state)
{
	char back[8192];
	size_t len;

	plan(rep("a", 400, NULL), 2, 0, &p);
	assert_int_equal(p.nparts, 2);
	assert_true(p.truncated);
	const uint8_t *d = ud(&p, 1, &len);
	assert_int_equal(len, 153);
	assert_memory_equal(d + len - 3, "...", 3);
	join(&p, back, sizeof(back));
	assert_int_equal(strlen(back), 306);

	plan(rep("ب", 200, NULL), 2, 0, &p);
	assert_true(p.truncated);
	d = ud(&p, 1, &len);
	assert_int_equal(len, 2 * 67);
	assert_int_equal(d[len - 2], 0x20); /* U+2026 */
	assert_int_equal(d[len - 1], 0x26);

	plan(rep("a", 200, NULL), 1, 0, &p); /* one SMS: no UDH */
	assert_int_equal(p.nparts, 1);
	assert_int_equal(p.esm_class, 0);
	assert_int_equal(p.part[0].len, 160);

	assert_int_equal(mtplan_build((const uint8_t *)"", 0, NULL, &p),
			 -EMSGSIZE);
}

/* Every length, GSM, extension-heavy and Arabic with emoji: the parts
 * join back to the text, no part over 140 octets. */
static void
test_round_trip(void **state)
{
	static const char *alphabets[] = {"a", "€", "ب", "😀", "ؤ"};
	char back[8192];

	for (size_t a = 0; a < sizeof(alphabets) / sizeof(alphabets[0]); a++) {
		for (int n = 1; n <= 700; n += 7) {
			rep(alphabets[a], n, "x");
			if (strlen(text) > MTPLAN_TEXT_MAX)
				break;
			plan(text, 16, n % 2, &p);
			if (p.truncated)
				continue;
			for (int i = 0; i < p.nparts; i++) {
				/* what goes on the air: 140 octets; GSM
				 * septets are carried unpacked here */
				size_t len, udh = p.part[i].len;
				ud(&p, i, &len);
				udh -= len;
				size_t bits = p.data_coding == 0
						      ? udh * 8 + len * 7
						      : (udh + len) * 8;
				assert_true(bits <= 140 * 8);
			}
			join(&p, back, sizeof(back));
			assert_string_equal(back, text);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_limits),
		cmocka_unit_test(test_ref16),
		cmocka_unit_test(test_pairs_never_split),
		cmocka_unit_test(test_at_sign),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
