import Foundation
import LuaflowCore
import Yams

/// A `--config` file (YAML, or JSON when the name ends in `.json`) turned into JSON text for
/// the loader. The top level must be a mapping: node name → settings for `run` and `check`,
/// setting → value for `discover`.
enum ConfigFile {
    /// Largest config file read, in bytes.
    static let maxFileSize = 16 << 20
    /// Most values (scalars, lists, mappings) a YAML file may expand to through its aliases, and
    /// most bytes of text: a few lines of nested aliases ("billion laughs") would otherwise grow
    /// to gigabytes.
    static let maxExpandedValues = 1_000_000
    static let maxExpandedBytes = 64 << 20

    static func load(_ path: String) throws -> [UInt8] {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        if let size, size > maxFileSize {
            throw PipelineError(.config, "config file \(path): \(size) bytes is larger than the \(maxFileSize >> 20) MB a config file may have")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineError(.config, "cannot read config file \(path): no such file")
        }
        guard data.count <= maxFileSize else {
            throw PipelineError(.config, "config file \(path): larger than the \(maxFileSize >> 20) MB a config file may have")
        }
        let value: Any?
        if path.hasSuffix(".json") {
            do {
                value = try JSONSerialization.jsonObject(with: data)
            } catch {
                throw PipelineError(.config, "config file \(path): invalid JSON: \(error.localizedDescription)")
            }
            guard value is [String: Any] else { throw notAMapping(path) }
            return Array(data)
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: String(decoding: data, as: UTF8.self), Resolver.default.removing(.timestamp))
        } catch {
            throw PipelineError(.config, "config file \(path): invalid YAML: \(error)")
        }
        if let node {
            var budget = ExpansionBudget(values: maxExpandedValues, bytes: maxExpandedBytes)
            guard budget.admits(node) else {
                throw PipelineError(.config, "config file \(path): its aliases expand to more than \(maxExpandedValues) values or \(maxExpandedBytes >> 20) MB of text (an alias bomb?)")
            }
        }
        value = node?.any
        guard let mapping = value as? [String: Any] else { throw notAMapping(path) }
        var out = ""
        try write(mapping, to: &out, path: path)
        return Array(out.utf8)
    }

    private static func notAMapping(_ path: String) -> PipelineError {
        PipelineError(.config, "config file \(path): the top level must be a mapping of names to settings")
    }

    /// JSON text for a YAML value; integers stay integers and floats keep a fraction part.
    private static func write(_ value: Any, to out: inout String, path: String) throws {
        switch value {
        case let b as Bool: out += b ? "true" : "false"
        case let i as Int: out += String(i)
        case let d as Double:
            guard d.isFinite else { throw PipelineError(.config, "config file \(path): \(d) is not a number JSON can hold") }
            let text = "\(d)"
            out += text.contains(".") || text.contains("e") ? text : text + ".0"
        case let s as String: out += jsonString(s)
        case is NSNull: out += "null"
        case let list as [Any]:
            out += "["
            for (i, item) in list.enumerated() {
                if i > 0 { out += "," }
                try write(item, to: &out, path: path)
            }
            out += "]"
        case let map as [String: Any]:
            out += "{"
            for (i, key) in map.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                out += jsonString(key) + ":"
                try write(map[key]!, to: &out, path: path)
            }
            out += "}"
        default:
            throw PipelineError(.config, "config file \(path): unsupported value \(type(of: value)) (use strings, numbers, booleans, lists and mappings)")
        }
    }

    private static func jsonString(_ s: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [s], options: [.fragmentsAllowed])) ?? Data("[\"\"]".utf8)
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }
}
