/* A lua_State with luaflow's limits: an allocator that enforces a memory limit (host buffers a
 * call fills count too), a count hook that enforces the instruction budget and the per-call time
 * limit and keeps a killed state dying, the trampoline through which Lua calls Swift, and
 * protected-call helpers with a traceback message handler. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <stdint.h>
#include "luaflow_state.h"

#define HOOK_EVERY 10000

volatile sig_atomic_t luaflow_interrupt_level = 0;
static volatile sig_atomic_t interrupt_signal = 0;

/* Temp files of outputs being written: removed if a second Ctrl-C ends the process at once. */
#define MAX_TEMP_FILES 256
static char *temp_files[MAX_TEMP_FILES];
static pthread_mutex_t temp_files_lock = PTHREAD_MUTEX_INITIALIZER;

void luaflow_track_temp_file(const char *path) {
    pthread_mutex_lock(&temp_files_lock);
    for (int i = 0; i < MAX_TEMP_FILES; i++) {
        if (temp_files[i] == NULL) {
            temp_files[i] = strdup(path);
            break;
        }
    }
    pthread_mutex_unlock(&temp_files_lock);
}

void luaflow_untrack_temp_file(const char *path) {
    pthread_mutex_lock(&temp_files_lock);
    for (int i = 0; i < MAX_TEMP_FILES; i++) {
        if (temp_files[i] != NULL && strcmp(temp_files[i], path) == 0) {
            char *p = temp_files[i];
            temp_files[i] = NULL;
            free(p);
            break;
        }
    }
    pthread_mutex_unlock(&temp_files_lock);
}

/* What the second signal prints on standard error before exiting, per signal (set once, before
 * the handlers are installed). */
#define EXIT_NOTICE_MAX 512
static char exit_notice[2][EXIT_NOTICE_MAX];
static size_t exit_notice_len[2];

void luaflow_set_exit_notice(int sig, const char *text) {
    int slot = sig == SIGTERM ? 1 : 0;
    size_t len = strlen(text);
    if (len >= EXIT_NOTICE_MAX) len = EXIT_NOTICE_MAX - 1;
    memcpy(exit_notice[slot], text, len);
    exit_notice_len[slot] = len;
}

static void on_stop_signal(int sig) {
    if (interrupt_signal == 0) interrupt_signal = sig;
    luaflow_interrupt_level++;
    if (luaflow_interrupt_level >= 2) {
        for (int i = 0; i < MAX_TEMP_FILES; i++) {
            char *p = temp_files[i];
            if (p != NULL) unlink(p); /* async-signal-safe */
        }
        int slot = sig == SIGTERM ? 1 : 0;
        if (exit_notice_len[slot] > 0) {
            ssize_t ignored = write(STDERR_FILENO, exit_notice[slot], exit_notice_len[slot]);
            (void)ignored;
        }
        _exit(128 + interrupt_signal);
    }
}

void luaflow_install_stop_handlers(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* A parent may have started us with these signals blocked (test runners do); unblock them so
     * the handler runs. Stage threads created afterwards inherit this mask. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

int luaflow_interrupt_requested(void) {
    return (int)luaflow_interrupt_level;
}

int luaflow_interrupt_signal(void) {
    return (int)interrupt_signal;
}

luaflow_ctx *luaflow_get_ctx(lua_State *L) {
    return *(luaflow_ctx **)lua_getextraspace(L);
}

/* Saves "file:line" of the innermost Lua function running on the main thread: Lua's memory errors
 * carry no position. Reads the call stack only (no allocation), as the allocator may run anywhere. */
static void note_memory_location(luaflow_ctx *ctx) {
    lua_Debug ar;
    ctx->mem_where[0] = '\0';
    if (ctx->L == NULL) return;
    for (int level = 0; lua_getstack(ctx->L, level, &ar); level++) {
        if (lua_getinfo(ctx->L, "Sl", &ar) && ar.currentline > 0) {
            snprintf(ctx->mem_where, sizeof ctx->mem_where, "%s:%d", ar.short_src, ar.currentline);
            return;
        }
    }
}

static void *limited_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    luaflow_ctx *ctx = ud;
    if (ptr == NULL) osize = 0;
    if (nsize == 0) {
        free(ptr);
        ctx->mem_used -= osize;
        return NULL;
    }
    if (nsize > osize && ctx->limits_active && ctx->mem_limit > 0 &&
        ctx->mem_used + ctx->host_bytes + (nsize - osize) > ctx->mem_limit) {
        note_memory_location(ctx);
        ctx->mem_exceeded = 1;
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (p != NULL) ctx->mem_used = ctx->mem_used - osize + nsize;
    return p;
}

luaflow_ctx *luaflow_ctx_of(lua_State *L) {
    void *ud;
    return lua_getallocf(L, &ud) == limited_alloc ? ud : NULL;
}

size_t luaflow_host_room(lua_State *L) {
    luaflow_ctx *ctx = luaflow_ctx_of(L);
    if (ctx == NULL || !ctx->limits_active || ctx->mem_limit == 0) return SIZE_MAX;
    size_t used = ctx->mem_used + ctx->host_bytes;
    return used >= ctx->mem_limit ? 0 : ctx->mem_limit - used;
}

int luaflow_memory_error(lua_State *L) {
    luaflow_ctx *ctx = luaflow_ctx_of(L);
    if (ctx != NULL) ctx->mem_exceeded = 1;
    /* not "not enough memory": lua_error turns that exact text into a memory error without position */
    return luaL_error(L, "memory limit exceeded by output");
}

const char *luaflow_memory_location(lua_State *L) {
    luaflow_ctx *ctx = luaflow_get_ctx(L);
    return ctx->mem_exceeded && ctx->mem_where[0] != '\0' ? ctx->mem_where : NULL;
}

static int64_t monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Which limit the call has run out of (LUAFLOW_KILL_*), or 0. The clock starts at the first check
 * of a call, so short calls never read it. */
static int over_limit(luaflow_ctx *ctx) {
    if (luaflow_interrupt_level > 0) return LUAFLOW_KILL_SIGNAL;
    if (ctx->instr_limit > 0 && ctx->instr_count > ctx->instr_limit) return LUAFLOW_KILL_BUDGET;
    if (ctx->time_limit_ns > 0) {
        int64_t now = monotonic_ns();
        if (ctx->call_started_ns == 0) ctx->call_started_ns = now;
        else if (now - ctx->call_started_ns > ctx->time_limit_ns) return LUAFLOW_KILL_TIMEOUT;
    }
    return 0;
}

static void budget_hook(lua_State *L, lua_Debug *ar);

/* Marks the state killed, saves "file:line: <what ran out>" (`level` picks the function whose
 * line is named) and raises it. From now on the hook fires on every instruction and raises. The
 * message is built without allocating: the memory limit may be spent too. */
static void kill_state(lua_State *L, luaflow_ctx *ctx, int why, int level) {
    lua_Debug ar;
    char where[256] = "";
    if (lua_getstack(L, level, &ar) && lua_getinfo(L, "Sl", &ar) && ar.currentline > 0)
        snprintf(where, sizeof where, "%s:%d: ", ar.short_src, ar.currentline);
    if (why == LUAFLOW_KILL_SIGNAL) {
        snprintf(ctx->kill_message, sizeof ctx->kill_message, "%sinterrupted: the run is stopping", where);
    } else if (why == LUAFLOW_KILL_TIMEOUT) {
        snprintf(ctx->kill_message, sizeof ctx->kill_message,
                 "%stime limit exceeded: a call ran longer than %g s (an endless loop or a runaway "
                 "pattern? raise the node's time_limit if the work is real)", where, (double)ctx->time_limit_ns / 1e9);
    } else {
        snprintf(ctx->kill_message, sizeof ctx->kill_message,
                 "%sinstruction budget exceeded: more than %lld instructions in one call (an endless "
                 "loop? raise the node's instruction_limit if the work is real)", where, (long long)ctx->instr_limit);
    }
    ctx->killed = why;
    lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);
    luaflow_raise_if_killed(L);
}

void luaflow_raise_if_killed(lua_State *L) {
    luaflow_ctx *ctx = luaflow_ctx_of(L);
    if (ctx == NULL || !ctx->killed) return;
    lua_pushstring(L, ctx->kill_message);
    lua_error(L);
}

const char *luaflow_kill_message(lua_State *L) {
    luaflow_ctx *ctx = luaflow_get_ctx(L);
    return ctx->killed ? ctx->kill_message : NULL;
}

static void budget_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    luaflow_ctx *ctx = luaflow_get_ctx(L);
    if (!ctx->limits_active) return;
    if (ctx->killed) luaflow_raise_if_killed(L); /* every instruction: nothing can catch it */
    int every = lua_gethookcount(L);
    if (every != HOOK_EVERY) lua_sethook(L, budget_hook, LUA_MASKCOUNT, HOOK_EVERY); /* after a reset */
    ctx->instr_count += every;
    ctx->instr_total += every;
    int why = over_limit(ctx);
    if (why) kill_state(L, ctx, why, 0); /* in a hook, level 0 is the Lua function being run */
}

void luaflow_charge_steps(lua_State *L, int64_t steps) {
    luaflow_ctx *ctx = luaflow_ctx_of(L);
    if (ctx == NULL || !ctx->limits_active) return;
    luaflow_raise_if_killed(L);
    ctx->instr_count += steps;
    ctx->instr_total += steps;
    int why = over_limit(ctx);
    if (why) kill_state(L, ctx, why, 1); /* the script line that called the C function */
}

lua_State *luaflow_state_new(size_t mem_limit, int64_t instr_limit) {
    luaflow_ctx *ctx = calloc(1, sizeof *ctx);
    if (ctx == NULL) return NULL;
    ctx->mem_limit = mem_limit;
    ctx->instr_limit = instr_limit;
    lua_State *L = lua_newstate(limited_alloc, ctx);
    if (L == NULL) {
        free(ctx);
        return NULL;
    }
    *(luaflow_ctx **)lua_getextraspace(L) = ctx;
    ctx->L = L;
    luaL_openlibs(L); /* limits are inactive: cannot fail except on real OOM */
    luaflow_open_limited_libs(L);
    /* Records are short-lived tables: the generational collector handles them much better. */
    lua_gc(L, LUA_GCGEN, 0, 0);
    lua_sethook(L, budget_hook, LUA_MASKCOUNT, HOOK_EVERY);
    return L;
}

void luaflow_state_close(lua_State *L) {
    luaflow_ctx *ctx = luaflow_get_ctx(L);
    lua_close(L);
    free(ctx);
}

void luaflow_reset_budget(lua_State *L) {
    luaflow_ctx *ctx = luaflow_get_ctx(L);
    ctx->instr_count = 0;
    ctx->call_started_ns = 0;
    ctx->killed = 0;
    ctx->mem_exceeded = 0;
}

void luaflow_next_call(lua_State *L) {
    luaflow_ctx *ctx = luaflow_get_ctx(L);
    if (ctx->killed) luaflow_raise_if_killed(L);
    ctx->instr_count = 0;
    ctx->call_started_ns = 0;
}

int64_t luaflow_call_time_left(lua_State *L) {
    luaflow_ctx *ctx = luaflow_get_ctx(L);
    if (ctx->time_limit_ns <= 0) return INT64_MAX;
    if (ctx->call_started_ns == 0) return ctx->time_limit_ns;
    return ctx->time_limit_ns - (monotonic_ns() - ctx->call_started_ns);
}

void luaflow_charge_wait(lua_State *L, int64_t ns) {
    luaflow_ctx *ctx = luaflow_get_ctx(L);
    if (ctx->time_limit_ns <= 0) return;
    /* The trampoline adds the host function's whole time back afterwards when the clock ran;
     * moving the start back by the wait cancels that for the wait. */
    if (ctx->call_started_ns == 0) ctx->call_started_ns = monotonic_ns();
    ctx->call_started_ns -= ns;
}

/* Trampoline: upvalue 1 is the Swift function pointer, upvalue 2 its userdata. The Swift frame
 * has returned before lua_error runs, so the longjmp never crosses it. */
static int host_trampoline(lua_State *L) {
    luaflow_host_fn fn = (luaflow_host_fn)(uintptr_t)lua_touserdata(L, lua_upvalueindex(1));
    void *userdata = lua_touserdata(L, lua_upvalueindex(2));
    luaflow_ctx *ctx = luaflow_get_ctx(L);
    int saved = ctx->limits_active;
    ctx->limits_active = 0;
    int64_t started = ctx->call_started_ns != 0 ? monotonic_ns() : 0;
    int n = fn(L, userdata);
    if (started != 0) ctx->call_started_ns += monotonic_ns() - started; /* host time (I/O, waits) is not the script's */
    ctx->limits_active = saved;
    if (n < 0) {
        luaL_where(L, 1); /* the calling script's file:line */
        lua_insert(L, -2);
        lua_concat(L, 2);
        return lua_error(L);
    }
    return n;
}

void luaflow_push_host_function(lua_State *L, luaflow_host_fn fn, void *userdata) {
    lua_pushlightuserdata(L, (void *)(uintptr_t)fn);
    lua_pushlightuserdata(L, userdata);
    lua_pushcclosure(L, host_trampoline, 2);
}

/* Message handler: appends a traceback to string messages; describes non-string errors. */
static int traceback_handler(lua_State *L) {
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            msg = lua_tostring(L, -1);
        else
            msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

int luaflow_pcall(lua_State *L, int nargs, int nresults) {
    luaflow_ctx *ctx = luaflow_get_ctx(L);
    int base = lua_gettop(L) - nargs; /* index of the function */
    lua_pushcfunction(L, traceback_handler);
    lua_insert(L, base);
    int saved = ctx->limits_active;
    ctx->limits_active = 1;
    if (!saved) { /* every call from the host gets a full budget */
        luaflow_reset_budget(L);
        ctx->host_bytes = 0;
    }
    int status = lua_pcall(L, nargs, nresults, base);
    ctx->limits_active = saved;
    if (status == LUA_OK && ctx->killed) {
        /* The kill happened where no Lua code ran afterwards to raise it: still a failure. */
        lua_settop(L, base);
        lua_pushstring(L, ctx->kill_message);
        status = LUA_ERRRUN;
    }
    lua_remove(L, base);
    return status;
}

int luaflow_load_text(lua_State *L, const char *code, size_t len, const char *chunkname) {
    return luaL_loadbufferx(L, code, len, chunkname, "t");
}

int luaflow_load_binary(lua_State *L, const char *code, size_t len, const char *chunkname) {
    return luaL_loadbufferx(L, code, len, chunkname, "b");
}

int luaflow_set_function_env(lua_State *L, int fidx) {
    return lua_setupvalue(L, fidx, 1) != NULL;
}

void luaflow_pop(lua_State *L, int n) { lua_pop(L, n); }
int luaflow_isnil(lua_State *L, int idx) { return lua_isnil(L, idx); }
int luaflow_istable(lua_State *L, int idx) { return lua_istable(L, idx); }
int luaflow_isfunction(lua_State *L, int idx) { return lua_isfunction(L, idx); }
const char *luaflow_tostring(lua_State *L, int idx, size_t *len) { return lua_tolstring(L, idx, len); }
void luaflow_newtable(lua_State *L) { lua_newtable(L); }
void luaflow_pushglobaltable(lua_State *L) { lua_pushglobaltable(L); }
int luaflow_upvalueindex(int i) { return lua_upvalueindex(i); }
int luaflow_registryindex(void) { return LUA_REGISTRYINDEX; }
const char *luaflow_lua_release(void) { return LUA_RELEASE; }

int luaflow_ref(lua_State *L) { return luaL_ref(L, LUA_REGISTRYINDEX); }
void luaflow_unref(lua_State *L, int ref) { luaL_unref(L, LUA_REGISTRYINDEX, ref); }
void luaflow_getref(lua_State *L, int ref) { lua_rawgeti(L, LUA_REGISTRYINDEX, ref); }
