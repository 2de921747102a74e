/// A response body sent piece by piece (an event stream): each chunk `interval` seconds after the
/// previous one, then the end of the response, a dropped connection, or nothing more (the
/// connection stays open until the client leaves or the server stops).
public struct TestHTTPStream: Sendable {
    public enum Ending: Sendable {
        /// The response ends properly.
        case finish
        /// The connection is closed in the middle of the response (a lost connection).
        case drop
        /// Nothing more is sent; the connection stays open.
        case hold
    }

    public var chunks: [[UInt8]]
    public var interval: Double
    public var ending: Ending

    public init(chunks: [[UInt8]], interval: Double = 0, ending: Ending = .hold) {
        self.chunks = chunks
        self.interval = interval
        self.ending = ending
    }
}
