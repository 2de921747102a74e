import DequeModule
import Foundation

/// The newest delivery ids (`dedupe_header`) handed to the pipeline, at most `capacity` of them:
/// a delivery already in the window is not recorded again. Kept with every checkpoint as JSON
/// (`{"delivery_ids":[...]}`, oldest first), so a restart remembers what its checkpoint covers.
struct DeliveryWindow {
    let capacity: Int
    private var order = Deque<String>()
    private var members = Set<String>()

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The window a checkpoint stored (nil or unreadable text: empty).
    init(capacity: Int, json: String?) {
        self.init(capacity: capacity)
        guard let json, let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let ids = object["delivery_ids"] as? [String] else { return }
        ids.forEach { insert($0) }
    }

    func contains(_ id: String) -> Bool { members.contains(id) }

    /// Remembers `id`, forgetting the oldest beyond the capacity.
    mutating func insert(_ id: String) {
        guard members.insert(id).inserted else { return }
        order.append(id)
        while order.count > capacity, let oldest = order.popFirst() { members.remove(oldest) }
    }

    /// What a checkpoint stores.
    var json: String {
        #"{"delivery_ids":["# + order.map(WebhookReply.quoted).joined(separator: ",") + "]}"
    }
}
