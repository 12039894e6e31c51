import CubeCore
import CubeStoreNetCDF
import Foundation
import Synchronization
import Zarr

/// The machine's floor for a cube build, measured with CubeGen's own code (issue 14): what no
/// resampling, planning or catalogue can go below.
///
/// read   every time step of every variable of the NetCDF inputs over the whole grid, through the
///        NetCDF store a run uses (stored HDF5 chunks inflated by libdeflate with their Adler-32,
///        unshuffled, converted and CF-unpacked), with 1 and 2 workers;
/// write  every stored chunk of a finished cube decoded once, then encoded again with Blosc (the
///        cube's own settings) and written one file per chunk to a scratch folder, 1 and 2 workers.
/// floor  read (2 workers) + write (2 workers), best of `--runs`, warm page cache.
///
/// usage: cubegen-floor --inputs 'DIR/*.nc' --variables t2m,precip,ndvi --cube CUBE.zarr
///        [--runs 3] [--cubegen-seconds S]
@main struct Floor {
    static func main() async throws {
        var options: [String: String] = [:]
        var arguments = CommandLine.arguments.dropFirst()
        while let key = arguments.popFirst() {
            guard key.hasPrefix("--"), let value = arguments.popFirst() else {
                FileHandle.standardError.write(Data("cubegen-floor: expected --key value, got '\(key)'\n".utf8))
                exit(2)
            }
            options[String(key.dropFirst(2))] = value
        }
        guard let pattern = options["inputs"], let cube = options["cube"] else {
            FileHandle.standardError.write(Data("usage: cubegen-floor --inputs 'DIR/*.nc' --variables a,b --cube CUBE.zarr [--runs N] [--cubegen-seconds S]\n".utf8))
            exit(2)
        }
        let variables = (options["variables"] ?? "t2m,precip,ndvi").split(separator: ",").map(String.init)
        let runs = Int(options["runs"] ?? "3") ?? 3
        let files = try expand(pattern)
        var best: [String: Double] = [:]
        for _ in 0..<runs {
            for workers in [1, 2] {
                let (seconds, bytes) = try await timeRead(files, variables: variables, workers: workers)
                best["read\(workers)"] = min(best["read\(workers)"] ?? .infinity, seconds)
                best["readBytes"] = Double(bytes)
                let (written, chunks) = try timeWrite(cube: cube, variables: variables, workers: workers)
                best["write\(workers)"] = min(best["write\(workers)"] ?? .infinity, written)
                best["chunks"] = Double(chunks)
            }
        }
        let mib = best["readBytes"]! / 1_048_576
        for workers in [1, 2] {
            let s = best["read\(workers)"]!
            print(String(format: "read  %d worker(s): %6.2f s, %6.0f MiB/s decoded (%.0f MiB)", workers, s, mib / s, mib))
        }
        for workers in [1, 2] {
            print(String(format: "write %d worker(s): %6.2f s (%.0f chunks)", workers, best["write\(workers)"]!, best["chunks"]!))
        }
        let floor = best["read2"]! + best["write2"]!
        print(String(format: "floor %.2f s (read + write, 2 workers each)", floor))
        if let text = options["cubegen-seconds"], let seconds = Double(text) {
            print(String(format: "cubegen %.2f s = %.2f× the floor", seconds, seconds / floor))
        }
    }

    /// The files matching a glob pattern, sorted.
    static func expand(_ pattern: String) throws -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard glob(pattern, 0, nil, &result) == 0 else { throw CubeError(.invalidInput, "no file matches '\(pattern)'") }
        return (0..<Int(result.gl_pathc)).compactMap { result.gl_pathv[$0].map { String(cString: $0) } }.sorted()
    }

    /// Reads every step of every variable over the whole grid with `workers` tasks in flight.
    static func timeRead(_ files: [String], variables: [String], workers: Int) async throws -> (Double, Int) {
        let store = NetCDFStore()
        var jobs: [(reader: any DatasetReader, variable: String, step: Int, window: PixelWindow)] = []
        for file in files {
            let reader = try await store.open(path: file)
            let grid = reader.descriptor.grid
            let window = PixelWindow(rows: 0..<grid.height, columns: 0..<grid.width)
            for variable in variables {
                for step in reader.descriptor.dates.indices { jobs.append((reader, variable, step, window)) }
            }
        }
        let start = Date()
        var bytes = 0
        try await withThrowingTaskGroup(of: Int.self) { group in
            var next = 0
            func add() {
                guard next < jobs.count else { return }
                let job = jobs[next]
                next += 1
                group.addTask { try await job.reader.read(job.variable, timeIndex: job.step, window: job.window).count * 4 }
            }
            for _ in 0..<workers { add() }
            while let count = try await group.next() {
                bytes += count
                add()
            }
        }
        return (Date().timeIntervalSince(start), bytes)
    }

    /// Re-encodes every stored chunk of the cube's variables with Blosc and writes it out.
    static func timeWrite(cube: String, variables: [String], workers: Int) throws -> (Double, Int) {
        let scratch = NSTemporaryDirectory() + "cubegen-floor-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var decoded: [(name: String, bytes: [UInt8], codec: BloscCodec)] = []
        for variable in variables {
            let folder = cube + "/" + variable
            let metadata = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/.zarray"))) as? [String: Any]
            guard let compressor = metadata?["compressor"] as? [String: Any], compressor["id"] as? String == "blosc",
                  let chunks = metadata?["chunks"] as? [Int] else {
                throw CubeError(.invalidInput, "'\(folder)/.zarray' is not a Blosc-compressed Zarr v2 array")
            }
            let codec = try BloscCodec(compressorName: compressor["cname"] as? String ?? "lz4", level: compressor["clevel"] as? Int ?? 5,
                                       shuffle: compressor["shuffle"] as? Int ?? 1, blockSize: compressor["blocksize"] as? Int ?? 0, typeSize: 4)
            let count = chunks.reduce(4, *)
            for name in try FileManager.default.contentsOfDirectory(atPath: folder) where !name.hasPrefix(".") {
                let stored = [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)))
                decoded.append(("\(variable).\(name)", try codec.decode(stored, decodedCount: count), codec))
            }
        }
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let units = decoded
        let start = Date()
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for k in stride(from: worker, to: units.count, by: workers) {
                do {
                    let encoded = try units[k].codec.encode(units[k].bytes)
                    try Data(encoded).write(to: URL(fileURLWithPath: scratch + "/" + units[k].name))
                } catch {
                    failures.withLock { $0 += 1 }
                }
            }
        }
        guard failures.withLock({ $0 }) == 0 else { throw CubeError(.io, "cannot write the re-encoded chunks to '\(scratch)'") }
        return (Date().timeIntervalSince(start), decoded.count)
    }
}
