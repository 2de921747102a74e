/// What `luaflow test` prints: one line per test (and where a failure happened), then a total.
public enum TestReporter {
    /// `ok    name  (file)`, or `FAIL  name  (file)` with the failure indented below it.
    public static func format(_ result: TestResult) -> String {
        guard let failure = result.failure else { return "ok    \(result.name)  (\(result.file))" }
        let detail = failure.split(separator: "\n", omittingEmptySubsequences: false).map { "      " + $0 }
        return (["FAIL  \(result.name)  (\(result.file))"] + detail).joined(separator: "\n")
    }

    /// `N passed, M failed`
    public static func summary(_ results: [TestResult]) -> String {
        let failed = results.filter { !$0.passed }.count
        return "\(results.count - failed) passed, \(failed) failed"
    }
}
