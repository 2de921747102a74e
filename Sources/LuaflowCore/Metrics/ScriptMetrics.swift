import Foundation

/// What a node's script recorded with the Lua `metrics` module: counters, gauges and histograms
/// keyed by name and labels. Written by the node's thread, read by exporters and the summary.
public final class ScriptMetrics: @unchecked Sendable {
    /// The kinds of series a script can record.
    public enum Kind: String, Sendable {
        case counter, gauge, histogram
    }

    /// One series: a name, its labels (sorted by name) and its current value.
    public struct Series: Sendable, Equatable {
        public var kind: Kind
        public var name: String
        public var labels: [(String, String)]
        /// The counter's total or the gauge's last value; for a histogram, the sum of observations.
        public var value: Double
        /// Observations of a histogram (counters and gauges: updates).
        public var count: Int
        /// For histograms: how many observations fell at or below each of ``ScriptMetrics/buckets``.
        public var bucketCounts: [Int]

        public static func == (a: Series, b: Series) -> Bool {
            a.kind == b.kind && a.name == b.name && a.labels.elementsEqual(b.labels, by: ==) && a.value == b.value
                && a.count == b.count && a.bucketCounts == b.bucketCounts
        }
    }

    /// Upper bounds of histogram buckets (Prometheus' defaults, in the unit the script uses;
    /// seconds for timers).
    public static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// The most series one node may create: the host keeps every series for the whole run (and
    /// exporters keep one each), so a label taking a value per record must fail, not fill memory.
    public static let maxSeries = 10_000
    /// The most labels one series may carry.
    public static let maxLabels = 16
    /// The longest label value, in bytes.
    public static let maxLabelValueBytes = 1024

    /// Also receives every value recorded (exporters), when set.
    public var forwarder: (any ScriptMetricsForwarder)? {
        get { lock.withLock { forwardTo } }
        set { lock.withLock { forwardTo = newValue } }
    }
    private let node: String
    private var forwardTo: (any ScriptMetricsForwarder)?
    private let lock = NSLock()
    private var series: [String: Series] = [:]
    /// The kind of each metric name, so that a new series checks its name in O(1).
    private var kinds: [String: Kind] = [:]
    /// Keys in the order the series first appeared, so output is stable.
    private var order: [String] = []

    /// `node`: the node whose script records the series.
    public init(node: String) {
        self.node = node
    }

    /// Adds to a counter, sets a gauge or observes a histogram value. A name already used with
    /// another kind is refused (the series would be ambiguous), and so is a name ending in `_total`
    /// (exporters add it to counters). Past ``maxSeries`` series, ``maxLabels`` labels or a label
    /// value of ``maxLabelValueBytes`` the call is refused too.
    public func record(_ kind: Kind, name: String, value: Double, labels: [(String, String)]) throws {
        guard !name.hasSuffix("_total") else {
            throw ScriptMetricsError("metric '\(name)' must not end in _total (counters get it when exported)")
        }
        guard labels.count <= Self.maxLabels else {
            throw ScriptMetricsError("metric '\(name)' has \(labels.count) labels; at most \(Self.maxLabels) are allowed")
        }
        if let long = labels.first(where: { $0.1.utf8.count > Self.maxLabelValueBytes }) {
            throw ScriptMetricsError("label '\(long.0)' of metric '\(name)' is \(long.1.utf8.count) bytes long; at most \(Self.maxLabelValueBytes) are allowed")
        }
        let sorted = labels.sorted { $0.0 < $1.0 }
        let key = name + sorted.map { "\u{1}\($0.0)=\($0.1)" }.joined()
        let forwarder = try lock.withLock { () throws -> (any ScriptMetricsForwarder)? in
            if var current = series[key] {
                guard current.kind == kind else {
                    throw ScriptMetricsError("metric '\(name)' is a \(current.kind.rawValue), not a \(kind.rawValue)")
                }
                Self.apply(value, to: &current)
                series[key] = current
                return forwardTo
            }
            if let other = kinds[name], other != kind {
                throw ScriptMetricsError("metric '\(name)' is a \(other.rawValue), not a \(kind.rawValue)")
            }
            guard order.count < Self.maxSeries else {
                throw ScriptMetricsError("metric '\(name)' would be series \(Self.maxSeries + 1) of this node; at most \(Self.maxSeries) are allowed"
                    + " (a label that takes a new value per record, such as an id or a URL, makes a series per value)")
            }
            var fresh = Series(kind: kind, name: name, labels: sorted, value: 0, count: 0,
                               bucketCounts: kind == .histogram ? Array(repeating: 0, count: Self.buckets.count) : [])
            Self.apply(value, to: &fresh)
            series[key] = fresh
            kinds[name] = kind
            order.append(key)
            return forwardTo
        }
        forwarder?.record(node: node, kind, name: name, value: value, labels: sorted)
    }

    /// Every series, in the order they first appeared.
    public var snapshot: [Series] {
        lock.withLock { order.map { series[$0]! } }
    }

    private static func apply(_ value: Double, to series: inout Series) {
        series.count += 1
        switch series.kind {
        case .counter: series.value += value
        case .gauge: series.value = value
        case .histogram:
            series.value += value
            for (i, bound) in buckets.enumerated() where value <= bound { series.bucketCounts[i] += 1 }
        }
    }
}

/// A metric call a script got wrong (bad name, kind clash); raised into the script.
public struct ScriptMetricsError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Receives every value scripts record, as they record it (the metrics exporters).
public protocol ScriptMetricsForwarder: Sendable {
    /// `labels` are sorted by name and do not include the node.
    func record(node: String, _ kind: ScriptMetrics.Kind, name: String, value: Double, labels: [(String, String)])
}
