/// A whole WebSocket message (its fragments joined).
public enum WebSocketMessage: Sendable, Equatable {
    case text(String)
    case binary([UInt8])
}
