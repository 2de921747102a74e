import Foundation

/// Reads a few values out of a JSON document without building it: the scalars at some dot paths
/// (a cursor, a total, a next URL) and the length of the arrays at others (the records). Subtrees
/// no path leads into are skipped byte by byte, so a 1,000-record page costs a fraction of a full
/// parse. The document is still checked for well-formed structure (brackets, strings, literals).
///
/// Paths are ``JSONPath`` paths; negative indexes and `*` are not supported here (``canScan(_:)``).
public enum JSONScanner {
    /// What a scan found. Scalars are `String`, `Int`, `Double` or `Bool`; an object or array at a
    /// value path is reported as ``container``; JSON `null` and missing paths are absent.
    public struct Extract {
        public var values: [String: Any] = [:]
        /// Array length at each count path (1 for an object or scalar there, absent when missing or null).
        public var counts: [String: Int] = [:]
        /// Byte range of the value (its raw JSON text, `null` included) at each span path, absent when missing.
        public var spans: [String: Range<Int>] = [:]
    }

    /// The paths of a scan, prepared once for many documents (every page of a walk).
    public struct Plan {
        let root = PathTrie()

        /// `values`: scalars to read; `counts`: arrays to count; `spans`: values whose raw text to locate.
        public init(values: [String] = [], counts: [String] = [], spans: [String] = []) {
            for path in values { root.insert(JSONPath.steps(path)).valuePaths.append(path) }
            for path in counts { root.insert(JSONPath.steps(path)).countPaths.append(path) }
            for path in spans { root.insert(JSONPath.steps(path)).spanPaths.append(path) }
        }
    }

    /// Stands for an object or array found where a scalar was asked for.
    public struct Container: Sendable, Equatable {}
    public static let container = Container()

    /// The deepest nesting accepted; deeper documents are rejected rather than risking the stack.
    public static let maxDepth = 512

    /// Whether `path` can be scanned (negative indexes and `*` steps need the whole document).
    public static func canScan(_ path: String) -> Bool {
        !JSONPath.steps(path).contains { $0.hasPrefix("-") || $0 == "*" }
    }

    /// Throws ``HTTPError/Kind/invalidResponse`` when `bytes` is not a JSON document.
    public static func scan(_ bytes: [UInt8], values: [String], counts: [String]) throws -> Extract {
        try scan(bytes, plan: Plan(values: values, counts: counts))
    }

    /// Scans `bytes` for the paths of `plan`. Throws ``HTTPError/Kind/invalidResponse`` when
    /// `bytes` is not a JSON document.
    public static func scan(_ bytes: [UInt8], plan: Plan) throws -> Extract {
        try bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONByteReader(buffer)
            var extract = Extract()
            try reader.walk(plan.root, depth: 0, into: &extract)
            reader.skipWhitespace()
            guard reader.atEnd else { throw reader.failure("unexpected data after the document") }
            return extract
        }
    }
}

/// The paths of one scan as a tree of steps; a node records which paths end there.
final class PathTrie {
    var children: [(key: [UInt8], node: PathTrie)] = []
    var valuePaths: [String] = []
    var countPaths: [String] = []
    var spanPaths: [String] = []

    func insert(_ steps: [String]) -> PathTrie {
        var node = self
        for step in steps {
            let key = Array(step.utf8)
            if let existing = node.children.first(where: { $0.key == key })?.node {
                node = existing
            } else {
                let child = PathTrie()
                node.children.append((key, child))
                node = child
            }
        }
        return node
    }

    func child(_ key: UnsafeBufferPointer<UInt8>) -> PathTrie? {
        children.first { $0.key.elementsEqual(key) }?.node
    }

    func child(index: Int) -> PathTrie? {
        children.isEmpty ? nil : child(Array(String(index).utf8))
    }

    func child(_ key: [UInt8]) -> PathTrie? {
        children.first { $0.key == key }?.node
    }
}
