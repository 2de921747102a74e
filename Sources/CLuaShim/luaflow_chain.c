/* Fused stages: several transforms in one state, a record handed from one run() to the next as a
 * Lua value. emit() in stage k collects into a per-stage list (slot k+1 of a registry table), and
 * those items continue at stage k+1 before the value stage k returned, as they would unfused. */
#include <string.h>
#include "luaflow_state.h"
#include "luaflow_json.h"
#include "luaflow_json_internal.h"
#include "luaflow_lazy_internal.h"

typedef struct chain_call {
    luaflow_chain *chain;
    luaflow_batch_io *io;
    int start;  /* finalize: the stage whose finalize runs */
    int fn;     /* finalize: its function */
    const void *array_mt; /* the JSON array metatable, which records may keep between stages */
} chain_call;

static void push_emit_stack(lua_State *L) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, luaflow_get_ctx(L)->emit_stack_ref);
}

static void run_from(lua_State *L, chain_call *c, int k);

/* The address of the JSON array metatable. stack: unchanged */
static const void *array_metatable(lua_State *L) {
    luaflow_json_push_array_mt(L);
    const void *p = lua_topointer(L, -1);
    lua_pop(L, 1);
    return p;
}

/* What one script hands the next is data, as if it had been written as JSON and read back: a
 * table's own metatable is dropped (the encoder ignores it), so no code of one script runs inside
 * the next one's calls through metamethods, and a function or coroutine raises the error the
 * encoder would. The host's array and lazy record metatables stay. Called only once a script has
 * set a metatable (before that, only the host's exist). `array_mt` is the array metatable's
 * address. stack: unchanged */
static void make_plain(lua_State *L, int idx, const void *array_mt, int depth) {
    int type = lua_type(L, idx);
    if (type == LUA_TNIL || type == LUA_TBOOLEAN || type == LUA_TNUMBER || type == LUA_TSTRING) return;
    if (type == LUA_TLIGHTUSERDATA && lua_touserdata(L, idx) == luaflow_json_null_ptr()) return;
    if (type != LUA_TTABLE)
        luaL_error(L, "cannot pass a %s to the next transform: records hold only JSON values", lua_typename(L, type));
    if (depth > LUAFLOW_JSON_MAX_DEPTH) luaL_error(L, "record nested too deep (reference cycle?)");
    luaL_checkstack(L, 4, "record nested too deep");
    idx = lua_absindex(L, idx);
    int lazy = 0;
    if (lua_getmetatable(L, idx)) {
        int array = lua_topointer(L, -1) == array_mt;
        lua_pop(L, 1);
        lazy = !array && luaflow_lazy_get(L, idx) != NULL;
        if (!array && !lazy) {
            lua_pushnil(L);
            lua_setmetatable(L, idx);
        }
    }
    lua_pushnil(L);
    while (lua_next(L, idx)) { /* stack: key, value */
        if (!(lazy && luaflow_lazy_is_private_key(L, -2))) {
            int key = lua_type(L, -2);
            if (key != LUA_TSTRING && key != LUA_TNUMBER)
                luaL_error(L, "cannot pass a table with a %s key to the next transform: records hold only JSON values",
                           lua_typename(L, key));
            make_plain(L, -1, array_mt, depth + 1);
        }
        lua_pop(L, 1);
    }
}

/* A fresh, empty emit table for this protected call (a failed call may have left items). */
static void reset_emit_stack(lua_State *L) {
    luaflow_ctx *ctx = luaflow_get_ctx(L);
    lua_newtable(L);
    if (ctx->emit_stack_ref <= 0) ctx->emit_stack_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    else lua_rawseti(L, LUA_REGISTRYINDEX, ctx->emit_stack_ref);
}

/* The list emitted into `slot` (and cleared), or nothing. stack: -> [list] ; returns 1 if pushed */
static int take_emitted(lua_State *L, int slot) {
    push_emit_stack(L);
    if (lua_rawgeti(L, -1, slot) != LUA_TTABLE) {
        lua_pop(L, 2);
        return 0;
    }
    lua_pushnil(L);
    lua_rawseti(L, -3, slot);
    lua_remove(L, -2);
    return 1;
}

/* Sends what stage k produced: the emitted list (on top, if any), then the result below it.
 * stack: result[, list] -> */
static void forward(lua_State *L, chain_call *c, int k, int had_emits) {
    luaflow_chain *ch = c->chain;
    int produced = 0;
    if (had_emits) {
        lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
        for (lua_Integer i = 1; i <= n; i++, produced++) {
            ch->out[k]++; /* counted before the next stage runs: it may fail */
            lua_rawgeti(L, -1, i);
            run_from(L, c, k + 1);
        }
        lua_pop(L, 1);
    }
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
    } else {
        produced++;
        ch->out[k]++;
        run_from(L, c, k + 1);
    }
    if (produced == 0) ch->dropped[k]++;
}

/* Records a skipped failure of stage k: {k, message}. stack: message -> */
static void note_skipped(lua_State *L, luaflow_chain *ch, int k) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, ch->skipped_ref);
    lua_createtable(L, 2, 0);
    lua_pushinteger(L, k);
    lua_rawseti(L, -2, 1);
    lua_pushvalue(L, -3);
    lua_rawseti(L, -2, 2);
    lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
    lua_pop(L, 2);
}

/* Runs the value on top through stages k..n-1 and encodes what leaves the last one. stack: v -> */
static void run_from(lua_State *L, chain_call *c, int k) {
    luaflow_chain *ch = c->chain;
    luaflow_batch_io *io = c->io;
    luaflow_ctx *ctx = luaflow_get_ctx(L);
    if (k == ch->n) {
        ch->failed_stage = ch->n - 1;
        io->phase = LUAFLOW_PHASE_ENCODE;
        luaflow_append_record(L, -1, io->out);
        io->returned++;
        lua_pop(L, 1);
        return;
    }
    luaL_checkstack(L, 8, "fused stages nested too deep");
    if (k > 0 && ctx->metatables_set) { /* without a script's metatable, a record is plain already */
        ch->failed_stage = k - 1;
        io->phase = LUAFLOW_PHASE_ENCODE;
        make_plain(L, -1, c->array_mt, 0);
    }
    ch->in[k]++;
    ch->failed_stage = k;
    io->phase = LUAFLOW_PHASE_CALL;
    lua_rawgeti(L, LUA_REGISTRYINDEX, ch->fns[k]);
    lua_insert(L, -2);
    int saved = ctx->emit_slot;
    ctx->emit_slot = k + 1;
    luaflow_next_call(L);
    if (ch->skip && ch->skip[k]) {
        int status = lua_pcall(L, 1, 1, 0);
        ctx->emit_slot = saved;
        if (status != LUA_OK) {
            if (ctx->killed) { /* skipped like any failed call, reported as the kill */
                lua_pop(L, 1);
                lua_pushstring(L, ctx->kill_message);
                luaflow_reset_budget(L);
            }
            note_skipped(L, ch, k);
            if (take_emitted(L, k + 1)) lua_pop(L, 1); /* what it emitted before failing is dropped */
            return;
        }
    } else {
        lua_call(L, 1, 1);
        ctx->emit_slot = saved;
    }
    forward(L, c, k, take_emitted(L, k + 1)); /* stack: result[, list] */
}

static int chain_cf(lua_State *L) {
    chain_call *c = lua_touserdata(L, 1);
    luaflow_batch_io *io = c->io;
    c->array_mt = array_metatable(L);
    reset_emit_stack(L);
    int top = lua_gettop(L);
    while (luaflow_next_record(io)) {
        const char *start = io->in + io->record_start;
        io->record_out_start = io->out->len;
        io->records++;
        io->phase = LUAFLOW_PHASE_DECODE;
        c->chain->failed_stage = 0;
        if (io->lazy) luaflow_lazy_push(L, start, io->record_len);
        else luaflow_json_decode_push(L, start, io->record_len);
        run_from(L, c, 0);
        lua_settop(L, top);
        const char *nl = memchr(start + io->record_len, '\n', io->in_len - io->record_start - io->record_len);
        io->pos = nl ? (size_t)(nl - io->in) + 1 : io->in_len;
    }
    return 0;
}

static int protected_chain(lua_State *L, lua_CFunction f, chain_call *c) {
    luaflow_ctx *ctx = luaflow_get_ctx(L);
    lua_pushcfunction(L, f);
    lua_pushlightuserdata(L, c);
    int status = luaflow_pcall(L, 1, 0);
    ctx->emit_slot = 0;
    return status;
}

int luaflow_run_chain_batch(lua_State *L, luaflow_chain *chain, luaflow_batch_io *io) {
    chain_call c = { .chain = chain, .io = io };
    return protected_chain(L, chain_cf, &c);
}

static int chain_finalize_cf(lua_State *L) {
    chain_call *c = lua_touserdata(L, 1);
    luaflow_ctx *ctx = luaflow_get_ctx(L);
    int k = c->start;
    c->array_mt = array_metatable(L);
    reset_emit_stack(L);
    luaflow_next_call(L);
    c->chain->failed_stage = k;
    c->io->phase = LUAFLOW_PHASE_CALL;
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->fn);
    ctx->emit_slot = k + 1;
    lua_call(L, 0, 1); /* stack: result */
    ctx->emit_slot = 0;
    /* emitted items first, then the items of a returned list, as unfused */
    int64_t produced = 0;
    if (take_emitted(L, k + 1)) { /* stack: result, list */
        lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
        for (lua_Integer i = 1; i <= n; i++, produced++) {
            lua_rawgeti(L, -1, i);
            run_from(L, c, k + 1);
        }
        lua_pop(L, 1);
    }
    luaflow_check_list(L, -1, "finalize()");
    if (lua_istable(L, -1)) {
        lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
        for (lua_Integer i = 1; i <= n; i++, produced++) {
            lua_rawgeti(L, -1, i);
            run_from(L, c, k + 1);
        }
    }
    c->chain->out[k] += produced;
    return 0;
}

int luaflow_run_chain_finalize(lua_State *L, luaflow_chain *chain, int k, int fn, luaflow_batch_io *io) {
    chain_call c = { .chain = chain, .io = io, .start = k, .fn = fn };
    return protected_chain(L, chain_finalize_cf, &c);
}
