/* Growable malloc-backed byte and int64 buffers (see luaflow_buf.h). Growth is geometric and every
 * size computation is checked for overflow; functions return -1 when memory runs out. */
#include "luaflow_buf.h"

#include <stdlib.h>
#include <string.h>

void luaflow_buf_init(luaflow_buf *b) {
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void luaflow_buf_free(luaflow_buf *b) {
    free(b->data);
    luaflow_buf_init(b);
}

/* Grows the capacity to at least `need` bytes. */
static int buf_grow(luaflow_buf *b, size_t need) {
    size_t cap = b->cap < 64 ? 64 : b->cap;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    char *p = realloc(b->data, cap);
    if (p == NULL) return -1;
    b->data = p;
    b->cap = cap;
    return 0;
}

int luaflow_buf_reserve(luaflow_buf *b, size_t extra) {
    if (b->cap - b->len >= extra) return 0;
    if (extra > SIZE_MAX - b->len) return -1;
    return buf_grow(b, b->len + extra);
}

int luaflow_buf_append(luaflow_buf *b, const void *bytes, size_t n) {
    if (n == 0) return 0;
    if (luaflow_buf_reserve(b, n) != 0) return -1;
    memcpy(b->data + b->len, bytes, n);
    b->len += n;
    return 0;
}

char *luaflow_buf_detach(luaflow_buf *b, size_t *len) {
    char *p = b->data;
    if (len != NULL) *len = b->len;
    luaflow_buf_init(b);
    return p;
}

void luaflow_i64buf_init(luaflow_i64buf *b) {
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void luaflow_i64buf_free(luaflow_i64buf *b) {
    free(b->data);
    luaflow_i64buf_init(b);
}

int luaflow_i64buf_push(luaflow_i64buf *b, int64_t v) {
    if (b->len == b->cap) {
        size_t cap = b->cap < 16 ? 16 : b->cap * 2;
        if (cap < b->cap || cap > SIZE_MAX / sizeof(int64_t)) return -1;
        int64_t *p = realloc(b->data, cap * sizeof(int64_t));
        if (p == NULL) return -1;
        b->data = p;
        b->cap = cap;
    }
    b->data[b->len++] = v;
    return 0;
}
