/// The paginations a `get()` source returned in one run, kept as 128-bit digests (two seeded
/// hashes), so a cursor that points back to any earlier page is caught in bounded memory.
struct PaginationDigests {
    private struct Digest: Hashable {
        let a: Int
        let b: Int
    }

    /// Digest → the page after which the pagination was first returned.
    private var seen: [Digest: Int] = [:]

    /// Records `pagination` (returned after page `page`); returns the page it was first seen
    /// after when it is a repeat.
    @discardableResult
    mutating func insert(_ pagination: [UInt8], page: Int = 0) -> Int? {
        let digest = Self.digest(pagination)
        if let first = seen[digest] { return first }
        seen[digest] = page
        return nil
    }

    private static func digest(_ bytes: [UInt8]) -> Digest {
        var first = Hasher(), second = Hasher()
        second.combine(0x6C75_6166_6C6F_77)  // a different seed for the second half
        bytes.withUnsafeBytes {
            first.combine(bytes: $0)
            second.combine(bytes: $0)
        }
        return Digest(a: first.finalize(), b: second.finalize())
    }
}
