import Foundation
import LuaflowCore

/// What a child process wrote to its standard output and error pipes, read to the end of both at
/// once: standard error on a thread of its own, so a child that fills one pipe while the test reads
/// the other cannot stall. Reads go through `read(2)` and retry when a signal interrupts them
/// (Foundation's `readDataToEndOfFile` traps on `EINTR`).
public struct ChildOutput: Sendable {
    public let stdout: Data
    public let stderr: Data

    /// Reads `out` and `err` until the child (and anything that inherited them) closed them.
    public static func collect(out: Pipe, err: Pipe) -> ChildOutput {
        let errorData = Locked(Data())
        let done = DispatchSemaphore(value: 0)
        let errHandle = err.fileHandleForReading
        Thread {
            errorData.withLock { $0 = readToEnd(errHandle) }
            done.signal()
        }.start()
        let outData = readToEnd(out.fileHandleForReading)
        done.wait()
        return ChildOutput(stdout: outData, stderr: errorData.withLock { $0 })
    }

    /// Everything left on `handle` up to its end of file.
    public static func readToEnd(_ handle: FileHandle) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(handle.fileDescriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                data.append(contentsOf: buffer[..<count])
            } else if count == 0 || errno != EINTR {
                return data
            }
        }
    }
}
