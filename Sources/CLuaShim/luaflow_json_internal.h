/* Private helpers shared by the JSON and CSV codecs: number formatting, string escaping and the
 * encoder entry point with a path prefix. Not part of the public module. */
#ifndef LUAFLOW_JSON_INTERNAL_H
#define LUAFLOW_JSON_INTERNAL_H
#include <stddef.h>
#include <stdint.h>
#include <lua5.4/lua.h>
#include "luaflow_buf.h"

#if defined(__GNUC__)
#define LUAFLOW_HIDDEN __attribute__((visibility("hidden")))
#define LUAFLOW_LIKELY(x) __builtin_expect(!!(x), 1)
#define LUAFLOW_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define LUAFLOW_HIDDEN
#define LUAFLOW_LIKELY(x) (x)
#define LUAFLOW_UNLIKELY(x) (x)
#endif

/* Length of the valid UTF-8 sequence at p (2..4; p[0] >= 0x80), or 0 when it is invalid
 * (overlong, surrogate, above U+10FFFF, truncated at e). */
static inline int luaflow_utf8_seq_len(const unsigned char *p, const unsigned char *e) {
    unsigned c = p[0];
    size_t avail = (size_t)(e - p);
    if (c < 0xC2) return 0;
    if (c < 0xE0) return (avail >= 2 && (p[1] & 0xC0) == 0x80) ? 2 : 0;
    if (c < 0xF0) {
        unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        if (avail < 3 || p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80) return 0;
        return 3;
    }
    if (c < 0xF5) {
        unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        if (avail < 4 || p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80 ||
            (p[3] & 0xC0) != 0x80)
            return 0;
        return 4;
    }
    return 0;
}

/* Maximum nesting of arrays/objects, for decoding and encoding. */
#define LUAFLOW_JSON_MAX_DEPTH 1000

/* Room needed by the number formatters below. */
#define LUAFLOW_NUM_MAX 40

/* Writes the decimal form of v to dst (no NUL); returns the length (at most 20). */
LUAFLOW_HIDDEN int luaflow_fmt_int(char *dst, int64_t v);
/* Writes the shortest round-trip form of a finite v, always with '.' or 'e' (no NUL); returns
 * the length, or -1 when v is NaN or infinite. */
LUAFLOW_HIDDEN int luaflow_fmt_double(char *dst, double v);

/* Converts the JSON number text [s, s+n) to a double regardless of the C locale. 0, or -1 when
 * the text is not a number. */
LUAFLOW_HIDDEN int luaflow_strtod(const char *s, size_t n, double *out);

/* Appends s as a quoted JSON string. With `validate`, returns -2 on invalid UTF-8 (nothing is
 * appended then); returns -1 when out of memory, 0 on success. */
LUAFLOW_HIDDEN int luaflow_json_append_string(luaflow_buf *out, const char *s, size_t len,
                                              int validate);
/* Appends the JSON-escaped bytes of s (no quotes, no UTF-8 validation). 0 or -1 (OOM). */
LUAFLOW_HIDDEN int luaflow_json_append_escaped(luaflow_buf *out, const char *s, size_t len);

/* luaflow_json_encode_append with a path prefix for error messages (e.g. ".tags", or NULL for
 * the top-level value). On error out->len is reset to `restore_len` before the error is raised. */
LUAFLOW_HIDDEN void luaflow_json_encode_path(lua_State *L, int idx, luaflow_buf *out,
                                             const char *prefix, size_t restore_len);

/* luaflow_json_encode_append that stops once the value's text passes `max_len` bytes (a table
 * can hold one large string many times): returns 1 then, with out->len restored; 0 when written.
 * Other failures raise as luaflow_json_encode_append does. */
LUAFLOW_HIDDEN int luaflow_json_encode_bounded(lua_State *L, int idx, luaflow_buf *out, size_t max_len);

/* Validates the one JSON value starting at p (after optional whitespace) without Lua and returns
 * the pointer just after it, or NULL with "invalid JSON at byte N: ..." in err (N counted from
 * `base`). */
LUAFLOW_HIDDEN const char *luaflow_json_scan_value(const char *p, const char *end, const char *base,
                                                   char *err, size_t errlen);

/* Raises "not enough memory" as a Lua error. */
LUAFLOW_HIDDEN int luaflow_oom_error(lua_State *L);

#endif
