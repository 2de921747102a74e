/* The `json` Lua module (encode, decode, null, array, is_array), the shared array metatable and
 * json.null sentinel, and the locale-independent number formatting/parsing used by the JSON and
 * CSV codecs (fast integer formatting, shortest round-trip doubles). */
#include "luaflow_json.h"
#include "luaflow_json_internal.h"

#include <lua5.4/lauxlib.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char json_null_sentinel;
static const char array_mt_key = 'A';

void *luaflow_json_null_ptr(void) { return &json_null_sentinel; }

void luaflow_json_push_array_mt(lua_State *L) {
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &array_mt_key) == LUA_TTABLE) return;
    lua_pop(L, 1);
    lua_createtable(L, 0, 2);
    lua_pushliteral(L, "json.array");
    lua_setfield(L, -2, "__name");
    /* Hidden from getmetatable: it is shared by every script of the state (not theirs to change),
     * and a script adding __gc to it would mark every array for a finalizer no budget can stop. */
    lua_pushliteral(L, "json.array");
    lua_setfield(L, -2, "__metatable");
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &array_mt_key);
}

int luaflow_oom_error(lua_State *L) {
    lua_pushliteral(L, "not enough memory");
    return lua_error(L);
}

/* ---- numbers ---------------------------------------------------------------------------- */

static const char DIGITS2[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

static const double POW10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static int fmt_uint(char *dst, uint64_t u) {
    char tmp[24];
    char *p = tmp + sizeof tmp;
    while (u >= 100) {
        unsigned r = (unsigned)(u % 100);
        u /= 100;
        p -= 2;
        memcpy(p, DIGITS2 + 2 * r, 2);
    }
    if (u >= 10) {
        p -= 2;
        memcpy(p, DIGITS2 + 2 * u, 2);
    } else {
        *--p = (char)('0' + u);
    }
    int n = (int)(tmp + sizeof tmp - p);
    memcpy(dst, p, (size_t)n);
    return n;
}

int luaflow_fmt_int(char *dst, int64_t v) {
    if (v < 0) {
        dst[0] = '-';
        return 1 + fmt_uint(dst + 1, 0 - (uint64_t)v);
    }
    return fmt_uint(dst, (uint64_t)v);
}

/* Writes m * 10^-k in fixed notation (m has at most 15 digits), keeping at least one fraction
 * digit and no trailing zeros after the first. */
static int write_fixed(char *dst, uint64_t m, int k, int neg) {
    char digs[24];
    int nd = fmt_uint(digs, m);
    char *p = dst;
    if (neg) *p++ = '-';
    if (nd <= k) {
        *p++ = '0';
        *p++ = '.';
        for (int i = 0; i < k - nd; i++) *p++ = '0';
        memcpy(p, digs, (size_t)nd);
        p += nd;
    } else {
        int ip = nd - k;
        memcpy(p, digs, (size_t)ip);
        p += ip;
        *p++ = '.';
        if (k == 0) {
            *p++ = '0';
        } else {
            memcpy(p, digs + ip, (size_t)k);
            p += k;
        }
    }
    while (p[-1] == '0' && p[-2] != '.') p--;
    return (int)(p - dst);
}

/* Rewrites printf output into C-locale form: any decimal separator becomes '.'. */
static int normalize_number(char *s, int n) {
    int j = 0;
    for (int i = 0; i < n; i++) {
        char c = s[i];
        if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == 'e') {
            s[j++] = c;
        } else if (j == 0 || s[j - 1] != '.') {
            s[j++] = '.';
        }
    }
    return j;
}

int luaflow_fmt_double(char *dst, double v) {
    if (!isfinite(v)) return -1;
    int neg = signbit(v) != 0;
    double a = neg ? -v : v;
    /* Fast path: a == m / 10^k exactly for some m < 10^15 (so at most 15 digits); this is the
     * same text %.15g gives in this range, without printf. */
    if (a >= 1e-4 && a < 1e15) {
        for (int k = 0; k <= 22; k++) {
            double m = a * POW10[k];
            if (m >= 1e15) break;
            uint64_t um = (uint64_t)m;
            if ((double)um == m && (double)um / POW10[k] == a) return write_fixed(dst, um, k, neg);
        }
    }
    if (a == 0) {
        memcpy(dst, neg ? "-0.0" : "0.0", neg ? 4 : 3);
        return neg ? 4 : 3;
    }
    char buf[48];
    int n = 0;
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (n <= 0 || n >= (int)sizeof buf) return -1;
        n = normalize_number(buf, n);
        double back;
        if (prec == 17 || (luaflow_strtod(buf, (size_t)n, &back) == 0 && back == v)) break;
    }
    memcpy(dst, buf, (size_t)n);
    if (memchr(buf, '.', (size_t)n) == NULL && memchr(buf, 'e', (size_t)n) == NULL) {
        dst[n++] = '.';
        dst[n++] = '0';
    }
    return n;
}

int luaflow_strtod(const char *s, size_t n, double *out) {
    char stackbuf[80];
    char *buf = stackbuf;
    if (n >= sizeof stackbuf) {
        buf = malloc(n + 1);
        if (buf == NULL) return -1;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    double d = strtod(buf, &end);
    if (end != buf + n) { /* a locale whose decimal separator is not '.' */
        char *dot = memchr(buf, '.', n);
        const char *dp = localeconv()->decimal_point;
        if (dot != NULL && dp != NULL && dp[0] != '\0' && dp[0] != '.' && dp[1] == '\0') {
            *dot = dp[0];
            d = strtod(buf, &end);
        }
    }
    int ok = (n > 0 && end == buf + n);
    if (buf != stackbuf) free(buf);
    if (!ok) return -1;
    *out = d;
    return 0;
}

/* ---- the Lua module --------------------------------------------------------------------- */

/* Reusable output buffer of encode(), an upvalue freed by __gc. */
typedef struct {
    luaflow_buf b;
} encode_box;

static int box_gc(lua_State *L) {
    encode_box *box = lua_touserdata(L, 1);
    if (box != NULL) luaflow_buf_free(&box->b);
    return 0;
}

/* Runs f(arg 1) protected; on failure re-raises the message prefixed with the calling script's
 * file:line (codec errors carry no location of their own). */
static int call_located(lua_State *L, lua_CFunction f) {
    lua_pushcfunction(L, f);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    int status = lua_pcall(L, 2, 1, 0);
    if (status == LUA_OK) return 1;
    if (status != LUA_ERRMEM && lua_type(L, -1) == LUA_TSTRING) {
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
    }
    return lua_error(L);
}

/* encode_raw(box, value) */
static int encode_raw(lua_State *L) {
    encode_box *box = lua_touserdata(L, 1);
    box->b.len = 0;
    luaflow_json_encode_append(L, 2, &box->b);
    lua_pushlstring(L, box->b.data != NULL ? box->b.data : "", box->b.len);
    if (box->b.cap > ((size_t)1 << 20)) luaflow_buf_free(&box->b);
    return 1;
}

static int l_encode(lua_State *L) {
    luaL_checkany(L, 1);
    lua_settop(L, 1);
    return call_located(L, encode_raw);
}

/* decode_raw(_, text) */
static int decode_raw(lua_State *L) {
    size_t len;
    const char *s = lua_tolstring(L, 2, &len);
    luaflow_json_decode_push(L, s, len);
    return 1;
}

static int l_decode(lua_State *L) {
    luaL_checkstring(L, 1);
    lua_settop(L, 1);
    return call_located(L, decode_raw);
}

static int l_array(lua_State *L) {
    if (lua_isnoneornil(L, 1)) {
        lua_settop(L, 0);
        lua_createtable(L, 0, 0);
    } else {
        luaL_checktype(L, 1, LUA_TTABLE);
        lua_settop(L, 1);
    }
    luaflow_json_push_array_mt(L);
    lua_setmetatable(L, 1);
    return 1;
}

static int l_is_array(lua_State *L) {
    int yes = 0;
    if (lua_type(L, 1) == LUA_TTABLE && lua_getmetatable(L, 1)) {
        luaflow_json_push_array_mt(L);
        yes = lua_rawequal(L, -1, -2);
        lua_pop(L, 2);
    }
    lua_pushboolean(L, yes);
    return 1;
}

int luaflow_open_json(lua_State *L) {
    luaL_checkstack(L, 4, NULL);
    lua_createtable(L, 0, 5);
    encode_box *box = lua_newuserdatauv(L, sizeof(encode_box), 0);
    luaflow_buf_init(&box->b);
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, box_gc);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
    lua_pushcclosure(L, l_encode, 1);
    lua_setfield(L, -2, "encode");
    lua_pushcfunction(L, l_decode);
    lua_setfield(L, -2, "decode");
    lua_pushlightuserdata(L, luaflow_json_null_ptr());
    lua_setfield(L, -2, "null");
    lua_pushcfunction(L, l_array);
    lua_setfield(L, -2, "array");
    lua_pushcfunction(L, l_is_array);
    lua_setfield(L, -2, "is_array");
    return 1;
}
