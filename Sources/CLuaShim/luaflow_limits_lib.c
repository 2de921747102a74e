/* The standard functions that could defeat the limits, replaced in every luaflow state (as Redis
 * does for its scripts): pcall, xpcall and coroutine.resume re-raise once the state was killed, so
 * no script can catch the budget or time-limit error; xpcall skips the script's message handler
 * then; setmetatable refuses __gc, because Lua runs finalizers with hooks off, where no budget can
 * reach them. string.find/match/gmatch/gsub are the bounded matcher of luaflow_patterns.c. */
#include "luaflow_state.h"

/* As lbaselib's finishpcall, but a killed state's error propagates instead of being returned. */
static int finish_pcall(lua_State *L, int status, lua_KContext extra) {
    if (status != LUA_OK && status != LUA_YIELD) {
        luaflow_raise_if_killed(L);
        lua_pushboolean(L, 0);
        lua_pushvalue(L, -2);
        return 2;
    }
    return lua_gettop(L) - (int)extra;
}

static int limited_pcall(lua_State *L) {
    luaL_checkany(L, 1);
    lua_pushboolean(L, 1); /* first result if no errors */
    lua_insert(L, 1);
    int status = lua_pcallk(L, lua_gettop(L) - 2, LUA_MULTRET, 0, 0, finish_pcall);
    return finish_pcall(L, status, 0);
}

/* The message handler xpcall installs: upvalue 1 is the script's handler, which a killed state
 * does not run (it could loop, or turn the kill into an ordinary error). */
static int guarded_handler(lua_State *L) {
    luaflow_ctx *ctx = luaflow_ctx_of(L);
    if (ctx != NULL && ctx->killed) {
        lua_settop(L, 1);
        return 1;
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int limited_xpcall(lua_State *L) {
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, guarded_handler, 1);
    lua_replace(L, 2);
    lua_pushboolean(L, 1); /* first result */
    lua_pushvalue(L, 1);   /* function */
    lua_rotate(L, 3, 2);   /* stack: f, handler, true, f, args... */
    int status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, finish_pcall);
    return finish_pcall(L, status, 2);
}

/* coroutine.resume (upvalue 1) that re-raises when the coroutine died of a kill. */
static int limited_resume(lua_State *L) {
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    luaflow_raise_if_killed(L);
    return lua_gettop(L);
}

/* setmetatable (upvalue 1) that refuses metatables with a __gc field. */
static int limited_setmetatable(lua_State *L) {
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "setmetatable: __gc finalizers are not allowed in luaflow scripts "
                                 "(they run where no instruction budget or time limit can stop them)");
        lua_pop(L, 1);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

/* Replaces table[name] (table on top) by closure(f, upvalue = the original). stack: unchanged */
static void wrap_field(lua_State *L, const char *name, lua_CFunction f) {
    lua_getfield(L, -1, name);
    lua_pushcclosure(L, f, 1);
    lua_setfield(L, -2, name);
}

void luaflow_open_limited_libs(lua_State *L) {
    lua_pushglobaltable(L);
    lua_pushcfunction(L, limited_pcall);
    lua_setfield(L, -2, "pcall");
    lua_pushcfunction(L, limited_xpcall);
    lua_setfield(L, -2, "xpcall");
    wrap_field(L, "setmetatable", limited_setmetatable);
    lua_getfield(L, -1, "coroutine");
    wrap_field(L, "resume", limited_resume);
    lua_pop(L, 1);
    lua_getfield(L, -1, "string");
    luaflow_open_patterns(L);
    lua_pop(L, 2);
}
