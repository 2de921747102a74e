/// One problem ``ConfigSchema`` found in a node's config: the setting's dotted name and what is
/// wrong with it (for an unknown setting, the whole message).
struct ConfigProblem: Decodable, Equatable {
    var path: String
    var text: String
    var unknown: Bool
    /// The value is a secret: a `--set` flag is shown without it.
    var secret: Bool?

    /// The message: at the `--set` flag that gave the setting, else at the line of pipeline.lua
    /// that writes it (or the node's declaration).
    /// `checkedBy` names the script whose schema was used (nil for built-ins).
    func error(for spec: NodeSpec, pipeline: PipelineSpec, checkedBy: String?) -> PipelineError {
        let message = unknown ? text : "config.\(path): \(text)"
        if var flag = spec.origin(of: path) {
            if secret == true, let eq = flag.firstIndex(of: "=") { flag = String(flag[...eq]) + "***" }
            return PipelineError(.config, node: spec.name, phase: "config", "\(flag): \(text)")
        }
        let by = checkedBy.map { ", checked by \($0)" } ?? ""
        return PipelineError(.config, node: spec.name, phase: "config", "\(message) (in \(pipeline.location(ofSetting: path, in: spec))\(by))")
    }
}
