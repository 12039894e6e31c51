import CubeFixtures
import CubeHEALPix
import Testing

/// The source-geometry helper: nearest and stencil delegate to the grid; box queries are supersets.
@Suite struct HEALPixCellsTests {
    @Test func nearestAndStencilDelegate() throws {
        let cells = HEALPixCells(grid: try HEALPixGrid(nside: 64, ordering: .nested))
        #expect(cells.count == 49152)
        #expect(cells.nearest(longitude: 12.5, latitude: 41.9) == cells.grid.pixel(latitude: 41.9, longitude: 12.5))
        #expect(cells.stencil(longitude: 12.5, latitude: 41.9) == cells.grid.interpolationStencil(latitude: 41.9, longitude: 12.5))
        let c = cells.centre(of: cells.nearest(longitude: 12.5, latitude: 41.9))
        #expect(abs(c.longitude - 12.5) < 1 && abs(c.latitude - 41.9) < 1)
    }

    /// Every pixel touched by the box — containing a random point inside it, or having a boundary point
    /// (8 per edge) inside it — is listed; the excess stays within a pixel or so of the box.
    @Test func boxQueryIsAConservativeSuperset() throws {
        var rng = SplitMix64(seed: 3)
        let boxes = [LonLatBox(west: -10, south: 35, east: 30, north: 60),
                     LonLatBox(west: 170, south: -20, east: -170, north: 5),     // across the antimeridian
                     LonLatBox(west: 0, south: 80, east: 360, north: 90),        // polar cap
                     LonLatBox(west: 44, south: -90, east: 46, north: -70),      // thin, to the south pole
                     LonLatBox(west: 10, south: 40.0, east: 10.3, north: 40.2)]  // smaller than a pixel
        for nside in [1, 4, 64] {
            for ordering in HEALPixOrdering.allCases {
                let cells = HEALPixCells(grid: try HEALPixGrid(nside: nside, ordering: ordering))
                for box in boxes {
                    let listed = cells.cells(intersecting: box)
                    #expect(listed == listed.sorted() && Set(listed).count == listed.count)
                    let set = Set(listed)
                    for _ in 0..<500 {
                        let lon = box.west + Double.random(in: 0...box.width, using: &rng)
                        let lat = Double.random(in: box.south...box.north, using: &rng)
                        #expect(set.contains(cells.nearest(longitude: lon, latitude: lat)), "Nside \(nside) \(box) misses \(lon), \(lat)")
                    }
                    for p in 0..<cells.count where !set.contains(p) {
                        // A pixel's boundary lies within 3° of its centre for Nside ≥ 64 (skip the rest).
                        let latitude = cells.centre(of: p).latitude
                        if nside >= 64 && (latitude < box.south - 3 || latitude > box.north + 3) { continue }
                        for v in cells.grid.boundaries(of: p, step: 8) where inside(v, box) {
                            Issue.record("Nside \(nside) \(ordering) \(box): pixel \(p) has boundary point \(v.latitude), \(v.longitude) inside")
                        }
                    }
                    if nside == 64 && box.width < 360 {
                        // Bounded excess: the listed area is at most the box's plus a two-pixel margin.
                        let margin = 2 * 58.6 / Double(nside)
                        let expanded = (box.width + 2 * margin) * (min(box.north + margin, 90) - max(box.south - margin, -90))
                        let perPixel = 41253.0 / Double(cells.count)
                        #expect(Double(listed.count) * perPixel < 2.5 * expanded + 8 * perPixel, "Nside \(nside) \(box): \(listed.count) cells")
                    }
                }
            }
        }
    }

    private func inside(_ v: SphereVector, _ box: LonLatBox) -> Bool {
        guard v.latitude >= box.south && v.latitude <= box.north else { return false }
        if box.width >= 360 { return true }
        var d = (v.longitude - box.west).truncatingRemainder(dividingBy: 360)
        if d < 0 { d += 360 }
        return d <= box.width
    }
}
