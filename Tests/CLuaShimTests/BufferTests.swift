// Tests of the growable byte and int64 buffers (luaflow_buf_*, luaflow_i64buf_*).
import CLuaShim
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct BufferTests {
    @Test func appendGrowsAndKeepsBytes() {
        var b = luaflow_buf()
        luaflow_buf_init(&b)
        defer { luaflow_buf_free(&b) }
        #expect(b.data == nil && b.len == 0 && b.cap == 0)
        #expect(luaflow_buf_append(&b, "", 0) == 0)
        var expected: [UInt8] = []
        for i in 0..<5000 {
            let piece = "chunk\(i);"
            #expect(luaflow_buf_append(&b, piece, piece.utf8.count) == 0)
            expected += Array(piece.utf8)
        }
        #expect(b.len == expected.count)
        #expect(b.cap >= b.len)
        #expect(bufString(b) == String(decoding: expected, as: UTF8.self))
    }

    @Test func reserveGuaranteesRoomWithoutChangingLength() {
        var b = luaflow_buf()
        luaflow_buf_init(&b)
        defer { luaflow_buf_free(&b) }
        #expect(luaflow_buf_append(&b, "abc", 3) == 0)
        #expect(luaflow_buf_reserve(&b, 100_000) == 0)
        #expect(b.len == 3 && b.cap - b.len >= 100_000)
        let cap = b.cap
        #expect(luaflow_buf_reserve(&b, 10) == 0)
        #expect(b.cap == cap) // no reallocation when there is room
        memset(b.data! + b.len, 0x41, 100_000) // the reserved room is writable
        b.len += 100_000
        #expect(bufString(b).hasPrefix("abcAAAA") && b.len == 100_003)
        #expect(luaflow_buf_reserve(&b, Int.max) == -1)
        #expect(luaflow_buf_reserve(&b, Int(bitPattern: UInt(bitPattern: -1))) == -1) // SIZE_MAX
        #expect(b.len == 100_003 && b.cap == cap) // failures leave the buffer alone
    }

    @Test func detachHandsOverTheBytesAndResets() {
        var b = luaflow_buf()
        luaflow_buf_init(&b)
        #expect(luaflow_buf_append(&b, "hello", 5) == 0)
        var len = 0
        let p = luaflow_buf_detach(&b, &len)
        #expect(len == 5)
        #expect(p != nil && memcmp(p!, "hello", 5) == 0)
        #expect(b.data == nil && b.len == 0 && b.cap == 0)
        free(p)
        // the buffer is usable again, and freeing twice is harmless
        #expect(luaflow_buf_append(&b, "x", 1) == 0)
        #expect(bufString(b) == "x")
        luaflow_buf_free(&b)
        luaflow_buf_free(&b)
        #expect(b.data == nil && b.len == 0)
    }

    @Test func i64BufferPushesInOrder() {
        var b = luaflow_i64buf()
        luaflow_i64buf_init(&b)
        defer { luaflow_i64buf_free(&b) }
        for i in 0..<10_000 { #expect(luaflow_i64buf_push(&b, Int64(i) * 3 - 7) == 0) }
        #expect(b.len == 10_000 && b.cap >= 10_000)
        let values = Array(UnsafeBufferPointer(start: b.data, count: b.len))
        #expect(values == (0..<10_000).map { Int64($0) * 3 - 7 })
        #expect(luaflow_i64buf_push(&b, .min) == 0 && b.data[b.len - 1] == .min)
    }
}
