/// The outcome of one test (or of loading a test file, which fails like a test when it cannot).
public struct TestResult: Sendable, Equatable {
    public var name: String
    /// The test file as output shows it.
    public var file: String
    /// Nil when the test passed; else `file:line: message` of the failing assertion or error.
    public var failure: String?

    public var passed: Bool { failure == nil }

    public init(name: String, file: String, failure: String? = nil) {
        self.name = name
        self.file = file
        self.failure = failure
    }
}
