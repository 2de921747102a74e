import Testing
@testable import LuaflowWebhook

@Suite struct DeliveryWindowTests {
    @Test func forgetsTheOldestBeyondItsCapacity() {
        var window = DeliveryWindow(capacity: 3)
        for id in ["a", "b", "c", "b", "d"] { window.insert(id) }
        #expect(!window.contains("a"))
        #expect(["b", "c", "d"].allSatisfy(window.contains))
    }

    @Test func survivesACheckpoint() {
        var window = DeliveryWindow(capacity: 2)
        for id in ["x\"1", "y", "z"] { window.insert(id) }
        let restored = DeliveryWindow(capacity: 2, json: window.json)
        #expect(restored.contains("y") && restored.contains("z") && !restored.contains("x\"1"))
        #expect(!DeliveryWindow(capacity: 2, json: "not json").contains("y"))
    }
}
