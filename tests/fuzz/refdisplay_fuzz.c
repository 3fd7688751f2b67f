/*
 * refdisplay_fuzz.c - fuzz target for the lenient reference parser: any
 * input either yields exactly ten ASCII digits, which both display forms
 * accept and which parse back to themselves from either form, or fails
 * leaving an empty string.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "refdisplay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char ref[11], again[11], en[REF_EN_SIZE], ar[REF_AR_SIZE];

	memset(ref, 'x', sizeof(ref));
	if (ref_parse(data, size, ref) < 0) {
		if (ref[0] != '\0')
			abort();
		return 0;
	}
	if (strlen(ref) != 10 || strspn(ref, "0123456789") != 10)
		abort();
	if (ref_format_en(ref, en, sizeof(en)) < 0 ||
	    ref_format_ar(ref, ar, sizeof(ar)) < 0)
		abort();
	if (ref_parse((const uint8_t *)en, strlen(en), again) < 0 ||
	    strcmp(again, ref) != 0)
		abort();
	if (ref_parse((const uint8_t *)ar, strlen(ar), again) < 0 ||
	    strcmp(again, ref) != 0)
		abort();
	return 0;
}
