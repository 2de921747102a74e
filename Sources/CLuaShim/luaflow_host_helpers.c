/* C functions the sandbox prelude builds on: emit() and the confined open behind the sandboxed
 * io.open / io.lines / require (luaflow_files.c). */
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

/* mark_metatables(): notes that a script sets a metatable; from then on, fused stages check what
 * one script hands the next (luaflow_chain.c). */
static int mark_metatables_cf(lua_State *L) {
    luaflow_get_ctx(L)->metatables_set = 1;
    return 0;
}

static int helpers_cf(lua_State *L) {
    lua_createtable(L, 0, 4);
    luaflow_open_json(L);
    lua_setfield(L, -2, "json");
    lua_pushcfunction(L, emit_cf);
    lua_setfield(L, -2, "emit");
    lua_pushcfunction(L, luaflow_open_checked);
    lua_setfield(L, -2, "open");
    lua_pushcfunction(L, mark_metatables_cf);
    lua_setfield(L, -2, "mark_metatables");
    return 1;
}

int luaflow_push_host_helpers(lua_State *L) {
    lua_pushcfunction(L, helpers_cf);
    return luaflow_pcall(L, 0, 1);
}
