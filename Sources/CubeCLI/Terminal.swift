import CubeGen
import Foundation
import Synchronization

/// Writes to the terminal.
enum Terminal {
    /// Put before every line (`[shard 2/8] `), so the logs of a batch job name the shard.
    nonisolated(unsafe) static var prefix = ""

    /// Writes a line to standard error.
    static func error(_ line: String) {
        FileHandle.standardError.write(Data((prefix + line + "\n").utf8))
    }

    /// Writes a line to standard output.
    static func output(_ line: String) { print(prefix + line) }

    /// Whether standard error is a terminal.
    static var isInteractive: Bool { isatty(2) != 0 }
}

/// Renders run progress: a self-updating line on a terminal, plain log lines (every 10 %) otherwise.
final class ProgressDisplay: Sendable {
    private let total: Int
    private let interactive = Terminal.isInteractive
    private let lastDecile = Mutex(-1)

    init(total: Int) { self.total = total }

    func update(_ event: ProgressEvent) {
        let fraction = Double(event.tasksDone) / Double(max(1, event.tasksTotal))
        let rate = event.elapsed > 0 ? Double(event.bytesDone) / 1e6 / event.elapsed : 0
        let eta = fraction > 0 ? event.elapsed * (1 - fraction) / fraction : 0
        let text = String(format: "chunks %d/%d (%.0f%%), %.1f MB/s, elapsed %.1f s, ETA %.1f s",
                          event.tasksDone, event.tasksTotal, fraction * 100, rate, event.elapsed, eta)
        if interactive {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + Terminal.prefix + text).utf8))
        } else {
            let decile = Int(fraction * 10)
            let shouldPrint = lastDecile.withLock { last in
                guard decile > last else { return false }
                last = decile
                return true
            }
            if shouldPrint { Terminal.error(text) }
        }
    }

    func finish() { if interactive { FileHandle.standardError.write(Data("\n".utf8)) } }
}
