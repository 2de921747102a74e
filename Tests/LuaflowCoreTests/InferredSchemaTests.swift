import Foundation
import Testing
import LuaflowCore

@Suite struct InferredSchemaTests {
    static func infer(_ lines: [String]) throws -> InferredSchema {
        var schema = InferredSchema()
        for line in lines { schema.observe(try JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed])) }
        return schema
    }

    @Test func typesNullabilityAndRequired() throws {
        let schema = try Self.infer([
            #"{"id": 1, "score": 2.5, "ok": true, "note": null, "tags": ["a"], "meta": {"k": 1}}"#,
            #"{"id": 2, "score": 3, "ok": false, "note": "x", "tags": [], "meta": {"k": 2, "extra": 1.0}}"#,
        ])
        let json = schema.jsonSchema()
        #expect(json["type"] as? String == "object")
        #expect(json["required"] as? [String] == ["id", "meta", "note", "ok", "score", "tags"])
        let props = json["properties"] as? [String: [String: Any]] ?? [:]
        #expect(props["id"]?["type"] as? String == "integer")
        #expect(props["score"]?["type"] as? String == "number")
        #expect(props["ok"]?["type"] as? String == "boolean")
        #expect(props["note"]?["type"] as? [String] == ["string", "null"])
        #expect((props["tags"]?["items"] as? [String: Any])?["type"] as? String == "string")
        let meta = props["meta"] ?? [:]
        #expect(meta["required"] as? [String] == ["k"])
        #expect(((meta["properties"] as? [String: [String: Any]])?["extra"])?["type"] as? String == "number")
    }

    @Test func emptyArraysHaveNoItemTypeAndScalarsAreSchemasToo() throws {
        let empty = try Self.infer([#"{"a": []}"#])
        #expect(empty.properties["a"]?.label == "array<empty>")
        #expect((empty.jsonSchema()["properties"] as? [String: [String: Any]])?["a"]?["items"] as? [String: Any] != nil)
        let scalars = try Self.infer(["1", "\"x\"", "null"])
        #expect(scalars.label == "string | integer | null")
    }
}
