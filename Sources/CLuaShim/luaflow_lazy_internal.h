/* Lazy records, shared between luaflow_lazy.c (proxy tables) and the JSON encoder. */
#ifndef LUAFLOW_LAZY_INTERNAL_H
#define LUAFLOW_LAZY_INTERNAL_H
#include <stdint.h>
#include <lua5.4/lua.h>
#include "luaflow_json_internal.h"

/* The field has been written, deleted or read as a table: its current value is the proxy's raw
 * entry (absent = deleted), not the original text. */
#define LUAFLOW_LAZY_MATERIALIZED 1u

typedef struct luaflow_lazy_field {
    uint32_t key_off, key_len; /* key bytes inside the quotes (never contains escapes) */
    uint32_t val_off, val_len; /* the value's JSON text */
    uint32_t flags;
} luaflow_lazy_field;

/* Stored in a userdata that the proxy table keeps under a private key; the record's JSON text
 * follows the field index. */
typedef struct luaflow_lazy_record {
    uint32_t nfields;
    uint32_t text_len;
    luaflow_lazy_field fields[];
} luaflow_lazy_record;

static inline const char *luaflow_lazy_text(const luaflow_lazy_record *r) {
    return (const char *)(r->fields + r->nfields);
}

/* The record behind the table at `t` when it is a lazy proxy, else NULL. stack: unchanged */
LUAFLOW_HIDDEN luaflow_lazy_record *luaflow_lazy_get(lua_State *L, int t);
/* The field named [k, k+klen) of `r`, or NULL. */
LUAFLOW_HIDDEN luaflow_lazy_field *luaflow_lazy_find(luaflow_lazy_record *r, const char *k, size_t klen);
/* Pushes the keys added to the proxy at `t`, in insertion order: returns 0 (nothing pushed), 1
 * (the single key pushed) or 2 (a list of keys pushed). */
LUAFLOW_HIDDEN int luaflow_lazy_push_added(lua_State *L, int t);
/* Is the key at `idx` the proxy's private key? */
LUAFLOW_HIDDEN int luaflow_lazy_is_private_key(lua_State *L, int idx);

#endif
