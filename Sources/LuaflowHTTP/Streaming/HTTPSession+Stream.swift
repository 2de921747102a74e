import AsyncHTTPClient
import Foundation
import LuaflowCore
import NIOCore
import NIOHTTP1

/// A response whose body is still arriving (an event stream).
struct StreamingResponse: Sendable {
    var status: Int
    var headers: HTTPHeaderFields
    var body: HTTPClientResponse.Body
    /// The URL as sent, redacted.
    var url: String
}

extension HTTPSession {
    /// The URL and header fields for opening a long-lived connection to `request`: joined to
    /// `base_url`, the session's headers, and its credentials when the URL is on their origin (on
    /// another, only the header fields ``CrossOriginHeaders`` allows).
    /// A `ws://` or `wss://` URL comes back as the `http://` or `https://` URL of the same host
    /// (its origin for credentials; ``WebSocketConnector`` connects to it as a WebSocket).
    func streamingTarget(_ request: HTTPRequest) async throws -> (url: String, headers: [(String, String)]) {
        var http = request
        http.url = Self.httpEquivalent(request.url)
        var url = try http.resolvedURL(base: config.baseURL)
        var headers = mergedHeaders(request.headers)
        guard let home = credentialOrigin(of: url), Origin(url: url) == home else {
            // Another origin than the credentials': only the fields known to be harmless (or
            // opted in with forward_headers) go there, whoever set them.
            headers.removeAll { !crossOrigin.allows($0.0) }
            return (URLBuilder.removing(parameters: authenticator.queryParameter.map { [$0] } ?? [], from: url), headers)
        }
        let credential: Authenticator.Credential
        do { credential = try await authenticator.credential() } catch let error as HTTPError {
            throw error.on(method: request.method, url: url)
        }
        if let header = credential.header {
            headers.removeAll { $0.0.caseInsensitiveCompare(header.name) == .orderedSame }
            headers.append((header.name, header.value))
        }
        if let query = credential.query {
            url = URLBuilder.appending([(query.name, query.value)], to: URLBuilder.removing(parameters: [query.name], from: url))
        }
        return (url, headers)
    }

    /// `ws://h/p` → `http://h/p`, `wss://` → `https://`; other URLs unchanged.
    static func httpEquivalent(_ url: String) -> String {
        if url.lowercased().hasPrefix("wss://") { return "https://" + url.dropFirst(6) }
        if url.lowercased().hasPrefix("ws://") { return "http://" + url.dropFirst(5) }
        return url
    }

    /// Sends a GET for a stream and returns as soon as the head arrived; the body is read as it
    /// comes (AsyncHTTPClient's read timeout applies between chunks). No redirects are followed
    /// and no retries made: the stream's reconnect loop decides. A status ≥ 400 throws
    /// ``HTTPError`` with the start of the body.
    func openStream(_ request: HTTPRequest) async throws -> StreamingResponse {
        let (url, headers) = try await streamingTarget(request)
        var outgoing = HTTPClientRequest(url: url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in headers { outgoing.headers.add(name: name, value: value) }
        if let host = Origin(url: url)?.hostKey {
            let wait = runtime.rateLimiters.reserve(host: host, now: runtime.clock.now())
            if wait > 0 {
                do { try await runtime.clock.sleep(seconds: wait) } catch {
                    throw HTTPError(.cancelled, method: request.method, url: url, detail: "cancelled while waiting for the rate limit")
                }
            }
        }
        metrics.record { $0.requests += 1 }
        let response: HTTPClientResponse
        do {
            let client = try runtime.client(for: profile)
            let timeout = config.timeout.connect + config.timeout.read
            response = try await client.execute(outgoing, deadline: .now() + .nanoseconds(Int64(timeout * 1e9)))
        } catch let error as HTTPError {
            throw error.on(method: request.method, url: url)
        } catch {
            metrics.record { $0.failures += 1 }
            let failure = TransportErrorClassifier.classify(error, timeouts: config.timeout)
            throw HTTPError(failure.kind, method: request.method, url: url, attempts: 1, detail: failure.detail)
        }
        let status = Int(response.status.code)
        logger.debug("\(request.method) \(URLRedactor.redact(url)) -> \(status) (stream)")
        guard status < 400 else {
            metrics.record { $0.failures += 1 }
            let excerpt = try? await response.body.collect(upTo: HTTPError.maxExcerptBytes)
            throw HTTPError(.status, method: request.method, url: url, status: status, attempts: 1,
                            body: excerpt.map { Array($0.readableBytesView) })
        }
        return StreamingResponse(status: status, headers: HTTPHeaderFields(response.headers.map { ($0.name, $0.value) }),
                                 body: response.body, url: URLRedactor.redact(url))
    }
}
