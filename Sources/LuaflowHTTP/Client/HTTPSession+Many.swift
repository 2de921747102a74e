extension HTTPSession {
    /// Sends every request of `requests`, up to `concurrency` at once, each through the session's
    /// rate limiter, retries and auth, and returns their outcomes in the order of `requests`
    /// (``execute(_:raise:)`` says what succeeds and what throws). Once the task is cancelled
    /// (a stop signal) the requests still running end with ``HTTPError/Kind/cancelled``.
    public func executeAll(_ requests: [HTTPRequest], concurrency: Int, raise: Bool = true) async -> [Result<HTTPResponse, Error>] {
        var results = [Result<HTTPResponse, Error>?](repeating: nil, count: requests.count)
        await withTaskGroup(of: (Int, Result<HTTPResponse, Error>).self) { group in
            var started = 0
            while started < requests.count {
                if started >= max(1, concurrency), let (index, result) = await group.next() { results[index] = result }
                let (index, request) = (started, requests[started])
                group.addTask {
                    do { return (index, .success(try await self.execute(request, raise: raise))) } catch { return (index, .failure(error)) }
                }
                started += 1
            }
            for await (index, result) in group { results[index] = result }
        }
        return results.map { $0! }
    }
}
