/// An event or message that outgrew the size a stream allows (`max_event_bytes`,
/// `max_message_bytes`, an event-stream line): the stream fails instead of reconnecting, since the
/// server would only send it again, and the source's position stays at the last item it emitted.
protocol StreamLimitError: Error, CustomStringConvertible {}

extension SSEParser.LineTooLong: StreamLimitError {}
extension SSEParser.EventTooLarge: StreamLimitError {}

/// A WebSocket message (all its fragments) or a frame larger than `max_message_bytes`.
struct WebSocketMessageTooLarge: StreamLimitError {
    let limit: Int
    var description: String { "a WebSocket message exceeds max_message_bytes (\(limit) bytes)" }
}
