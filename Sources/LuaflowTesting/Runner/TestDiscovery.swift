import Foundation

/// Finds the test files `luaflow test` runs: files named on the command line as they are, and
/// every `*_test.lua` under directories (hidden directories such as `.build` and `.luaflow`
/// skipped), in path order.
public enum TestDiscovery {
    /// A path that does not exist, or no test file anywhere: a usage error.
    public struct Problem: Error, CustomStringConvertible {
        public let description: String
    }

    /// The test files under `paths` (the current directory when empty), as output shows them.
    public static func files(in paths: [String]) throws -> [String] {
        var found: [String] = []
        for path in paths.isEmpty ? ["."] : paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw Problem(description: "\(path): no such file or directory")
            }
            found += isDirectory.boolValue ? testFiles(under: path) : [path]
        }
        var seen = Set<String>()
        found = found.filter { seen.insert(URL(fileURLWithPath: $0).standardizedFileURL.path).inserted }
        guard !found.isEmpty else {
            let places = paths.isEmpty ? "the current directory" : paths.joined(separator: ", ")
            throw Problem(description: "no test files (*_test.lua) found in \(places)")
        }
        return found
    }

    private static func testFiles(under directory: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return [] }
        var files: [String] = []
        while let relative = walker.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            if name.hasPrefix(".") {
                walker.skipDescendants()
                continue
            }
            if name.hasSuffix("_test.lua") {
                files.append(directory == "." ? relative : (directory as NSString).appendingPathComponent(relative))
            }
        }
        return files.sorted()
    }
}
