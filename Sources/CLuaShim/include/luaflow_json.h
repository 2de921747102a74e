#ifndef LUAFLOW_JSON_H
#define LUAFLOW_JSON_H
#include <lua5.4/lua.h>
#include "luaflow_buf.h"

/// JSON codec between JSON text and Lua values, with luaflow's fidelity rules:
/// - JSON null <-> `json.null` (a light userdata whose pointer is `luaflow_json_null_ptr()`).
/// - JSON arrays decode to tables carrying the array metatable (`luaflow_json_push_array_mt`), so
///   `[]` re-encodes as `[]`; a table without that metatable encodes as an array only when it is a
///   non-empty sequence 1..n, otherwise as an object (an empty plain table is `{}`).
/// - Integers stay integers (int64), floats stay floats (encoded shortest round-trip, always with a
///   '.' or exponent); NaN and infinity cannot be encoded.
/// - Strings are bytes; encoding requires valid UTF-8 and never escapes non-ASCII.
/// The functions that take a lua_State raise Lua errors (luaL_error) and so must only run inside a
/// protected call (lua_pcall); they never run from a Swift frame directly.

/// The address used as `json.null`.
void *luaflow_json_null_ptr(void);
/// Pushes the shared array metatable (created on first use, kept in the registry).
/// stack: -> mt
void luaflow_json_push_array_mt(lua_State *L);
/// Decodes one JSON value (surrounding whitespace allowed, nothing else after it).
/// stack: -> value. Error message: "invalid JSON at byte N: <what was expected>".
void luaflow_json_decode_push(lua_State *L, const char *s, size_t len);
/// Pushes a record for a script: a top-level object becomes a lazy proxy table whose fields are
/// decoded when read (untouched fields are re-encoded from the original text); anything else is
/// decoded as by luaflow_json_decode_push. The text is validated while it is indexed; errors are
/// raised as by the decoder.
/// stack: -> value
void luaflow_lazy_push(lua_State *L, const char *s, size_t len);
/// Appends the JSON encoding of the value at `idx` to `out` (no trailing newline).
/// Error message names the field path: "cannot encode field .address.tags[2]: invalid UTF-8".
/// stack: unchanged.
void luaflow_json_encode_append(lua_State *L, int idx, luaflow_buf *out);
/// Checks that [s, s+len) is one valid JSON value, without Lua. Returns 1 when valid; otherwise 0
/// and a message ("invalid JSON at byte N: ...") in `err`.
int luaflow_json_validate(const char *s, size_t len, char *err, size_t errlen);
/// Pushes the `json` module table: encode(v) -> string, decode(s) -> value, null, array(t) -> t
/// (marks t as an array), is_array(t) -> boolean.
/// stack: -> module
int luaflow_open_json(lua_State *L);

#endif
