#include "luaflow_sqlite.h"

#include <stdlib.h>
#include <time.h>

struct luaflow_sqlite_deadline {
    int64_t at_ns;  /* CLOCK_MONOTONIC; 0 = none */
    int expired;
};

static void refuse(sqlite3_context *context, int argc, sqlite3_value **argv) {
    (void)argc;
    (void)argv;
    const char *name = (const char *)sqlite3_user_data(context);
    char message[128];
    sqlite3_snprintf(sizeof message, message, "%s() is not available in luaflow", name);
    sqlite3_result_error(context, message, -1);
}

static int refuse_function(sqlite3 *db, const char *name, int args) {
    return sqlite3_create_function_v2(db, name, args, SQLITE_UTF8, (void *)name, refuse, NULL, NULL, NULL);
}

int luaflow_sqlite_harden(sqlite3 *db) {
    static const int off[] = {SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER,
                              SQLITE_DBCONFIG_TRUSTED_SCHEMA, SQLITE_DBCONFIG_WRITABLE_SCHEMA};
    int rc = sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)0);
    for (size_t i = 0; rc == SQLITE_OK && i < sizeof off / sizeof off[0]; i++) rc = sqlite3_db_config(db, off[i], 0, (int *)0);
    if (rc != SQLITE_OK) return rc;
    sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
    if ((rc = refuse_function(db, "fts3_tokenizer", 1)) != SQLITE_OK) return rc;
    if ((rc = refuse_function(db, "fts3_tokenizer", 2)) != SQLITE_OK) return rc;
    if ((rc = refuse_function(db, "load_extension", 1)) != SQLITE_OK) return rc;
    return refuse_function(db, "load_extension", 2);
}

static int64_t monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

luaflow_sqlite_deadline *luaflow_sqlite_deadline_new(void) { return calloc(1, sizeof(luaflow_sqlite_deadline)); }

void luaflow_sqlite_deadline_free(luaflow_sqlite_deadline *d) { free(d); }

/* Called every 1000 virtual machine steps of a statement: nonzero ends it with SQLITE_INTERRUPT. */
static int past_deadline(void *context) {
    luaflow_sqlite_deadline *d = context;
    int64_t at = __atomic_load_n(&d->at_ns, __ATOMIC_ACQUIRE);
    if (at == 0 || monotonic_ns() < at) return 0;
    __atomic_store_n(&d->expired, 1, __ATOMIC_RELEASE);
    return 1;
}

void luaflow_sqlite_watch(sqlite3 *db, luaflow_sqlite_deadline *d) {
    sqlite3_progress_handler(db, d != NULL ? 1000 : 0, d != NULL ? past_deadline : NULL, d);
}

void luaflow_sqlite_deadline_arm(luaflow_sqlite_deadline *d, int64_t ns) {
    __atomic_store_n(&d->expired, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&d->at_ns, ns < 0 ? 0 : monotonic_ns() + ns, __ATOMIC_RELEASE);
}

int luaflow_sqlite_deadline_expired(luaflow_sqlite_deadline *d) { return __atomic_load_n(&d->expired, __ATOMIC_ACQUIRE); }
