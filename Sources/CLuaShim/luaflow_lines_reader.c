/* Incremental line reader for JSON Lines and text files: cuts complete lines, checks each as
 * UTF-8, and copies the good ones out in as few copies as possible (one per run of good lines). */
#include "luaflow_csv.h"
#include "luaflow_json_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct luaflow_lines_reader {
    int text;
    int bom_checked;
    int64_t line; /* physical line of the next unconsumed byte, 1-based */
};

luaflow_lines_reader *luaflow_lines_reader_new(int text) {
    luaflow_lines_reader *r = calloc(1, sizeof *r);
    if (r == NULL) return NULL;
    r->text = text;
    r->line = 1;
    return r;
}

void luaflow_lines_reader_free(luaflow_lines_reader *r) { free(r); }

static int is_blank(const char *p, const char *e) {
    for (; p < e; p++)
        if (*p != ' ' && *p != '\t' && *p != '\r') return 0;
    return 1;
}

/* Appends {"line":"..."} for a text line (without its CR). */
static int append_text(luaflow_buf *out, const char *p, const char *e) {
    if (e > p && e[-1] == '\r') e--;
    if (luaflow_buf_append(out, "{\"line\":\"", 9) != 0) return -1;
    if (luaflow_json_append_escaped(out, p, (size_t)(e - p)) != 0) return -1;
    return luaflow_buf_append(out, "\"}\n", 3);
}

long luaflow_lines_read(luaflow_lines_reader *r, const char *data, size_t len, int at_eof,
                        luaflow_buf *out, luaflow_i64buf *lines, luaflow_bad_record *bad,
                        char *err, size_t errlen) {
    const char *p = data, *e = data + len;
    if (err != NULL && errlen > 0) err[0] = '\0';
    bad->found = 0;
    if (!r->bom_checked) { /* a UTF-8 BOM at the start of the file */
        int bom = luaflow_utf8_bom_length(data, len, at_eof);
        if (bom < 0) return 0;
        p += bom;
        r->bom_checked = 1;
    }
    const char *run = p; /* JSON Lines: the good lines not yet copied to out */
    while (p < e) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        if (nl == NULL && !at_eof) break;
        const char *end = nl != NULL ? nl : e;
        const char *next = nl != NULL ? nl + 1 : e;
        int blank = is_blank(p, end);
        int good = blank || luaflow_utf8_check(p, (size_t)(end - p), NULL, bad->message, sizeof bad->message);
        if (!r->text && (blank || !good)) { /* copy the run before this line, leave the line out */
            if (luaflow_buf_append(out, run, (size_t)(p - run)) != 0) goto oom;
            run = next;
        }
        if (!good) {
            bad->found = 1;
            bad->line = r->line++;
            bad->start = (size_t)(p - data);
            bad->len = (size_t)(end - p);
            return (long)(next - data);
        }
        if (!blank) {
            if (luaflow_i64buf_push(lines, r->line) != 0) goto oom;
            if (r->text && append_text(out, p, end) != 0) goto oom;
        }
        r->line++;
        p = next;
    }
    if (!r->text) {
        if (luaflow_buf_append(out, run, (size_t)(p - run)) != 0) goto oom;
        /* the last line had no line feed */
        if (p > run && p[-1] != '\n' && luaflow_buf_append(out, "\n", 1) != 0) goto oom;
    }
    return (long)(p - data);
oom:
    if (err != NULL && errlen > 0) snprintf(err, errlen, "out of memory");
    return -1;
}
