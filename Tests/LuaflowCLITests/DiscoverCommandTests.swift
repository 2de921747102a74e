import Foundation
import Testing

@Suite struct DiscoverCommandTests {
    static let people = """
    local rows = {
      { id = 1, name = "ada", score = 1.5, email = "a@x", tags = { "x" }, address = { city = "Paris" }, active = true },
      { id = 2, name = "bob", score = 2, email = json.null, tags = json.array(), address = { city = "Rome", zip = "001" } },
      { id = 3, name = "cy", score = 3.25, tags = { "y", "z" }, address = { city = "Oslo" }, active = false },
    }
    local i = 0
    function run() i = i + 1; return rows[i] end
    """

    static let shop = """
    schema = {
      stream = { type = "enum", values = { "customers", "orders" }, required = true },
      region = { type = "string", default = "eu" },
    }
    function streams() return { "customers", { name = "orders" } } end
    local data = {
      customers = { { { id = 1, name = "a" }, { id = 2, name = "b" } }, { { id = 3, name = json.null } } },
      orders = { { { order = "o1", total = 9.5, items = { { sku = "s", qty = 1 } } } } },
    }
    function get(pagination, state)
      local page = pagination.page or 1
      local pages = data[config.stream]
      for _, r in ipairs(pages[page]) do r.region = config.region end
      return pages[page], page < #pages and { page = page + 1 } or nil
    end
    """

    @Test func aScriptWithoutStreamsIsOneStreamWithTypesNullabilityAndRequired() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("people.lua", Self.people)
        let result = try LuaflowBinary.run(["discover", "people.lua"], in: dir)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout == """
        stream people: 3 records sampled
          field         type           required
          active        boolean        no
          address       object         yes
          address.city  string         yes
          address.zip   string         no
          email         string | null  no
          id            integer        yes
          name          string         yes
          score         number         yes
          tags          array<string>  yes

        """)
    }

    @Test func streamsAreSelectedThroughConfigAndSampledPageByPage() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("connectors/shop.lua", Self.shop)
        try dir.write("shop.yaml", "region: us\n")
        let result = try LuaflowBinary.run(["discover", "connectors/shop.lua", "--json", "--config", "shop.yaml"], in: dir)
        #expect(result.exitCode == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let streams = object?["streams"] as? [[String: Any]] ?? []
        #expect(streams.map { $0["name"] as? String } == ["customers", "orders"])
        #expect(streams.map { $0["records"] as? Int } == [3, 1])
        let customers = streams[0]["schema"] as? [String: Any] ?? [:]
        #expect(customers["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        #expect(customers["required"] as? [String] == ["id", "name", "region"])
        let props = customers["properties"] as? [String: [String: Any]] ?? [:]
        #expect(props["name"]?["type"] as? [String] == ["string", "null"])
        #expect(props["id"]?["type"] as? String == "integer")
        let orders = (streams[1]["schema"] as? [String: Any])?["properties"] as? [String: [String: Any]] ?? [:]
        let items = orders["items"]?["items"] as? [String: Any]
        #expect(items?["required"] as? [String] == ["qty", "sku"])
        #expect(orders["total"]?["type"] as? String == "number")

        let sampled = try LuaflowBinary.run(["discover", "connectors/shop.lua", "--sample", "1", "--set", "region=apac"], in: dir)
        #expect(sampled.exitCode == 0, "\(sampled.stderr)")
        #expect(sampled.stdout.contains("stream customers: 1 record sampled"))
    }

    @Test func configProblemsAndBadStreamsExitTwo() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("shop.lua", Self.shop)
        let bad = try LuaflowBinary.run(["discover", "shop.lua", "--set", "region=5"], in: dir)
        #expect(bad.exitCode == 2)
        #expect(bad.stderr.contains("config.region: expected a string, got integer 5"), "\(bad.stderr)")
        try dir.write("odd.lua", "function streams() return 'all' end\nfunction run() end")
        let odd = try LuaflowBinary.run(["discover", "odd.lua"], in: dir)
        #expect(odd.exitCode == 2)
        #expect(odd.stderr.contains("streams() must return a list of stream names"), "\(odd.stderr)")
    }
}
