/*
 * smpp_l34_kinds.h - how libsmpp34 types each TLV tag per command, built
 * from its own def_frame/<command>.tlv X-macros, so the table always
 * matches the installed library. Shared by protocol/smpp_pdu.c (which
 * packs through libsmpp34) and tests/fuzz/smpp_diff_fuzz.c (which compares
 * our decoder with libsmpp34's): the only two files that may include
 * libsmpp34 headers. Include it after <smpp34.h> and friends.
 */
#ifndef TAWASUL_SMPP_L34_KINDS_H
#define TAWASUL_SMPP_L34_KINDS_H

struct tlv_kind {
	int size, max;
};

#define TK_INT(name, n)                                                        \
	{                                                                      \
		if ((name)[0] == 'v') {                                        \
			k.size = (n);                                          \
			k.max = (n);                                           \
		}                                                              \
	}
#define U08(inst, par, str) TK_INT(#par, 1)
#define U16(inst, par, str) TK_INT(#par, 2)
#define U32(inst, par, str) TK_INT(#par, 4)
#define OCTET16(inst, par, sz)                                                 \
	{                                                                      \
		k.size = 0;                                                    \
		k.max = (sz);                                                  \
	}
#include <def_frame/alert_notification.tlv>
#include <def_frame/bind_transmitter_resp.tlv>
#include <def_frame/data_sm.tlv>
#include <def_frame/deliver_sm.tlv>
#include <def_frame/submit_sm.tlv>

#define KIND_FN(name, macro)                                                   \
	static struct tlv_kind name(uint16_t tag)                              \
	{                                                                      \
		struct {                                                       \
			uint16_t tag;                                          \
		} t = {tag}, *p = &t;                                          \
		struct tlv_kind k = {0, -1};                                   \
		macro(p);                                                      \
		return k;                                                      \
	}
KIND_FN(kind_alert, do_tlv_alert_notification)
KIND_FN(kind_bind_resp, do_tlv_bind_transmitter_resp)
KIND_FN(kind_data_sm, do_tlv_data_sm)
KIND_FN(kind_deliver_sm, do_tlv_deliver_sm)
KIND_FN(kind_submit_sm, do_tlv_submit_sm)
#undef U08
#undef U16
#undef U32
#undef OCTET16

#endif
