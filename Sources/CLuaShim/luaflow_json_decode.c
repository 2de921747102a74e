/* JSON decoder: a recursive-descent parser over the input bytes that pushes Lua values directly
 * (null -> json.null, arrays carry the array metatable, int64 integers stay integers). The same
 * parser without a lua_State implements luaflow_json_validate. Errors: "invalid JSON at byte N:
 * expected ...", N being the 1-based offset of the offending byte. */
#include "luaflow_json.h"
#include "luaflow_json_internal.h"

#include <lua5.4/lauxlib.h>
#include <stdio.h>
#include <string.h>

/* Values collected on the Lua stack before their table is created with the exact size. */
#define BATCH 32

typedef struct {
    lua_State *L; /* NULL when only validating */
    const char *s, *end;
    int depth;
    int mt_idx; /* stack index of the array metatable */
    const char *err;
    const char *errpos;
} dec_ctx;

static const double POW10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static const char *fail(dec_ctx *c, const char *at, const char *msg) {
    c->err = msg;
    c->errpos = at;
    return NULL;
}

#define IS_DIGIT(ch) ((unsigned)((unsigned char)(ch) - '0') < 10u)

static inline const char *skip_ws(const char *p, const char *e) {
    while (p < e && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) p++;
    return p;
}

/* True when none of the 8 bytes is '"', '\\' or a control character. */
static inline int word_is_plain(const char *p) {
    uint64_t x;
    memcpy(&x, p, 8);
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
    uint64_t t = ((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b);
    return (t & highs) == 0;
}

static int hex4(const char *p) {
    int v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned char ch = (unsigned char)p[i];
        int d;
        if (ch >= '0' && ch <= '9') d = ch - '0';
        else if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f') d = (ch | 0x20) - 'a' + 10;
        else return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Checks the escape at p (a backslash); returns the byte after it or NULL. */
static const char *check_escape(dec_ctx *c, const char *p) {
    const char *e = c->end;
    if (p + 1 >= e) return fail(c, e, "expected escape character");
    switch (p[1]) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
        return p + 2;
    case 'u': break;
    default: return fail(c, p + 1, "expected escape character");
    }
    int cp = (e - p >= 6) ? hex4(p + 2) : -1;
    if (cp < 0) return fail(c, p + 2, "expected 4 hex digits after \\u");
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return fail(c, p, "expected high surrogate before low surrogate (lone surrogate)");
    if (cp < 0xD800 || cp > 0xDBFF) return p + 6;
    int lo = (e - p >= 12 && p[6] == '\\' && p[7] == 'u') ? hex4(p + 8) : -1;
    if (lo < 0xDC00 || lo > 0xDFFF)
        return fail(c, p + 6, "expected low surrogate after high surrogate (lone surrogate)");
    return p + 12;
}

/* Decodes the validated escaped string body [p, e) into dst; returns the length. */
static size_t unescape(char *dst, const char *p, const char *e) {
    char *d = dst;
    while (p < e) {
        if (*p != '\\') {
            *d++ = *p++;
            continue;
        }
        char ch = p[1];
        p += 2;
        switch (ch) {
        case 'b': *d++ = '\b'; continue;
        case 'f': *d++ = '\f'; continue;
        case 'n': *d++ = '\n'; continue;
        case 'r': *d++ = '\r'; continue;
        case 't': *d++ = '\t'; continue;
        case 'u': break;
        default: *d++ = ch; continue;
        }
        unsigned cp = (unsigned)hex4(p);
        p += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + ((unsigned)hex4(p + 2) - 0xDC00);
            p += 6;
        }
        if (cp < 0x80) {
            *d++ = (char)cp;
        } else if (cp < 0x800) {
            *d++ = (char)(0xC0 | (cp >> 6));
            *d++ = (char)(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            *d++ = (char)(0xE0 | (cp >> 12));
            *d++ = (char)(0x80 | ((cp >> 6) & 0x3F));
            *d++ = (char)(0x80 | (cp & 0x3F));
        } else {
            *d++ = (char)(0xF0 | (cp >> 18));
            *d++ = (char)(0x80 | ((cp >> 12) & 0x3F));
            *d++ = (char)(0x80 | ((cp >> 6) & 0x3F));
            *d++ = (char)(0x80 | (cp & 0x3F));
        }
    }
    return (size_t)(d - dst);
}

/* Slow path of parse_string: `esc` is the first backslash of the body starting at `body`. */
static __attribute__((noinline)) const char *parse_escaped(dec_ctx *c, const char *body,
                                                           const char *esc) {
    const char *p = esc, *e = c->end;
    for (;;) {
        if (p >= e) return fail(c, e, "expected '\"' to close string");
        unsigned char ch = (unsigned char)*p;
        if (ch == '"') break;
        if (ch == '\\') {
            p = check_escape(c, p);
            if (p == NULL) return NULL;
        } else if (ch < 0x20) {
            return fail(c, p, "expected escaped control character in string");
        } else {
            p++;
        }
    }
    if (c->L != NULL) {
        luaL_Buffer b;
        char *dst = luaL_buffinitsize(c->L, &b, (size_t)(p - body));
        luaL_pushresultsize(&b, unescape(dst, body, p));
    }
    return p + 1;
}

/* p is at the opening quote; pushes the string. */
static inline const char *parse_string(dec_ctx *c, const char *p) {
    const char *body = ++p, *e = c->end;
    for (;;) {
        while (e - p >= 8 && word_is_plain(p)) p += 8;
        while (p < e && (unsigned char)*p >= 0x20 && *p != '"' && *p != '\\') p++;
        if (p >= e) return fail(c, e, "expected '\"' to close string");
        if (*p == '"') break;
        if (*p == '\\') return parse_escaped(c, body, p);
        return fail(c, p, "expected escaped control character in string");
    }
    if (c->L != NULL) lua_pushlstring(c->L, body, (size_t)(p - body));
    return p + 1;
}

static const char *parse_number(dec_ctx *c, const char *p) {
    const char *start = p, *e = c->end;
    int neg = 0, is_int = 1, nd = 0, frac = 0;
    uint64_t m = 0;
    if (*p == '-') {
        neg = 1;
        p++;
    }
    if (p >= e || !IS_DIGIT(*p)) return fail(c, p, "expected digit");
    if (*p == '0') {
        p++;
    } else {
        for (; p < e && IS_DIGIT(*p); p++, nd++)
            if (nd < 19) m = m * 10 + (uint64_t)(*p - '0');
    }
    if (p < e && *p == '.') {
        is_int = 0;
        p++;
        if (p >= e || !IS_DIGIT(*p)) return fail(c, p, "expected digit");
        for (; p < e && IS_DIGIT(*p); p++, frac++) {
            if (m == 0 && nd == 0 && *p == '0') continue; /* leading zeros: scale only */
            if (nd++ < 19) m = m * 10 + (uint64_t)(*p - '0');
        }
    }
    int exp = 0;
    if (p < e && (*p == 'e' || *p == 'E')) {
        int eneg = 0;
        is_int = 0;
        p++;
        if (p < e && (*p == '+' || *p == '-')) eneg = *p++ == '-';
        if (p >= e || !IS_DIGIT(*p)) return fail(c, p, "expected digit");
        for (; p < e && IS_DIGIT(*p); p++)
            if (exp < 100000) exp = exp * 10 + (*p - '0');
        if (eneg) exp = -exp;
    }
    lua_State *L = c->L;
    if (L == NULL) return p;
    if (is_int && nd <= 19 && m <= (uint64_t)INT64_MAX + (uint64_t)neg) {
        lua_pushinteger(L, neg ? (lua_Integer)(0 - m) : (lua_Integer)m);
        return p;
    }
    int e10 = exp - frac;
    double v;
    if (nd <= 19 && m <= ((uint64_t)1 << 53) && e10 >= -22 && e10 <= 22) {
        /* exact mantissa and power of ten: one correctly rounded operation */
        v = e10 < 0 ? (double)m / POW10[-e10] : (double)m * POW10[e10];
        if (neg) v = -v;
    } else if (luaflow_strtod(start, (size_t)(p - start), &v) != 0) {
        luaflow_oom_error(L);
    }
    lua_pushnumber(L, v);
    return p;
}

static const char *parse_value(dec_ctx *c, const char *p);

/* Pops the n stacked elements above `base` into a new array table left at base+1. */
static void flush_array(lua_State *L, int base, int n, int size) {
    lua_createtable(L, size, 0);
    lua_insert(L, base + 1);
    for (int i = n; i >= 1; i--) lua_rawseti(L, base + 1, i);
}

static const char *parse_array(dec_ctx *c, const char *p) {
    lua_State *L = c->L;
    const char *e = c->end;
    int base = 0, tbl = 0;
    lua_Integer n = 0;
    if (++c->depth > LUAFLOW_JSON_MAX_DEPTH) return fail(c, p, "nested too deep");
    if (L != NULL) {
        luaL_checkstack(L, BATCH + 4, "JSON nested too deep");
        base = lua_gettop(L);
    }
    p = skip_ws(p + 1, e);
    if (p < e && *p == ']') {
        p++;
    } else {
        for (;;) {
            p = parse_value(c, p);
            if (p == NULL) return NULL;
            n++;
            if (L != NULL) {
                if (tbl) {
                    lua_rawseti(L, tbl, n);
                } else if (n == BATCH) {
                    flush_array(L, base, (int)n, 2 * BATCH);
                    tbl = base + 1;
                }
            }
            p = skip_ws(p, e);
            if (p < e && *p == ',') {
                p = skip_ws(p + 1, e);
                continue;
            }
            if (p < e && *p == ']') {
                p++;
                break;
            }
            return fail(c, p, "expected ',' or ']'");
        }
    }
    if (L != NULL) {
        if (!tbl) flush_array(L, base, (int)n, (int)n);
        lua_pushvalue(L, c->mt_idx);
        lua_setmetatable(L, -2);
    }
    c->depth--;
    return p;
}

/* Pops the n stacked key/value pairs above `base` into a new table left at base+1. */
static void flush_object(lua_State *L, int base, int n, int size) {
    lua_createtable(L, 0, size);
    for (int i = 0; i < n; i++) {
        lua_pushvalue(L, base + 1 + 2 * i);
        lua_pushvalue(L, base + 2 + 2 * i);
        lua_rawset(L, -3);
    }
    if (n > 0) { /* move the table down over the pairs */
        lua_replace(L, base + 1);
        lua_settop(L, base + 1);
    }
}

static const char *parse_object(dec_ctx *c, const char *p) {
    lua_State *L = c->L;
    const char *e = c->end;
    int base = 0, tbl = 0, n = 0;
    if (++c->depth > LUAFLOW_JSON_MAX_DEPTH) return fail(c, p, "nested too deep");
    if (L != NULL) {
        luaL_checkstack(L, 2 * BATCH + 4, "JSON nested too deep");
        base = lua_gettop(L);
    }
    p = skip_ws(p + 1, e);
    if (p < e && *p == '}') {
        p++;
    } else {
        for (;;) {
            if (p >= e || *p != '"') return fail(c, p, "expected string key");
            p = parse_string(c, p);
            if (p == NULL) return NULL;
            p = skip_ws(p, e);
            if (p >= e || *p != ':') return fail(c, p, "expected ':'");
            p = parse_value(c, skip_ws(p + 1, e));
            if (p == NULL) return NULL;
            if (L != NULL) {
                if (tbl) {
                    lua_rawset(L, tbl);
                } else if (++n == BATCH) {
                    flush_object(L, base, n, 2 * BATCH);
                    tbl = base + 1;
                }
            }
            p = skip_ws(p, e);
            if (p < e && *p == ',') {
                p = skip_ws(p + 1, e);
                continue;
            }
            if (p < e && *p == '}') {
                p++;
                break;
            }
            return fail(c, p, "expected ',' or '}'");
        }
    }
    if (L != NULL && !tbl) flush_object(L, base, n, n);
    c->depth--;
    return p;
}

static const char *parse_literal(dec_ctx *c, const char *p, const char *word, size_t n) {
    if ((size_t)(c->end - p) < n || memcmp(p, word, n) != 0) return fail(c, p, "expected value");
    return p + n;
}

static const char *parse_value(dec_ctx *c, const char *p) {
    lua_State *L = c->L;
    if (p >= c->end) return fail(c, p, "expected value");
    switch (*p) {
    case '"': return parse_string(c, p);
    case '{': return parse_object(c, p);
    case '[': return parse_array(c, p);
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
        return parse_number(c, p);
    case 't':
        if (L != NULL) lua_pushboolean(L, 1);
        return parse_literal(c, p, "true", 4);
    case 'f':
        if (L != NULL) lua_pushboolean(L, 0);
        return parse_literal(c, p, "false", 5);
    case 'n':
        if (L != NULL) lua_pushlightuserdata(L, luaflow_json_null_ptr());
        return parse_literal(c, p, "null", 4);
    default:
        return fail(c, p, "expected value");
    }
}

static int parse_document(dec_ctx *c) {
    const char *p = parse_value(c, skip_ws(c->s, c->end));
    if (p == NULL) return 0;
    p = skip_ws(p, c->end);
    if (p != c->end) {
        fail(c, p, "expected end of input");
        return 0;
    }
    return 1;
}

void luaflow_json_decode_push(lua_State *L, const char *s, size_t len) {
    dec_ctx c = {L, s, s + len, 0, 0, NULL, NULL};
    luaL_checkstack(L, 2 * BATCH + 8, "JSON nested too deep");
    luaflow_json_push_array_mt(L);
    c.mt_idx = lua_gettop(L);
    if (!parse_document(&c)) {
        lua_pushfstring(L, "invalid JSON at byte %I: %s", (lua_Integer)(c.errpos - s) + 1, c.err);
        lua_error(L);
    }
    lua_remove(L, c.mt_idx);
}

const char *luaflow_json_scan_value(const char *p, const char *end, const char *base, char *err,
                                    size_t errlen) {
    dec_ctx c = {NULL, base, end, 0, 0, NULL, NULL};
    const char *after = parse_value(&c, skip_ws(p, end));
    if (after == NULL && err != NULL && errlen > 0)
        snprintf(err, errlen, "invalid JSON at byte %zu: %s", (size_t)(c.errpos - base) + 1, c.err);
    return after;
}

int luaflow_json_validate(const char *s, size_t len, char *err, size_t errlen) {
    dec_ctx c = {NULL, s, s + len, 0, 0, NULL, NULL};
    if (parse_document(&c)) return 1;
    if (err != NULL && errlen > 0)
        snprintf(err, errlen, "invalid JSON at byte %zu: %s", (size_t)(c.errpos - s) + 1, c.err);
    return 0;
}
