/// Turns the bytes of a `text/event-stream` body into events as they arrive, chunk by chunk,
/// following the WHATWG "event stream interpretation": lines end with CRLF, LF or CR; `:` starts a
/// comment; `data`, `event`, `id` and `retry` fields; a blank line dispatches the event. Pure: no
/// I/O, no clock. Holds at most one unfinished line (``maxLineBytes``) and one unfinished event
/// (``maxEventBytes``): a server that never ends a line or an event fails the stream rather than
/// filling the memory.
public struct SSEParser: Sendable {
    /// The last event ID: set by `id:` fields, kept across events (and across reconnects).
    public private(set) var lastEventID: String?
    /// The reconnection time the server asked for, in milliseconds.
    public private(set) var retry: Int?
    /// The most a line may hold, in bytes; a longer one fails the stream (a server that never
    /// sends a newline must not fill the memory).
    public let maxLineBytes: Int
    /// The most the fields of one event (its `data` lines, `event` and `id`) may hold together,
    /// in bytes; a larger event fails the stream.
    public let maxEventBytes: Int
    /// The default of ``maxEventBytes`` (`max_event_bytes`).
    public static let defaultMaxEventBytes = 16 << 20

    private var line: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false
    private var eventType = ""
    private var retryInEvent: Int?
    private var lastWasCR = false
    private var atStart = true
    /// Bytes of the lines of the unfinished event so far.
    private var eventBytes = 0

    public init(lastEventID: String? = nil, maxLineBytes: Int = 8 << 20, maxEventBytes: Int = SSEParser.defaultMaxEventBytes) {
        self.lastEventID = lastEventID
        self.maxLineBytes = maxLineBytes
        self.maxEventBytes = maxEventBytes
    }

    /// A line longer than ``maxLineBytes``.
    public struct LineTooLong: Error, Sendable, CustomStringConvertible {
        public let limit: Int
        public var description: String { "an event-stream line exceeds \(limit) bytes" }
    }

    /// An event larger than ``maxEventBytes``: its blank line never came in time.
    public struct EventTooLarge: Error, Sendable, CustomStringConvertible {
        public let limit: Int
        public var description: String { "an event-stream event exceeds max_event_bytes (\(limit) bytes) without its closing blank line" }
    }

    /// Feeds the next chunk of the body; returns the events it completed, in order.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws -> [SSEEvent] {
        var events: [SSEEvent] = []
        for byte in bytes {
            if byte == 0x0A && lastWasCR {  // the LF of a CRLF
                lastWasCR = false
                continue
            }
            lastWasCR = byte == 0x0D
            if byte == 0x0A || byte == 0x0D {
                if let event = endLine() { events.append(event) }
            } else {
                guard line.count < maxLineBytes else { throw LineTooLong(limit: maxLineBytes) }
                guard eventBytes + line.count < maxEventBytes else { throw EventTooLarge(limit: maxEventBytes) }
                line.append(byte)
            }
        }
        return events
    }

    /// The connection ended: an event without its blank line is dropped, as the standard says.
    public mutating func reset() {
        line = []
        data = []
        hasData = false
        eventType = ""
        retryInEvent = nil
        lastWasCR = false
        atStart = true
        eventBytes = 0
    }

    private mutating func endLine() -> SSEEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        if atStart {
            atStart = false
            if line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }  // a byte order mark
        }
        if line.isEmpty { return dispatch() }
        if line.first == 0x3A { return nil }  // a comment (servers send them to keep the connection alive)
        eventBytes += line.count + 1
        let colon = line.firstIndex(of: 0x3A)
        let name = String(decoding: line[..<(colon ?? line.endIndex)], as: UTF8.self)
        var valueStart = colon.map { $0 + 1 } ?? line.endIndex
        if valueStart < line.endIndex, line[valueStart] == 0x20 { valueStart += 1 }
        let value = line[valueStart...]
        switch name {
        case "data":
            if hasData { data.append(0x0A) }
            data += value
            hasData = true
        case "event":
            eventType = String(decoding: value, as: UTF8.self)
        case "id":
            if !value.contains(0) { lastEventID = String(decoding: value, as: UTF8.self) }
        case "retry":
            if !value.isEmpty, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let ms = Int(String(decoding: value, as: UTF8.self)) {
                retry = ms
                retryInEvent = ms
            }
        default:
            break
        }
        return nil
    }

    private mutating func dispatch() -> SSEEvent? {
        defer {
            data = []
            hasData = false
            eventType = ""
            retryInEvent = nil
            eventBytes = 0
        }
        guard hasData else { return nil }
        return SSEEvent(event: eventType.isEmpty ? "message" : eventType, id: lastEventID,
                        data: String(decoding: data, as: UTF8.self), retry: retryInEvent)
    }
}
