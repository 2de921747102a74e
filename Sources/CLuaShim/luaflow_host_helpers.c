/* C functions the sandbox prelude builds on: emit() and the path confinement check behind the
 * sandboxed io.open / io.lines / require. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "luaflow_state.h"
#include "luaflow_json.h"

/* emit(item): appends one more output record of the current run()/finalize() call. */
static int emit_cf(lua_State *L) {
    luaflow_ctx *ctx = luaflow_get_ctx(L);
    if (ctx->emit_slot > 0) { /* fused stage: the item continues at the next stage */
        if (lua_isnoneornil(L, 1)) return luaL_error(L, "emit() needs an item");
        lua_settop(L, 1);
        lua_rawgeti(L, LUA_REGISTRYINDEX, ctx->emit_stack_ref);
        if (lua_rawgeti(L, -1, ctx->emit_slot) != LUA_TTABLE) {
            lua_pop(L, 1);
            lua_newtable(L);
            lua_pushvalue(L, -1);
            lua_rawseti(L, -3, ctx->emit_slot);
        }
        lua_pushvalue(L, 1);
        lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
        ctx->emitted++;
        return 0;
    }
    if (ctx->emit_out == NULL)
        return luaL_error(L, "emit() can only be called while the node is producing output (in run() or finalize())");
    if (lua_isnoneornil(L, 1)) return luaL_error(L, "emit() needs an item");
    luaflow_append_record(L, 1, ctx->emit_out);
    ctx->emitted++;
    return 0;
}

static int has_prefix_dir(const char *path, const char *root) {
    size_t n = strlen(root);
    if (strncmp(path, root, n) != 0) return 0;
    return path[n] == '\0' || path[n] == '/' || (n > 0 && root[n - 1] == '/');
}

/* Resolves `path` (relative to the first root) through symlinks; for a file that does not exist
 * yet, resolves its directory. Returns 0 and fills `out`, or -1. */
static int resolve(const char *path, const char *base, char *out) {
    char joined[PATH_MAX];
    if (path[0] == '/') {
        if (strlen(path) >= sizeof joined) return -1;
        strcpy(joined, path);
    } else if ((size_t)snprintf(joined, sizeof joined, "%s/%s", base, path) >= sizeof joined) {
        return -1;
    }
    if (realpath(joined, out) != NULL) return 0;
    char *slash = strrchr(joined, '/');
    if (slash == NULL) return -1;
    *slash = '\0';
    char dir[PATH_MAX];
    if (realpath(joined[0] ? joined : "/", dir) == NULL) return -1;
    const char *name = slash + 1;
    if (strcmp(name, "..") == 0 || strcmp(name, ".") == 0 || name[0] == '\0') return -1;
    if ((size_t)snprintf(out, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX) return -1;
    return 0;
}

/* path_allowed(path, roots) -> absolute path | nil, reason */
static int path_allowed_cf(lua_State *L) {
    const char *path = luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_rawgeti(L, 2, 1);
    const char *base = lua_tostring(L, -1);
    if (base == NULL) return luaL_error(L, "no allowed directories");
    char resolved[PATH_MAX];
    if (resolve(path, base, resolved) != 0) {
        lua_pushnil(L);
        lua_pushfstring(L, "%s: no such file or directory", path);
        return 2;
    }
    lua_Integer n = (lua_Integer)lua_rawlen(L, 2);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, 2, i);
        const char *root = lua_tostring(L, -1);
        if (root && has_prefix_dir(resolved, root)) {
            lua_pushstring(L, resolved);
            return 1;
        }
        lua_pop(L, 1);
    }
    lua_pushnil(L);
    lua_pushfstring(L, "%s: access denied (scripts may only use files under the pipeline directory "
                       "or paths named in their config)", path);
    return 2;
}

static int helpers_cf(lua_State *L) {
    lua_createtable(L, 0, 3);
    luaflow_open_json(L);
    lua_setfield(L, -2, "json");
    lua_pushcfunction(L, emit_cf);
    lua_setfield(L, -2, "emit");
    lua_pushcfunction(L, path_allowed_cf);
    lua_setfield(L, -2, "path_allowed");
    return 1;
}

int luaflow_push_host_helpers(lua_State *L) {
    lua_pushcfunction(L, helpers_cf);
    return luaflow_pcall(L, 0, 1);
}
