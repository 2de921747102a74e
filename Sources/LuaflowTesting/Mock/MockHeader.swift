/// A name/value pair: a header of a mock response, or a query parameter of a request.
public struct MockHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
