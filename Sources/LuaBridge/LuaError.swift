/// An error raised while loading or running Lua code, with the script location it points at.
public struct LuaError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, by class: load errors and run errors read differently to users.
    public enum Kind: String, Sendable {
        /// The script does not compile.
        case syntax
        /// The script raised an error (or a host function did) while running.
        case runtime
        /// The state's allocator refused memory over its limit.
        case memoryLimit
        /// A single call ran more instructions than its budget.
        case instructionBudget
        /// A single call ran longer than the node's time limit.
        case timeLimit
    }

    public var kind: Kind
    /// The first line of Lua's message, e.g. `transforms/adults.lua:12: attempt to index a nil value`.
    public var message: String
    /// The script and line the message starts with, when it starts with one.
    public var location: SourceLocation?
    /// Lua's `stack traceback:` lines, when a message handler captured them.
    public var traceback: String?

    public init(kind: Kind, message: String, traceback: String? = nil) {
        self.kind = kind
        self.message = message
        self.location = SourceLocation(parsingPrefixOf: message)
        self.traceback = traceback
    }

    /// Splits a message produced by the traceback handler into message and traceback.
    init(kind: Kind, rawMessage: String) {
        if let range = rawMessage.range(of: "\nstack traceback:\n") {
            self.init(kind: kind, message: String(rawMessage[..<range.lowerBound]),
                      traceback: String(rawMessage[range.upperBound...]))
        } else {
            self.init(kind: kind, message: rawMessage)
        }
    }

    /// The message with the location prefix removed.
    public var reason: String {
        guard let location, message.hasPrefix(location.description + ":") else { return message }
        return String(message.dropFirst(location.description.count + 1)).trimmingLeadingSpaces()
    }

    public var description: String { message }
}

/// `file:line` in a script.
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    /// Reads a `chunk:LINE:` prefix such as `users.lua:12: ...` or `[string "x"]:3: ...`.
    init?(parsingPrefixOf message: String) {
        var search = message.startIndex
        while let colon = message[search...].firstIndex(of: ":") {
            let afterColon = message.index(after: colon)
            let digits = message[afterColon...].prefix(while: \.isNumber)
            if !digits.isEmpty, message[digits.endIndex...].first == ":", let line = Int(digits) {
                let file = String(message[..<colon])
                if file.isEmpty || file.contains("\n") { return nil }
                self.init(file: file, line: line)
                return
            }
            search = afterColon
        }
        return nil
    }

    public var description: String { "\(file):\(line)" }
}

extension String {
    func trimmingLeadingSpaces() -> String {
        String(drop(while: { $0 == " " }))
    }
}
