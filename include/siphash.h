/*
 * siphash.h - SipHash-2-4, a keyed 64-bit hash (Aumasson & Bernstein).
 * Pure; used for MSISDN log tags and as a PRF by later modules.
 */
#ifndef TAWASUL_SIPHASH_H
#define TAWASUL_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t siphash(const uint8_t key[16], const void *data, size_t len);

#endif
