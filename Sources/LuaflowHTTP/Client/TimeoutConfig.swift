/// `timeout = { connect = 10, read = 30, total = 120 }` in seconds, or `timeout = 60` meaning
/// `total`. `read` is the longest silence while waiting for bytes; `total` bounds one exchange
/// (connect, send, the whole response) and applies to each attempt and each redirect separately.
public struct TimeoutConfig: Decodable, Sendable, Equatable {
    public var connect: Double
    public var read: Double
    public var total: Double

    public init(connect: Double = 10, read: Double = 30, total: Double = 120) {
        self.connect = connect
        self.read = read
        self.total = total
    }

    public init(from decoder: Decoder) throws {
        let section = "timeout"
        self.init()
        if let seconds = try? decoder.singleValueContainer().decode(Double.self) {
            total = seconds
        } else {
            let c = try decoder.configContainer()
            connect = try c.double("connect", section) ?? connect
            read = try c.double("read", section) ?? read
            total = try c.double("total", section) ?? total
        }
        try validate()
    }

    public func validate() throws {
        for (name, value) in [("connect", connect), ("read", read), ("total", total)] where !(value > 0) {
            throw HTTPError.invalidConfig("timeout", "\(name) must be more than 0 seconds")
        }
    }
}
