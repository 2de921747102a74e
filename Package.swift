// swift-tools-version:6.0
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
            name: "LuaBridge",
            dependencies: ["CLuaShim", "CLua"]
        ),
        .target(
            name: "LuaflowCore",
            dependencies: [
                "LuaBridge",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        .executableTarget(
            name: "LuaflowCLI",
            dependencies: [
                "LuaflowCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "CLuaShimTests", dependencies: ["CLuaShim", "CLua"]),
        .testTarget(name: "LuaBridgeTests", dependencies: ["LuaBridge"]),
        .testTarget(name: "LuaflowCoreTests", dependencies: ["LuaflowCore"]),
        .testTarget(name: "LuaflowCLITests", dependencies: ["LuaflowCore"]),
    ]
)
