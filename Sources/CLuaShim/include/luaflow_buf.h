#ifndef LUAFLOW_BUF_H
#define LUAFLOW_BUF_H
#include <stddef.h>
#include <stdint.h>

/// A growable byte buffer owned by the caller (malloc-backed, outside the Lua allocator; what a
/// script's call writes into one is charged to its memory limit by luaflow_append_record).
/// Records travel between stages as JSON text, one record per line, in these.
typedef struct luaflow_buf {
    char *data;
    size_t len;
    size_t cap;
} luaflow_buf;

void luaflow_buf_init(luaflow_buf *b);
void luaflow_buf_free(luaflow_buf *b);
/// Ensures room for `extra` more bytes. Returns 0, or -1 when out of memory.
int luaflow_buf_reserve(luaflow_buf *b, size_t extra);
/// Appends bytes. Returns 0, or -1 when out of memory.
int luaflow_buf_append(luaflow_buf *b, const void *bytes, size_t n);
/// Detaches the bytes (caller frees with free()) and resets the buffer to empty.
char *luaflow_buf_detach(luaflow_buf *b, size_t *len);

/// A growable array of int64 (per-record line numbers, offsets).
typedef struct luaflow_i64buf {
    int64_t *data;
    size_t len;
    size_t cap;
} luaflow_i64buf;

void luaflow_i64buf_init(luaflow_i64buf *b);
void luaflow_i64buf_free(luaflow_i64buf *b);
int luaflow_i64buf_push(luaflow_i64buf *b, int64_t v);

#endif
