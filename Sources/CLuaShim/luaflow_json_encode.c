/* JSON encoder: Lua value -> JSON text appended to a luaflow_buf. Strings are escaped minimally
 * and validated as UTF-8; arrays are recognised by the shared array metatable or as plain
 * sequences 1..n; errors name the path of the offending field (".address.tags[2]"). */
#include "luaflow_json.h"
#include "luaflow_json_internal.h"
#include "luaflow_lazy_internal.h"
#include "luaflow_state.h"

#include <lua5.4/lauxlib.h>
#include <string.h>

/* ---- strings ---------------------------------------------------------------------------- */

/* 0: copied as is; 1: must be escaped; 2: first byte of a multi-byte UTF-8 sequence. */
static const unsigned char CHAR_CLASS[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

/* True when none of the 8 bytes needs attention (control, '"', '\\', or >= 0x80). */
static inline int word_is_plain(const unsigned char *p) {
    uint64_t x;
    memcpy(&x, p, 8);
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
    uint64_t t = ((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b) | x;
    return (t & highs) == 0;
}

/* Escapes [s, e) into out (without quotes). Returns 0, -1 (OOM) or -2 (invalid UTF-8, only with
 * `validate`); on failure out->len is unchanged. */
static int append_escaped(luaflow_buf *out, const unsigned char *p, const unsigned char *e,
                          int validate, size_t extra) {
    static const char HEX[] = "0123456789abcdef";
    size_t start = out->len;
    if (luaflow_buf_reserve(out, (size_t)(e - p) + extra) != 0) return -1;
    char *d = out->data + out->len;
    while (p < e) {
        while (e - p >= 8 && word_is_plain(p)) {
            memcpy(d, p, 8);
            d += 8;
            p += 8;
        }
        while (p < e && CHAR_CLASS[*p] == 0) *d++ = (char)*p++;
        if (p == e) break;
        unsigned c = *p;
        if (c >= 0x80) {
            if (!validate) {
                *d++ = (char)*p++;
                continue;
            }
            int n = luaflow_utf8_seq_len(p, e);
            if (n == 0) {
                out->len = start;
                return -2;
            }
            memcpy(d, p, (size_t)n);
            d += n;
            p += n;
            continue;
        }
        /* an escape: make room for it plus the (unescaped) rest */
        out->len = (size_t)(d - out->data);
        if (luaflow_buf_reserve(out, 6 + (size_t)(e - p) + extra) != 0) {
            out->len = start;
            return -1;
        }
        d = out->data + out->len;
        *d++ = '\\';
        switch (c) {
        case '"': *d++ = '"'; break;
        case '\\': *d++ = '\\'; break;
        case '\n': *d++ = 'n'; break;
        case '\r': *d++ = 'r'; break;
        case '\t': *d++ = 't'; break;
        case '\b': *d++ = 'b'; break;
        case '\f': *d++ = 'f'; break;
        default:
            memcpy(d, "u00", 3);
            d[3] = HEX[c >> 4];
            d[4] = HEX[c & 15];
            d += 5;
        }
        p++;
    }
    out->len = (size_t)(d - out->data);
    return 0;
}

int luaflow_json_append_escaped(luaflow_buf *out, const char *s, size_t len) {
    const unsigned char *p = (const unsigned char *)s;
    return append_escaped(out, p, p + len, 0, 0);
}

int luaflow_json_append_string(luaflow_buf *out, const char *s, size_t len, int validate) {
    size_t start = out->len;
    if (luaflow_buf_reserve(out, len + 2) != 0) return -1;
    out->data[out->len++] = '"';
    const unsigned char *p = (const unsigned char *)s;
    int r = append_escaped(out, p, p + len, validate, 1);
    if (r != 0) {
        out->len = start;
        return r;
    }
    out->data[out->len++] = '"'; /* room reserved through `extra` */
    return 0;
}

/* ---- values ----------------------------------------------------------------------------- */

typedef struct {
    const char *key; /* object key, or NULL for an array index */
    size_t klen;
    lua_Integer index;
    char num[LUAFLOW_NUM_MAX]; /* a numeric key's text, which `key` then points at */
} path_part;

typedef struct {
    lua_State *L;
    luaflow_buf *out;
    size_t limit;        /* out->len may not pass this */
    const void *array_mt;
    const char *err;     /* message, set on failure */
    const char *errtype; /* type name appended to `err`, or NULL */
    int errdepth;        /* number of valid path parts for the message */
    path_part path[LUAFLOW_JSON_MAX_DEPTH + 1];
} enc_ctx;

#define ENC_OOM 1
#define ENC_FAIL 2
#define ENC_LIMIT 3

#define CHECK_LIMIT(c)                                                                       \
    do {                                                                                     \
        if (LUAFLOW_UNLIKELY((c)->out->len > (c)->limit)) return ENC_LIMIT;                  \
    } while (0)

static int fail(enc_ctx *c, int depth, const char *msg, const char *type) {
    c->err = msg;
    c->errtype = type;
    c->errdepth = depth;
    return ENC_FAIL;
}

#define PUT_LIT(c, lit)                                                                      \
    do {                                                                                     \
        if (luaflow_buf_reserve((c)->out, sizeof(lit) - 1) != 0) return ENC_OOM;            \
        memcpy((c)->out->data + (c)->out->len, lit, sizeof(lit) - 1);                        \
        (c)->out->len += sizeof(lit) - 1;                                                    \
    } while (0)

static int enc_value(enc_ctx *c, int idx, int depth);

/* Is the table at t (no array metatable, rawlen n > 0) exactly the sequence 1..n? */
static int is_sequence(lua_State *L, int t, size_t n) {
    size_t count = 0;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        int isint;
        lua_Integer k = lua_tointegerx(L, -1, &isint);
        if (!isint || lua_type(L, -1) != LUA_TNUMBER || k < 1 || (lua_Unsigned)k > n ||
            ++count > n) {
            lua_pop(L, 1);
            return 0;
        }
    }
    return count == n;
}

static int enc_array(enc_ctx *c, int t, size_t n, int depth) {
    lua_State *L = c->L;
    PUT_LIT(c, "[");
    for (size_t i = 1; i <= n; i++) {
        if (i > 1) PUT_LIT(c, ",");
        c->path[depth - 1].key = NULL;
        c->path[depth - 1].index = (lua_Integer)i;
        lua_rawgeti(L, t, (lua_Integer)i);
        int r = enc_value(c, lua_gettop(L), depth);
        if (r != 0) return r;
        lua_pop(L, 1);
    }
    PUT_LIT(c, "]");
    return 0;
}

/* Encodes the member whose key is at -2 and value at -1 as "key":value. stack: unchanged */
static int enc_member(enc_ctx *c, int depth) {
    lua_State *L = c->L;
    char *numkey = c->path[depth - 1].num; /* outlives this call, for error messages */
    const char *k;
    size_t klen;
    int kt = lua_type(L, -2);
    {
        if (kt == LUA_TSTRING) {
            k = lua_tolstring(L, -2, &klen);
            int r = luaflow_json_append_string(c->out, k, klen, 1);
            if (r == -1) return ENC_OOM;
            if (r != 0) return fail(c, depth - 1, "invalid UTF-8 in object key", NULL);
        } else if (kt == LUA_TNUMBER) {
            int n = lua_isinteger(L, -2) ? luaflow_fmt_int(numkey, lua_tointeger(L, -2))
                                         : luaflow_fmt_double(numkey, lua_tonumber(L, -2));
            if (n < 0) return fail(c, depth - 1, "object key is NaN or infinity", NULL);
            k = numkey;
            klen = (size_t)n;
            if (luaflow_json_append_string(c->out, k, klen, 0) != 0) return ENC_OOM;
        } else {
            return fail(c, depth - 1, "object key must be a string or number, not ",
                        lua_typename(L, kt));
        }
        c->path[depth - 1].key = k;
        c->path[depth - 1].klen = klen;
        PUT_LIT(c, ":");
        return enc_value(c, lua_gettop(L), depth);
    }
}

/* Orders the string keys at stack slots slots[0..n) byte-wise (insertion sort: objects are small). */
static void sort_key_slots(lua_State *L, int *slots, int n) {
    for (int i = 1; i < n; i++) {
        int s = slots[i], j = i;
        size_t la;
        const char *a = lua_tolstring(L, s, &la);
        while (j > 0) {
            size_t lb;
            const char *b = lua_tolstring(L, slots[j - 1], &lb);
            int cmp = memcmp(a, b, la < lb ? la : lb);
            if (cmp > 0 || (cmp == 0 && la >= lb)) break;
            slots[j] = slots[j - 1];
            j--;
        }
        slots[j] = s;
    }
}

#define SORTED_OBJECT_MAX 256

/* An object whose keys are all strings, written with its keys sorted so that output does not
 * depend on Lua's per-process hash seed. Returns -1 (nothing written) when it does not apply. */
static int enc_sorted_object(enc_ctx *c, int t, int depth) {
    lua_State *L = c->L;
    int n = 0;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING || ++n > SORTED_OBJECT_MAX) {
            lua_pop(L, 1);
            return -1;
        }
    }
    if (n < 2) return -1;
    if (!lua_checkstack(L, 2 * n + 4)) return -1;
    int base = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, t)) lua_pushvalue(L, -2); /* stack: k1 v1 k2 v2 ... */
    int slots[SORTED_OBJECT_MAX];
    for (int i = 0; i < n; i++) slots[i] = base + 1 + 2 * i;
    sort_key_slots(L, slots, n);
    PUT_LIT(c, "{");
    for (int i = 0; i < n; i++) {
        if (i > 0) PUT_LIT(c, ",");
        lua_pushvalue(L, slots[i]);
        lua_pushvalue(L, slots[i] + 1);
        int r = enc_member(c, depth);
        if (r != 0) return r;
        lua_pop(L, 2);
    }
    PUT_LIT(c, "}");
    lua_settop(L, base);
    return 0;
}

static int enc_object(enc_ctx *c, int t, int depth) {
    lua_State *L = c->L;
    int sorted = enc_sorted_object(c, t, depth);
    if (sorted >= 0) return sorted;
    int first = 1;
    PUT_LIT(c, "{");
    lua_pushnil(L);
    while (lua_next(L, t)) {
        if (!first) PUT_LIT(c, ",");
        first = 0;
        int r = enc_member(c, depth);
        if (r != 0) return r;
        lua_pop(L, 1);
    }
    PUT_LIT(c, "}");
    return 0;
}

/* Writes the proxy's (at t) current value for the key on top, unless it is nil (deleted).
 * stack: key -> */
static int enc_current_member(enc_ctx *c, int t, int depth, int *first) {
    lua_State *L = c->L;
    lua_pushvalue(L, -1);
    if (lua_rawget(L, t) == LUA_TNIL) {
        lua_pop(L, 2);
        return 0;
    }
    if (!*first) PUT_LIT(c, ",");
    *first = 0;
    int r = enc_member(c, depth);
    if (r != 0) return r;
    lua_pop(L, 2);
    return 0;
}

/* A lazy record: untouched fields are copied from the original text in their original order,
 * replaced ones re-encoded, deleted ones left out, new ones appended. */
static int enc_lazy(enc_ctx *c, int t, luaflow_lazy_record *rec, int depth) {
    lua_State *L = c->L;
    const char *text = luaflow_lazy_text(rec);
    int first = 1;
    PUT_LIT(c, "{");
    for (uint32_t i = 0; i < rec->nfields; i++) {
        const luaflow_lazy_field *f = &rec->fields[i];
        if (f->flags & LUAFLOW_LAZY_MATERIALIZED) {
            lua_pushlstring(L, text + f->key_off, f->key_len);
            int r = enc_current_member(c, t, depth, &first);
            if (r != 0) return r;
            continue;
        }
        if (!first) PUT_LIT(c, ",");
        first = 0;
        size_t need = f->key_len + f->val_len + 3;
        if (luaflow_buf_reserve(c->out, need) != 0) return ENC_OOM;
        char *d = c->out->data + c->out->len;
        *d++ = '"';
        memcpy(d, text + f->key_off, f->key_len);
        d += f->key_len;
        *d++ = '"';
        *d++ = ':';
        memcpy(d, text + f->val_off, f->val_len);
        c->out->len += need;
        CHECK_LIMIT(c);
    }
    /* keys added to the record, in the order they were first assigned */
    int added_kind = luaflow_lazy_push_added(L, t);
    int added = added_kind ? lua_gettop(L) : 0;
    lua_Integer nadded = added_kind == 2 ? (lua_Integer)lua_rawlen(L, added) : added_kind;
    for (lua_Integer i = 1; i <= nadded; i++) {
        if (added_kind == 2) lua_rawgeti(L, added, i);
        else lua_pushvalue(L, added);
        int r = enc_current_member(c, t, depth, &first);
        if (r != 0) return r;
    }
    /* anything else stored with rawset */
    lua_pushnil(L);
    while (lua_next(L, t)) {
        int known = luaflow_lazy_is_private_key(L, -2);
        if (!known && lua_type(L, -2) == LUA_TSTRING) {
            size_t klen;
            const char *k = lua_tolstring(L, -2, &klen);
            known = luaflow_lazy_find(rec, k, klen) != NULL;
        }
        for (lua_Integer i = 1; i <= nadded && !known; i++) {
            if (added_kind == 2) lua_rawgeti(L, added, i);
            else lua_pushvalue(L, added);
            known = lua_rawequal(L, -1, -3);
            lua_pop(L, 1);
        }
        if (known) {
            lua_pop(L, 1);
            continue;
        }
        if (!first) PUT_LIT(c, ",");
        first = 0;
        int r = enc_member(c, depth);
        if (r != 0) return r;
        lua_pop(L, 1);
    }
    if (added) lua_remove(L, added);
    PUT_LIT(c, "}");
    return 0;
}

static int enc_table(enc_ctx *c, int t, int depth) {
    lua_State *L = c->L;
    if (depth > LUAFLOW_JSON_MAX_DEPTH)
        return fail(c, depth - 1, "nested too deep (reference cycle?)", NULL);
    CHECK_LIMIT(c);
    luaL_checkstack(L, 4, "JSON value nested too deep");
    int is_array = 0;
    if (lua_getmetatable(L, t)) {
        is_array = lua_topointer(L, -1) == c->array_mt;
        lua_pop(L, 1);
        luaflow_lazy_record *rec = is_array ? NULL : luaflow_lazy_get(L, t);
        if (rec) return enc_lazy(c, t, rec, depth);
    }
    size_t n = (size_t)lua_rawlen(L, t);
    if (is_array || (n > 0 && is_sequence(L, t, n))) return enc_array(c, t, n, depth);
    return enc_object(c, t, depth);
}

static int enc_value(enc_ctx *c, int idx, int depth) {
    lua_State *L = c->L;
    luaflow_buf *out = c->out;
    int type = lua_type(L, idx);
    switch (type) {
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        int r = luaflow_json_append_string(out, s, len, 1);
        if (r == -1) return ENC_OOM;
        if (r != 0) return fail(c, depth, "invalid UTF-8 string", NULL);
        CHECK_LIMIT(c);
        return 0;
    }
    case LUA_TNUMBER: {
        if (luaflow_buf_reserve(out, LUAFLOW_NUM_MAX) != 0) return ENC_OOM;
        int n = lua_isinteger(L, idx) ? luaflow_fmt_int(out->data + out->len, lua_tointeger(L, idx))
                                      : luaflow_fmt_double(out->data + out->len, lua_tonumber(L, idx));
        if (n < 0) return fail(c, depth, "NaN or infinity", NULL);
        out->len += (size_t)n;
        return 0;
    }
    case LUA_TBOOLEAN:
        if (lua_toboolean(L, idx)) PUT_LIT(c, "true");
        else PUT_LIT(c, "false");
        return 0;
    case LUA_TLIGHTUSERDATA:
        if (lua_touserdata(L, idx) != luaflow_json_null_ptr()) break;
        PUT_LIT(c, "null");
        return 0;
    case LUA_TNIL:
        PUT_LIT(c, "null"); /* a hole in an array */
        return 0;
    case LUA_TTABLE:
        return enc_table(c, idx, depth + 1);
    default:
        break;
    }
    return fail(c, depth, "unsupported type ", lua_typename(L, type));
}

/* Pushes "cannot encode field <prefix><path>: <msg>" (or "cannot encode value: <msg>"). */
static void push_error(lua_State *L, const enc_ctx *c, const char *prefix) {
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    if (c->errdepth == 0 && (prefix == NULL || prefix[0] == '\0')) {
        luaL_addstring(&b, "cannot encode value");
    } else {
        luaL_addstring(&b, "cannot encode field ");
        if (prefix != NULL) luaL_addstring(&b, prefix);
        for (int i = 0; i < c->errdepth; i++) {
            const path_part *p = &c->path[i];
            if (i == 24 && c->errdepth > 32) { /* a cycle: elide the middle */
                luaL_addstring(&b, "...");
                i = c->errdepth - 8;
                p = &c->path[i];
            }
            if (p->key != NULL) {
                luaL_addchar(&b, '.');
                luaL_addlstring(&b, p->key, p->klen);
            } else {
                char num[LUAFLOW_NUM_MAX];
                luaL_addchar(&b, '[');
                luaL_addlstring(&b, num, (size_t)luaflow_fmt_int(num, p->index));
                luaL_addchar(&b, ']');
            }
        }
    }
    luaL_addstring(&b, ": ");
    luaL_addstring(&b, c->err);
    if (c->errtype != NULL) luaL_addstring(&b, c->errtype);
    luaL_pushresult(&b);
}

/* Encodes with out->len bounded by `limit`; returns what enc_value returned, with out->len
 * restored to `restore_len` on failure and the error message pushed for ENC_FAIL. */
static int encode(lua_State *L, int idx, luaflow_buf *out, size_t limit, const char *prefix,
                  size_t restore_len) {
    enc_ctx c;
    idx = lua_absindex(L, idx);
    c.L = L;
    c.out = out;
    c.limit = limit;
    c.err = NULL;
    c.errtype = NULL;
    c.errdepth = 0;
    luaflow_json_push_array_mt(L);
    c.array_mt = lua_topointer(L, -1);
    lua_pop(L, 1);
    int r = enc_value(&c, idx, 0);
    if (r == 0) return 0;
    out->len = restore_len;
    if (r == ENC_FAIL) push_error(L, &c, prefix);
    return r;
}

/* out->len + room, saturating. */
static size_t limit_after(const luaflow_buf *out, size_t room) {
    return room > SIZE_MAX - out->len ? SIZE_MAX : out->len + room;
}

void luaflow_json_encode_path(lua_State *L, int idx, luaflow_buf *out, const char *prefix,
                              size_t restore_len) {
    int r = encode(L, idx, out, limit_after(out, luaflow_host_room(L)), prefix, restore_len);
    if (r == 0) return;
    if (r == ENC_OOM) luaflow_oom_error(L);
    if (r == ENC_LIMIT) luaflow_memory_error(L);
    lua_error(L);
}

int luaflow_json_encode_bounded(lua_State *L, int idx, luaflow_buf *out, size_t max_len) {
    size_t room = luaflow_host_room(L);
    int r = encode(L, idx, out, limit_after(out, max_len < room ? max_len : room), NULL, out->len);
    if (r == 0) return 0;
    if (r == ENC_OOM) luaflow_oom_error(L);
    if (r == ENC_LIMIT) {
        if (max_len < room) return 1;
        luaflow_memory_error(L);
    }
    return lua_error(L);
}

void luaflow_json_encode_append(lua_State *L, int idx, luaflow_buf *out) {
    luaflow_json_encode_path(L, idx, out, NULL, out->len);
}
