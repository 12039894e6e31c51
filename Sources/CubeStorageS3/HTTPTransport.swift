import AsyncHTTPClient
import CubeStorage
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// Sends requests with bounded concurrency and retries: the one place this module talks HTTP.
///
/// Owns its `HTTPClient` (shut down when the transport goes away). Every try calls the request
/// builder again, so signatures are fresh. Retries: HTTP 500, 502, 503, 504, 408, 429, 400
/// `RequestTimeout`, a 200 whose body is an `<Error>` (when asked), dropped connections,
/// timeouts and short bodies; other answers go back to the caller to interpret. A connection that
/// cannot be opened is not retried here: the client already keeps trying for the whole connect
/// timeout, so an unreachable endpoint fails after that one timeout.
final class HTTPTransport: Sendable {
    private let client: HTTPClient
    private let limiter: ConcurrencyLimiter
    private let retry: RetryPolicy
    private let requestTimeout: Duration

    /// Creates a transport allowing `maximumConcurrentRequests` requests in flight.
    init(maximumConcurrentRequests: Int, connectTimeout: Duration, requestTimeout: Duration, readTimeout: Duration,
         retry: RetryPolicy) {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: connectTimeout.timeAmount, read: readTimeout.timeAmount),
            decompression: .disabled)
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = maximumConcurrentRequests
        configuration.httpVersion = .http1Only
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        limiter = ConcurrencyLimiter(limit: maximumConcurrentRequests)
        self.retry = retry
        self.requestTimeout = requestTimeout
    }

    deinit {
        // Non-blocking: the client keeps itself alive until its connections are closed.
        client.shutdown { _ in }
    }

    /// Sends the request `build` makes, retrying what may pass, and returns the final answer.
    /// - Parameters:
    ///   - operation: What is being done, for error messages (`"read"`).
    ///   - location: The URL without query, for error messages (never credentials).
    ///   - errorBodyIsRetryable: Whether a 200 answer whose body is an `<Error>` document is retried
    ///     (CompleteMultipartUpload).
    /// - Throws: `StorageError` `.transient` when the connection failed on every try.
    func send(operation: String, location: String, errorBodyIsRetryable: Bool = false,
              _ build: () throws -> HTTPRequestSpec) async throws -> HTTPResult {
        let clock = ContinuousClock()
        let start = clock.now
        var attempt = 0
        var unclear = false
        /// The wait before the next try, or `nil` when the policy allows no more.
        func nextDelay() -> Duration? {
            let delay = retry.delay(after: attempt)
            return retry.allowsRetry(after: attempt, elapsed: clock.now - start, delay: delay) ? delay : nil
        }
        while true {
            attempt += 1
            let spec = try build()
            do {
                var result = try await limiter.withPermit { try await exchange(spec) }
                result.earlierTryUnclear = unclear
                guard Self.retryableReason(result, errorBodyIsRetryable: errorBodyIsRetryable) != nil,
                      let delay = nextDelay()
                else { return result }
                try await Task.sleep(for: delay)
            } catch let error as CancellationError {
                throw error
            } catch let error as StorageError {
                throw error
            } catch {
                try Task.checkCancellation()
                if let invalid = error as? HTTPClientError, [.invalidURL, .emptyHost, .emptyScheme].contains(invalid) {
                    throw StorageError(operation: operation, location: location, reason: "\(error)", code: .invalid)
                }
                let failure = Self.describe(error)
                if Self.isConnectFailure(error) {
                    throw StorageError(operation: operation, location: location,
                                       reason: "cannot connect to \(Self.authority(of: spec.url)): \(failure)", code: .transient)
                }
                guard let delay = nextDelay() else {
                    throw StorageError(operation: operation, location: location,
                                       reason: "\(failure) (after \(attempt) \(attempt == 1 ? "try" : "tries"))",
                                       code: .transient)
                }
                try await Task.sleep(for: delay)
            }
            // The request may have reached the service before this try failed.
            unclear = true
        }
    }

    /// One try: sends `spec` and reads the whole body, checking it against `Content-Length`.
    private func exchange(_ spec: HTTPRequestSpec) async throws -> HTTPResult {
        var request = HTTPClientRequest(url: spec.url)
        request.method = spec.method
        for (name, value) in spec.headers { request.headers.add(name: name, value: value) }
        if let body = spec.body {
            request.body = .bytes(ByteBuffer(bytes: body))
            request.headers.replaceOrAdd(name: "content-length", value: String(body.count))
        }
        let deadline = NIODeadline.now() + requestTimeout.timeAmount
        let response = try await client.execute(request, deadline: deadline)
        let announced = response.headers.first(name: "content-length").flatMap { Int($0) }
        var body: [UInt8] = []
        if spec.method != .HEAD {
            if let announced { body.reserveCapacity(announced) }
            for try await piece in response.body { body.append(contentsOf: piece.readableBytesView) }
            if let announced, announced != body.count {
                throw ShortBody(announced: announced, received: body.count)
            }
        }
        return HTTPResult(status: Int(response.status.code), headers: response.headers, body: body)
    }

    /// A body shorter or longer than its `Content-Length`: retried like a dropped connection.
    private struct ShortBody: Error, CustomStringConvertible {
        var announced: Int
        var received: Int
        var description: String { "short read: \(received) of \(announced) announced bytes" }
    }

    /// Why `result` should be retried, or `nil` when it is a final answer.
    static func retryableReason(_ result: HTTPResult, errorBodyIsRetryable: Bool) -> String? {
        switch result.status {
        case 500, 502, 503, 504, 408, 429:
            return "HTTP \(result.status)"
        case 400 where S3ErrorDocument(result.body)?.code == "RequestTimeout":
            return "HTTP 400 RequestTimeout"
        case 200 where errorBodyIsRetryable:
            guard let document = S3ErrorDocument(result.body) else { return nil }
            return "error \(document.code) in a 200 answer"
        default:
            return nil
        }
    }

    /// Whether `error` says no connection could be opened (refused, unreachable, connect timeout).
    private static func isConnectFailure(_ error: any Error) -> Bool {
        if let client = error as? HTTPClientError { return client == .connectTimeout }
        if error is NIOConnectionError { return true }
        if let io = error as? IOError { return [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH].contains(io.errnoCode) }
        return false
    }

    /// The `host[:port]` of `url`, for messages.
    private static func authority(of url: String) -> Substring {
        let rest = url.split(separator: "://", maxSplits: 1).last ?? Substring(url)
        return rest.prefix { $0 != "/" && $0 != "?" }
    }

    /// A one-line description of a connection-level failure.
    private static func describe(_ error: any Error) -> String {
        if let client = error as? HTTPClientError {
            switch client {
            case .connectTimeout: return "connection timed out"
            case .deadlineExceeded: return "request timed out"
            case .readTimeout: return "read timed out"
            case .remoteConnectionClosed: return "connection closed by the server"
            default: return "\(client)"
            }
        }
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)).lowercased() }
        if let connection = error as? NIOConnectionError {
            return connection.connectionErrors.first.map { describe($0.error) } ?? "no address to connect to"
        }
        return "\(error)"
    }

}
