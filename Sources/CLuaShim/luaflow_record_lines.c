/* Record lines: a block of records that the host already holds as JSON text, one validated record
 * per line (the records of an HTTP page, split in C from the response body). A get() source may
 * return one instead of a table of records; the batch loop then copies the text to its output as
 * it is, with no Lua table built and nothing encoded again. Only the host creates them: scripts
 * can pass one on but cannot forge one from a string. */
#include <string.h>
#include "luaflow_state.h"

#define RECORD_LINES_MT "luaflow.record_lines"

typedef struct record_lines {
    size_t len;
    int64_t count;
    char data[];
} record_lines;

static int record_lines_len(lua_State *L) {
    record_lines *block = luaL_checkudata(L, 1, RECORD_LINES_MT);
    lua_pushinteger(L, (lua_Integer)block->count);
    return 1;
}

static int record_lines_tostring(lua_State *L) {
    record_lines *block = luaL_checkudata(L, 1, RECORD_LINES_MT);
    lua_pushfstring(L, "records (%I)", (lua_Integer)block->count);
    return 1;
}

void luaflow_push_record_lines(lua_State *L, const char *data, size_t len, int64_t count) {
    record_lines *block = lua_newuserdatauv(L, sizeof *block + len, 0);
    block->len = len;
    block->count = count;
    if (len > 0) memcpy(block->data, data, len);
    if (luaL_newmetatable(L, RECORD_LINES_MT)) {
        lua_pushcfunction(L, record_lines_len);
        lua_setfield(L, -2, "__len");
        lua_pushcfunction(L, record_lines_tostring);
        lua_setfield(L, -2, "__tostring");
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "__metatable"); /* getmetatable() cannot reach it */
    }
    lua_setmetatable(L, -2);
}

int64_t luaflow_record_lines_at(lua_State *L, int idx, const char **data, size_t *len) {
    record_lines *block = luaL_testudata(L, idx, RECORD_LINES_MT);
    if (block == NULL) return -1;
    *data = block->data;
    *len = block->len;
    return block->count;
}
