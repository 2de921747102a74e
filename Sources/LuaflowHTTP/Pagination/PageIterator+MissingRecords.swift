import Foundation
import LuaflowCore

extension PageIterator {
    /// The error for page `page` whose body has nothing at the records path: the step that is
    /// missing, the fields present where it was looked for, and the closest of them (a typo such
    /// as `dat` for `data`). Parses the body, which only this error path does.
    static func missingRecords(_ path: String, page: Int, url: String, body: [UInt8]) -> HTTPError {
        var detail = "records_path '\(path)' is not in the response of page \(page) (\(URLRedactor.redact(url))); check the path against the API's response"
        if let json = try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) {
            var at: Any = json
            var missing: String?
            for step in JSONPath.steps(path) {
                guard step != "*", let object = at as? [String: Any], let next = object[step], !(next is NSNull) else {
                    missing = step
                    break
                }
                at = next
            }
            if let object = at as? [String: Any], !object.isEmpty {
                let names = object.keys.sorted()
                detail += " (fields present: \(names.joined(separator: ", ")))"
                if let missing, let close = ConfigSchema.suggestion(for: missing, among: names) { detail += "; did you mean `\(close)`?" }
            }
        }
        return HTTPError(.invalidResponse, detail: detail)
    }
}
