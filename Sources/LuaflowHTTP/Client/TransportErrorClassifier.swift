import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Why an exchange produced no usable response, ready for the retry policy and the error message.
struct ExchangeFailure: Error, Sendable {
    var failure: TransportFailure
    var kind: HTTPError.Kind
    var detail: String
}

/// Turns the errors of AsyncHTTPClient and SwiftNIO into ``ExchangeFailure``s. The one place
/// that knows their types: everything above works with ``TransportFailure`` and ``HTTPError``.
public enum TransportErrorClassifier {
    /// Why an exchange failed, in the words of luaflow's HTTP errors (`could not connect:
    /// connection refused`), for requests of other clients in the process (the OTLP exporters).
    public static func reason(for error: any Error, timeouts: TimeoutConfig) -> String {
        classify(error, timeouts: timeouts).detail
    }

    /// The reason of a request whose total time (`seconds`) ran out: `total timeout (3 s) expired`.
    public static func totalTimeoutExpired(_ seconds: Double) -> String {
        "total timeout (\(seconds == seconds.rounded() ? "\(Int(seconds))" : "\(seconds)") s) expired"
    }

    static func classify(_ error: Error, timeouts: TimeoutConfig) -> ExchangeFailure {
        func seconds(_ value: Double) -> String {
            value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
        }
        if let failure = error as? ExchangeFailure { return failure }
        if error is CancellationError {
            return ExchangeFailure(failure: .permanent, kind: .cancelled, detail: "cancelled")
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout, .getConnectionFromPoolTimeout, .tlsHandshakeTimeout:
                return ExchangeFailure(failure: .connectFailed, kind: .timeout, detail: "connect timeout (\(seconds(timeouts.connect))) expired")
            case .readTimeout:
                return ExchangeFailure(failure: .timeout, kind: .timeout, detail: "read timeout (\(seconds(timeouts.read))) expired")
            case .deadlineExceeded:
                return ExchangeFailure(failure: .timeout, kind: .timeout, detail: totalTimeoutExpired(timeouts.total))
            case .writeTimeout:
                return ExchangeFailure(failure: .timeout, kind: .timeout, detail: "write timeout expired")
            case .remoteConnectionClosed:
                return ExchangeFailure(failure: .connectionLost, kind: .connection, detail: "the server closed the connection without a response")
            case .cancelled:
                return ExchangeFailure(failure: .permanent, kind: .cancelled, detail: "cancelled")
            case .alreadyShutdown:
                return ExchangeFailure(failure: .permanent, kind: .cancelled, detail: "the HTTP client was shut down")
            case .invalidURL, .emptyHost, .emptyScheme:
                return ExchangeFailure(failure: .permanent, kind: .invalidConfig, detail: "invalid URL")
            default:
                return ExchangeFailure(failure: .connectionLost, kind: .connection, detail: error.description)
            }
        }
        if error is ResponseAccumulator.ResponseTooBigError {
            return ExchangeFailure(failure: .permanent, kind: .invalidResponse, detail: "the response body is larger than max_body_bytes")
        }
        if let error = error as? HTTPParserError, error == .invalidEOFState {
            // The connection closed before the body was complete: lost, like a reset.
            return ExchangeFailure(failure: .connectionLost, kind: .connection, detail: "the connection closed in the middle of the response")
        }
        if error is HTTPParserError {
            return ExchangeFailure(failure: .permanent, kind: .invalidResponse, detail: "malformed HTTP response (\(error))")
        }
        if let error = error as? ChannelError {
            switch error {
            case .connectTimeout:
                return ExchangeFailure(failure: .connectFailed, kind: .timeout, detail: "connect timeout (\(seconds(timeouts.connect))) expired")
            default:
                return ExchangeFailure(failure: .connectionLost, kind: .connection, detail: "connection lost (\(error))")
            }
        }
        if let error = error as? IOError {
            let reason = String(cString: strerror(error.errnoCode)).lowercased()
            if [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH].contains(error.errnoCode) {
                return ExchangeFailure(failure: .connectFailed, kind: .connection, detail: "could not connect: \(reason)")
            }
            return ExchangeFailure(failure: .connectionLost, kind: .connection, detail: "connection lost: \(reason)")
        }
        // Types of modules LuaflowHTTP does not import directly (NIOPosix, NIOSSL, NIOHTTPCompression).
        let typeName = String(describing: type(of: error))
        if typeName == "NIOConnectionError" {
            return ExchangeFailure(failure: .connectFailed, kind: .connection, detail: "could not connect (\(error))")
        }
        if typeName.contains("SSL") || typeName.contains("TLS") {
            return ExchangeFailure(failure: .permanent, kind: .tls, detail: "TLS failed (\(error))")
        }
        if typeName.contains("Decompression") {
            return ExchangeFailure(failure: .permanent, kind: .invalidResponse, detail: "the compressed body is corrupt (\(error))")
        }
        return ExchangeFailure(failure: .connectionLost, kind: .connection, detail: "\(error)")
    }
}
