import Foundation
import LuaBridge

/// Installs `metrics` into every Lua node: `metrics.counter(name, n, labels)`,
/// `metrics.gauge(name, value, labels)`, `metrics.histogram(name, value, labels)` and
/// `metrics.timer(name, labels)` (returns a function that records the seconds since the call and
/// returns them). Values land in the node's ``NodeStats/scriptMetrics``; exporters label them with
/// the node.
public struct MetricsLuaModule: HostModule {
    public init() {}

    public func install(into lua: LuaState, env: LuaRef, node: NodeContext) throws {
        let metrics = node.stats.scriptMetrics
        let host = lua.newTable()
        lua.register("record", in: host) { args in
            try Self.record(args, into: metrics)
            return []
        }
        lua.register("clock", in: host) { _ in
            [.number(Double(DispatchTime.now().uptimeNanoseconds) / 1e9)]
        }
        let prelude = try lua.load(BundledLua.metrics.bytes, chunkName: BundledLua.metrics.chunkName)
        lua.setEnvironment(of: prelude, to: env)
        try lua.call(prelude, refArgs: [env, host])
        lua.release(host)
    }

    /// record(kind, name, value, label1, value1, label2, value2, ...)
    static func record(_ args: HostArguments, into metrics: ScriptMetrics) throws {
        let kindName = try args.string(1, function: "metrics")
        let function = "metrics.\(kindName)"
        guard let kind = ScriptMetrics.Kind(rawValue: kindName) else { throw HostFunctionError("\(function): unknown kind") }
        let name = try args.string(2, function: function)
        guard isValidName(name) else {
            throw HostFunctionError("\(function): name '\(name)' must be letters, digits and underscores, not starting with a digit")
        }
        guard let value = number(args[3]), value.isFinite else {
            throw HostFunctionError("\(function): argument #2 must be a number, got \(args.typeName(3))")
        }
        if kind == .counter && value < 0 { throw HostFunctionError("\(function): a counter only goes up (got \(value))") }
        guard (args.count - 3) / 2 <= ScriptMetrics.maxLabels else {
            throw HostFunctionError("\(function): at most \(ScriptMetrics.maxLabels) labels are allowed, got \((args.count - 3) / 2)")
        }
        var labels: [(String, String)] = []
        var i = 4
        while i <= args.count {
            guard let label = args[i].stringValue, isValidName(label), !label.hasPrefix("__") else {
                throw HostFunctionError("\(function): label names must be letters, digits and underscores")
            }
            guard label != "node" else { throw HostFunctionError("\(function): the label 'node' is set by the host") }
            labels.append((label, args[i + 1].description))
            i += 2
        }
        do { try metrics.record(kind, name: name, value: value, labels: labels) } catch let error as ScriptMetricsError {
            throw HostFunctionError("\(function): \(error)")
        }
    }

    private static func number(_ value: LuaValue) -> Double? {
        switch value {
        case .integer(let i): return Double(i)
        case .number(let d): return d
        default: return nil
        }
    }

    /// Prometheus' rule for metric and label names (without colons, which are for recording rules).
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return name.utf8.allSatisfy { c in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || c == UInt8(ascii: "_")
        }
    }
}
