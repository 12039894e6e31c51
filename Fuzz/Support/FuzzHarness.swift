public import Foundation

/// What every fuzz target shares: the libFuzzer driver in fuzzing builds (`-DFUZZING`,
/// `-sanitize=fuzzer,address`), and in ordinary builds a replay of corpus files, so the seed corpus
/// and every crash ever found run as regression tests in `make test`.
public enum FuzzHarness {
    /// One fuzz input: the bytes to try. Returns normally for any input; a crash is a bug.
    public typealias Body = @Sendable (UnsafeRawBufferPointer) -> Void

    /// Runs `body` on every file named in `arguments` (folders are walked); prints the count.
    /// - Returns: the process exit status (0, or 2 when a named file or folder does not exist).
    public static func replay(_ arguments: [String], name: String, _ body: Body) -> Int32 {
        var files: [String] = []
        for argument in arguments {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                FileHandle.standardError.write(Data("\(name): no such file or folder '\(argument)'\n".utf8))
                return 2
            }
            if isDirectory.boolValue {
                let walker = FileManager.default.enumerator(atPath: argument)
                while let relative = walker?.nextObject() as? String {
                    let path = argument + "/" + relative
                    var folder: ObjCBool = false
                    if FileManager.default.fileExists(atPath: path, isDirectory: &folder), !folder.boolValue { files.append(path) }
                }
            } else {
                files.append(argument)
            }
        }
        for path in files.sorted() {
            let bytes = FileManager.default.contents(atPath: path) ?? Data()
            bytes.withUnsafeBytes { body($0) }
        }
        print("\(name): replayed \(files.count) inputs without a crash")
        return 0
    }

    /// Runs an async `body` to completion from synchronous code (fuzz callbacks are synchronous).
    public static func wait(_ body: @escaping @Sendable () async -> Void) {
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            await body()
            done.signal()
        }
        done.wait()
    }
}
