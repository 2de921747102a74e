import ArgumentParser
import Foundation

/// Ends a command after printing `error: <message>` to standard error.
enum CommandFailure {
    /// A usage or configuration problem: exit status 2.
    static func usage(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        return ExitCode(2)
    }
}
