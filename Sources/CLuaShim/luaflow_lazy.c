/* Lazy records: a top-level JSON object reaches a script as a table whose fields are decoded only
 * when read. Scalars are decoded on every read; tables are decoded once and kept in the proxy;
 * writes and deletions go to the proxy. When the record is encoded, untouched fields are copied
 * from the original text, so a transform that touches three fields of twenty pays for three. */
#include <string.h>
#include <lua5.4/lauxlib.h>
#include "luaflow_json.h"
#include "luaflow_lazy_internal.h"

#define MAX_LAZY_FIELDS 128

static const char private_key = 0; /* address: proxy[&private_key] = record userdata */
/* The record userdata's user value 1 holds the keys added to the record, in insertion order:
 * nil (none), the key itself (one: the common case, no allocation), or a list of keys. */
static const char mt_key = 0;      /* address: registry[&mt_key] = the proxies' metatable */

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Indexes the members of the object in [s, s+len), validating every byte. Returns the field
 * count; -1 when this fast path does not apply (not an object, escaped keys, too many fields:
 * the caller decodes eagerly, which validates too); -2 when the text is invalid (message in err). */
static int index_object(const char *s, size_t len, luaflow_lazy_field *fields, char *err, size_t errlen) {
    const char *e = s + len, *p = s;
    while (p < e && is_space(*p)) p++;
    if (p >= e || *p != '{') return -1;
    p++;
    int n = 0;
    for (;;) {
        while (p < e && is_space(*p)) p++;
        if (n == 0 && p < e && *p == '}') { p++; break; }
        if (n == MAX_LAZY_FIELDS || p >= e || *p != '"') return -1;
        const char *key = p + 1;
        const char *after_key = luaflow_json_scan_value(p, e, s, err, errlen);
        if (after_key == NULL) return -2;
        if (memchr(key, '\\', (size_t)(after_key - 1 - key)) != NULL) return -1;
        fields[n].key_off = (uint32_t)(key - s);
        fields[n].key_len = (uint32_t)(after_key - 1 - key);
        p = after_key;
        while (p < e && is_space(*p)) p++;
        if (p >= e || *p != ':') return -1;
        p++;
        while (p < e && is_space(*p)) p++;
        const char *after = luaflow_json_scan_value(p, e, s, err, errlen);
        if (after == NULL) return -2;
        fields[n].val_off = (uint32_t)(p - s);
        fields[n].val_len = (uint32_t)(after - p);
        fields[n].flags = 0;
        n++;
        p = after;
        while (p < e && is_space(*p)) p++;
        if (p < e && *p == ',') { p++; continue; }
        if (p < e && *p == '}') { p++; break; }
        return -1;
    }
    while (p < e && is_space(*p)) p++;
    return p == e ? n : -1;
}

luaflow_lazy_record *luaflow_lazy_get(lua_State *L, int t) {
    if (lua_rawgetp(L, t, &private_key) != LUA_TUSERDATA) {
        lua_pop(L, 1);
        return NULL;
    }
    luaflow_lazy_record *r = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return r;
}

int luaflow_lazy_is_private_key(lua_State *L, int idx) {
    return lua_type(L, idx) == LUA_TLIGHTUSERDATA && lua_touserdata(L, idx) == (void *)&private_key;
}

int luaflow_lazy_push_added(lua_State *L, int t) {
    if (lua_rawgetp(L, t, &private_key) != LUA_TUSERDATA) {
        lua_pop(L, 1);
        return 0;
    }
    int type = lua_getiuservalue(L, -1, 1);
    lua_remove(L, -2);
    if (type == LUA_TNIL || type == LUA_TNONE) {
        lua_pop(L, 1);
        return 0;
    }
    return type == LUA_TTABLE ? 2 : 1;
}

/* Remembers the key at 2 as added to the proxy at 1 (once). */
static void remember_new_key(lua_State *L) {
    lua_rawgetp(L, 1, &private_key); /* stack: ..., ud */
    int ud = lua_gettop(L);
    int type = lua_getiuservalue(L, ud, 1);
    if (type == LUA_TNIL || type == LUA_TNONE) {
        lua_pushvalue(L, 2);
        lua_setiuservalue(L, ud, 1);
    } else if (type != LUA_TTABLE) {
        if (!lua_rawequal(L, -1, 2)) { /* a second key: switch to a list */
            lua_createtable(L, 4, 0);
            lua_insert(L, -2);
            lua_rawseti(L, -2, 1);
            lua_pushvalue(L, 2);
            lua_rawseti(L, -2, 2);
            lua_pushvalue(L, -1);
            lua_setiuservalue(L, ud, 1);
        }
    } else {
        lua_Integer n = (lua_Integer)lua_rawlen(L, -1), i;
        for (i = 1; i <= n; i++) {
            lua_rawgeti(L, -1, i);
            int same = lua_rawequal(L, -1, 2);
            lua_pop(L, 1);
            if (same) break;
        }
        if (i > n) {
            lua_pushvalue(L, 2);
            lua_rawseti(L, -2, n + 1);
        }
    }
    lua_settop(L, ud - 1);
}

luaflow_lazy_field *luaflow_lazy_find(luaflow_lazy_record *r, const char *k, size_t klen) {
    const char *text = luaflow_lazy_text(r);
    for (uint32_t i = 0; i < r->nfields; i++) {
        luaflow_lazy_field *f = &r->fields[i];
        if (f->key_len == klen && memcmp(text + f->key_off, k, klen) == 0) return f;
    }
    return NULL;
}

/* Pushes the decoded value of `f`; tables are kept in the proxy at index 1 under key at 2. */
static void push_field(lua_State *L, luaflow_lazy_record *r, luaflow_lazy_field *f) {
    const char *text = luaflow_lazy_text(r);
    luaflow_json_decode_push(L, text + f->val_off, f->val_len);
    if (lua_type(L, -1) == LUA_TTABLE) {
        f->flags |= LUAFLOW_LAZY_MATERIALIZED;
        lua_pushvalue(L, 2);
        lua_pushvalue(L, -2);
        lua_rawset(L, 1);
    }
}

/* __index(proxy, key): a field not read as a table yet, or nil. */
static int lazy_index(lua_State *L) {
    size_t klen;
    if (lua_type(L, 2) != LUA_TSTRING) return 0;
    const char *k = lua_tolstring(L, 2, &klen);
    luaflow_lazy_record *r = luaflow_lazy_get(L, 1);
    luaflow_lazy_field *f = r ? luaflow_lazy_find(r, k, klen) : NULL;
    if (f == NULL || (f->flags & LUAFLOW_LAZY_MATERIALIZED)) return 0;
    push_field(L, r, f);
    return 1;
}

/* __newindex(proxy, key, value): marks an original field as replaced (or deleted), or remembers
 * a new key's position, then stores. */
static int lazy_newindex(lua_State *L) {
    luaflow_lazy_field *f = NULL;
    if (lua_type(L, 2) == LUA_TSTRING) {
        size_t klen;
        const char *k = lua_tolstring(L, 2, &klen);
        luaflow_lazy_record *r = luaflow_lazy_get(L, 1);
        f = r ? luaflow_lazy_find(r, k, klen) : NULL;
        if (f) f->flags |= LUAFLOW_LAZY_MATERIALIZED;
    }
    lua_settop(L, 3);
    if (f == NULL && !lua_isnil(L, 3) && !lua_isnil(L, 2)) remember_new_key(L);
    lua_rawset(L, 1);
    return 0;
}

/* next() over the proxy's own entries, hiding the private key. */
static int lazy_next(lua_State *L) {
    lua_settop(L, 2);
    while (lua_next(L, 1)) {
        if (!luaflow_lazy_is_private_key(L, -2)) return 2;
        lua_pop(L, 1);
    }
    lua_pushnil(L);
    return 1;
}

/* __pairs(proxy): decodes every remaining field into the proxy, then iterates it. */
static int lazy_pairs(lua_State *L) {
    luaflow_lazy_record *r = luaflow_lazy_get(L, 1);
    const char *text = r ? luaflow_lazy_text(r) : NULL;
    for (uint32_t i = 0; r && i < r->nfields; i++) {
        luaflow_lazy_field *f = &r->fields[i];
        if (f->flags & LUAFLOW_LAZY_MATERIALIZED) continue;
        f->flags |= LUAFLOW_LAZY_MATERIALIZED;
        lua_pushlstring(L, text + f->key_off, f->key_len);
        luaflow_json_decode_push(L, text + f->val_off, f->val_len);
        lua_rawset(L, 1);
    }
    lua_pushcfunction(L, lazy_next);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

static void push_metatable(lua_State *L) {
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &mt_key) == LUA_TTABLE) return;
    lua_pop(L, 1);
    lua_createtable(L, 0, 5);
    lua_pushcfunction(L, lazy_index);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, lazy_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushcfunction(L, lazy_pairs);
    lua_setfield(L, -2, "__pairs");
    lua_pushliteral(L, "json.object");
    lua_setfield(L, -2, "__name");
    lua_pushliteral(L, "json.object");
    lua_setfield(L, -2, "__metatable");
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &mt_key);
}

void luaflow_lazy_push(lua_State *L, const char *s, size_t len) {
    luaflow_lazy_field fields[MAX_LAZY_FIELDS];
    char err[256];
    int n = len < UINT32_MAX ? index_object(s, len, fields, err, sizeof err) : -1;
    if (n == -2) {
        lua_pushstring(L, err);
        lua_error(L);
    }
    if (n < 0) {
        luaflow_json_decode_push(L, s, len);
        return;
    }
    size_t index_size = sizeof(luaflow_lazy_record) + (size_t)n * sizeof(luaflow_lazy_field);
    luaflow_lazy_record *r = lua_newuserdatauv(L, index_size + len, 1);
    r->nfields = (uint32_t)n;
    r->text_len = (uint32_t)len;
    memcpy(r->fields, fields, (size_t)n * sizeof(luaflow_lazy_field));
    memcpy((char *)r + index_size, s, len);
    lua_createtable(L, 0, 4);          /* stack: ud, proxy */
    lua_insert(L, -2);                 /* stack: proxy, ud */
    lua_rawsetp(L, -2, &private_key);  /* stack: proxy */
    push_metatable(L);
    lua_setmetatable(L, -2);
}
