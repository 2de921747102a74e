#ifndef LUAFLOW_SQLITE_H
#define LUAFLOW_SQLITE_H

#include <sqlite3.h>
#include <stdint.h>

/// Turns on SQLite's own defences on a connection luaflow opened for a script, a source or a
/// sink, so that SQL run on it reaches nothing beyond its file:
/// - SQLITE_LIMIT_ATTACHED = 0: no ATTACH in any form (a statement, a trigger, VACUUM INTO,
///   which attaches its target; plain VACUUM attaches a temporary copy and is refused with it);
/// - SQLITE_DBCONFIG_DEFENSIVE: no writable_schema, no journal_mode=OFF, no writes to shadow tables;
/// - no extension loading, no FTS3 tokenizer pointers, trusted_schema off, writable_schema off;
/// - fts3_tokenizer() and load_extension() replaced by functions that fail: fts3_tokenizer hands
///   out a native address and, given a bound blob, calls one the caller chose.
/// Returns SQLITE_OK or the first failing call's code.
int luaflow_sqlite_harden(sqlite3 *db);

/// A per-connection deadline the progress handler checks, for a statement a script runs.
typedef struct luaflow_sqlite_deadline luaflow_sqlite_deadline;

luaflow_sqlite_deadline *luaflow_sqlite_deadline_new(void);
void luaflow_sqlite_deadline_free(luaflow_sqlite_deadline *d);
/// The statements of `db` stop (SQLITE_INTERRUPT) once `d`'s deadline passes; NULL removes the handler.
void luaflow_sqlite_watch(sqlite3 *db, luaflow_sqlite_deadline *d);
/// Arms the deadline `ns` nanoseconds from now (ns < 0: no deadline) and clears `expired`.
void luaflow_sqlite_deadline_arm(luaflow_sqlite_deadline *d, int64_t ns);
/// Whether the handler stopped a statement since the last arm.
int luaflow_sqlite_deadline_expired(luaflow_sqlite_deadline *d);

#endif
