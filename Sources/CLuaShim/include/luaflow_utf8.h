#ifndef LUAFLOW_UTF8_H
#define LUAFLOW_UTF8_H
#include <stddef.h>
#include <stdint.h>

/// Checks that [s, s+len) is valid UTF-8 without NUL bytes: no overlong forms, no UTF-16
/// surrogates, nothing above U+10FFFF, no truncated sequences, no stray continuation bytes.
/// ASCII runs are checked 8 bytes at a time. Returns 1 when the text is valid; otherwise 0, the
/// 0-based offset of the first offending byte in `*offset` (when not NULL) and, in `msg`, what
/// is wrong with the byte position counted from 1: "invalid UTF-8 at byte 17: stray continuation
/// byte 0x80", "NUL byte at byte 4".
int luaflow_utf8_check(const char *s, size_t len, size_t *offset, char *msg, size_t msglen);

/// The length of the UTF-8 byte order mark at the start of a file's first bytes [data, data+len):
/// 3 when there is one, 0 when there is none, -1 when `len` is too short to tell and more input
/// follows (`at_eof` is 0).
int luaflow_utf8_bom_length(const char *data, size_t len, int at_eof);

/// A record an incremental reader skipped because its bytes cannot become a record (invalid
/// UTF-8 or a NUL byte). The reader consumes it, hands on the good records before it, and stops
/// so that the caller can apply the node's on_error policy before reading on.
typedef struct luaflow_bad_record {
    int found;         ///< 1 when the last call stopped after a bad record
    int64_t line;      ///< file line where the record starts (1-based)
    size_t start;      ///< the record's bytes, as an offset and length in the data passed in
    size_t len;
    char message[96];  ///< what is wrong, as by luaflow_utf8_check
} luaflow_bad_record;

#endif
