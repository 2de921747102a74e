import Foundation

/// The lines of newline-separated records in a buffer, as byte ranges without their `\n` (the
/// last one may have none): the one place the host splits records on newlines outside the C
/// readers. Blank lines are ranges too; callers decide whether they are records.
public struct RecordLines: Sequence, IteratorProtocol {
    private let bytes: UnsafeRawPointer
    private let count: Int
    private var start = 0

    public init(_ bytes: UnsafeRawPointer, count: Int) {
        self.bytes = bytes
        self.count = count
    }

    public init(_ buffer: UnsafeRawBufferPointer) {
        self.init(buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, count: buffer.count)
    }

    public mutating func next() -> Range<Int>? {
        guard start < count else { return nil }
        let end = memchr(bytes + start, 0x0A, count - start).map { bytes.distance(to: UnsafeRawPointer($0)) } ?? count
        defer { start = end + 1 }
        return start..<end
    }

    /// The length of the first `n` lines with their `\n`s (nil when there are fewer).
    static func length(ofFirst n: Int, in bytes: UnsafeRawPointer, count: Int) -> Int? {
        var seen = 0
        for line in RecordLines(bytes, count: count) where line.upperBound < count {
            seen += 1
            if seen == n { return line.upperBound + 1 }
        }
        return nil
    }
}
