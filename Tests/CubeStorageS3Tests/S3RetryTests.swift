import CubeCrypto
import CubeStorage
import CubeStorageS3
import Foundation
import Synchronization
import Testing

/// Retries and unclear outcomes against a scripted loopback server (no S3 service needed).
@Suite struct S3RetryTests {
    static let credentials = S3Credentials(accessKeyID: "AKIDRETRY", secretAccessKey: "retry-secret")
    static func errorBody(_ code: String) -> [UInt8] { Array("<Error><Code>\(code)</Code><Message>m</Message></Error>".utf8) }

    func storage(_ server: ScriptedHTTPServer, attempts: Int = 4, totalTime: Duration = .seconds(20)) throws -> S3Storage {
        S3Storage(bucket: "retry-bucket", configuration: S3Configuration(
            endpoint: try S3Endpoint(url: server.endpoint), region: "us-east-1", credentials: Self.credentials,
            retry: RetryPolicy(maximumAttempts: attempts, baseDelay: .milliseconds(20), maximumDelay: .milliseconds(100),
                               totalTime: totalTime),
            connectTimeout: .seconds(2), requestTimeout: .seconds(5), multipartThreshold: 6 << 20, partSize: 5 << 20))
    }

    @Test func serverErrorsAndThrottlingAreRetriedAndEveryTryIsSigned() async throws {
        let server = try await ScriptedHTTPServer { _, index in
            switch index {
            case 0: return .respond(503, [], Self.errorBody("SlowDown"))
            case 1: return .respond(500, [], Self.errorBody("InternalError"))
            case 2: return .respond(429, [], [])
            case 3: return .respond(400, [], Self.errorBody("RequestTimeout"))
            default: return .respond(206, [("content-range", "bytes 2-4/10")], [2, 3, 4])
            }
        }
        defer { Task { try? await server.stop() } }
        let value = try await storage(server, attempts: 5).get("a/b", range: .bounded(2..<5))
        #expect(value == [2, 3, 4])
        let requests = server.requests
        #expect(requests.count == 5)
        for request in requests {
            #expect(request.uri == "/retry-bucket/a/b")
            #expect(request.header("range") == "bytes=2-4")
            #expect(request.header("authorization")?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDRETRY/") == true)
            #expect(request.header("x-amz-date") != nil && request.header("host") == server.endpoint.dropFirst(7).description)
        }
    }

    @Test func retriesAreBoundedInCount() async throws {
        let server = try await ScriptedHTTPServer { _, _ in .respond(503, [], Self.errorBody("SlowDown")) }
        defer { Task { try? await server.stop() } }
        await #expect { _ = try await storage(server, attempts: 3).get("k") } throws: { error in
            guard let error = error as? StorageError else { return false }
            return error.code == .throttled && error.description.contains("s3://retry-bucket/k")
        }
        #expect(server.requests.count == 3)
    }

    @Test func retriesAreBoundedInTime() async throws {
        let server = try await ScriptedHTTPServer { _, _ in .respond(500, [], []) }
        defer { Task { try? await server.stop() } }
        let slow = S3Storage(bucket: "retry-bucket", configuration: S3Configuration(
            endpoint: try S3Endpoint(url: server.endpoint), region: "us-east-1", credentials: Self.credentials,
            retry: RetryPolicy(maximumAttempts: 100, baseDelay: .milliseconds(400), maximumDelay: .milliseconds(400),
                               totalTime: .seconds(1))))
        let clock = ContinuousClock()
        let start = clock.now
        await #expect { _ = try await slow.get("k") } throws: { ($0 as? StorageError)?.code == .transient }
        // Without the 1 s budget 100 attempts × 400 ms would take 40 s; the bound leaves room for a
        // loaded machine (a clean-clone CI run measured 3.6 s while every test ran in parallel).
        #expect(clock.now - start < .seconds(10))
        #expect(server.requests.count < 10)
    }

    @Test func refusalsAreNotRetried() async throws {
        let server = try await ScriptedHTTPServer { _, _ in .respond(403, [], Self.errorBody("AccessDenied")) }
        defer { Task { try? await server.stop() } }
        await #expect { _ = try await storage(server).get("k") } throws: { ($0 as? StorageError)?.code == .denied }
        #expect(server.requests.count == 1)
    }

    @Test func shortBodiesAndDroppedConnectionsAreRetried() async throws {
        let server = try await ScriptedHTTPServer { _, index in
            switch index {
            case 0: return .truncated(length: 10, body: [0, 1, 2, 3, 4])
            case 1: return .drop
            default: return .respond(200, [], Array(0..<10))
            }
        }
        defer { Task { try? await server.stop() } }
        #expect(try await storage(server).get("k") == Array(0..<10))
        #expect(server.requests.count == 3)
    }

    @Test func aStalledAnswerTimesOutAndIsRetried() async throws {
        let server = try await ScriptedHTTPServer { _, index in index == 0 ? .stall : .respond(200, [], [9]) }
        defer { Task { try? await server.stop() } }
        let storage = S3Storage(bucket: "retry-bucket", configuration: S3Configuration(
            endpoint: try S3Endpoint(url: server.endpoint), region: "us-east-1", credentials: Self.credentials,
            retry: RetryPolicy(maximumAttempts: 2, baseDelay: .milliseconds(10)), readTimeout: .milliseconds(500)))
        let clock = ContinuousClock()
        let start = clock.now
        #expect(try await storage.get("k") == [9])
        // The stall ends at the 500 ms read timeout, not the 300 s request timeout (4.4 s seen under CI load).
        #expect(clock.now - start < .seconds(20))
        #expect(server.requests.count == 2)
    }

    @Test func aShortAnswerThatClaimsTheWrongRangeIsAnError() async throws {
        let server = try await ScriptedHTTPServer { _, _ in .respond(206, [("content-range", "bytes 0-1/10")], [0, 1]) }
        defer { Task { try? await server.stop() } }
        await #expect { _ = try await storage(server, attempts: 1).get("k", range: .bounded(0..<4)) } throws: {
            ($0 as? StorageError)?.code == .transient
        }
    }

    @Test func createOnlyPutWhoseFirstTryWasLostIsSettledByHead() async throws {
        let value: [UInt8] = Array("lease".utf8)
        let etag = "\"\(ByteEncoding.hex(MD5.digest(value)))\""
        let server = try await ScriptedHTTPServer { request, index in
            switch (request.method, index) {
            case ("PUT", 0): return .drop                                // applied, but the answer was lost
            case ("PUT", _): return .respond(412, [], Self.errorBody("PreconditionFailed"))
            case ("HEAD", _): return .respond(200, [("etag", etag), ("content-length", String(value.count))], [])
            default: return .respond(500, [], [])
            }
        }
        defer { Task { try? await server.stop() } }
        try await storage(server).put("lease", value, condition: .ifAbsent)
        #expect(server.requests.map(\.method) == ["PUT", "PUT", "HEAD"])
        #expect(server.requests[0].header("if-none-match") == "*")
        #expect(server.requests[0].header("content-md5") == ByteEncoding.base64(MD5.digest(value)))
    }

    @Test func createOnlyPutRefusedOnTheFirstTryIsAConditionFailure() async throws {
        let server = try await ScriptedHTTPServer { request, _ in
            request.method == "PUT" ? .respond(412, [], Self.errorBody("PreconditionFailed")) : .respond(500, [], [])
        }
        defer { Task { try? await server.stop() } }
        await #expect { try await storage(server).put("lease", [1], condition: .ifAbsent) } throws: {
            ($0 as? StorageError)?.code == .conditionFailed
        }
        #expect(server.requests.map(\.method) == ["PUT"])
    }

    @Test func completeMultipartUploadWithAnErrorBodyIsRetriedAndAFailedPartAborts() async throws {
        let value = [UInt8](repeating: 7, count: (6 << 20) + 5)
        let uploads = Array("<InitiateMultipartUploadResult><UploadId>up-1</UploadId></InitiateMultipartUploadResult>".utf8)
        let server = try await ScriptedHTTPServer { request, _ in
            switch request.method {
            case "POST" where request.uri.contains("uploads"): return .respond(200, [], uploads)
            case "PUT": return .respond(200, [("etag", "\"p\(request.uri.contains("partNumber=1") ? 1 : 2)\"")], [])
            case "POST": return .respond(200, [], Self.errorBody("InternalError"))
            default: return .respond(204, [], [])
            }
        }
        defer { Task { try? await server.stop() } }
        await #expect { try await storage(server, attempts: 3).set("big", to: value) } throws: {
            ($0 as? StorageError)?.isRetryable == true
        }
        let methods = server.requests.map { "\($0.method) \($0.uri.split(separator: "?").last ?? "")" }
        #expect(methods.filter { $0.hasPrefix("POST uploadId=up-1") }.count == 3, "\(methods)")
        #expect(methods.last == "DELETE uploadId=up-1", "the upload is aborted: \(methods)")
        let parts = server.requests.filter { $0.method == "PUT" }
        #expect(parts.count == 2 && parts.allSatisfy { $0.header("content-md5") != nil })
        let complete = try #require(server.requests.first { $0.method == "POST" && $0.uri.contains("uploadId") })
        let xml = String(decoding: complete.body, as: UTF8.self)
        #expect(xml.contains("<PartNumber>1</PartNumber><ETag>&quot;p1&quot;</ETag>"), "\(xml)")
    }

    @Test func completeMultipartUploadSucceedsAfterAnErrorBody() async throws {
        let value = [UInt8](repeating: 1, count: (6 << 20) + 5)
        let uploads = Array("<InitiateMultipartUploadResult><UploadId>up-2</UploadId></InitiateMultipartUploadResult>".utf8)
        let completions = Mutex(0)
        let server = try await ScriptedHTTPServer { request, _ in
            switch request.method {
            case "POST" where request.uri.contains("uploads"): return .respond(200, [], uploads)
            case "PUT": return .respond(200, [("etag", "\"e\"")], [])
            case "POST":
                let count = completions.withLock { $0 += 1; return $0 }
                return count == 1 ? .respond(200, [], Self.errorBody("SlowDown"))
                    : .respond(200, [], Array("<CompleteMultipartUploadResult/>".utf8))
            default: return .respond(500, [], [])
            }
        }
        defer { Task { try? await server.stop() } }
        try await storage(server).set("big", to: value)
        #expect(!server.requests.contains { $0.method == "DELETE" })
    }
}
