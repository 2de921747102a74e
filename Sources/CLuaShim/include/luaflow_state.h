#ifndef LUAFLOW_STATE_H
#define LUAFLOW_STATE_H
#include <stdint.h>
#include <signal.h>
#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>
#include "luaflow_buf.h"

/// Why a state was killed: the instruction budget or the wall-clock time limit ran out, or a stop
/// signal (SIGINT, SIGTERM) arrived and running Lua must end.
enum {
    LUAFLOW_KILL_BUDGET = 1,
    LUAFLOW_KILL_TIMEOUT = 2,
    LUAFLOW_KILL_SIGNAL = 3,
};

/// Per-state bookkeeping, reachable from the state's extra space. The memory limit and the
/// instruction budget apply only while Lua code runs (inside luaflow_pcall*), never while Swift
/// manipulates the stack, so no allocation failure can longjmp through a Swift frame.
typedef struct luaflow_ctx {
    size_t mem_used;
    size_t mem_limit;          ///< bytes; 0 = unlimited
    int limits_active;         ///< 1 while Lua code runs under a luaflow_pcall
    int mem_exceeded;          ///< set when an allocation was refused by the limit
    int64_t instr_limit;       ///< instructions per call; 0 = unlimited
    int64_t instr_count;       ///< instructions since the last reset (pattern-matching steps included)
    int64_t instr_total;       ///< instructions over the state's life, counted by the hook (steps of HOOK_EVERY)
    int64_t time_limit_ns;     ///< wall-clock time per call; 0 = unlimited
    int64_t call_started_ns;   ///< CLOCK_MONOTONIC time of the call's first check; 0 = not yet
    size_t max_record_bytes;   ///< JSON size of one output record; 0 = unlimited
    size_t host_bytes;         ///< bytes this call put in host buffers (count against mem_limit)
    int killed;                ///< LUAFLOW_KILL_*: every instruction raises until reset; no pcall catches it
    char kill_message[512];    ///< "file:line: instruction budget exceeded ..." where the kill happened
    char mem_where[256];       ///< "file:line" of the Lua code running when the allocator last refused
    lua_State *L;              ///< the main thread
    luaflow_buf *emit_out;     ///< where emit() appends records; NULL outside run/finalize
    int64_t emitted;           ///< records appended by emit() so far
    int emit_stack_ref;        ///< fused stages: registry ref of the table of per-stage emit lists
    int emit_slot;             ///< fused stages: the running stage's slot in it (0 = not fused)
    int metatables_set;        ///< a script called setmetatable: fused stages make records plain between scripts
    void *host;                ///< the Swift owner (unretained)
} luaflow_ctx;

/// Counts SIGINTs and SIGTERMs: at 1 the run stops (sources, queues, requests and running Lua);
/// at 2 the process exits at once with 128 + the first signal's number.
extern volatile sig_atomic_t luaflow_interrupt_level;
/// Installs the SIGINT and SIGTERM handler that increments luaflow_interrupt_level.
void luaflow_install_stop_handlers(void);
/// Text the second stop signal `sig` (SIGINT or SIGTERM) writes to standard error before it exits.
void luaflow_set_exit_notice(int sig, const char *text);
/// The first stop signal received (SIGINT or SIGTERM), 0 when none.
int luaflow_interrupt_signal(void);
/// Registers a temp file that a second Ctrl-C must remove before exiting; untrack it once it was
/// renamed or removed.
void luaflow_track_temp_file(const char *path);
void luaflow_untrack_temp_file(const char *path);
/// The current stop-signal count (0 = keep running).
int luaflow_interrupt_requested(void);

/// Creates a state with the allocator limit and instruction budget and opens the standard
/// libraries. Returns NULL when the state cannot be created.
lua_State *luaflow_state_new(size_t mem_limit, int64_t instr_limit);
void luaflow_state_close(lua_State *L);
luaflow_ctx *luaflow_get_ctx(lua_State *L);
/// Clears the per-call instruction count, clock, host-buffer count and the killed/mem_exceeded
/// flags. For the host after a failed call; loops inside a protected call use luaflow_next_call.
void luaflow_reset_budget(lua_State *L);
/// Starts the budget of the next call inside a protected host loop (the next record, page...):
/// raises the kill error instead when the state was killed and the script swallowed it.
void luaflow_next_call(lua_State *L);
/// Charges `steps` units of work done in C (pattern matching) to the instruction budget and checks
/// the clock; kills the state and raises the budget error, at the calling script's line, when
/// either runs out. Only while limits are active.
void luaflow_charge_steps(lua_State *L, int64_t steps);
/// Nanoseconds the current call may still run before its time limit (INT64_MAX: no limit). For a
/// host function about to wait on the script's behalf (`time.sleep`).
int64_t luaflow_call_time_left(lua_State *L);
/// Charges `ns` a host function waited on the script's behalf to the call's time budget (host
/// time is otherwise not the script's). The limit itself is enforced at the next hook tick.
void luaflow_charge_wait(lua_State *L, int64_t ns);
/// Raises the kill error (the message saved when the state was killed) if the state was killed.
void luaflow_raise_if_killed(lua_State *L);
/// "file:line: instruction budget exceeded ..." of a killed state, or NULL.
const char *luaflow_kill_message(lua_State *L);
/// The luaflow context when `L` was made by luaflow_state_new, else NULL (plain test states).
luaflow_ctx *luaflow_ctx_of(lua_State *L);
/// Bytes host buffers may still take in this call before the memory limit (SIZE_MAX: no limit).
size_t luaflow_host_room(lua_State *L);
/// Raises the memory-limit error (flags the state so the host reports it as such).
int luaflow_memory_error(lua_State *L);
/// "file:line" of the script code that ran when the memory limit was hit, or NULL.
const char *luaflow_memory_location(lua_State *L);
/// Replaces pcall, xpcall, setmetatable, coroutine.resume and string.find/match/gmatch/gsub in the
/// state's globals with versions that keep a killed state dead, refuse __gc finalizers and count
/// pattern-matching work. Called by luaflow_state_new.
void luaflow_open_limited_libs(lua_State *L);
/// Opens the bounded pattern-matching functions into the table on top. stack: string -> string
void luaflow_open_patterns(lua_State *L);

/// A Swift host function: reads its arguments, pushes its results and returns their count, or
/// pushes an error message and returns -1. It must not raise Lua errors itself; the C trampoline
/// raises the error after the Swift frame has returned.
typedef int (*luaflow_host_fn)(lua_State *L, void *userdata);
/// stack: -> closure (calls fn(L, userdata) through the trampoline)
void luaflow_push_host_function(lua_State *L, luaflow_host_fn fn, void *userdata);

/// Calls the function below `nargs` arguments with a traceback message handler, limits active.
/// On error the message (with "\nstack traceback:\n..." appended) is on top of the stack.
/// stack: fn, args... -> results... | message
int luaflow_pcall(lua_State *L, int nargs, int nresults);
/// Loads text (never binary) Lua code. stack: -> chunk | message
int luaflow_load_text(lua_State *L, const char *code, size_t len, const char *chunkname);
/// Loads a precompiled chunk produced by the host itself (inline pipeline functions).
/// stack: -> chunk | message
int luaflow_load_binary(lua_State *L, const char *code, size_t len, const char *chunkname);

/// Function-like macros of the Lua API, as functions importable into Swift.
void luaflow_pop(lua_State *L, int n);
int luaflow_isnil(lua_State *L, int idx);
int luaflow_istable(lua_State *L, int idx);
int luaflow_isfunction(lua_State *L, int idx);
const char *luaflow_tostring(lua_State *L, int idx, size_t *len);
void luaflow_newtable(lua_State *L);
void luaflow_pushglobaltable(lua_State *L);
int luaflow_upvalueindex(int i);
int luaflow_registryindex(void);
/// The Lua release luaflow was built against, e.g. "Lua 5.4.6".
const char *luaflow_lua_release(void);

int luaflow_ref(lua_State *L);
void luaflow_unref(lua_State *L, int ref);
void luaflow_getref(lua_State *L, int ref);

/// Pushes the C helpers the sandbox prelude builds on: a table {json = <module>, emit = <fn>,
/// open = luaflow_open_checked, mark_metatables = <fn() noting in the ctx that a script sets a metatable>}.
/// Runs protected.
/// stack: -> helpers | message
int luaflow_push_host_helpers(lua_State *L);

/// The lua_CFunction open(path, mode, policy) -> file | nil, message: opens `path` (relative to
/// policy.roots[1]) only when it resolves, symlinks included, under one of policy.roots, is not
/// under a policy.hidden prefix and, for writing, is not one of policy.readonly.
int luaflow_open_checked(lua_State *L);

/// Sets the first upvalue (_ENV) of the function at `fidx` to the table on top. stack: env ->
int luaflow_set_function_env(lua_State *L, int fidx);

enum {
    LUAFLOW_PHASE_DECODE = 1,
    LUAFLOW_PHASE_CALL = 2,
    LUAFLOW_PHASE_ENCODE = 3,
};

/// One batch of records moving through a node: JSON text, one record per line (blank lines skipped).
typedef struct luaflow_batch_io {
    const char *in;
    size_t in_len;
    size_t pos;                  ///< in/out: offset of the next record
    int64_t records;             ///< out: records taken from `in` (including a failed one)
    int64_t returned;            ///< out: records for which run() returned a value
    int64_t dropped;             ///< out: records for which run() returned nil and emitted nothing
    size_t record_start;         ///< out: offset and length of the record being processed
    size_t record_len;
    size_t record_out_start;     ///< out: out->len before the record (truncate here on error)
    int phase;                   ///< out: step that failed
    int validate_only;           ///< only check each record is valid JSON, copying valid ones to `out` when set
    int raw_text;                ///< a string result is written as raw text, not as a JSON string
    int lazy;                    ///< hand objects to scripts as lazy records (luaflow_lazy_push)
    luaflow_buf *out;            ///< output records (NULL for sinks)
    luaflow_buf *aux;            ///< get(): the JSON of the returned pagination token
    int done;                    ///< out: source finished
    int64_t max_records;         ///< source pulls: stop after this many records
    int64_t deadline_ns;         ///< source pulls: stop at this CLOCK_MONOTONIC time (0 = none)
} luaflow_batch_io;

/// Calls run(record) for each record of io->in. For a transform, non-nil results are encoded to
/// io->out; for a sink (`is_sink`), results are ignored. Stops at the first error (status returned,
/// message on top, io->pos at the failing record, io->phase says which step failed).
int luaflow_run_batch(lua_State *L, int fn_ref, int is_sink, luaflow_batch_io *io);
/// Decodes up to io->max_records records of io->in into one array and calls write(array, info),
/// info being the table at registry ref `info_ref`.
int luaflow_run_write_batch(lua_State *L, int fn_ref, int info_ref, luaflow_batch_io *io);
/// Calls run() until it returns nil (io->done = 1), io->max_records records, or the deadline.
int luaflow_run_source_pull(lua_State *L, int fn_ref, luaflow_batch_io *io);
/// Calls get(pagination, state) once: records encoded to io->out; the returned pagination is left
/// on the stack (and its JSON in io->aux) unless it is nil or {} (io->done = 1, nothing left).
/// stack: -> [next]
int luaflow_run_source_get(lua_State *L, int fn_ref, int pagination_ref, int state_ref, luaflow_batch_io *io);
/// Pushes a block of record lines: `len` bytes of JSON text, `count` records, one per line, each
/// valid JSON (the caller checked). get() may return it in place of a table of records; the batch
/// loop copies the text as it is. `#block` is `count`. Raises only when out of memory.
/// stack: -> block
void luaflow_push_record_lines(lua_State *L, const char *data, size_t len, int64_t count);
/// The text and record count of the block at `idx`, or -1 when the value there is not one.
/// stack: unchanged
int64_t luaflow_record_lines_at(lua_State *L, int idx, const char **data, size_t *len);
/// Calls a hook (init, finalize, check) with no arguments. With `out`, emit() is allowed and a
/// returned array of items is encoded to it. The first result is left on the stack.
/// stack: -> result
int luaflow_run_hook(lua_State *L, int fn_ref, luaflow_buf *out, int64_t *emitted);
/// A chain of fused transforms sharing one state: each record goes through run functions
/// `fns[0..n)` in turn as a Lua value (no encoding between them); what emit() produces in stage k
/// continues at stage k+1, before the value stage k returns. Per-stage counters are added to
/// `in`, `out` and `dropped`; `*failed_stage` tells which stage an error came from.
typedef struct luaflow_chain {
    const int *fns;
    int n;
    int64_t *in, *out, *dropped;
    int failed_stage;
    /// Per stage: 1 when its on_error is "skip": a failing call drops only that item, and the
    /// error is appended to the list at registry ref `skipped_ref` as {stage (0-based), message}.
    const int *skip;
    int skipped_ref;
} luaflow_chain;

/// luaflow_run_batch for a chain; io->returned counts the records leaving the last stage.
int luaflow_run_chain_batch(lua_State *L, luaflow_chain *chain, luaflow_batch_io *io);
/// Calls finalize of stage `k` (registry ref `fn`), sending what it returns or emits through
/// stages k+1..n to io->out.
int luaflow_run_chain_finalize(lua_State *L, luaflow_chain *chain, int k, int fn, luaflow_batch_io *io);

/// Appends the value at `idx` to `out` as one output record (JSON text and a newline), bounded by
/// the node's max_record_bytes and by its memory limit, which the bytes then count against.
/// Protected calls only. stack: unchanged
void luaflow_append_record(lua_State *L, int idx, luaflow_buf *out);

/// Moves io->record_start/record_len to the next non-blank line at or after io->pos; 0 when the
/// input is exhausted.
int luaflow_next_record(luaflow_batch_io *io);

/// Raises "<what> must return a list of records ..." when the table at `idx` has named fields but
/// no array part: a single record returned where a list was expected. Protected calls only.
void luaflow_check_list(lua_State *L, int idx, const char *what);

/// Decodes one JSON text into the state. stack: -> value | message
int luaflow_decode_protected(lua_State *L, const char *json, size_t len);
/// Encodes the value on top (popped) to `out`. stack: value -> | message
int luaflow_encode_protected(lua_State *L, luaflow_buf *out);
/// Writes CSV rows for io->in's records with the columns array at registry ref `columns_ref`;
/// fields outside the columns are an error unless `ignore_extra`.
int luaflow_run_csv_rows(lua_State *L, int columns_ref, char delimiter, int ignore_extra, luaflow_batch_io *io);

#endif
