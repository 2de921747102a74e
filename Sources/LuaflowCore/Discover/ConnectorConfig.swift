import Foundation
import LuaBridge

/// The config of a connector used on its own (`luaflow discover`): a config file's settings,
/// then `key=value` overrides (JSON when the value parses, else a string), then `stream`, with
/// `env:NAME` values resolved and registered as secrets.
enum ConnectorConfig {
    static func build(fileJSON: [UInt8], sets: [(key: String, value: String)], stream: String?) throws -> [UInt8] {
        let lua = try LuaState()
        try lua.installSandbox(roots: []) { _, _, _ in }
        let chunk = try lua.load(BundledLua.connectorConfig.bytes, chunkName: BundledLua.connectorConfig.chunkName)
        lua.setEnvironment(of: chunk, to: try lua.makeEnvironment())
        let build = try lua.callReturningRef(chunk, refArgs: [try EnvReferences.resolver(in: lua)])
        let setsJSON = try JSONSerialization.data(withJSONObject: sets.map { ["key": $0.key, "value": $0.value] })
        var args = [lua.newString(String(decoding: fileJSON, as: UTF8.self)), lua.newString(String(decoding: setsJSON, as: UTF8.self))]
        if let stream { args.append(lua.newString(stream)) }
        let results: [LuaRef]
        do {
            results = try lua.callReturningRefs(build, refArgs: args, results: 3)
        } catch let error as LuaError {
            throw PipelineError(.config, phase: "config", error.message)
        }
        lua.stringArray(results[2]).forEach(Redactor.shared.add)
        let problems = lua.stringArray(results[1])
        if !problems.isEmpty { throw PipelineErrors(problems.map { PipelineError(.config, phase: "config", $0) }) }
        return lua.stringBytes(results[0])
    }
}
