import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// One attempt of a request: credentials attached, rate limit awaited, redirects followed (on another
/// origin only the header fields ``CrossOriginHeaders`` allows go along), body collected within the
/// size limit and the total timeout.
struct Transfer: Sendable {
    let runtime: HTTPRuntime
    let metrics: HTTPMetrics
    let profile: HTTPRuntime.ClientProfile
    let timeouts: TimeoutConfig
    let maxBodyBytes: Int
    let maxRedirects: Int
    /// The session's limit, applied to every host it talks to (nil: only limits other sessions set).
    let rateLimit: RateLimitConfig?
    /// Where retries are logged (the session's logger, which names its node).
    var logger: Logger? = nil
    /// The pipeline node making the requests, for the runtime's observer.
    var node: String? = nil
    /// Checked against every response before the default error handling.
    var responseActions: [ResponseAction] = []
    /// The header fields that may go to another origin than the credentials'.
    var crossOrigin = CrossOriginHeaders()

    /// Sends `exchange` with `credential` and follows redirects; credentials, and every header field
    /// ``crossOrigin`` does not allow, go only to `exchange.credentialOrigin`. Throws ``ExchangeFailure``.
    func attempt(_ exchange: Exchange, credential: Authenticator.Credential, authenticator: Authenticator?,
                 observation: (any HTTPRequestObservation)? = nil) async throws -> HTTPResponse {
        let home = exchange.credentialOrigin
        let keyParameter = authenticator?.queryParameter.map { Set([$0]) } ?? []
        var hop = exchange
        var hopOrigin = Origin(url: hop.url)  // parsed once per hop: every request goes through here
        if home == nil || hopOrigin != home {
            // An absolute URL on another origin (a next link, say), or an exchange that may carry
            // no credentials at all: only the fields known to be harmless (or opted in) go there.
            hop.headers.removeAll { !crossOrigin.allows($0.0) }
            hop.url = URLBuilder.removing(parameters: keyParameter, from: hop.url)
        }
        var redirects = 0
        while true {
            var outgoing = hop
            if home != nil, hopOrigin == home {
                if let header = credential.header {
                    outgoing.headers.removeAll { $0.0.caseInsensitiveCompare(header.name) == .orderedSame }
                    outgoing.headers.append((header.name, header.value))
                }
                if let query = credential.query {
                    outgoing.url = URLBuilder.appending([(query.name, query.value)],
                                                        to: URLBuilder.removing(parameters: [query.name], from: hop.url))
                }
            }
            let response = try await send(outgoing, host: hopOrigin?.hostKey ?? "", observation: observation)
            guard let next = RedirectPolicy.next(status: response.status, location: response.headers["Location"],
                                                 method: hop.method, url: hop.url) else { return response }
            guard redirects < maxRedirects else {
                if maxRedirects == 0 { return response }
                throw ExchangeFailure(failure: .permanent, kind: .tooManyRedirects, detail: "more than \(maxRedirects) redirects")
            }
            redirects += 1
            hop.method = next.method
            hop.url = next.url
            hopOrigin = Origin(url: next.url)
            if !next.keepsBody {
                hop.body = nil
                hop.headers.removeAll { ["content-type", "content-length"].contains($0.0.lowercased()) }
            }
            if home == nil || hopOrigin != home {
                // Leaving the origin the credentials were configured for: forward only what is
                // known to be harmless, or opted in.
                hop.headers.removeAll { !crossOrigin.allows($0.0) }
                hop.url = URLBuilder.removing(parameters: keyParameter, from: hop.url)
            }
        }
    }

    /// One request/response over the network, after waiting for `host`'s rate limiter.
    private func send(_ exchange: Exchange, host: String, observation: (any HTTPRequestObservation)?) async throws -> HTTPResponse {
        if !host.isEmpty { try await waitForRateLimit(host, observation: observation) }
        var head = HTTPHeaders()
        for (name, value) in exchange.headers { head.add(name: name, value: value) }
        for (name, value) in observation?.headers ?? [] { head.replaceOrAdd(name: name, value: value) }
        let client: HTTPClient
        do { client = try runtime.client(for: profile) } catch let error as HTTPError {
            throw ExchangeFailure(failure: .permanent, kind: error.kind, detail: error.detail ?? "unavailable")
        }
        let started = DispatchTime.now().uptimeNanoseconds
        metrics.record { $0.requests += 1 }
        let received: ResponseAccumulator.Response
        do {
            // The body is gathered on the event loop and the deadline covers the whole exchange:
            // one hand-over back to this task per request.
            let request = try HTTPClient.Request(url: exchange.url, method: HTTPMethod(rawValue: exchange.method), headers: head,
                                                 body: exchange.body.map { .bytes($0) })
            let task = client.execute(request: request, delegate: ResponseAccumulator(request: request, maxBodySize: maxBodyBytes),
                                      deadline: .now() + .nanoseconds(Int64(timeouts.total * 1e9)))
            received = try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
        } catch {
            let failure = TransportErrorClassifier.classify(error, timeouts: timeouts)
            observation?.attemptFinished(host: host, status: nil, seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9, bytes: 0)
            runtime.logger.debug("\(exchange.method) \(URLRedactor.redact(exchange.url)) -> \(failure.detail)")
            throw failure
        }
        let (status, buffer) = (received.status, received.body ?? ByteBuffer())
        var headers = HTTPHeaderFields(received.headers.map { ($0.name, $0.value) })
        if let encoding = headers["Content-Encoding"]?.lowercased(), ["gzip", "x-gzip", "deflate"].contains(encoding) {
            headers.remove("Content-Encoding")  // the body below is already decoded
            headers.remove("Content-Length")
        }
        let body = Array(buffer.readableBytesView)
        metrics.record { $0.bytesReceived += body.count }
        let elapsed = DispatchTime.now().uptimeNanoseconds - started
        observation?.attemptFinished(host: host, status: Int(status.code), seconds: Double(elapsed) / 1e9, bytes: body.count)
        let millis = elapsed / 1_000_000
        runtime.logger.debug("\(exchange.method) \(URLRedactor.redact(exchange.url)) -> \(status.code) (\(millis) ms, \(body.count) bytes)")
        return HTTPResponse(status: Int(status.code), headers: headers, body: body, url: exchange.url)
    }

    private func waitForRateLimit(_ host: String, observation: (any HTTPRequestObservation)?) async throws {
        let clock = runtime.clock
        if let rateLimit { runtime.rateLimiters.configure(host: host, rateLimit, now: clock.now()) }
        let wait = runtime.rateLimiters.reserve(host: host, now: clock.now())
        guard wait > 0 else { return }
        metrics.record {
            $0.rateLimitWaits += 1
            $0.rateLimitWaitSeconds += wait
        }
        observation?.rateLimited(host: host, seconds: wait)
        do { try await clock.sleep(seconds: wait) } catch {
            throw ExchangeFailure(failure: .permanent, kind: .cancelled, detail: "cancelled while waiting for the rate limit")
        }
    }
}
