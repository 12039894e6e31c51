import Foundation

/// Python's `http.server` serving a folder on 127.0.0.1 at a free port, for tests of `http://`
/// inputs from a plain web server (no ETag, no ranges). Stopped by `stop()`.
final class LoopbackFileServer: @unchecked Sendable {
    static let python = "/usr/bin/python3"
    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: python) }

    private let process = Process()
    /// `http://127.0.0.1:PORT`.
    let base: String

    /// Starts the server on `folder` and waits until it names its port.
    init(folder: String) throws {
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = ["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", folder]
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // "Serving HTTP on 127.0.0.1 port 41234 (http://127.0.0.1:41234/) ..."
        var text = ""
        while !text.contains("\n") {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        guard let range = text.range(of: #"port (\d+)"#, options: .regularExpression) else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "http.server said: \(text)"])
        }
        base = "http://127.0.0.1:" + text[range].dropFirst(5)
    }

    /// Stops the server with SIGKILL: the child inherits the test runner's signal mask, in which
    /// SIGTERM may be blocked.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
