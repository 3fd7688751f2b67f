/*
 * concat_fuzz.c - fuzz target for the UDH / concatenation parser: any
 * body, with or without UDHI, yields user data inside the body, numbers
 * that make sense, and the whole body back when the UDH is malformed.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "concat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct concat_info ci;

	for (int udhi = 0; udhi < 2; udhi++) {
		concat_parse_body(data, size, udhi, &ci);
		if (ci.ud < data || ci.ud + ci.ud_len > data + size)
			abort();
		if (ci.kind != CONCAT_NONE &&
		    (ci.total < 2 || ci.seq < 1 || ci.seq > ci.total))
			abort();
		if ((ci.bad_udh || !udhi) &&
		    (ci.ud != data || ci.ud_len != size))
			abort();
	}
	return 0;
}
