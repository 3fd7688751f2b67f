/*
 * command_test.c - the SMS command grammar (SPEC §5): a table of messages
 * in both languages with the expected row, case kind, language,
 * reference, body, entity token and choice; then the spans (rest,
 * reference), the script, very long and binary texts, agreement with
 * ref_parse() on bare references, and argument checks.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "command.h"
#include "refdisplay.h"

struct cmd_case {
	const char *in;
	size_t len; /* 0: strlen(in) */
	enum command_kind kind;
	int aux;  /* case_kind for NEW, lang for LANG, else 0 */
	int refs; /* enum command_ref_state */
	const char *ref;
	const char *body;  /* NULL: empty */
	const char *token; /* NULL: empty */
	int choice;        /* choice + 1; 0: no choice */
};

#define BIN(s) .in = s, .len = sizeof(s) - 1
#define OK     .refs = COMMAND_REF_OK
#define BAD    .refs = COMMAND_REF_BAD
#define CH(d)  .choice = (d) + 1

#define K_C    COMMAND_CASE_COMPLAINT
#define K_S    COMMAND_CASE_SUGGESTION
#define K_Q    COMMAND_CASE_ENQUIRY
#define L_AR   COMMAND_LANG_AR
#define L_EN   COMMAND_LANG_EN

#define STOP   .kind = COMMAND_STOP
#define START  .kind = COMMAND_START
#define HELP   .kind = COMMAND_HELP
#define LANG   .kind = COMMAND_LANG
#define STATUS .kind = COMMAND_STATUS
#define MY     .kind = COMMAND_MY
#define INFO   .kind = COMMAND_INFO
#define NEW    .kind = COMMAND_NEW
#define TEXT   .kind = COMMAND_TEXT

#define RLM    "\u200F"
#define LRM    "\u200E"
#define ALM    "\u061C"

static const struct cmd_case cases[] = {
	/* row 1: opt out, whole message */
	{.in = "STOP", STOP},
	{.in = "stop", STOP},
	{.in = "Stop", STOP},
	{.in = "  STOP \n", STOP},
	{.in = "STOP!", STOP},
	{.in = "STOP.", STOP},
	{.in = RLM "STOP" RLM, STOP},
	{.in = "\uFF33\uFF34\uFF2F\uFF30\uFF01", STOP}, /* fullwidth */
	{BIN("STOP\0"), STOP},
	{.in = "STOPALL", STOP},
	{.in = "UNSUBSCRIBE", STOP},
	{.in = "unsubscrib", STOP}, /* typo: deletion */
	{.in = "CANCEL", STOP},
	{.in = "cancle", STOP}, /* typo: transposition */
	{.in = "END", STOP},
	{.in = "QUIT", STOP},
	{.in = "ايقاف", STOP},
	{.in = "إيقاف", STOP},
	{.in = "أيقاف", STOP},
	{.in = "إِيقَاف", STOP},                          /* diacritics */
	{.in = "\uFE8D\uFEF3\uFED8\uFE8E\uFED2", STOP}, /* presentation */
	{.in = "توقف", STOP},
	{.in = "تـــوقـف", STOP}, /* tatweel */
	{.in = "الغاء", STOP},
	{.in = "إلغاء", STOP},
	{.in = "إِلْغَاء", STOP},
	{.in = "إلغاء؟", STOP},
	/* STOP <ref>: mute one case */
	{.in = "STOP 4839201753", STOP, OK, .ref = "4839201753"},
	{.in = "stop 483 920 1753", STOP, OK, .ref = "4839201753"},
	{.in = "إيقاف ٤٨٣٩٢٠١٧٥٣", STOP, OK, .ref = "4839201753"},
	{.in = "CANCEL 483-920-1753", STOP, OK, .ref = "4839201753"},
	{.in = "STOP 12345", STOP, BAD},
	{.in = "STOP 483 920 17531", STOP, BAD},
	/* not row 1 */
	{.in = "STOP 4839201753 please",
	 TEXT,
	 .body = "STOP 4839201753 please"},
	{.in = "Stop the noise at night",
	 TEXT,
	 .body = "Stop the noise at night"},
	{.in = "STP", TEXT, .body = "STP"},       /* short: exact only */
	{.in = "STOPP", TEXT, .body = "STOPP"},   /* short: exact only */
	{.in = "الماء", TEXT, .body = "الماء"},   /* water, not الغاء */
	{.in = "الغاز", TEXT, .body = "الغاز"},   /* gas */
	{.in = "الغذاء", TEXT, .body = "الغذاء"}, /* food */
	{.in = "STOP STOP", TEXT, .body = "STOP STOP"},

	/* row 2 */
	{.in = "START", START},
	{.in = "start", START},
	{.in = "UNSTOP", START},
	{.in = "Strat", START}, /* typo */
	{.in = "تفعيل", START},
	{.in = "اشتراك", START},
	{.in = "start now", TEXT, .body = "start now"},

	/* row 3 */
	{.in = "HELP", HELP},
	{.in = "help", HELP},
	{.in = "Help?", HELP},
	{.in = "?", HELP},
	{.in = " ?? ", HELP},
	{.in = "؟", HELP},
	{.in = RLM "؟" RLM, HELP},
	{.in = "مساعدة", HELP},
	{.in = "مساعده", HELP},
	{.in = "مُسَاعَدَة", HELP},
	{.in = "مساعدة؟", HELP},
	{.in = "\uFF28\uFF25\uFF2C\uFF30", HELP}, /* fullwidth */
	{.in = "HLEP", TEXT, .body = "HLEP"},     /* short: exact only */
	{.in = "help me", TEXT, .body = "help me"},

	/* row 4 */
	{.in = "EN", LANG, .aux = L_EN},
	{.in = "en", LANG, .aux = L_EN},
	{.in = "English", LANG, .aux = L_EN},
	{.in = "Englsih", LANG, .aux = L_EN}, /* typo */
	{.in = "AR", LANG, .aux = L_AR},
	{.in = "Arabic", LANG, .aux = L_AR},
	{.in = "عربي", LANG, .aux = L_AR},
	{.in = "عربى", LANG, .aux = L_AR}, /* alef maksura */
	{.in = "عَرَبِيّ", LANG, .aux = L_AR},
	{.in = "العربية", LANG, .aux = L_AR},
	{.in = "العربيّة", LANG, .aux = L_AR},
	{.in = "الانجليزية", LANG, .aux = L_EN},
	{.in = "العربي", LANG, .aux = L_AR}, /* article + عربي */
	{.in = "EN please", TEXT, .body = "EN please"},

	/* row 6: keyword + reference */
	{.in = "STATUS 4839201753", STATUS, OK, .ref = "4839201753"},
	{.in = "status 483 920 1753", STATUS, OK, .ref = "4839201753"},
	{.in = "sTaTuS 483-920-1753", STATUS, OK, .ref = "4839201753"},
	{.in = "STATUS: 483.920.1753", STATUS, OK, .ref = "4839201753"},
	{.in = "STAUTS 4839201753", STATUS, OK, .ref = "4839201753"},
	{.in = "STATS 4839201753", STATUS, OK, .ref = "4839201753"},
	{.in = "حالة ٤٨٣٩٢٠١٧٥٣", STATUS, OK, .ref = "4839201753"},
	{.in = "حاله 4839201753", STATUS, OK, .ref = "4839201753"},
	{.in = "حالة ٤٨٣ ٩٢٠ ١٧٥٣", STATUS, OK, .ref = "4839201753"},
	{.in = "حالة ٤٨٣٬٩٢٠٬١٧٥٣", STATUS, OK, .ref = "4839201753"},
	{.in = "متابعة 4839201753", STATUS, OK, .ref = "4839201753"},
	{.in = "مُتَابَعَة ۴۸۳۹۲۰۱۷۵۳", STATUS, OK, .ref = "4839201753"},
	{.in = "حالة " RLM "٤٨٣٩٢٠١٧٥٣" RLM, STATUS, OK, .ref = "4839201753"},
	{.in = "STATUS 4839201753 please", STATUS, OK, .ref = "4839201753"},
	{.in = "STATUS 12345", STATUS, BAD},
	{.in = "STATUS abc", STATUS, BAD},
	{.in = "STATUS 48392017531", STATUS, BAD},
	{.in = "STATUS 483 920 17531", STATUS, BAD},
	{.in = "STATUS", STATUS},
	{.in = "حالة", STATUS},
	{.in = "حالة الطريق سيئة", TEXT, .body = "حالة الطريق سيئة"},
	{.in = "الحالة 4839201753",
	 STATUS,
	 OK,
	 .ref = "4839201753"}, /* article */
	{.in = "المتابعة ٤٨٣٩٢٠١٧٥٣", STATUS, OK, .ref = "4839201753"},
	/* row 6: a message that is only a reference */
	{.in = "4839201753", STATUS, OK, .ref = "4839201753"},
	{.in = "483 920 1753", STATUS, OK, .ref = "4839201753"},
	{.in = " 483-920-1753. ", STATUS, OK, .ref = "4839201753"},
	{.in = "#4839201753", STATUS, OK, .ref = "4839201753"},
	{.in = "٤٨٣٩٢٠١٧٥٣", STATUS, OK, .ref = "4839201753"},
	{.in = "۴۸۳۹۲۰۱۷۵۳", STATUS, OK, .ref = "4839201753"},
	{.in = "٤٨٣-920-۱۷۵۳", STATUS, OK, .ref = "4839201753"},
	{.in = "  " RLM "٤٨٣ ٩٢٠ ١٧٥٣" RLM " ",
	 STATUS,
	 OK,
	 .ref = "4839201753"},
	{.in = ALM "4839" LRM "201753", STATUS, OK, .ref = "4839201753"},
	{.in = "\uFF14\uFF18\uFF13\uFF19\uFF12\uFF10\uFF11\uFF17\uFF15\uFF13",
	 STATUS,
	 OK,
	 .ref = "4839201753"}, /* fullwidth */
	{.in = "123456", STATUS, BAD},
	{.in = "4\uFE0F\u20E38\uFE0F\u20E33 9201753",
	 STATUS,
	 OK,
	 .ref = "4839201753"},
	{.in = "39123456", STATUS, BAD},
	{.in = "12345678901234", STATUS, BAD},
	{.in = "483 920 175", STATUS, BAD},
	{.in = "12345", TEXT, .body = "12345"},
	{.in = "123456789012345", TEXT, .body = "123456789012345"},

	/* row 7 */
	{.in = "MY", MY},
	{.in = "my", MY},
	{.in = "LIST", MY},
	{.in = "طلباتي", MY},
	{.in = "طلباتى", MY},
	{.in = "My cases", TEXT, .body = "My cases"},

	/* row 8 */
	{.in = "INFO 4839201753 the water is still cut",
	 INFO,
	 OK,
	 .ref = "4839201753",
	 .body = "the water is still cut"},
	{.in = "INFO 483 920 1753 still no water",
	 INFO,
	 OK,
	 .ref = "4839201753",
	 .body = "still no water"},
	{.in = "info 483 920 1753 5 houses affected",
	 INFO,
	 OK,
	 .ref = "4839201753",
	 .body = "5 houses affected"},
	{.in = "INFO: 4839201753 - water again!",
	 INFO,
	 OK,
	 .ref = "4839201753",
	 .body = "water again!"},
	{.in = "اضافة ٤٨٣٩٢٠١٧٥٣ لا يزال الماء مقطوعا",
	 INFO,
	 OK,
	 .ref = "4839201753",
	 .body = "لا يزال الماء مقطوعا"},
	{.in = "إضافة 4839201753 نص",
	 INFO,
	 OK,
	 .ref = "4839201753",
	 .body = "نص"},
	{.in = "اضافه ٤٨٣ ٩٢٠ ١٧٥٣، الصور مرفقة",
	 INFO,
	 OK,
	 .ref = "4839201753",
	 .body = "الصور مرفقة"},
	{.in = "INFO 4839201753", INFO, OK, .ref = "4839201753"},
	{.in = "INFO 4839201753  \n", INFO, OK, .ref = "4839201753"},
	{.in = "INFO", INFO},
	{.in = "INFO 12345 text", INFO, BAD, .body = "text"},
	{.in = "Info about the new road",
	 TEXT,
	 .body = "Info about the new road"},

	/* row 9 */
	{.in = "C EWA the water is cut",
	 NEW,
	 .aux = K_C,
	 .body = "EWA the water is cut",
	 .token = "EWA"},
	{.in = "c ewa water",
	 NEW,
	 .aux = K_C,
	 .body = "ewa water",
	 .token = "ewa"},
	{.in = "C: EWA water cut",
	 NEW,
	 .aux = K_C,
	 .body = "EWA water cut",
	 .token = "EWA"},
	{.in = "C   EWA   water  \r\n",
	 NEW,
	 .aux = K_C,
	 .body = "EWA   water",
	 .token = "EWA"},
	{BIN("C\0EWA water"), NEW, .aux = K_C, .body = "EWA water",
	 .token = "EWA"},
	{.in = "COMPLAINT street lights broken",
	 NEW,
	 .aux = K_C,
	 .body = "street lights broken",
	 .token = "street"},
	{.in = "COMPLIANT street lights",
	 NEW,
	 .aux = K_C,
	 .body = "street lights",
	 .token = "street"},
	{.in = "Complain noise",
	 NEW,
	 .aux = K_C,
	 .body = "noise",
	 .token = "noise"},
	{.in = "شكوى كهرباء انقطاع الكهرباء",
	 NEW,
	 .aux = K_C,
	 .body = "كهرباء انقطاع الكهرباء",
	 .token = "كهرباء"},
	{.in = "شكوي ماء", NEW, .aux = K_C, .body = "ماء", .token = "ماء"},
	{.in = "شـكـوى مـاء", NEW, .aux = K_C, .body = "مـاء", .token = "مـاء"},
	{.in = "شَكْوَى، الماء مقطوع",
	 NEW,
	 .aux = K_C,
	 .body = "الماء مقطوع",
	 .token = "الماء"},
	{.in = "C", NEW, .aux = K_C},
	{.in = "c  ", NEW, .aux = K_C},
	{.in = "شكوى", NEW, .aux = K_C},
	{.in = "S more parks please",
	 NEW,
	 .aux = K_S,
	 .body = "more parks please",
	 .token = "more"},
	{.in = "SUGGEST more parks",
	 NEW,
	 .aux = K_S,
	 .body = "more parks",
	 .token = "more"},
	{.in = "suggestion more parks",
	 NEW,
	 .aux = K_S,
	 .body = "more parks",
	 .token = "more"},
	{.in = "SUGESTION more parks",
	 NEW,
	 .aux = K_S,
	 .body = "more parks",
	 .token = "more"},
	{.in = "اقتراح حديقة جديدة",
	 NEW,
	 .aux = K_S,
	 .body = "حديقة جديدة",
	 .token = "حديقة"},
	{.in = "إقتراح حديقة",
	 NEW,
	 .aux = K_S,
	 .body = "حديقة",
	 .token = "حديقة"},
	{.in = "اقتراحي حديقة",
	 NEW,
	 .aux = K_S,
	 .body = "حديقة",
	 .token = "حديقة"}, /* typo distance 1 */
	{.in = "مقترح حديقة",
	 NEW,
	 .aux = K_S,
	 .body = "حديقة",
	 .token = "حديقة"},
	{.in = "Q when is bulk waste collected?",
	 NEW,
	 .aux = K_Q,
	 .body = "when is bulk waste collected?",
	 .token = "when"},
	{.in = "ASK opening hours",
	 NEW,
	 .aux = K_Q,
	 .body = "opening hours",
	 .token = "opening"},
	{.in = "ENQUIRY opening hours",
	 NEW,
	 .aux = K_Q,
	 .body = "opening hours",
	 .token = "opening"},
	{.in = "INQUIRY opening hours",
	 NEW,
	 .aux = K_Q,
	 .body = "opening hours",
	 .token = "opening"},
	{.in = "Enquire opening hours",
	 NEW,
	 .aux = K_Q,
	 .body = "opening hours",
	 .token = "opening"},
	{.in = "استفسار عن مواعيد العمل",
	 NEW,
	 .aux = K_Q,
	 .body = "عن مواعيد العمل",
	 .token = "عن"},
	{.in = "إستفسار", NEW, .aux = K_Q},
	{.in = "الشكوى: الماء مقطوع",
	 NEW,
	 .aux = K_C,
	 .body = "الماء مقطوع",
	 .token = "الماء"},
	{.in = "C \xff\xfe water",
	 NEW,
	 .aux = K_C,
	 .body = "\xff\xfe water",
	 .token = "\xff\xfe"},
	/* a typo one edit from both اشتراك (start) and اقتراح: no keyword */
	{.in = "اقتراك حديقة", TEXT, .body = "اقتراك حديقة"},
	{.in = "اقتراك", TEXT, .body = "اقتراك"},

	/* row 10, choices */
	{.in = "", TEXT},
	{.in = "   \t\n", TEXT},
	{.in = RLM LRM, TEXT},
	{.in = "!!!", TEXT, .body = "!!!"},
	{.in = "Hello, my street light is broken",
	 TEXT,
	 .body = "Hello, my street light is broken"},
	{.in = "  الشارع مظلم  ", TEXT, .body = "الشارع مظلم"},
	{.in = "1", TEXT, .body = "1", CH(1)},
	{.in = "0", TEXT, .body = "0", CH(0)},
	{.in = "5", TEXT, .body = "5", CH(5)},
	{.in = "٣", TEXT, .body = "٣", CH(3)},
	{.in = "۵", TEXT, .body = "۵", CH(5)},
	{.in = "\uFF19", TEXT, .body = "\uFF19", CH(9)},
	{.in = " " RLM "2" RLM " ", TEXT, .body = "2", CH(2)},
	{.in = "1.", TEXT, .body = "1.", CH(1)},
	{.in = "(4)", TEXT, .body = "(4)", CH(4)},
	{.in = "1\uFE0F\u20E3",
	 TEXT,
	 .body = "1\uFE0F\u20E3",
	 CH(1)}, /* keycap */
	{.in = "4\u20E3", TEXT, .body = "4\u20E3", CH(4)},
	{.in = "10", TEXT, .body = "10"},
	{.in = "1 2", TEXT, .body = "1 2"},
	{.in = "1a", TEXT, .body = "1a"},
	{.in = "\xff\xfe", TEXT, .body = "\xff\xfe"},
	{.in = "STOP\xff", TEXT, .body = "STOP\xff"},
	{.in = "ST\xffOP", TEXT, .body = "ST\xffOP"},
	{.in = "STOP \xff", TEXT, .body = "STOP \xff"},
	{.in = "MYY", TEXT, .body = "MYY"},
	{.in = "الC ماء", TEXT, .body = "الC ماء"}, /* article before Latin */
	{.in = "INFP 4839201753 x", TEXT, .body = "INFP 4839201753 x"},
};

static void
span_equal(const struct cmd_case *c, const char *what, const char *in,
	   size_t len, size_t off, size_t n, const char *want)
{
	size_t wl = want ? strlen(want) : 0;

	if (off > len || n > len - off) {
		print_error("'%s': %s span %zu+%zu outside %zu\n", c->in, what,
			    off, n, len);
		fail();
	}
	if (n != wl || (wl && memcmp(in + off, want, wl) != 0)) {
		print_error("'%s': %s is '%.*s' (%zu), want '%s'\n", c->in,
			    what, (int)n, in + off, n, want ? want : "");
		fail();
	}
}

static void
test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct cmd_case *c = &cases[i];
		size_t len = c->len ? c->len : strlen(c->in);
		const uint8_t *in = (const uint8_t *)c->in;
		struct command cmd;
		int aux;

		assert_int_equal(command_parse(in, len, &cmd), 0);
		if (cmd.kind != c->kind) {
			print_error("case %zu '%s': kind %s, want %s\n", i,
				    c->in, command_kind_name(cmd.kind),
				    command_kind_name(c->kind));
			fail();
		}
		aux = c->kind == COMMAND_NEW    ? (int)cmd.case_kind
		      : c->kind == COMMAND_LANG ? (int)cmd.lang
						: 0;
		if (aux != c->aux ||
		    (c->kind != COMMAND_NEW && cmd.case_kind) ||
		    (c->kind != COMMAND_LANG && cmd.lang)) {
			print_error("case %zu '%s': case_kind %d lang %d\n", i,
				    c->in, cmd.case_kind, cmd.lang);
			fail();
		}
		if ((int)cmd.ref_state != c->refs ||
		    strcmp(cmd.ref, c->ref ? c->ref : "") != 0) {
			print_error("case %zu '%s': ref %d '%s'\n", i, c->in,
				    cmd.ref_state, cmd.ref);
			fail();
		}
		if (cmd.choice != c->choice - 1) {
			print_error("case %zu '%s': choice %d\n", i, c->in,
				    cmd.choice);
			fail();
		}
		span_equal(c, "body", c->in, len, cmd.body_off, cmd.body_len,
			   c->body);
		span_equal(c, "token", c->in, len, cmd.token_off, cmd.token_len,
			   c->token);
	}
}

/* Bodies that contain NUL cannot be compared with strlen(). */
static void
test_nul_body(void **state)
{
	static const char msg[] = "HELP\0me\0";
	struct command cmd;

	(void)state;
	assert_int_equal(
		command_parse((const uint8_t *)msg, sizeof(msg) - 1, &cmd), 0);
	assert_int_equal(cmd.kind, COMMAND_TEXT);
	assert_int_equal(cmd.body_off, 0);
	assert_int_equal(cmd.body_len, 7); /* trailing NUL trimmed */
}

static void
test_new_rest(void **state)
{
	static const struct {
		const char *in, *token, *rest;
	} t[] = {
		{"C EWA the water is cut", "EWA", "the water is cut"},
		{"C EWA: water", "EWA", "water"},
		{"C EWA", "EWA", ""},
		{"C EWA   ", "EWA", ""},
		{"شكوى كهرباء، انقطاع الكهرباء", "كهرباء", "انقطاع الكهرباء"},
		{"S " RLM "MOW" RLM " more parks", "MOW", "more parks"},
	};
	struct command cmd;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *in = t[i].in;

		assert_int_equal(
			command_parse((const uint8_t *)in, strlen(in), &cmd),
			0);
		assert_int_equal(cmd.kind, COMMAND_NEW);
		assert_int_equal(cmd.token_len, strlen(t[i].token));
		assert_memory_equal(in + cmd.token_off, t[i].token,
				    cmd.token_len);
		assert_int_equal(cmd.rest_len, strlen(t[i].rest));
		assert_memory_equal(in + cmd.rest_off, t[i].rest, cmd.rest_len);
		assert_true(cmd.rest_off <= strlen(in));
	}
	/* keyword alone: empty body right after it, no token, no rest */
	assert_int_equal(command_parse((const uint8_t *)"  C ", 4, &cmd), 0);
	assert_int_equal(cmd.kind, COMMAND_NEW);
	assert_int_equal(cmd.body_off, 3);
	assert_int_equal(cmd.body_len, 0);
	assert_int_equal(cmd.token_len, 0);
	assert_int_equal(cmd.rest_len, 0);
}

static void
test_ref_span(void **state)
{
	static const struct {
		const char *in, *span;
		enum command_kind kind;
	} t[] = {
		{"STATUS 483 920 1753 thanks", "483 920 1753", COMMAND_STATUS},
		{"STATUS 12345", "12345", COMMAND_STATUS},
		{"STATUS abc", "abc", COMMAND_STATUS},
		{"  483 920 17 ", "483 920 17", COMMAND_STATUS},
		{"123 456 789 012 345", NULL, COMMAND_TEXT},
		{"INFO 483-920-1753 text", "483-920-1753", COMMAND_INFO},
		{"STOP ٤٨٣ ٩٢٠ ١٧٥٣", "٤٨٣ ٩٢٠ ١٧٥٣", COMMAND_STOP},
	};
	struct command cmd;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *in = t[i].in;
		size_t sl = t[i].span ? strlen(t[i].span) : 0;

		assert_int_equal(
			command_parse((const uint8_t *)in, strlen(in), &cmd),
			0);
		assert_int_equal(cmd.kind, t[i].kind);
		assert_int_equal(cmd.ref_len, sl);
		if (sl)
			assert_memory_equal(in + cmd.ref_off, t[i].span, sl);
	}
	/* INFO with a reference and no text: empty body after the ref */
	assert_int_equal(
		command_parse((const uint8_t *)"INFO 4839201753 ", 16, &cmd),
		0);
	assert_int_equal(cmd.body_off, 15);
	assert_int_equal(cmd.body_len, 0);
}

static void
test_script(void **state)
{
	struct command cmd;

	(void)state;
	command_parse((const uint8_t *)"STOP", 4, &cmd);
	assert_int_equal(cmd.script, TEXT_SCRIPT_LATIN);
	command_parse((const uint8_t *)"حالة 4839201753",
		      strlen("حالة 4839201753"), &cmd);
	assert_int_equal(cmd.script, TEXT_SCRIPT_ARABIC);
	command_parse((const uint8_t *)"4839201753", 10, &cmd);
	assert_int_equal(cmd.script, TEXT_SCRIPT_NONE);
	command_parse((const uint8_t *)"", 0, &cmd);
	assert_int_equal(cmd.script, TEXT_SCRIPT_NONE);
}

static void
test_long(void **state)
{
	static uint8_t buf[COMMAND_TEXT_MAX + 100];
	struct command cmd;

	(void)state;
	/* over the cap: free text, whole message, even if it starts with a
	 * keyword */
	memset(buf, ' ', sizeof(buf));
	memcpy(buf, "STOP", 4);
	assert_int_equal(command_parse(buf, sizeof(buf), &cmd), 0);
	assert_int_equal(cmd.kind, COMMAND_TEXT);
	assert_int_equal(cmd.body_off, 0);
	assert_int_equal(cmd.body_len, sizeof(buf));
	assert_int_equal(cmd.choice, -1);

	/* exactly at the cap: parsed */
	memset(buf, 'a', COMMAND_TEXT_MAX);
	memcpy(buf, "C ", 2);
	assert_int_equal(command_parse(buf, COMMAND_TEXT_MAX, &cmd), 0);
	assert_int_equal(cmd.kind, COMMAND_NEW);
	assert_int_equal(cmd.body_off, 2);
	assert_int_equal(cmd.body_len, COMMAND_TEXT_MAX - 2);
	assert_int_equal(cmd.token_len, COMMAND_TEXT_MAX - 2);

	/* many words, many blank words, many digits */
	for (size_t i = 0; i < COMMAND_TEXT_MAX; i += 2) {
		buf[i] = (uint8_t)('0' + i % 10);
		buf[i + 1] = ' ';
	}
	assert_int_equal(command_parse(buf, COMMAND_TEXT_MAX, &cmd), 0);
	assert_int_equal(cmd.kind, COMMAND_TEXT);
	memcpy(buf, "STATUS", 6);
	assert_int_equal(command_parse(buf, COMMAND_TEXT_MAX, &cmd), 0);
	assert_int_equal(cmd.kind, COMMAND_STATUS);
	assert_int_equal(cmd.ref_state, COMMAND_REF_OK);
	assert_string_equal(cmd.ref, "8024680246"); /* "STATUS6" is one word */
	for (size_t i = 0; i + 3 <= COMMAND_TEXT_MAX; i += 3)
		memcpy(buf + i, RLM, 3);
	memcpy(buf + 3, " STOP ", 6); /* replaces two marks */
	assert_int_equal(command_parse(buf, COMMAND_TEXT_MAX - 1, &cmd), 0);
	assert_int_equal(cmd.kind, COMMAND_STOP);
}

/* Bytes of every value, including NUL and invalid UTF-8, never fail. */
static void
test_binary(void **state)
{
	uint8_t buf[512];
	struct command cmd;
	uint32_t x = 2463534242u;

	(void)state;
	for (int round = 0; round < 2000; round++) {
		size_t len = (size_t)(round % (int)sizeof(buf));

		for (size_t i = 0; i < len; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			buf[i] = (uint8_t)x;
		}
		assert_int_equal(command_parse(buf, len, &cmd), 0);
		assert_true(cmd.kind <= COMMAND_TEXT);
		assert_true(cmd.body_off + cmd.body_len <= len);
		assert_true(cmd.choice >= -1 && cmd.choice <= 9);
	}
}

/* A message ref_parse() accepts is a status request for that ref. */
static void
test_agrees_with_ref_parse(void **state)
{
	static const char *const refs[] = {
		"4839201753",
		"483 920 1753",
		"  483-920-1753  ",
		"483.920.1753",
		"4 8 3 9 2 0 1 7 5 3",
		"\t483920\n1753\r",
		"٤٨٣ ٩٢٠ ١٧٥٣",
		"۴۸۳-٩٢٠-1753",
		RLM "٤٨٣" RLM " ٩٢٠" LRM " 1753",
		"\u2066483 920 1753\u2069",
		"\u202B483 920 1753\u202C",
		"483\u2013920\u20141753",
		"483\u00B7920\u30001753",
		"\uFEFF4839201753\u00AD",
	};
	struct command cmd;
	char want[11];

	(void)state;
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		const uint8_t *in = (const uint8_t *)refs[i];
		size_t len = strlen(refs[i]);

		assert_int_equal(ref_parse(in, len, want), 0);
		assert_int_equal(command_parse(in, len, &cmd), 0);
		assert_int_equal(cmd.kind, COMMAND_STATUS);
		assert_int_equal(cmd.ref_state, COMMAND_REF_OK);
		assert_string_equal(cmd.ref, want);
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);
		const uint8_t *in = (const uint8_t *)cases[i].in;

		if (ref_parse(in, len, want) < 0)
			continue;
		assert_int_equal(command_parse(in, len, &cmd), 0);
		assert_int_equal(cmd.kind, COMMAND_STATUS);
		assert_string_equal(cmd.ref, want);
	}
}

static void
test_args(void **state)
{
	struct command cmd;

	(void)state;
	assert_int_equal(command_parse((const uint8_t *)"STOP", 4, NULL),
			 -EINVAL);
	assert_int_equal(command_parse(NULL, 4, &cmd), -EINVAL);
	assert_int_equal(cmd.kind, COMMAND_TEXT);
	assert_int_equal(cmd.body_len, 0);
	assert_int_equal(command_parse(NULL, 0, &cmd), 0);
	assert_int_equal(cmd.kind, COMMAND_TEXT);
	assert_int_equal(cmd.choice, -1);
	assert_string_equal(command_kind_name(COMMAND_STOP), "stop");
	assert_string_equal(command_kind_name(COMMAND_TEXT), "text");
	assert_string_equal(command_kind_name((enum command_kind)99), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_nul_body),
		cmocka_unit_test(test_new_rest),
		cmocka_unit_test(test_ref_span),
		cmocka_unit_test(test_script),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_agrees_with_ref_parse),
		cmocka_unit_test(test_args),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
