/*
 * command.h - the SMS command grammar (SPEC §5): which row of the commands
 * table a citizen's message falls under, and where its parts are. Pure:
 * no I/O, no state; row 5 (pending exchanges) is decided by the caller
 * with the help of `choice`.
 */
#ifndef TAWASUL_COMMAND_H
#define TAWASUL_COMMAND_H

#include <stddef.h>
#include <stdint.h>

#include "textnorm.h"

/* Longer messages are not parsed: they are free text (COMMAND_TEXT). */
#define COMMAND_TEXT_MAX 4096

enum command_kind {
	COMMAND_STOP,   /* row 1; with ref_state != NONE it is "STOP <ref>"
			   (mute one case) */
	COMMAND_START,  /* row 2 */
	COMMAND_HELP,   /* row 3 */
	COMMAND_LANG,   /* row 4; lang says which */
	COMMAND_STATUS, /* row 6: keyword + ref, or a message that is only a
			   reference */
	COMMAND_MY,     /* row 7 */
	COMMAND_INFO,   /* row 8: ref + text */
	COMMAND_NEW,    /* row 9: case_kind, optional entity token, text (may
			   be empty -> caller sends usage) */
	COMMAND_TEXT,   /* row 10: anything else (guided flow) */
};

enum command_lang {
	COMMAND_LANG_NONE = 0,
	COMMAND_LANG_AR,
	COMMAND_LANG_EN,
};

/* The values are the digits of the guided flow's question ("reply 1
 * complaint, 2 suggestion, 3 enquiry"): a choice maps onto them as is. */
enum command_case_kind {
	COMMAND_CASE_NONE = 0,
	COMMAND_CASE_COMPLAINT = 1,
	COMMAND_CASE_SUGGESTION = 2,
	COMMAND_CASE_ENQUIRY = 3,
};

enum command_ref_state {
	COMMAND_REF_NONE = 0, /* no reference given */
	COMMAND_REF_OK,       /* exactly 10 digits, in ref (check digit NOT
				 verified: the caller does that) */
	COMMAND_REF_BAD,      /* something reference-like, not 10 digits */
};

/*
 * A parsed message. All offsets are byte offsets into the ORIGINAL text
 * given to command_parse(); an empty span has length 0 and an offset
 * within the text. Spans not used by a kind are 0/0.
 */
struct command {
	enum command_kind kind;
	enum command_lang lang;           /* COMMAND_LANG only */
	enum command_case_kind case_kind; /* COMMAND_NEW only */

	/* STOP, STATUS, INFO. ref holds 10 ASCII digits and a NUL when
	 * OK, an empty string otherwise. ref_off/ref_len span the typed
	 * reference (all its digit groups) for OK and BAD, e.g. to echo
	 * it back. */
	enum command_ref_state ref_state;
	char ref[11];
	size_t ref_off, ref_len;

	/* INFO: the text after the reference. NEW: everything after the
	 * keyword, the entity token included. TEXT: the whole message.
	 * INFO and NEW bodies start at a word (separators such as ":" or
	 * "-" after the keyword or reference are skipped); every body is
	 * trimmed of white space, controls and bidi marks at both ends,
	 * punctuation at its end is kept. */
	size_t body_off, body_len;
	/* NEW: the first word after the keyword (candidate entity code or
	 * alias), and rest = the body after that word, i.e. the text to
	 * file if the caller finds the token is an entity. */
	size_t token_off, token_len;
	size_t rest_off, rest_len;

	/* 0..9 when the whole message is one digit (ASCII, Arabic-Indic,
	 * Persian or fullwidth), possibly surrounded by white space, bidi
	 * marks or punctuation; else -1. Such a message is COMMAND_TEXT
	 * unless the caller has a pending exchange (row 5). */
	int choice;

	/* Script of the whole message, to pick the reply language when the
	 * sender has no saved preference. */
	enum text_script script;
};

/*
 * Parses one SMS text (len bytes of UTF-8; need not be valid, may hold
 * NUL bytes) into *out. Borrows utf8 for the call only; out refers to it
 * by offsets. Never fails on content: returns 0 and a kind for every
 * input (invalid UTF-8 is matched after textnorm(); a text longer than
 * COMMAND_TEXT_MAX bytes is COMMAND_TEXT with the whole text as body).
 * Returns -EINVAL if out is NULL, or if utf8 is NULL and len > 0 (out is
 * then an empty COMMAND_TEXT). utf8 may be NULL when len is 0.
 *
 * Deterministic: the same bytes always give the same result. The rules
 * (keywords, typo tolerance, reference collection) are described at the
 * top of protocol/command.c.
 */
int command_parse(const uint8_t *utf8, size_t len, struct command *out);

/* Stable lower-case name of a kind ("stop", "status", ...) for logs and
 * tests; "?" for a value out of range. */
const char *command_kind_name(enum command_kind kind);

#endif
