/* The confined file opening behind a script's io.open / io.lines / require. A script's policy is
 * a table { roots = {dir...}, readonly = {file...}, hidden = {path prefix...} } that only the
 * host and the script's own io closures hold. The path is resolved through every symlink, the
 * final component included; the file is opened with O_NOFOLLOW and what was actually opened is
 * checked again through its descriptor before anything is truncated, so a link swapped in
 * between the check and the open cannot redirect the access. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>
#include "luaflow_state.h"

static int has_prefix_dir(const char *path, const char *root) {
    size_t n = strlen(root);
    if (strncmp(path, root, n) != 0) return 0;
    return path[n] == '\0' || path[n] == '/' || (n > 0 && root[n - 1] == '/');
}

/* Resolves `path` (relative to `base`) through every symlink. For a file that does not exist yet,
 * resolves its directory; a name that exists but cannot be resolved (a dangling link) is refused.
 * Returns 0 and fills `out`, else an errno value. */
static int resolve(const char *path, const char *base, char *out) {
    char joined[PATH_MAX];
    if (path[0] == '/') {
        if (strlen(path) >= sizeof joined) return ENAMETOOLONG;
        strcpy(joined, path);
    } else if ((size_t)snprintf(joined, sizeof joined, "%s/%s", base, path) >= sizeof joined) {
        return ENAMETOOLONG;
    }
    if (realpath(joined, out) != NULL) return 0;
    if (errno != ENOENT) return errno;
    struct stat st;
    if (lstat(joined, &st) == 0) return ELOOP; /* it exists but leads nowhere: a dangling link */
    char *slash = strrchr(joined, '/');
    if (slash == NULL) return ENOENT;
    *slash = '\0';
    char dir[PATH_MAX];
    if (realpath(joined[0] ? joined : "/", dir) == NULL) return ENOENT;
    const char *name = slash + 1;
    if (strcmp(name, "..") == 0 || strcmp(name, ".") == 0 || name[0] == '\0') return ENOENT;
    if ((size_t)snprintf(out, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX) return ENAMETOOLONG;
    return 0;
}

/* Whether `path` matches an entry of the list policy[field]: under it (prefix) or equal to it. */
static int listed(lua_State *L, int policy, const char *field, const char *path, int prefix) {
    int found = 0;
    if (lua_getfield(L, policy, field) == LUA_TTABLE) {
        lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
        for (lua_Integer i = 1; i <= n && !found; i++) {
            lua_rawgeti(L, -1, i);
            const char *entry = lua_tostring(L, -1);
            if (entry) found = prefix ? strncmp(path, entry, strlen(entry)) == 0 : strcmp(path, entry) == 0;
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
    return found;
}

/* NULL when the policy lets a script open `path` (resolved) for reading or writing, else why not. */
static const char *refusal(lua_State *L, int policy, const char *path, int writing) {
    if (listed(L, policy, "hidden", path, 1)) return "access denied (the pipeline's state store is not open to scripts)";
    if (writing && listed(L, policy, "readonly", path, 0))
        return "access denied (the pipeline's own files are read-only to scripts)";
    int inside = 0;
    if (lua_getfield(L, policy, "roots") == LUA_TTABLE) {
        lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
        for (lua_Integer i = 1; i <= n && !inside; i++) {
            lua_rawgeti(L, -1, i);
            const char *root = lua_tostring(L, -1);
            inside = root != NULL && has_prefix_dir(path, root);
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
    if (!inside)
        return "access denied (scripts may only use files under the pipeline directory or paths the user "
               "configured for the node)";
    return NULL;
}

/* The path the descriptor really names, for the check after opening. Returns 0 on success. */
static int opened_path(int fd, const char *expected, char *out) {
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, out, PATH_MAX - 1);
    if (n >= 0) {
        out[n] = '\0';
        return 0;
    }
    /* no /proc: the descriptor must be the very file the resolved path names now */
    struct stat a, b;
    if (fstat(fd, &a) != 0 || stat(expected, &b) != 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino) return -1;
    strcpy(out, expected);
    return 0;
}

static int stream_close(lua_State *L) {
    luaL_Stream *p = (luaL_Stream *)luaL_checkudata(L, 1, LUA_FILEHANDLE);
    return luaL_fileresult(L, fclose(p->f) == 0, NULL);
}

static int fail(lua_State *L, const char *path, const char *why) {
    lua_pushnil(L);
    lua_pushfstring(L, "%s: %s", path, why);
    return 2;
}

/* open(path, mode, policy) -> file | nil, message. `mode` is an io.open mode, checked by the caller. */
int luaflow_open_checked(lua_State *L) {
    const char *path = luaL_checkstring(L, 1);
    const char *mode = luaL_checkstring(L, 2);
    luaL_checktype(L, 3, LUA_TTABLE);
    lua_settop(L, 3);
    /* the handle exists (closed) before the file does, so no error can leak a descriptor */
    luaL_Stream *p = (luaL_Stream *)lua_newuserdatauv(L, sizeof(luaL_Stream), 0); /* stack: path, mode, policy, file */
    p->f = NULL;
    p->closef = NULL;
    luaL_setmetatable(L, LUA_FILEHANDLE);
    int writing = mode[0] != 'r' || strchr(mode, '+') != NULL;
    lua_getfield(L, 3, "roots");
    lua_rawgeti(L, -1, 1);
    const char *base = lua_tostring(L, -1);
    if (base == NULL) return fail(L, path, "access denied (no allowed directories)");
    char resolved[PATH_MAX];
    int err = resolve(path, base, resolved);
    lua_pop(L, 2);
    if (err == ELOOP) return fail(L, path, "access denied (a symbolic link that leads nowhere)");
    if (err != 0) return fail(L, path, strerror(err));
    const char *why = refusal(L, 3, resolved, writing);
    if (why) return fail(L, path, why);

    int flags = O_CLOEXEC | O_NOFOLLOW;
    if (strchr(mode, '+')) flags |= O_RDWR;
    else flags |= mode[0] == 'r' ? O_RDONLY : O_WRONLY;
    if (mode[0] != 'r') flags |= O_CREAT;
    if (mode[0] == 'a') flags |= O_APPEND;
    int fd = open(resolved, flags, 0666);
    if (fd < 0) return fail(L, path, errno == ELOOP ? "access denied (a symbolic link)" : strerror(errno));
    char actual[PATH_MAX];
    why = opened_path(fd, resolved, actual) != 0 ? "access denied (the file changed while it was opened)"
                                                 : refusal(L, 3, actual, writing);
    if (why == NULL && mode[0] == 'w' && ftruncate(fd, 0) != 0) why = strerror(errno);
    FILE *f = why == NULL ? fdopen(fd, mode) : NULL;
    if (f == NULL) {
        if (why == NULL) why = strerror(errno);
        close(fd);
        return fail(L, path, why);
    }
    p->f = f;
    p->closef = &stream_close;
    return 1;
}
