import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A loopback HTTP/1.1 server whose answers a test scripts request by request, to provoke what a
/// real service does rarely: throttling, server errors, dropped connections, short bodies.
final class ScriptedHTTPServer: Sendable {
    /// A request as the server received it.
    struct Request: Sendable {
        var method: String
        var uri: String
        var headers: [(String, String)]
        var body: [UInt8]

        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name }?.1 }
    }

    /// What to do with a request.
    enum Answer: Sendable {
        /// Answer with a status, headers and body.
        case respond(Int, [(String, String)], [UInt8])
        /// Announce `length` bytes, send `body` (shorter), close the connection.
        case truncated(length: Int, body: [UInt8])
        /// Close the connection without answering.
        case drop
        /// Never answer (until the client gives up).
        case stall
    }

    private let channel: any Channel
    private let log = Mutex<[Request]>([])
    let respond: @Sendable (Request, Int) -> Answer

    /// The requests received so far.
    var requests: [Request] { log.withLock { $0 } }

    /// The endpoint URL, `http://127.0.0.1:PORT`.
    var endpoint: String { "http://127.0.0.1:\(channel.localAddress!.port!)" }

    /// Starts a server on a free loopback port; `respond` gets each request and its 0-based index.
    init(_ respond: @escaping @Sendable (Request, Int) -> Answer) async throws {
        self.respond = respond
        let holder = Holder()
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.pipeline.configureHTTPServerPipeline().flatMap {
                    child.pipeline.addHandler(Handler(server: holder))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        holder.server.withLock { $0 = self }
    }

    /// Stops listening.
    func stop() async throws { try await channel.close() }

    fileprivate func handle(_ request: Request) -> Answer {
        let index = log.withLock { log -> Int in
            log.append(request)
            return log.count - 1
        }
        return respond(request, index)
    }

    fileprivate final class Holder: Sendable {
        let server = Mutex<ScriptedHTTPServer?>(nil)
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let server: Holder
        var head: HTTPRequestHead?
        var body: [UInt8] = []

        init(server: Holder) { self.server = server }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let requestHead):
                head = requestHead
                body = []
            case .body(let buffer):
                body += buffer.readableBytesView
            case .end:
                guard let head, let server = server.server.withLock({ $0 }) else { return }
                let request = Request(method: head.method.rawValue, uri: head.uri,
                                      headers: head.headers.map { ($0.name, $0.value) }, body: body)
                let isHead = head.method == .HEAD
                switch server.handle(request) {
                case .respond(let status, let headers, let bytes):
                    var responseHeaders = HTTPHeaders(headers)
                    if !responseHeaders.contains(name: "content-length") {
                        responseHeaders.add(name: "content-length", value: String(bytes.count))
                    }
                    let responseHead = HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: status),
                                                        headers: responseHeaders)
                    context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
                    if !isHead && !bytes.isEmpty {
                        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: bytes)))), promise: nil)
                    }
                    context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                case .truncated(let length, let bytes):
                    let responseHead = HTTPResponseHead(version: head.version, status: .ok,
                                                        headers: ["content-length": String(length)])
                    context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
                    context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: bytes)))), promise: nil)
                    context.close(promise: nil)
                case .drop:
                    context.close(promise: nil)
                case .stall:
                    break
                }
            }
        }
    }
}
