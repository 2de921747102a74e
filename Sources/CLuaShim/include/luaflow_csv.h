#ifndef LUAFLOW_CSV_H
#define LUAFLOW_CSV_H
#include <lua5.4/lua.h>
#include "luaflow_buf.h"
#include "luaflow_utf8.h"

/* The incremental readers of `source.file`: CSV, a JSON array, and lines (JSON Lines or text).
 * Each takes the bytes read so far and returns how many it consumed; a record that is not valid
 * UTF-8 (or holds a NUL byte) is consumed, left out of `out` and described in `bad`, and the call
 * returns right after it, so the caller can apply the node's on_error policy and call again
 * with the rest. */

/// Incremental RFC 4180 reader that turns CSV text into JSON Lines, one object per row keyed by the
/// header row. Quoted fields, "" escapes, embedded newlines, CRLF and a UTF-8 BOM are handled; all
/// values stay strings. Opaque state; one per file.
typedef struct luaflow_csv_reader luaflow_csv_reader;

luaflow_csv_reader *luaflow_csv_reader_new(char delimiter);
void luaflow_csv_reader_free(luaflow_csv_reader *r);
/// Parses the complete records in [data, data+len) and appends one JSON object line ("{...}\n")
/// per data row to `out`, and each row's starting line number (1-based, in the file) to `lines`.
/// Without `at_eof`, a trailing incomplete record is left unconsumed: the caller passes those bytes
/// again, followed by more data. With `at_eof`, the remainder is the last record.
/// Returns the number of bytes consumed, or -1 on a malformed file with a message naming the line
/// in `err` ("line 7: unterminated quoted field", "line 9: 4 fields, header has 3"). A data row
/// with invalid UTF-8 or a NUL byte is reported in `bad` (see above); in the header row it is an
/// error.
long luaflow_csv_read(luaflow_csv_reader *r, const char *data, size_t len, int at_eof,
                      luaflow_buf *out, luaflow_i64buf *lines, luaflow_bad_record *bad,
                      char *err, size_t errlen);

/// Parses the header row at the start of [data, data+len), the row `luaflow_csv_read` takes its
/// keys from (after a UTF-8 BOM and blank lines; quoted names may hold the delimiter, "" and line
/// breaks), taking the data as complete. Appends each name as it is written in the row, unquoted,
/// followed by a NUL byte, to `names`. Returns the number of names, 0 when the data holds no header
/// row (it is empty or blank), or -1 with a message naming the line in `err` ("line 1: unterminated
/// quoted field", "line 1: header row: invalid UTF-8 ...").
long luaflow_csv_header(const char *data, size_t len, char delimiter, luaflow_buf *names,
                        char *err, size_t errlen);

/// Appends one CSV field, quoted when it contains the delimiter, a quote, CR or LF.
int luaflow_csv_append_field(luaflow_buf *out, const char *s, size_t len, char delimiter);
/// Appends a CSV row for the table at `tidx` with the columns listed (strings) in the array at
/// `cidx`, then "\n". Strings as they are, numbers as in JSON, booleans true/false, nil and
/// json.null empty, tables JSON-encoded. Unless `ignore_extra`, a key of the record that is not a
/// column raises "field 'x' is not one of the CSV columns (id, name, ...)". Raises Lua errors:
/// protected calls only.
/// stack: unchanged.
void luaflow_csv_append_row(lua_State *L, int tidx, int cidx, luaflow_buf *out, char delimiter,
                            int ignore_extra);

/// Incremental splitter for a file holding one JSON array of records (or a single JSON value): emits
/// each top-level element as one line of JSON text (newlines outside strings turned into spaces)
/// and its starting line number. A top-level value that is not an array is emitted as one record.
typedef struct luaflow_json_splitter luaflow_json_splitter;

luaflow_json_splitter *luaflow_json_splitter_new(void);
void luaflow_json_splitter_free(luaflow_json_splitter *s);
/// Same contract as luaflow_csv_read: returns bytes consumed, or -1 with `err` set
/// ("line 3: expected ',' or ']' after array element"; a file that ends inside the array says it
/// is truncated). Elements are validated structurally (brackets and strings balanced) and as
/// UTF-8 (a bad one goes to `bad`); their content is validated when decoded.
long luaflow_json_split(luaflow_json_splitter *s, const char *data, size_t len, int at_eof,
                        luaflow_buf *out, luaflow_i64buf *lines, luaflow_bad_record *bad,
                        char *err, size_t errlen);

/// Incremental line reader for JSON Lines and text files: a UTF-8 BOM at the start of the file is
/// skipped, blank lines (spaces, tabs, CR) are dropped, and a last line without a line feed is a
/// record like the others. JSON Lines pass as they are, one line each (their JSON is validated
/// when decoded); with `text`, each line becomes {"line":"..."} without its CR.
typedef struct luaflow_lines_reader luaflow_lines_reader;

luaflow_lines_reader *luaflow_lines_reader_new(int text);
void luaflow_lines_reader_free(luaflow_lines_reader *r);
/// Same contract as luaflow_csv_read; fails (-1, "out of memory" in `err`) only when out of memory.
long luaflow_lines_read(luaflow_lines_reader *r, const char *data, size_t len, int at_eof,
                        luaflow_buf *out, luaflow_i64buf *lines, luaflow_bad_record *bad,
                        char *err, size_t errlen);

#endif
