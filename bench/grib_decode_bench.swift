// The GRIB part of the HEALPix bench (issue 11) in release mode: open GRIB files through the public
// GRIBStore API and read every variable's whole field, WORKERS reads at once. Built by
// scripts/bench-grib-decode.sh in a throw-away package (CubeStorage, CubeCore, CubeStoreGRIB only).
import CubeCore
import CubeStoreGRIB
import Foundation

// usage: GRIBDecodeBench WORKERS FILE...
let args = CommandLine.arguments
let workers = Int(args[1])!
let files = Array(args.dropFirst(2))
func cpu() -> Double { var u = rusage(); getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u); return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6 }
let start = Date(), cpu0 = cpu()
var jobs: [(any DatasetReader, String, Int)] = []
for f in files {
    let reader = try await GRIBStore().open(path: f)
    for v in reader.descriptor.variables { jobs.append((reader, v.name, v.shape[1])) }
}
let indexed = Date().timeIntervalSince(start)
nonisolated(unsafe) let all = jobs
let checksum = try await withThrowingTaskGroup(of: Double.self) { group in
    var next = 0, sum = 0.0
    func add() { guard next < all.count else { return }; let (r, v, n) = all[next]; next += 1
        group.addTask { let x = try await r.read(v, timeIndex: 0, window: PixelWindow(rows: 0..<1, columns: 0..<n)); return Double(x[n / 2]) } }
    for _ in 0..<workers { add() }
    while let x = try await group.next() { sum += x; add() }
    return sum
}
print(String(format: "messages %d  index %.2f s  total wall %.2f s  cpu %.2f s  (check %.3f)", all.count, indexed, Date().timeIntervalSince(start), cpu() - cpu0, checksum))
