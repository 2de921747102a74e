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
static const char order_key = 0;   /* address: proxy[&order_key] = new keys, in insertion order */
static const char mt_key = 0;      /* address: registry[&mt_key] = the proxies' metatable */

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Skips one JSON value starting at s[i] (valid JSON assumed); returns the index after it. */
static size_t skip_value(const char *s, size_t len, size_t i) {
    if (s[i] == '"') {
        for (i++; i < len && s[i] != '"'; i++)
            if (s[i] == '\\') i++;
        return i + 1;
    }
    if (s[i] == '{' || s[i] == '[') {
        int depth = 0;
        for (; i < len; i++) {
            char c = s[i];
            if (c == '"') {
                i = skip_value(s, len, i) - 1;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (--depth == 0) return i + 1;
            }
        }
        return len;
    }
    while (i < len && s[i] != ',' && s[i] != '}' && s[i] != ']' && !is_space(s[i])) i++;
    return i;
}

/* Indexes the members of the object in [s, s+len). Returns the field count, or -1 when the text
 * is not an object this fast path handles (escaped keys, too many fields). */
static int index_object(const char *s, size_t len, luaflow_lazy_field *fields) {
    size_t i = 0;
    while (i < len && is_space(s[i])) i++;
    if (i >= len || s[i] != '{') return -1;
    i++;
    int n = 0;
    for (;;) {
        while (i < len && is_space(s[i])) i++;
        if (i < len && s[i] == '}') return n;
        if (i >= len || s[i] != '"' || n == MAX_LAZY_FIELDS) return -1;
        size_t key = ++i;
        while (i < len && s[i] != '"') {
            if (s[i] == '\\') return -1;
            i++;
        }
        fields[n].key_off = (uint32_t)key;
        fields[n].key_len = (uint32_t)(i - key);
        for (i++; i < len && (is_space(s[i]) || s[i] == ':'); i++) {}
        size_t value = i;
        i = skip_value(s, len, i);
        fields[n].val_off = (uint32_t)value;
        fields[n].val_len = (uint32_t)(i - value);
        fields[n].flags = 0;
        n++;
        while (i < len && is_space(s[i])) i++;
        if (i < len && s[i] == ',') i++;
    }
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
    if (lua_type(L, idx) != LUA_TLIGHTUSERDATA) return 0;
    void *p = lua_touserdata(L, idx);
    return p == (void *)&private_key || p == (void *)&order_key;
}

int luaflow_lazy_push_order(lua_State *L, int t) {
    if (lua_rawgetp(L, t, &order_key) == LUA_TTABLE) return 1;
    lua_pop(L, 1);
    return 0;
}

/* Appends the key at 2 to the proxy's (at 1) list of new keys unless it is there already. */
static void remember_new_key(lua_State *L) {
    if (!luaflow_lazy_push_order(L, 1)) {
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_rawsetp(L, 1, &order_key);
    }
    lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, i);
        int same = lua_rawequal(L, -1, 2);
        lua_pop(L, 1);
        if (same) {
            lua_pop(L, 1);
            return;
        }
    }
    lua_pushvalue(L, 2);
    lua_rawseti(L, -2, n + 1);
    lua_pop(L, 1);
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

void luaflow_lazy_push(lua_State *L, const char *s, size_t len, int trusted) {
    if (!trusted) {
        char err[256];
        if (!luaflow_json_validate(s, len, err, sizeof err)) {
            lua_pushstring(L, err);
            lua_error(L);
        }
    }
    luaflow_lazy_field fields[MAX_LAZY_FIELDS];
    int n = len < UINT32_MAX ? index_object(s, len, fields) : -1;
    if (n < 0) {
        luaflow_json_decode_push(L, s, len);
        return;
    }
    size_t index_size = sizeof(luaflow_lazy_record) + (size_t)n * sizeof(luaflow_lazy_field);
    luaflow_lazy_record *r = lua_newuserdatauv(L, index_size + len, 0);
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
