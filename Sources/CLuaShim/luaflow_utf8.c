/* UTF-8 validation of input records: an ASCII path 16 bytes (SSE2) or 8 bytes at a time, the full
 * sequence check only where a byte has its high bit set (or is NUL), and a description of the
 * first bad byte. */
#include "luaflow_utf8.h"
#include "luaflow_json_internal.h"

#include <stdio.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Why the sequence at p (p[0] >= 0x80, luaflow_utf8_seq_len(p, e) == 0) is invalid. */
static void describe(const unsigned char *p, const unsigned char *e, char *what, size_t len) {
    unsigned c = p[0];
    size_t avail = (size_t)(e - p);
    if (c < 0xC0) {
        snprintf(what, len, "stray continuation byte 0x%02X", c);
    } else if (c < 0xC2) {
        snprintf(what, len, "overlong encoding (byte 0x%02X)", c);
    } else if (c >= 0xF5) {
        snprintf(what, len, "byte 0x%02X never appears in UTF-8", c);
    } else if (c == 0xE0 && avail > 1 && p[1] >= 0x80 && p[1] < 0xA0) {
        snprintf(what, len, "overlong encoding (0xE0 0x%02X)", p[1]);
    } else if (c == 0xF0 && avail > 1 && p[1] >= 0x80 && p[1] < 0x90) {
        snprintf(what, len, "overlong encoding (0xF0 0x%02X)", p[1]);
    } else if (c == 0xED && avail > 1 && p[1] >= 0xA0 && p[1] < 0xC0) {
        snprintf(what, len, "UTF-16 surrogate (0xED 0x%02X)", p[1]);
    } else if (c == 0xF4 && avail > 1 && p[1] >= 0x90 && p[1] < 0xC0) {
        snprintf(what, len, "code point above U+10FFFF (0xF4 0x%02X)", p[1]);
    } else {
        snprintf(what, len, "truncated sequence after lead byte 0x%02X", c);
    }
}

int luaflow_utf8_check(const char *s, size_t len, size_t *offset, char *msg, size_t msglen) {
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    const unsigned char *p = (const unsigned char *)s, *e = p + len;
    for (;;) {
#if defined(__SSE2__)
        while (e - p >= 16) { /* no byte with the high bit set, no zero byte */
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
            if (_mm_movemask_epi8(v) | _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128()))) break;
            p += 16;
        }
#endif
        while (e - p >= 8) { /* no byte with the high bit set, no zero byte */
            uint64_t x;
            memcpy(&x, p, 8);
            if (((x | ((x - ones) & ~x)) & highs) != 0) break;
            p += 8;
        }
        while (p < e && *p != 0 && *p < 0x80) p++;
        if (p == e) return 1;
        if (*p >= 0x80) {
            int n = luaflow_utf8_seq_len(p, e);
            if (n > 0) {
                p += n;
                continue;
            }
        }
        size_t at = (size_t)(p - (const unsigned char *)s);
        if (offset != NULL) *offset = at;
        if (msg != NULL && msglen > 0) {
            if (*p == 0) {
                snprintf(msg, msglen, "NUL byte at byte %zu", at + 1);
            } else {
                char what[64];
                describe(p, e, what, sizeof what);
                snprintf(msg, msglen, "invalid UTF-8 at byte %zu: %s", at + 1, what);
            }
        }
        return 0;
    }
}

int luaflow_utf8_bom_length(const char *data, size_t len, int at_eof) {
    static const char bom[3] = {'\xEF', '\xBB', '\xBF'};
    if (len < 3 && !at_eof && (len == 0 || memcmp(data, bom, len) == 0)) return -1;
    return len >= 3 && memcmp(data, bom, 3) == 0 ? 3 : 0;
}
