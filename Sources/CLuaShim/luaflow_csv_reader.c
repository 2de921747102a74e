/* Incremental RFC 4180 CSV reader: turns CSV text into JSON Lines (one object per data row, keyed
 * by the header row, all values strings). Handles a UTF-8 BOM, CRLF/LF, quoted fields with ""
 * escapes and embedded newlines, blank lines, and empty or duplicate header names. */
#include "luaflow_csv.h"
#include "luaflow_json_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ST_BOM, ST_HEADER, ST_DATA };
enum { REC_OK, REC_BLANK, REC_INCOMPLETE, REC_ERROR, REC_OOM };

struct luaflow_csv_reader {
    char delim;
    int state;
    int64_t line;          /* physical line of the next unconsumed byte, 1-based */
    luaflow_buf names;     /* header: raw names while parsing the header row */
    luaflow_i64buf name_off;
    luaflow_buf keys;      /* pre-encoded JSON keys: "name": */
    luaflow_i64buf key_off; /* nkeys + 1 offsets into keys */
    size_t nkeys;
    const char *err;       /* error detail, with err_line */
    int64_t err_line;
    size_t err_fields;
};

luaflow_csv_reader *luaflow_csv_reader_new(char delimiter) {
    if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') return NULL;
    luaflow_csv_reader *r = calloc(1, sizeof *r);
    if (r == NULL) return NULL;
    r->delim = delimiter;
    r->state = ST_BOM;
    r->line = 1;
    luaflow_buf_init(&r->names);
    luaflow_i64buf_init(&r->name_off);
    luaflow_buf_init(&r->keys);
    luaflow_i64buf_init(&r->key_off);
    return r;
}

void luaflow_csv_reader_free(luaflow_csv_reader *r) {
    if (r == NULL) return;
    luaflow_buf_free(&r->names);
    luaflow_i64buf_free(&r->name_off);
    luaflow_buf_free(&r->keys);
    luaflow_i64buf_free(&r->key_off);
    free(r);
}

static int64_t count_lf(const char *p, const char *e) {
    int64_t n = 0;
    while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
        n++;
        p++;
    }
    return n;
}

/* Emits one field. Quoted content still holds its "" pairs. Header fields go to r->names; data
 * fields are written as "key":"value" to out (fields beyond the header are only counted). */
static int emit_field(luaflow_csv_reader *r, luaflow_buf *out, size_t idx, const char *s,
                      const char *e, int quoted) {
    luaflow_buf *dst = out;
    if (r->state == ST_HEADER) {
        dst = &r->names;
    } else {
        if (idx >= r->nkeys) return 0;
        const char *key = r->keys.data + r->key_off.data[idx];
        size_t klen = (size_t)(r->key_off.data[idx + 1] - r->key_off.data[idx]);
        if (luaflow_buf_reserve(out, klen + 3) != 0) return -1;
        out->data[out->len++] = idx == 0 ? '{' : ',';
        memcpy(out->data + out->len, key, klen);
        out->len += klen;
        out->data[out->len++] = '"';
    }
    for (;;) {
        const char *q = quoted ? memchr(s, '"', (size_t)(e - s)) : NULL;
        const char *stop = q != NULL ? q : e;
        int rc = dst == out ? luaflow_json_append_escaped(out, s, (size_t)(stop - s))
                            : luaflow_buf_append(dst, s, (size_t)(stop - s));
        if (rc != 0) return -1;
        if (q == NULL) break;
        if (luaflow_buf_append(dst, dst == out ? "\\\"" : "\"", dst == out ? 2 : 1) != 0)
            return -1;
        s = q + 2; /* skip the doubled quote */
    }
    if (dst == out) return luaflow_buf_append(out, "\"", 1);
    return luaflow_i64buf_push(&r->name_off, (int64_t)r->names.len);
}

/* Parses one record at *pp. On REC_OK/REC_BLANK advances *pp and r->line. */
static int parse_record(luaflow_csv_reader *r, const char **pp, const char *e, int at_eof,
                        luaflow_buf *out) {
    const char *p = *pp;
    const char delim = r->delim;
    int64_t lf = 0;
    size_t nfields = 0;
    if (*p == '\n' || (*p == '\r' && ((p + 1 < e && p[1] == '\n') || (p + 1 == e && at_eof)))) {
        p += *p == '\r' && p + 1 < e ? 2 : 1;
        *pp = p;
        r->line++;
        return REC_BLANK;
    }
    if (*p == '\r' && p + 1 == e) return REC_INCOMPLETE;
    for (;;) {
        const char *fs, *fe, *next;
        int quoted = p < e && *p == '"';
        if (quoted) {
            fs = p + 1;
            const char *q = fs;
            for (;;) {
                q = memchr(q, '"', (size_t)(e - q));
                if (q == NULL || (q + 1 == e && !at_eof)) {
                    if (!at_eof) return REC_INCOMPLETE;
                    r->err = "unterminated quoted field";
                    r->err_line = r->line + lf;
                    return REC_ERROR;
                }
                if (q + 1 < e && q[1] == '"') q += 2;
                else break;
            }
            fe = q;
            lf += count_lf(fs, fe);
            next = q + 1;
            if (next < e && *next != delim && *next != '\n' &&
                !(*next == '\r' && ((next + 1 < e && next[1] == '\n') || (next + 1 == e)))) {
                r->err = "expected delimiter or end of line after closing quote";
                r->err_line = r->line + lf;
                return REC_ERROR;
            }
        } else {
            fs = p;
            fe = p;
            for (;;) {
                while (fe < e && *fe != delim && *fe != '\n' && *fe != '\r') fe++;
                if (fe < e && *fe == '\r' && fe + 1 < e && fe[1] != '\n') {
                    fe++; /* a lone CR is data */
                    continue;
                }
                break;
            }
            next = fe;
        }
        /* next: at the delimiter, line end, or end of data */
        if (next == e || (*next == '\r' && next + 1 == e)) {
            if (!at_eof) return REC_INCOMPLETE;
        }
        if (emit_field(r, out, nfields, fs, fe, quoted) != 0) return REC_OOM;
        nfields++;
        if (next < e && *next == delim) {
            p = next + 1;
            continue;
        }
        if (next < e) next += (*next == '\r' && next + 1 < e) ? 2 : 1;
        if (next <= e && next > fe && next[-1] == '\n') lf++;
        *pp = next;
        break;
    }
    if (r->state == ST_DATA && nfields != r->nkeys) {
        r->err_line = r->line;
        r->err_fields = nfields;
        r->err = NULL;
        return REC_ERROR;
    }
    r->line += lf;
    return REC_OK;
}

/* Turns the collected header names into unique, pre-encoded JSON keys. */
static int build_keys(luaflow_csv_reader *r) {
    size_t n = r->name_off.len - 1;
    luaflow_buf uniq; /* the final names, for duplicate checks */
    luaflow_i64buf uoff;
    luaflow_buf_init(&uniq);
    luaflow_i64buf_init(&uoff);
    int rc = luaflow_i64buf_push(&uoff, 0) | luaflow_i64buf_push(&r->key_off, 0);
    for (size_t i = 0; i < n && rc == 0; i++) {
        char gen[48];
        const char *name = r->names.data + r->name_off.data[i];
        size_t len = (size_t)(r->name_off.data[i + 1] - r->name_off.data[i]);
        if (len == 0) {
            len = (size_t)snprintf(gen, sizeof gen, "column_%zu", i + 1);
            name = gen;
        }
        size_t base = uniq.len;
        rc |= luaflow_buf_append(&uniq, name, len);
        for (int k = 2; rc == 0; k++) {
            size_t nlen = uniq.len - base;
            int dup = 0;
            for (size_t j = 0; j < i && !dup; j++) {
                size_t jl = (size_t)(uoff.data[j + 1] - uoff.data[j]);
                dup = jl == nlen && memcmp(uniq.data + uoff.data[j], uniq.data + base, nlen) == 0;
            }
            if (!dup) break;
            char suffix[24];
            int slen = snprintf(suffix, sizeof suffix, "_%d", k);
            uniq.len = base + len;
            rc |= luaflow_buf_append(&uniq, suffix, (size_t)slen);
        }
        if (rc != 0) break;
        rc |= luaflow_i64buf_push(&uoff, (int64_t)uniq.len);
        rc |= luaflow_buf_append(&r->keys, "\"", 1);
        if (rc == 0) rc |= luaflow_json_append_escaped(&r->keys, uniq.data + base, uniq.len - base);
        rc |= luaflow_buf_append(&r->keys, "\":", 2);
        rc |= luaflow_i64buf_push(&r->key_off, (int64_t)r->keys.len);
    }
    r->nkeys = n;
    luaflow_buf_free(&uniq);
    luaflow_i64buf_free(&uoff);
    luaflow_buf_free(&r->names);
    luaflow_i64buf_free(&r->name_off);
    return rc == 0 ? 0 : -1;
}

long luaflow_csv_read(luaflow_csv_reader *r, const char *data, size_t len, int at_eof,
                      luaflow_buf *out, luaflow_i64buf *lines, luaflow_bad_record *bad,
                      char *err, size_t errlen) {
    const char *p = data, *e = data + len;
    if (err != NULL && errlen > 0) err[0] = '\0';
    bad->found = 0;
    if (r->state == ST_BOM) {
        int bom = luaflow_utf8_bom_length(data, len, at_eof);
        if (bom < 0) return 0;
        p += bom;
        r->state = ST_HEADER;
    }
    while (p < e) {
        size_t mark = out->len;
        const char *rec = p;
        int64_t rec_line = r->line;
        if (r->state == ST_HEADER) {
            r->names.len = 0;
            r->name_off.len = 0;
            if (luaflow_i64buf_push(&r->name_off, 0) != 0) goto oom;
        }
        int rc = parse_record(r, &p, e, at_eof, out);
        if (rc == REC_BLANK) continue;
        if (rc == REC_INCOMPLETE) {
            out->len = mark;
            return (long)(rec - data);
        }
        if (rc == REC_OOM) {
            out->len = mark;
            goto oom;
        }
        if (rc == REC_ERROR) {
            out->len = mark;
            if (err == NULL || errlen == 0) return -1;
            if (r->err != NULL) {
                snprintf(err, errlen, "line %lld: %s", (long long)r->err_line, r->err);
            } else {
                snprintf(err, errlen, "line %lld: %zu field%s, header has %zu",
                         (long long)r->err_line, r->err_fields, r->err_fields == 1 ? "" : "s",
                         r->nkeys);
            }
            return -1;
        }
        /* the whole row as UTF-8: delimiters, quotes and line ends are ASCII, so this checks
         * every field */
        if (!luaflow_utf8_check(rec, (size_t)(p - rec), NULL, bad->message, sizeof bad->message)) {
            out->len = mark;
            if (r->state == ST_HEADER) {
                if (err != NULL && errlen > 0)
                    snprintf(err, errlen, "line %lld: header row: %s", (long long)rec_line, bad->message);
                return -1;
            }
            bad->found = 1;
            bad->line = rec_line;
            bad->start = (size_t)(rec - data);
            bad->len = (size_t)(p - rec);
            while (bad->len > 0 && (rec[bad->len - 1] == '\n' || rec[bad->len - 1] == '\r')) bad->len--;
            return (long)(p - data);
        }
        if (r->state == ST_HEADER) {
            if (build_keys(r) != 0) goto oom;
            r->state = ST_DATA;
            continue;
        }
        if (luaflow_buf_append(out, "}\n", 2) != 0 || luaflow_i64buf_push(lines, rec_line) != 0) {
            out->len = mark;
            goto oom;
        }
    }
    if (at_eof && r->state == ST_HEADER) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "line %lld: expected a header row (the file is empty)",
                     (long long)r->line);
        return -1;
    }
    return (long)(p - data);
oom:
    if (err != NULL && errlen > 0) snprintf(err, errlen, "out of memory");
    return -1;
}

long luaflow_csv_header(const char *data, size_t len, char delimiter, luaflow_buf *names,
                        char *err, size_t errlen) {
    luaflow_csv_reader *r = luaflow_csv_reader_new(delimiter);
    if (r == NULL) {
        snprintf(err, errlen, delimiter == '"' || delimiter == '\n' || delimiter == '\r'
                                  ? "the delimiter cannot be a quote or a line break" : "out of memory");
        return -1;
    }
    const char *p = data, *e = data + len;
    p += luaflow_utf8_bom_length(data, len, 1);
    r->state = ST_HEADER;
    long count = 0;
    while (p < e) {
        const char *rec = p;
        int64_t rec_line = r->line;
        r->names.len = 0;
        r->name_off.len = 0;
        int rc = luaflow_i64buf_push(&r->name_off, 0) == 0 ? parse_record(r, &p, e, 1, NULL) : REC_OOM;
        if (rc == REC_BLANK) continue;
        if (rc == REC_OOM) {
            snprintf(err, errlen, "out of memory");
            count = -1;
        } else if (rc != REC_OK) {
            snprintf(err, errlen, "line %lld: %s", (long long)r->err_line, r->err);
            count = -1;
        } else {
            char bad[96];
            if (!luaflow_utf8_check(rec, (size_t)(p - rec), NULL, bad, sizeof bad)) {
                snprintf(err, errlen, "line %lld: header row: %s", (long long)rec_line, bad);
                count = -1;
            }
        }
        for (size_t i = 0; count >= 0 && i + 1 < r->name_off.len; i++) {
            const char *name = r->names.data + r->name_off.data[i];
            size_t nlen = (size_t)(r->name_off.data[i + 1] - r->name_off.data[i]);
            if (luaflow_buf_append(names, name, nlen) != 0 || luaflow_buf_append(names, "", 1) != 0) {
                snprintf(err, errlen, "out of memory");
                count = -1;
            } else {
                count++;
            }
        }
        break;
    }
    luaflow_csv_reader_free(r);
    return count;
}
