import CubeHEALPix
import Foundation

// Release-mode timing of the per-point hot paths: 10^7 random lat/lon points, one core.
let count = 10_000_000
var state: UInt64 = 1
@MainActor func next() -> Double {
    state = state &* 6364136223846793005 &+ 1442695040888963407
    return Double(state >> 11) / Double(1 << 53)
}
var lat = [Double](repeating: 0, count: count), lon = [Double](repeating: 0, count: count)
for k in 0..<count { lat[k] = asin(2 * next() - 1) * 180 / .pi; lon[k] = 360 * next() - 180 }
do {
    var acc = 0.0
    let t = cpuTime()
    for k in 0..<count { acc += cos(Double.pi / 2 - lat[k] * (Double.pi / 180)) }
    print("calibration: 10^7 cos() \(String(format: "%.3f", cpuTime() - t)) s [\(acc > 0)]")
}
for (nside, ordering) in [(1024, HEALPixOrdering.nested), (1024, .ring), (8192, .nested)] {
    let grid = try! HEALPixGrid(nside: nside, ordering: ordering)
    var sum = 0
    var t = cpuTime()
    for k in 0..<count { sum &+= grid.pixel(latitude: lat[k], longitude: lon[k]) }
    let pixelTime = cpuTime() - t
    var wsum = 0.0
    t = cpuTime()
    for k in 0..<count {
        let s = grid.interpolationStencil(latitude: lat[k], longitude: lon[k])
        sum &+= s.pixels[0]
        wsum += s.weights[3]
    }
    let stencilTime = cpuTime() - t
    print("Nside \(nside) \(ordering): pixel(latitude:longitude:) \(String(format: "%.3f", pixelTime)) s, "
          + "interpolationStencil \(String(format: "%.3f", stencilTime)) s per 10^7 points [\(sum & 1) \(wsum > 0)]")
}

/// This thread's CPU time in seconds (the machine is shared, so wall time would overstate).
func cpuTime() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
