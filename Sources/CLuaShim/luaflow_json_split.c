/* Incremental splitter for a JSON file holding one array of records (or one value): emits every
 * top-level element as one line of JSON text with its starting line number. Elements are checked
 * structurally (balanced brackets, terminated strings, no raw line breaks inside strings) and as
 * UTF-8; a file that ends inside the array is reported as truncated. */
#include "luaflow_csv.h"
#include "luaflow_json_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SP_START, SP_FIRST, SP_ELEM, SP_AFTER, SP_DONE };
enum { SC_OK, SC_INCOMPLETE, SC_ERROR };

struct luaflow_json_splitter {
    int state;
    int top_array;
    int bom_checked;
    int64_t line; /* physical line of the next unconsumed byte, 1-based */
};

typedef struct {
    const char *end;   /* byte after the element */
    int64_t lf;        /* line feeds inside the element */
    int has_breaks;    /* CR or LF inside the element (all outside strings) */
    const char *err;   /* on SC_ERROR */
    char errbuf[64];
    int64_t err_lf;    /* line feeds before the error position */
    int at_end;        /* the error is that the input ended */
} scan_res;

luaflow_json_splitter *luaflow_json_splitter_new(void) {
    luaflow_json_splitter *s = calloc(1, sizeof *s);
    if (s == NULL) return NULL;
    s->state = SP_START;
    s->line = 1;
    return s;
}

void luaflow_json_splitter_free(luaflow_json_splitter *s) { free(s); }

static int scan_fail(scan_res *r, const char *msg, int64_t lf) {
    r->err = msg;
    r->err_lf = lf;
    r->at_end = 0;
    return SC_ERROR;
}

static int scan_fail_at_end(scan_res *r, const char *msg, int64_t lf) {
    scan_fail(r, msg, lf);
    r->at_end = 1;
    return SC_ERROR;
}

/* q is at an opening quote; on SC_OK *qq is after the closing quote. */
static int skip_string(const char **qq, const char *e, int at_eof, int64_t lf, scan_res *r) {
    const char *q = *qq + 1;
    for (;;) {
        while (q < e && *q != '"' && *q != '\\' && *q != '\n' && *q != '\r') q++;
        if (q >= e || (*q == '\\' && q + 1 >= e)) {
            if (!at_eof) return SC_INCOMPLETE;
            return scan_fail_at_end(r, "expected '\"' to close string", lf);
        }
        if (*q == '"') break;
        if (*q == '\\' && q[1] != '\n' && q[1] != '\r') {
            q += 2;
            continue;
        }
        return scan_fail(r, "expected '\"' to close string before end of line", lf);
    }
    *qq = q + 1;
    return SC_OK;
}

static int scan_element(const char *p, const char *e, int at_eof, scan_res *r) {
    const char *q = p;
    int64_t lf = 0;
    r->has_breaks = 0;
    if (*p == '"') {
        int rc = skip_string(&q, e, at_eof, 0, r);
        if (rc != SC_OK) return rc;
    } else if (*p == '{' || *p == '[') {
        char closers[LUAFLOW_JSON_MAX_DEPTH];
        int depth = 0;
        while (q < e) {
            char c = *q;
            if (c == '{' || c == '[') {
                if (depth == LUAFLOW_JSON_MAX_DEPTH) return scan_fail(r, "nested too deep", lf);
                closers[depth++] = c == '{' ? '}' : ']';
                q++;
            } else if (c == '}' || c == ']') {
                if (closers[depth - 1] != c) {
                    snprintf(r->errbuf, sizeof r->errbuf, "expected '%c' but found '%c'",
                             closers[depth - 1], c);
                    return scan_fail(r, r->errbuf, lf);
                }
                q++;
                if (--depth == 0) break;
            } else if (c == '"') {
                int rc = skip_string(&q, e, at_eof, lf, r);
                if (rc != SC_OK) return rc;
            } else {
                if (c == '\n') lf++;
                if (c == '\n' || c == '\r') r->has_breaks = 1;
                q++;
            }
        }
        if (depth > 0) {
            if (!at_eof) return SC_INCOMPLETE;
            snprintf(r->errbuf, sizeof r->errbuf, "expected '%c'", closers[depth - 1]);
            return scan_fail_at_end(r, r->errbuf, 0);
        }
    } else if (*p == ',' || *p == ':' || *p == ']' || *p == '}') {
        return scan_fail(r, "expected a JSON value", 0);
    } else { /* a scalar: up to the next delimiter; validated when decoded */
        while (q < e && !strchr(" \t\r\n,:[]{}\"", *q)) q++;
        if (q == p) return scan_fail(r, "expected a JSON value", 0);
        if (q == e && !at_eof) return SC_INCOMPLETE;
    }
    r->end = q;
    r->lf = lf;
    return SC_OK;
}

static int emit(const char *p, const scan_res *r, int64_t line, luaflow_buf *out,
                luaflow_i64buf *lines) {
    size_t n = (size_t)(r->end - p);
    if (n > SIZE_MAX - 1 || luaflow_buf_reserve(out, n + 1) != 0) return -1;
    char *d = out->data + out->len;
    memcpy(d, p, n);
    if (r->has_breaks) {
        for (size_t i = 0; i < n; i++)
            if (d[i] == '\n' || d[i] == '\r') d[i] = ' ';
    }
    d[n] = '\n';
    out->len += n + 1;
    return luaflow_i64buf_push(lines, line);
}

static long split_error(char *err, size_t errlen, int64_t line, const char *msg) {
    if (err != NULL && errlen > 0) snprintf(err, errlen, "line %lld: %s", (long long)line, msg);
    return -1;
}

static long truncated_error(char *err, size_t errlen, int64_t line, const char *msg) {
    if (err != NULL && errlen > 0)
        snprintf(err, errlen, "line %lld: the file ends before the JSON is complete (truncated?): %s",
                 (long long)line, msg);
    return -1;
}

long luaflow_json_split(luaflow_json_splitter *s, const char *data, size_t len, int at_eof,
                        luaflow_buf *out, luaflow_i64buf *lines, luaflow_bad_record *bad,
                        char *err, size_t errlen) {
    const char *p = data, *e = data + len;
    if (err != NULL && errlen > 0) err[0] = '\0';
    bad->found = 0;
    if (!s->bom_checked) { /* a UTF-8 BOM at the start of the file */
        int bom = luaflow_utf8_bom_length(data, len, at_eof);
        if (bom < 0) return 0;
        p += bom;
        s->bom_checked = 1;
    }
    for (;;) {
        while (p < e && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) {
            if (*p == '\n') s->line++;
            p++;
        }
        if (p == e) break;
        switch (s->state) {
        case SP_START:
            if (*p == '[') {
                s->state = SP_FIRST;
                s->top_array = 1;
                p++;
                continue;
            }
            break;
        case SP_FIRST:
            if (*p == ']') {
                s->state = SP_DONE;
                p++;
                continue;
            }
            break;
        case SP_ELEM:
            if (*p == ']' || *p == ',')
                return split_error(err, errlen, s->line, "expected array element after ','");
            break;
        case SP_AFTER:
            if (*p == ',' || *p == ']') {
                s->state = *p == ',' ? SP_ELEM : SP_DONE;
                p++;
                continue;
            }
            return split_error(err, errlen, s->line, "expected ',' or ']' after array element");
        default:
            return split_error(err, errlen, s->line,
                               s->top_array ? "expected end of input after ']'"
                                            : "expected end of input after the top-level value");
        }
        scan_res r;
        r.end = p;
        int rc = scan_element(p, e, at_eof, &r);
        if (rc == SC_INCOMPLETE) return (long)(p - data);
        if (rc == SC_ERROR)
            return (r.at_end ? truncated_error : split_error)(err, errlen, s->line + r.err_lf, r.err);
        int good = luaflow_utf8_check(p, (size_t)(r.end - p), NULL, bad->message, sizeof bad->message);
        if (good && emit(p, &r, s->line, out, lines) != 0) {
            if (err != NULL && errlen > 0) snprintf(err, errlen, "out of memory");
            return -1;
        }
        if (!good) {
            bad->found = 1;
            bad->line = s->line;
            bad->start = (size_t)(p - data);
            bad->len = (size_t)(r.end - p);
        }
        s->line += r.lf;
        s->state = s->state == SP_START ? SP_DONE : SP_AFTER;
        p = r.end;
        if (!good) return (long)(p - data);
    }
    if (at_eof && s->state == SP_START)
        return split_error(err, errlen, s->line, "expected a JSON value (the input is empty)");
    if (at_eof && s->state != SP_DONE)
        return truncated_error(err, errlen, s->line,
                               s->state == SP_ELEM ? "expected array element after ','" : "expected ',' or ']'");
    return (long)(p - data);
}
