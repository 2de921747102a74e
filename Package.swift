// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "luaflow",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "luaflow", targets: ["LuaflowCLI"]),
        .library(name: "LuaflowCore", targets: ["LuaflowCore"]),
        .library(name: "LuaBridge", targets: ["LuaBridge"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.25.0"),
        // Already resolved for AsyncHTTPClient; named for wss:// WebSockets and PostgreSQL TLS (`sslmode`).
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.27.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.4.1"),
        // OTLP/HTTP only: the default traits would also build the gRPC exporter and its stack.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        .target(
            name: "CLuaShim",
            dependencies: ["CLua"],
            cSettings: [.unsafeFlags(["-O3"])]
        ),
        .target(
            name: "CSQLiteShim",
            linkerSettings: [.linkedLibrary("sqlite3")]
        ),
        .executableTarget(name: "LuaBundler"),
        .plugin(name: "BundleLua", capability: .buildTool(), dependencies: ["LuaBundler"]),
        .target(
            name: "LuaBridge",
            dependencies: ["CLuaShim", "CLua"],
            plugins: ["BundleLua"]
        ),
        .target(
            name: "LuaflowCore",
            dependencies: [
                "LuaBridge",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            plugins: ["BundleLua"]
        ),
        .target(
            name: "LuaflowHTTP",
            dependencies: [
                "LuaflowCore",
                "CLuaShim",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            plugins: ["BundleLua"]
        ),
        .target(
            name: "LuaflowWebhook",
            dependencies: [
                "LuaflowCore",
                "LuaflowHTTP",
                "CLuaShim",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            plugins: ["BundleLua"]
        ),
        .target(
            name: "LuaflowSQL",
            dependencies: [
                "LuaflowCore",
                "LuaBridge",
                "CSQLiteShim",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            plugins: ["BundleLua"]
        ),
        .target(
            name: "LuaflowTesting",
            dependencies: [
                "LuaflowCore",
                "LuaflowHTTP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            plugins: ["BundleLua"]
        ),
        .target(
            name: "LuaflowObservability",
            dependencies: [
                "LuaflowCore",
                "LuaflowHTTP",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "LuaflowCLI",
            dependencies: [
                "LuaflowCore",
                "LuaflowHTTP",
                "LuaflowSQL",
                "LuaflowTesting",
                "LuaflowObservability",
                "LuaflowWebhook",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .testTarget(name: "CLuaShimTests", dependencies: ["CLuaShim", "CLua"]),
        .testTarget(name: "LuaBridgeTests", dependencies: ["LuaBridge"]),
        .testTarget(name: "LuaflowCoreTests", dependencies: ["LuaflowCore", "TestSupport"]),
        .target(
            name: "TestSupport",
            dependencies: ["LuaflowCore", "LuaflowTesting"],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "LuaflowHTTPTests", dependencies: ["LuaflowHTTP", "LuaflowTesting", "TestSupport"]),
        .testTarget(name: "LuaflowTestingTests", dependencies: ["LuaflowTesting", "LuaflowHTTP", "LuaflowCore", "LuaBridge", "TestSupport"]),
        .testTarget(name: "LuaflowSQLTests", dependencies: ["LuaflowSQL", "LuaflowCore", "LuaBridge", "TestSupport",
                                                  .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "LuaflowObservabilityTests", dependencies: ["LuaflowObservability", "LuaflowCore", "LuaflowTesting", "TestSupport"]),
        .testTarget(name: "LuaflowCLITests", dependencies: ["LuaflowCore", "LuaflowTesting", "TestSupport", .product(name: "Crypto", package: "swift-crypto"),
                                                          .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "LuaflowWebhookTests", dependencies: ["LuaflowWebhook", "LuaflowCore"]),
    ]
)
