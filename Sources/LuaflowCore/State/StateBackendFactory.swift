/// Opens the state of the pipeline `spec` declares, kept at `location` (`--state`; by default
/// ``SQLiteStateBackend/defaultPath(forPipelineIn:)``): an SQLite file.
public func openStateBackend(location: String, for spec: PipelineSpec) throws -> any StateBackend {
    try SQLiteStateBackend.open(path: location, for: spec)
}
