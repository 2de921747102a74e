/// How nodes map onto stages (threads): one node each, except that a chain of transforms where
/// each feeds only the next and the next is fed only by it becomes one fused stage.
struct StagePlan {
    /// Node ids of each stage in record order; stages in topological order.
    let stages: [[Int]]

    init(graph: PipelineGraph, fuse: Bool) {
        var assigned = Set<Int>()
        var stages: [[Int]] = []
        for id in graph.order where !assigned.contains(id) {
            var chain = [id]
            while fuse, let last = chain.last, let next = Self.fusableSuccessor(of: last, in: graph) {
                chain.append(next)
            }
            assigned.formUnion(chain)
            stages.append(chain)
        }
        self.stages = stages
    }

    /// The node `id` can be fused with: its only output, a Lua transform fed only by `id`, run with
    /// the same workers and ordering.
    static func fusableSuccessor(of id: Int, in graph: PipelineGraph) -> Int? {
        let a = graph.node(id)
        guard a.role == .transform, a.isScript, let outs = graph.outputs[id], outs.count == 1 else { return nil }
        let b = graph.node(outs[0])
        guard b.role == .transform, b.isScript, graph.inputs[b.id] == [id],
              a.options.workers == b.options.workers, a.options.ordered == b.options.ordered else { return nil }
        return b.id
    }
}

extension NodeSpec {
    /// A script file or an inline function (not a built-in).
    var isScript: Bool {
        if case .builtin = implementation { return false }
        return true
    }
}
