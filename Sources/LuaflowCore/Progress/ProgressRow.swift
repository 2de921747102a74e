/// One node's line of the live progress display.
public struct ProgressRow: Sendable, Equatable {
    public var name: String
    public var role: NodeSpec.Role
    public var recordsIn: Int
    public var recordsOut: Int
    /// Records per second (produced by a source, received by other nodes).
    public var rate: Double
    public var retries: Int
    /// Only for sources with a known total.
    public var percent: Int?
    /// Seconds left at the current rate; nil when the total or the rate is unknown.
    public var eta: Double?

    public init(name: String, role: NodeSpec.Role, recordsIn: Int, recordsOut: Int, rate: Double, retries: Int,
                percent: Int? = nil, eta: Double? = nil) {
        self.name = name
        self.role = role
        self.recordsIn = recordsIn
        self.recordsOut = recordsOut
        self.rate = rate
        self.retries = retries
        self.percent = percent
        self.eta = eta
    }
}
