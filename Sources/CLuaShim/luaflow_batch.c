/* The per-record hot loops. Each runs as one protected call per batch: records are decoded from
 * JSON text straight into the node's state, handed to the script, and results encoded back to
 * JSON text, without crossing into Swift per record. */
#include <string.h>
#include <time.h>
#include "luaflow_state.h"
#include "luaflow_json.h"
#include "luaflow_csv.h"
#include "luaflow_json_internal.h"

typedef struct batch_call {
    luaflow_batch_io *io;
    int fn_ref;
    int is_sink;
    int aux_ref;
    int aux_ref2;
    char delimiter;
} batch_call;

static void raise_oom(lua_State *L) {
    lua_pushliteral(L, "not enough memory for the output buffer");
    lua_error(L);
}

void luaflow_append_record(lua_State *L, int idx, luaflow_buf *out) {
    luaflow_ctx *ctx = luaflow_ctx_of(L);
    size_t before = out->len;
    size_t max = ctx != NULL && ctx->max_record_bytes > 0 ? ctx->max_record_bytes : SIZE_MAX;
    if (luaflow_json_encode_bounded(L, idx, out, max))
        luaL_error(L, "output record is larger than max_record_bytes (%I bytes; raise the node's "
                      "max_record_bytes if records this large are real)", (lua_Integer)max);
    if (luaflow_buf_append(out, "\n", 1) != 0) raise_oom(L);
    if (ctx != NULL) ctx->host_bytes += out->len - before;
}

/* Finds the next non-blank line at or after io->pos (io->record_start/len). 0 when none is left. */
int luaflow_next_record(luaflow_batch_io *io) {
    while (io->pos < io->in_len) {
        const char *start = io->in + io->pos;
        const char *nl = memchr(start, '\n', io->in_len - io->pos);
        size_t len = nl ? (size_t)(nl - start) : io->in_len - io->pos;
        size_t trimmed = len;
        while (trimmed > 0 && (start[trimmed - 1] == '\r' || start[trimmed - 1] == ' ' || start[trimmed - 1] == '\t')) trimmed--;
        size_t lead = 0;
        while (lead < trimmed && (start[lead] == ' ' || start[lead] == '\t')) lead++;
        if (lead == trimmed) {
            io->pos += len + (nl ? 1 : 0);
            continue;
        }
        io->record_start = io->pos;
        io->record_len = trimmed;
        return 1;
    }
    return 0;
}

static void finish_record(luaflow_batch_io *io) {
    size_t end = io->record_start + io->record_len;
    const char *nl = memchr(io->in + end, '\n', io->in_len - end);
    io->pos = nl ? (size_t)(nl - io->in) + 1 : io->in_len;
}

/* Pushes the record at io->record_start for a script. stack: -> record */
static void push_record(lua_State *L, luaflow_batch_io *io) {
    const char *rec = io->in + io->record_start;
    if (io->lazy) luaflow_lazy_push(L, rec, io->record_len);
    else luaflow_json_decode_push(L, rec, io->record_len);
}

static void begin_record(lua_State *L, luaflow_batch_io *io) {
    luaflow_next_call(L);
    io->record_out_start = io->out ? io->out->len : 0;
    io->records++;
}

static int batch_cf(lua_State *L) {
    batch_call *c = lua_touserdata(L, 1);
    luaflow_batch_io *io = c->io;
    luaflow_ctx *ctx = luaflow_get_ctx(L);
    int top = lua_gettop(L);
    while (luaflow_next_record(io)) {
        begin_record(L, io);
        io->phase = LUAFLOW_PHASE_DECODE;
        const char *rec = io->in + io->record_start;
        if (io->validate_only) {
            char err[256];
            if (!luaflow_json_validate(rec, io->record_len, err, sizeof err)) {
                lua_pushstring(L, err);
                return lua_error(L);
            }
            if (io->out) {
                if (luaflow_buf_append(io->out, rec, io->record_len) != 0 || luaflow_buf_append(io->out, "\n", 1) != 0)
                    raise_oom(L);
                io->returned++;
            }
            finish_record(io);
            continue;
        }
        lua_rawgeti(L, LUA_REGISTRYINDEX, c->fn_ref);
        push_record(L, io);
        io->phase = LUAFLOW_PHASE_CALL;
        ctx->emit_out = io->out;
        int64_t emitted_before = ctx->emitted;
        lua_call(L, 1, 1);
        ctx->emit_out = NULL;
        if (!c->is_sink) {
            if (lua_isnil(L, -1)) {
                if (ctx->emitted == emitted_before) io->dropped++;
            } else {
                io->phase = LUAFLOW_PHASE_ENCODE;
                if (io->raw_text && lua_type(L, -1) == LUA_TSTRING) {
                    size_t n;
                    const char *s = lua_tolstring(L, -1, &n);
                    if (n >= luaflow_host_room(L)) luaflow_memory_error(L);
                    if (luaflow_buf_append(io->out, s, n) != 0 || luaflow_buf_append(io->out, "\n", 1) != 0) raise_oom(L);
                    ctx->host_bytes += n + 1;
                } else {
                    luaflow_append_record(L, -1, io->out);
                }
                io->returned++;
            }
        }
        lua_settop(L, top);
        finish_record(io);
    }
    return 0;
}

static int call_protected(lua_State *L, lua_CFunction f, batch_call *c, int nresults) {
    lua_pushcfunction(L, f);
    lua_pushlightuserdata(L, c);
    int status = luaflow_pcall(L, 1, nresults);
    luaflow_get_ctx(L)->emit_out = NULL;
    return status;
}

int luaflow_run_batch(lua_State *L, int fn_ref, int is_sink, luaflow_batch_io *io) {
    batch_call c = { .io = io, .fn_ref = fn_ref, .is_sink = is_sink };
    return call_protected(L, batch_cf, &c, 0);
}

static int write_batch_cf(lua_State *L) {
    batch_call *c = lua_touserdata(L, 1);
    luaflow_batch_io *io = c->io;
    luaflow_next_call(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->fn_ref);
    lua_createtable(L, (int)(io->max_records > 0 && io->max_records < 1 << 20 ? io->max_records : 0), 0);
    lua_Integer n = 0;
    while ((io->max_records <= 0 || n < io->max_records) && luaflow_next_record(io)) {
        io->records++;
        io->phase = LUAFLOW_PHASE_DECODE;
        push_record(L, io);
        lua_rawseti(L, -2, ++n);
        finish_record(io);
    }
    io->phase = LUAFLOW_PHASE_CALL;
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->aux_ref); /* stack: write, batch, info */
    lua_call(L, 2, 0);
    return 0;
}

int luaflow_run_write_batch(lua_State *L, int fn_ref, int info_ref, luaflow_batch_io *io) {
    batch_call c = { .io = io, .fn_ref = fn_ref, .aux_ref = info_ref };
    return call_protected(L, write_batch_cf, &c, 0);
}

static int64_t monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int source_pull_cf(lua_State *L) {
    batch_call *c = lua_touserdata(L, 1);
    luaflow_batch_io *io = c->io;
    luaflow_ctx *ctx = luaflow_get_ctx(L);
    int top = lua_gettop(L);
    int64_t produced = 0;
    while (io->max_records <= 0 || produced < io->max_records) {
        begin_record(L, io);
        io->phase = LUAFLOW_PHASE_CALL;
        lua_rawgeti(L, LUA_REGISTRYINDEX, c->fn_ref);
        ctx->emit_out = io->out;
        int64_t emitted_before = ctx->emitted;
        lua_call(L, 0, 1);
        ctx->emit_out = NULL;
        if (lua_isnil(L, -1)) {
            io->records--;
            io->done = 1;
            break;
        }
        io->phase = LUAFLOW_PHASE_ENCODE;
        luaflow_append_record(L, -1, io->out);
        io->returned++;
        produced += 1 + (ctx->emitted - emitted_before);
        lua_settop(L, top);
        if (io->deadline_ns > 0 && monotonic_ns() >= io->deadline_ns) break;
    }
    lua_settop(L, top);
    return 0;
}

int luaflow_run_source_pull(lua_State *L, int fn_ref, luaflow_batch_io *io) {
    batch_call c = { .io = io, .fn_ref = fn_ref };
    return call_protected(L, source_pull_cf, &c, 0);
}

/* Raises "<what> must return a list of records ..." when the table at idx has entries but no
 * array part (a single record returned where a list was expected). */
void luaflow_check_list(lua_State *L, int idx, const char *what) {
    idx = lua_absindex(L, idx);
    if (!lua_istable(L, idx) || lua_rawlen(L, idx) > 0) return;
    lua_pushnil(L);
    if (lua_next(L, idx)) {
        lua_pushfstring(L, "%s must return a list of records, got a table with named fields "
                           "(to return one record, wrap it: { record })", what);
        lua_error(L);
    }
}

static int is_empty_table(lua_State *L, int idx) {
    if (!lua_istable(L, idx)) return 0;
    lua_pushnil(L);
    if (lua_next(L, idx < 0 ? idx - 1 : idx)) {
        lua_pop(L, 2);
        return 0;
    }
    return 1;
}

static int source_get_cf(lua_State *L) {
    batch_call *c = lua_touserdata(L, 1);
    luaflow_batch_io *io = c->io;
    luaflow_ctx *ctx = luaflow_get_ctx(L);
    luaflow_next_call(L);
    io->phase = LUAFLOW_PHASE_CALL;
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->fn_ref);
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->aux_ref);
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->aux_ref2);
    ctx->emit_out = io->out;
    lua_call(L, 2, 2); /* stack: records, next */
    ctx->emit_out = NULL;
    io->phase = LUAFLOW_PHASE_ENCODE;
    if (lua_isnil(L, -2) && !lua_isnil(L, -1) && !is_empty_table(L, -1)) {
        /* A page with no records table but a next page: skipping it silently would lose its records. */
        lua_pushstring(L, "get() returned nil records with a next pagination; return {} for a page that "
                          "has no records, or nil, nil when the data is exhausted");
        return lua_error(L);
    }
    const char *lines;
    size_t lines_len;
    int64_t block = luaflow_record_lines_at(L, -2, &lines, &lines_len);
    if (block >= 0) { /* records the host already holds as JSON lines: copied as they are */
        if (lines_len >= luaflow_host_room(L)) luaflow_memory_error(L);
        if (luaflow_buf_append(io->out, lines, lines_len) != 0) raise_oom(L);
        ctx->host_bytes += lines_len;
        io->returned += block;
    } else if (!lua_isnil(L, -2)) {
        if (!lua_istable(L, -2)) {
            lua_pushfstring(L, "get() must return a table of records (or nil), got a %s", luaL_typename(L, -2));
            return lua_error(L);
        }
        luaflow_check_list(L, -2, "get()");
        lua_Integer n = (lua_Integer)lua_rawlen(L, -2);
        for (lua_Integer i = 1; i <= n; i++) {
            lua_rawgeti(L, -2, i);
            luaflow_append_record(L, -1, io->out);
            lua_pop(L, 1);
            io->returned++;
        }
    }
    if (lua_isnil(L, -1) || is_empty_table(L, -1)) {
        io->done = 1;
        return 0;
    }
    if (!lua_istable(L, -1)) {
        lua_pushfstring(L, "get() must return the next pagination as a table (or nil when done), got a %s",
                        luaL_typename(L, -1));
        return lua_error(L);
    }
    if (io->aux) {
        io->aux->len = 0;
        luaflow_json_encode_append(L, -1, io->aux);
    }
    return 1;
}

int luaflow_run_source_get(lua_State *L, int fn_ref, int pagination_ref, int state_ref, luaflow_batch_io *io) {
    batch_call c = { .io = io, .fn_ref = fn_ref, .aux_ref = pagination_ref, .aux_ref2 = state_ref };
    int before = lua_gettop(L);
    int status = call_protected(L, source_get_cf, &c, LUA_MULTRET);
    if (status == LUA_OK && lua_gettop(L) == before + 1 && io->done) lua_pop(L, 1);
    return status;
}

static int hook_cf(lua_State *L) {
    batch_call *c = lua_touserdata(L, 1);
    luaflow_batch_io *io = c->io;
    luaflow_ctx *ctx = luaflow_get_ctx(L);
    luaflow_next_call(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->fn_ref);
    ctx->emit_out = io->out;
    int64_t before = ctx->emitted;
    lua_call(L, 0, 1);
    ctx->emit_out = NULL;
    io->returned = ctx->emitted - before;
    if (io->out) luaflow_check_list(L, -1, "finalize()");
    if (io->out && lua_istable(L, -1)) {
        lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
        for (lua_Integer i = 1; i <= n; i++) {
            lua_rawgeti(L, -1, i);
            luaflow_append_record(L, -1, io->out);
            lua_pop(L, 1);
            io->returned++;
        }
    }
    return 1;
}

int luaflow_run_hook(lua_State *L, int fn_ref, luaflow_buf *out, int64_t *emitted) {
    luaflow_batch_io io;
    memset(&io, 0, sizeof io);
    io.out = out;
    batch_call c = { .io = &io, .fn_ref = fn_ref };
    int status = call_protected(L, hook_cf, &c, 1);
    if (emitted) *emitted = io.returned;
    return status;
}

typedef struct codec_call {
    const char *json;
    size_t len;
    luaflow_buf *out;
} codec_call;

static int decode_cf(lua_State *L) {
    codec_call *c = lua_touserdata(L, 1);
    luaflow_json_decode_push(L, c->json, c->len);
    return 1;
}

int luaflow_decode_protected(lua_State *L, const char *json, size_t len) {
    codec_call c = { .json = json, .len = len };
    lua_pushcfunction(L, decode_cf);
    lua_pushlightuserdata(L, &c);
    return luaflow_pcall(L, 1, 1);
}

static int encode_cf(lua_State *L) {
    codec_call *c = lua_touserdata(L, 2);
    luaflow_json_encode_append(L, 1, c->out);
    return 0;
}

int luaflow_encode_protected(lua_State *L, luaflow_buf *out) {
    codec_call c = { .out = out };
    lua_pushcfunction(L, encode_cf);
    lua_insert(L, -2);
    lua_pushlightuserdata(L, &c);
    return luaflow_pcall(L, 2, 0);
}

static int csv_rows_cf(lua_State *L) {
    batch_call *c = lua_touserdata(L, 1);
    luaflow_batch_io *io = c->io;
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->aux_ref); /* columns */
    int cidx = lua_gettop(L);
    while (luaflow_next_record(io)) {
        begin_record(L, io);
        io->phase = LUAFLOW_PHASE_DECODE;
        luaflow_json_decode_push(L, io->in + io->record_start, io->record_len);
        io->phase = LUAFLOW_PHASE_ENCODE;
        if (!lua_istable(L, -1)) {
            lua_pushfstring(L, "a CSV row must be an object, got %s", luaL_typename(L, -1));
            return lua_error(L);
        }
        luaflow_csv_append_row(L, lua_gettop(L), cidx, io->out, c->delimiter, c->is_sink);
        io->returned++;
        lua_settop(L, cidx);
        finish_record(io);
    }
    return 0;
}

int luaflow_run_csv_rows(lua_State *L, int columns_ref, char delimiter, int ignore_extra, luaflow_batch_io *io) {
    /* is_sink carries ignore_extra for this loop */
    batch_call c = { .io = io, .aux_ref = columns_ref, .delimiter = delimiter, .is_sink = ignore_extra };
    return call_protected(L, csv_rows_cf, &c, 0);
}
