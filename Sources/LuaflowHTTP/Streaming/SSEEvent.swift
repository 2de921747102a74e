/// One Server-Sent Event as the event-stream format defines it: `event` ("message" when the
/// server named none), `id` (the last event ID in force when it was dispatched, nil before the
/// first `id:` field), `data` (its `data:` lines joined by "\n") and `retry` (milliseconds, when
/// the event carried a `retry:` field).
public struct SSEEvent: Sendable, Equatable {
    public var event: String
    public var id: String?
    public var data: String
    public var retry: Int?

    public init(event: String = "message", id: String? = nil, data: String, retry: Int? = nil) {
        self.event = event
        self.id = id
        self.data = data
        self.retry = retry
    }
}
