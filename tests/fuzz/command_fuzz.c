/*
 * command_fuzz.c - fuzz target for the SMS command grammar: any input
 * parses; every span lies inside the input; the reference is ten ASCII
 * digits exactly when it is OK; fields used by one kind are unset for the
 * others; the choice is -1..9; parsing is deterministic; a text that
 * ref_parse() accepts is a status request for that reference.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "refdisplay.h"
#include "textnorm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_span(size_t off, size_t n, size_t size)
{
	if (off > size || n > size - off)
		abort();
}

static int
same(const struct command *a, const struct command *b)
{
	return a->kind == b->kind && a->lang == b->lang &&
	       a->case_kind == b->case_kind && a->ref_state == b->ref_state &&
	       strcmp(a->ref, b->ref) == 0 && a->ref_off == b->ref_off &&
	       a->ref_len == b->ref_len && a->body_off == b->body_off &&
	       a->body_len == b->body_len && a->token_off == b->token_off &&
	       a->token_len == b->token_len && a->rest_off == b->rest_off &&
	       a->rest_len == b->rest_len && a->choice == b->choice &&
	       a->script == b->script;
}

static void
check(const uint8_t *data, size_t size, const struct command *c)
{
	char want[11];

	if ((unsigned)c->kind > COMMAND_TEXT)
		abort();
	if ((c->kind == COMMAND_LANG) != (c->lang != COMMAND_LANG_NONE) ||
	    (unsigned)c->lang > COMMAND_LANG_EN)
		abort();
	if ((c->kind == COMMAND_NEW) != (c->case_kind != COMMAND_CASE_NONE) ||
	    (unsigned)c->case_kind > COMMAND_CASE_ENQUIRY)
		abort();

	check_span(c->body_off, c->body_len, size);
	check_span(c->token_off, c->token_len, size);
	check_span(c->rest_off, c->rest_len, size);
	check_span(c->ref_off, c->ref_len, size);
	if (c->kind != COMMAND_NEW &&
	    (c->token_len || c->rest_len || c->token_off || c->rest_off))
		abort();
	if (c->kind == COMMAND_NEW && c->token_len &&
	    (c->token_off != c->body_off ||
	     c->rest_off + c->rest_len > c->body_off + c->body_len))
		abort();
	if (c->body_len && c->kind != COMMAND_NEW && c->kind != COMMAND_INFO &&
	    c->kind != COMMAND_TEXT)
		abort();

	switch (c->ref_state) {
	case COMMAND_REF_OK:
		if (strlen(c->ref) != 10 || strspn(c->ref, "0123456789") != 10)
			abort();
		if (c->ref_len == 0)
			abort();
		/* where the span alone is a reference, it is this one */
		if (ref_parse(data + c->ref_off, c->ref_len, want) == 0 &&
		    strcmp(want, c->ref) != 0)
			abort();
		break;
	case COMMAND_REF_BAD:
		if (c->ref[0] != '\0' || c->ref_len == 0)
			abort();
		break;
	case COMMAND_REF_NONE:
		if (c->ref[0] != '\0' || c->ref_len || c->ref_off)
			abort();
		break;
	default:
		abort();
	}
	if (c->ref_state != COMMAND_REF_NONE && c->kind != COMMAND_STOP &&
	    c->kind != COMMAND_STATUS && c->kind != COMMAND_INFO)
		abort();

	if (c->choice < -1 || c->choice > 9)
		abort();
	if (c->choice >= 0 && c->kind != COMMAND_TEXT)
		abort();
	if (c->script != textnorm_script(data, size))
		abort();

	if (size > COMMAND_TEXT_MAX) {
		if (c->kind != COMMAND_TEXT || c->body_off ||
		    c->body_len != size)
			abort();
	} else if (ref_parse(data, size, want) == 0) {
		if (c->kind != COMMAND_STATUS ||
		    c->ref_state != COMMAND_REF_OK || strcmp(c->ref, want) != 0)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct command a, b;
	uint8_t *copy;

	if (command_parse(data, size, &a) != 0)
		abort();
	check(data, size, &a);
	if (command_parse(data, size, &b) != 0 || !same(&a, &b))
		abort();

	/* the result depends on the bytes only, not on where they are */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size);
	if (command_parse(copy, size, &b) != 0 || !same(&a, &b))
		abort();
	free(copy);
	return 0;
}
