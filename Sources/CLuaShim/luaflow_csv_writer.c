/* CSV writer: appends RFC 4180 fields and rows built from Lua record tables (strings as they
 * are, numbers as in JSON, booleans, nil/json.null empty, tables JSON-encoded), and rejects
 * record keys that are not among the columns. */
#include "luaflow_csv.h"
#include "luaflow_json.h"
#include "luaflow_json_internal.h"

#include <lua5.4/lauxlib.h>
#include <stdarg.h>
#include <string.h>

/* Raises a formatted Lua error without a position prefix. */
static int raise_error(lua_State *L, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    lua_pushvfstring(L, fmt, ap);
    va_end(ap);
    return lua_error(L);
}

static int needs_quotes(const char *s, size_t len, char delim) {
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == delim || c == '"' || c == '\n' || c == '\r') return 1;
    }
    return 0;
}

int luaflow_csv_append_field(luaflow_buf *out, const char *s, size_t len, char delimiter) {
    if (!needs_quotes(s, len, delimiter)) return luaflow_buf_append(out, s, len);
    size_t quotes = 0;
    for (size_t i = 0; i < len; i++) quotes += s[i] == '"';
    if (len > SIZE_MAX - 2 - quotes || luaflow_buf_reserve(out, len + quotes + 2) != 0) return -1;
    char *d = out->data + out->len;
    *d++ = '"';
    for (size_t i = 0; i < len; i++) {
        *d++ = s[i];
        if (s[i] == '"') *d++ = '"';
    }
    *d++ = '"';
    out->len = (size_t)(d - out->data);
    return 0;
}

/* Quotes the field out->data[start..len) in place when it needs quoting. */
static int quote_in_place(luaflow_buf *out, size_t start, char delim) {
    size_t len = out->len - start;
    if (!needs_quotes(out->data + start, len, delim)) return 0;
    size_t quotes = 0;
    for (size_t i = start; i < out->len; i++) quotes += out->data[i] == '"';
    if (luaflow_buf_reserve(out, quotes + 2) != 0) return -1;
    char *s = out->data + start;
    char *d = s + len + quotes + 2;
    *--d = '"';
    for (size_t i = len; i-- > 0;) {
        *--d = s[i];
        if (s[i] == '"') *--d = '"';
    }
    *--d = '"';
    out->len += quotes + 2;
    return 0;
}

/* Raises "field 'k' is not one of the CSV columns (a, b, ...)" for the first record key that
 * is not a column. Does nothing when every key is a column. */
static void check_extra_key(lua_State *L, int t, int cols, lua_Integer ncols, luaflow_buf *out,
                            size_t start) {
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        int found = 0;
        if (lua_type(L, -1) == LUA_TSTRING) {
            for (lua_Integer i = 1; i <= ncols && !found; i++) {
                lua_rawgeti(L, cols, i);
                found = lua_rawequal(L, -1, -2);
                lua_pop(L, 1);
            }
        }
        if (found) continue;
        out->len = start;
        luaL_Buffer b;
        luaL_tolstring(L, -1, NULL); /* the key as text */
        luaL_buffinit(L, &b);
        luaL_addstring(&b, "field '");
        lua_pushvalue(L, -2);
        luaL_addvalue(&b);
        luaL_addstring(&b, "' is not one of the CSV columns (");
        for (lua_Integer i = 1; i <= ncols; i++) {
            if (i > 1) luaL_addstring(&b, ", ");
            if (i > 20) {
                luaL_addstring(&b, "...");
                break;
            }
            lua_rawgeti(L, cols, i);
            luaL_addvalue(&b);
        }
        luaL_addstring(&b, ")");
        luaL_pushresult(&b);
        lua_error(L);
    }
}

/* Appends the value at the top of the stack (column `name`) as one field. Returns 1 when the
 * value is present (not nil), 0 for nil. */
static int append_value(lua_State *L, const char *name, luaflow_buf *out, char delim,
                        size_t row_start) {
    char num[LUAFLOW_NUM_MAX];
    int type = lua_type(L, -1);
    int rc = 0;
    switch (type) {
    case LUA_TNIL:
        return 0;
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, -1, &len);
        rc = luaflow_csv_append_field(out, s, len, delim);
        break;
    }
    case LUA_TNUMBER: {
        int n = lua_isinteger(L, -1) ? luaflow_fmt_int(num, lua_tointeger(L, -1))
                                     : luaflow_fmt_double(num, lua_tonumber(L, -1));
        if (n < 0) {
            out->len = row_start;
            raise_error(L, "cannot encode field .%s: NaN or infinity", name);
        }
        rc = luaflow_csv_append_field(out, num, (size_t)n, delim);
        break;
    }
    case LUA_TBOOLEAN:
        rc = lua_toboolean(L, -1) ? luaflow_csv_append_field(out, "true", 4, delim)
                                  : luaflow_csv_append_field(out, "false", 5, delim);
        break;
    case LUA_TLIGHTUSERDATA:
        if (lua_touserdata(L, -1) == luaflow_json_null_ptr()) return 1;
        out->len = row_start;
        raise_error(L, "cannot encode field .%s: unsupported type userdata", name);
        break;
    case LUA_TTABLE: {
        size_t start = out->len;
        lua_pushfstring(L, ".%s", name);
        luaflow_json_encode_path(L, -2, out, lua_tostring(L, -1), row_start);
        lua_pop(L, 1);
        rc = quote_in_place(out, start, delim);
        break;
    }
    default:
        out->len = row_start;
        raise_error(L, "cannot encode field .%s: unsupported type %s", name, lua_typename(L, type));
    }
    if (rc != 0) {
        out->len = row_start;
        luaflow_oom_error(L);
    }
    return 1;
}

void luaflow_csv_append_row(lua_State *L, int tidx, int cidx, luaflow_buf *out, char delimiter,
                            int ignore_extra) {
    int t = lua_absindex(L, tidx), cols = lua_absindex(L, cidx);
    size_t start = out->len;
    luaL_checkstack(L, 6, NULL);
    luaL_checktype(L, t, LUA_TTABLE);
    luaL_checktype(L, cols, LUA_TTABLE);
    lua_Integer ncols = (lua_Integer)lua_rawlen(L, cols);
    lua_Integer present = 0;
    for (lua_Integer i = 1; i <= ncols; i++) {
        if (i > 1 && luaflow_buf_append(out, &delimiter, 1) != 0) {
            out->len = start;
            luaflow_oom_error(L);
        }
        if (lua_rawgeti(L, cols, i) != LUA_TSTRING) {
            out->len = start;
            raise_error(L, "CSV column %d is not a string", (int)i);
        }
        const char *name = lua_tostring(L, -1);
        lua_pushvalue(L, -1);
        lua_rawget(L, t);
        present += append_value(L, name, out, delimiter, start);
        lua_pop(L, 2);
    }
    /* a lone empty field would read back as a blank line */
    if (ncols == 1 && out->len == start && luaflow_buf_append(out, "\"\"", 2) != 0) {
        out->len = start;
        luaflow_oom_error(L);
    }
    if (luaflow_buf_append(out, "\n", 1) != 0) {
        out->len = start;
        luaflow_oom_error(L);
    }
    if (ignore_extra) return;
    lua_Integer entries = 0;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        entries++;
    }
    if (entries > present) check_extra_key(L, t, cols, ncols, out, start);
}
