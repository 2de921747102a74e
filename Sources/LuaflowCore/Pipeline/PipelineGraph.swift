/// Checks the shape of a declared network before anything runs: every edge goes from a node that
/// produces to one that consumes, there is no cycle, and every node's records reach a sink.
public struct PipelineGraph: Sendable {
    public let spec: PipelineSpec
    /// Node ids in the network, in topological order (sources first).
    public let order: [Int]
    public let inputs: [Int: [Int]]
    public let outputs: [Int: [Int]]

    /// Validates `spec`; throws every problem found, together.
    public init(_ spec: PipelineSpec) throws {
        self.spec = spec
        var problems: [PipelineError] = []
        func problem(_ node: NodeSpec?, _ message: String) {
            let at = node.map { " (\($0.declaredAt(spec.file)))" } ?? ""
            problems.append(PipelineError(.config, node: node?.name, phase: "network", message + at))
        }
        let byId = Dictionary(uniqueKeysWithValues: spec.nodes.map { ($0.id, $0) })
        var inputs: [Int: [Int]] = [:]
        var outputs: [Int: [Int]] = [:]
        for e in spec.edges {
            guard let from = byId[e.from], let to = byId[e.to] else { continue }
            if from.role == .sink { problem(from, "a sink cannot feed another node (edge to '\(to.name)')") }
            if to.role == .source { problem(to, "a source cannot receive records (edge from '\(from.name)')") }
            if e.from == e.to { problem(from, "the node is connected to itself") }
            if !(outputs[e.from]?.contains(e.to) ?? false) {
                outputs[e.from, default: []].append(e.to)
                inputs[e.to, default: []].append(e.from)
            }
        }
        if spec.networkLine == nil {
            problems.append(PipelineError(.config, phase: "network",
                "\(spec.file) declares no network; add network { {source, sink} } to connect the nodes"))
        }
        let inNetwork = Set(spec.edges.flatMap { [$0.from, $0.to] })
        let members = spec.nodes.filter { inNetwork.contains($0.id) }
        if spec.networkLine != nil && !members.contains(where: { $0.role == .source }) {
            problems.append(PipelineError(.config, phase: "network", "the network has no source"))
        }
        for n in members where n.role == .transform || n.role == .sink {
            if inputs[n.id, default: []].isEmpty { problem(n, "the \(n.role.rawValue) has no input") }
        }
        for n in spec.nodes where !inNetwork.contains(n.id) {
            PipelineLog.logger.warning("node '\(n.name)' (\(n.declaredAt(spec.file))) is not part of the network and will not run")
        }
        let order = Self.topologicalOrder(members.map(\.id), outputs: outputs)
        if order.count < members.count {
            let cyclic = Self.nodesOnCycles(members.map(\.id).filter { !order.contains($0) }, outputs: outputs)
                .compactMap { byId[$0]?.name }
            problems.append(PipelineError(.config, phase: "network",
                "the network has a cycle through \(cyclic.map { "'\($0)'" }.joined(separator: ", ")); records must flow one way"))
        } else {
            let reachesSink = Self.nodesReachingSinks(order: order, outputs: outputs, byId: byId)
            for n in members where !reachesSink.contains(n.id) {
                problem(n, "no path from this node to a sink: its records would be lost")
            }
        }
        if !problems.isEmpty { throw PipelineErrors(problems) }
        self.order = order
        self.inputs = inputs
        self.outputs = outputs
    }

    /// Kahn's algorithm; nodes on a cycle are left out.
    static func topologicalOrder(_ ids: [Int], outputs: [Int: [Int]]) -> [Int] {
        var indegree = Dictionary(uniqueKeysWithValues: ids.map { ($0, 0) })
        for id in ids { for o in outputs[id, default: []] { indegree[o, default: 0] += 1 } }
        var ready = ids.filter { indegree[$0] == 0 }
        var order: [Int] = []
        while !ready.isEmpty {
            let id = ready.removeFirst()
            order.append(id)
            for o in outputs[id, default: []] {
                indegree[o]! -= 1
                if indegree[o] == 0 { ready.append(o) }
            }
        }
        return order
    }

    /// Of the nodes Kahn's algorithm left over, those on a cycle: nodes that only lead out of the
    /// left-over set (downstream of a cycle) are peeled off.
    static func nodesOnCycles(_ leftover: [Int], outputs: [Int: [Int]]) -> [Int] {
        var remaining = leftover
        while true {
            let set = Set(remaining)
            let next = remaining.filter { id in outputs[id, default: []].contains(where: set.contains) }
            if next.count == remaining.count { return remaining }
            remaining = next
        }
    }

    static func nodesReachingSinks(order: [Int], outputs: [Int: [Int]], byId: [Int: NodeSpec]) -> Set<Int> {
        var reaches = Set<Int>()
        for id in order.reversed() {
            if byId[id]?.role == .sink || outputs[id, default: []].contains(where: reaches.contains) {
                reaches.insert(id)
            }
        }
        return reaches
    }

    public func node(_ id: Int) -> NodeSpec {
        spec.nodes.first { $0.id == id }!
    }
}
