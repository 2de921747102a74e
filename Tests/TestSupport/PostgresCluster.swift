import Foundation
import LuaflowCore

/// A throwaway PostgreSQL server for the tests, from Debian's server binaries
/// (`/usr/lib/postgresql/<version>/bin`, installed by `scripts/bootstrap`): `initdb` in a temporary
/// directory, `postgres` on a free port of 127.0.0.1 (its unix socket in that directory), a role
/// with a password and a database of its own. One server per test process, started by the first
/// test that asks for it and shared; each test takes a database of its own
/// (``createDatabase(_:)``). It is stopped and its directory removed when the process exits, or,
/// if the process is killed, by a watchdog within a second.
///
/// initdb refuses to run as root: as root, the server runs as `nobody` (through `setpriv`).
///
///     let pg = try PostgresCluster.shared()
///     let dsn = try pg.createDatabase("orders")
///     try pg.psql("create table t (id int)", database: pg.database(in: dsn))
public final class PostgresCluster: Sendable {
    /// The role tests connect as, and its password (a secret: tests check that it never shows).
    public static let user = "luaflow"
    public static let password = "pg-test-password-8c1e4f"

    /// The server's TCP port on 127.0.0.1.
    public let port: Int
    /// The directory holding the data, the socket and the log.
    public let directory: String
    private let bin: String
    private let serverUser: [String]
    private let databases = Locked(0)

    /// The shared server, started on the first call. Fails (it never skips) when the server
    /// binaries are missing, saying to run `scripts/bootstrap`.
    public static func shared() throws -> PostgresCluster {
        try started.get()
    }

    private static let started: Result<PostgresCluster, Error> = Result {
        let cluster = try PostgresCluster()
        atexit { PostgresCluster.stopShared() }
        return cluster
    }

    private static func stopShared() {
        try? started.get().stop()
    }

    private init() throws {
        bin = try Self.serverBinaries()
        let root = getuid() == 0
        serverUser = root ? ["/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"] : []
        var template = Array("/tmp/luaflow-pg.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw ClusterError("cannot create a temporary directory for PostgreSQL") }
        directory = String(cString: made)
        chmod(directory, 0o755)
        if root { chown(directory, 65534, 65534) }
        port = try Self.freePort()
        try watchOverProcess()
        do {
            try start(root: root)
        } catch {
            stop()
            throw error
        }
    }

    private func start(root: Bool) throws {
        let passwordFile = directory + "/superuser-password"
        try Self.password.write(toFile: passwordFile, atomically: false, encoding: .utf8)
        if root { chown(passwordFile, 65534, 65534) }
        try run(serverUser + [bin + "/initdb", "-D", directory + "/data", "-U", "postgres", "--pwfile=" + passwordFile,
                              "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync", "--no-instructions"])
        let options = "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        try run(serverUser + [bin + "/pg_ctl", "-D", directory + "/data", "-l", directory + "/server.log", "-w", "-t", "60", "-o", options, "start"])
        try psql("create role \(Self.user) login createdb password '\(Self.password)'", database: "postgres", user: "postgres")
        try psql("create database \(Self.user) owner \(Self.user)", database: "postgres", user: "postgres")
    }

    /// A DSN reaching `database` as ``user`` (with `password`, the right one unless given).
    public func dsn(database: String = PostgresCluster.user, password: String = PostgresCluster.password) -> String {
        "postgres://\(Self.user):\(password)@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// A new, empty database owned by ``user`` (`<prefix>_<n>`); returns its DSN.
    public func createDatabase(_ prefix: String = "test") throws -> String {
        let name = "\(prefix)_\(databases.withLock { $0 += 1; return $0 })"
        try psql("create database \(name) owner \(Self.user)", database: "postgres")
        return dsn(database: name)
    }

    /// The database a DSN of ``dsn(database:password:)`` names.
    public func database(in dsn: String) -> String {
        String(dsn.split(separator: "/").last!.split(separator: "?").first!)
    }

    /// Runs `sql` as `user` (the tests' role unless given: what it creates is theirs) through
    /// the unix socket (`psql -At`, stops at the first error); returns what it printed.
    @discardableResult
    public func psql(_ sql: String, database: String, user: String = PostgresCluster.user) throws -> String {
        try run(psqlArguments(sql, database: database, user: user))
    }

    /// Starts `psql` running `sql` as ``user`` without waiting for it (a session that holds a
    /// lock while the test runs something else); returns its process id, for `waitpid`.
    public func psqlInBackground(_ sql: String, database: String) throws -> pid_t {
        try spawn(psqlArguments(sql, database: database, user: Self.user), output: "/dev/null")
    }

    private func psqlArguments(_ sql: String, database: String, user: String) -> [String] {
        [bin + "/psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", directory, "-p", "\(port)", "-U", user, "-d", database, "-c", sql]
    }

    /// Stops the server at once and removes its directory.
    public func stop() {
        _ = try? run(serverUser + [bin + "/pg_ctl", "-D", directory + "/data", "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A port of 127.0.0.1 where nothing listens (for connection-refused tests).
    public static func unusedPort() throws -> Int { try freePort() }

    /// The newest `/usr/lib/postgresql/<version>/bin` holding initdb, pg_ctl and postgres.
    private static func serverBinaries() throws -> String {
        let base = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []).compactMap(Int.init).sorted()
        for version in versions.reversed() {
            let bin = "\(base)/\(version)/bin"
            if ["initdb", "pg_ctl", "postgres", "psql"].allSatisfy({ FileManager.default.isExecutableFile(atPath: bin + "/" + $0) }) {
                return bin
            }
        }
        throw ClusterError("""
            the PostgreSQL server binaries (initdb, pg_ctl, postgres, psql under \(base)/<version>/bin) are not \
            installed: run scripts/bootstrap (it installs Debian's postgresql package)
            """)
    }

    /// A port that was free a moment ago: bound to 127.0.0.1:0, read back, closed.
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClusterError("socket() failed: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw ClusterError("cannot bind 127.0.0.1:0: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A shell that stops the server and removes the directory once this process is gone, even
    /// after a kill -9.
    private func watchOverProcess() throws {
        let stopCommand = (serverUser + [bin + "/pg_ctl", "-D", directory + "/data", "-m", "immediate", "stop"])
            .map { "'\($0)'" }.joined(separator: " ")
        let script = """
            while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done
            [ -d '\(directory)/data' ] && \(stopCommand) >/dev/null 2>&1
            rm -rf '\(directory)'
            """
        _ = try spawn(["/bin/sh", "-c", script], output: "/dev/null")
    }

    /// Runs `argv`, its output going to a file; throws with that output when it fails.
    @discardableResult
    private func run(_ argv: [String]) throws -> String {
        let outputPath = directory + "/command-\(UUID().uuidString).out"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let pid = try spawn(argv, output: outputPath)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard status & 0x7f == 0 && (status >> 8) & 0xff == 0 else {
            let name = URL(fileURLWithPath: argv.first { $0.hasPrefix(bin) } ?? argv[0]).lastPathComponent
            throw ClusterError("\(name) failed (status \(status)): \(text)")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts `argv` in the cluster's directory with standard output and error going to `output`
    /// and no other descriptor of this process: the server it may start (pg_ctl leaves it
    /// running) must not hold a pipe of the test process open. (Foundation's `Process` waits for
    /// a descriptor the server would inherit, so `waitUntilExit` would never return.)
    private func spawn(_ argv: [String], output: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        Self.closeFrom(&actions, 3)
        Self.changeDirectory(&actions, directory)
        let arguments = argv.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, argv[0], &actions, nil, arguments, environ)
        guard code == 0 else { throw ClusterError("cannot start \(argv[0]): \(String(cString: strerror(code)))") }
        return pid
    }

    // glibc's posix_spawn_file_actions_addclosefrom_np and _addchdir_np (2.34+), which Swift's
    // Glibc module does not declare.
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private static let closeFrom = unsafeBitCast(dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")!,
                                                 to: CloseFrom.self)
    private static let changeDirectory = unsafeBitCast(dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np")!,
                                                       to: ChangeDirectory.self)
}

/// Why the test cluster could not start or run a command.
public struct ClusterError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
