import CubeFixtures
import CubeHEALPix
import Testing

/// Self-consistency of the geometry where no oracle is needed, up to Nside 2^29.
@Suite struct HEALPixPropertyTests {
    @Test func nsideIsValidated() {
        #expect(throws: HEALPixError.invalidNside(3, .nested)) { try HEALPixGrid(nside: 3, ordering: .nested) }
        #expect(throws: HEALPixError.invalidNside(0, .ring)) { try HEALPixGrid(nside: 0, ordering: .ring) }
        #expect(throws: HEALPixError.invalidNside(1 << 30, .ring)) { try HEALPixGrid(nside: 1 << 30, ordering: .ring) }
        #expect((try? HEALPixGrid(nside: 3, ordering: .ring)) != nil)
    }

    @Test func ringsTileThePixelsInOrder() throws {
        for nside in [1, 2, 3, 8, 64] {
            let grid = try HEALPixGrid(nside: nside, ordering: .ring)
            var next = 0
            var lastLatitude = 91.0
            for i in 1...grid.ringCount {
                let ring = grid.ring(i)
                #expect(ring.firstPixel == next)
                #expect(ring.latitude < lastLatitude)
                lastLatitude = ring.latitude
                next += ring.pixelCount
                let centre = grid.centre(of: ring.firstPixel)
                #expect(abs(centre.colatitude - ring.colatitude) < 1e-15)
                #expect(abs(centre.longitude - ring.longitude(ofPixelAt: 0)) < 1e-12)
            }
            #expect(next == grid.pixelCount)
        }
    }

    /// Every pixel's centre falls in that pixel, and the nested/ring conversions are inverse bijections.
    @Test func everyPixelRoundTripsOnSmallGrids() throws {
        for nside in [1, 2, 4, 16] {
            let ring = try HEALPixGrid(nside: nside, ordering: .ring), nested = ring.reordered(.nested)
            var seen = Set<Int>()
            for p in 0..<ring.pixelCount {
                let c = ring.centre(of: p)
                #expect(ring.pixel(colatitude: c.colatitude, longitude: c.longitude) == p)
                let q = ring.nestedIndex(fromRing: p)
                #expect(nested.ringIndex(fromNested: q) == p)
                #expect(nested.pixel(colatitude: c.colatitude, longitude: c.longitude) == q)
                seen.insert(q)
            }
            #expect(seen.count == ring.pixelCount)
        }
    }

    /// Centres and conversions at resolutions no fixture covers, up to the largest Nside.
    @Test func largeNsideRoundTrips() throws {
        var rng = SplitMix64(seed: 42)
        for order in [13, 16, 20, 24, 29] {
            let nested = try HEALPixGrid(nside: 1 << order, ordering: .nested), ring = nested.reordered(.ring)
            for _ in 0..<2000 {
                let p = Int.random(in: 0..<nested.pixelCount, using: &rng)
                let q = nested.ringIndex(fromNested: p)
                #expect(ring.nestedIndex(fromRing: q) == p)
                let c = nested.centre(of: p)
                #expect(nested.pixel(colatitude: c.colatitude, longitude: c.longitude) == p, "order \(order) pixel \(p)")
                #expect(ring.pixel(colatitude: c.colatitude, longitude: c.longitude) == q, "order \(order) ring \(q)")
            }
        }
    }

    /// From Nside 2 on, every pixel has 8 distinct neighbours, or 7 at a three-face corner, and
    /// neighbourhood is mutual.
    @Test func neighboursAreMutual() throws {
        var rng = SplitMix64(seed: 7)
        for (nside, ordering) in [(2, HEALPixOrdering.nested), (4, .ring), (32, .nested), (1 << 20, .ring)] {
            let grid = try HEALPixGrid(nside: nside, ordering: ordering)
            let count = min(grid.pixelCount, 3000)
            for k in 0..<count {
                let p = grid.pixelCount <= 3000 ? k : Int.random(in: 0..<grid.pixelCount, using: &rng)
                let around = grid.neighbours(of: p)
                let present = around.array.filter { $0 >= 0 }
                #expect(present.count >= 7 && Set(present).count == present.count, "Nside \(nside) pixel \(p): \(around.array)")
                for q in present {
                    #expect(grid.neighbours(of: q).array.contains(p), "Nside \(nside): \(q) does not list \(p)")
                }
            }
        }
    }

    /// Weights are a partition of unity and reproduce a field linear in z and smooth in φ.
    @Test func stencilWeightsSumToOne() throws {
        var rng = SplitMix64(seed: 9)
        for nside in [1, 8, 1024, 1 << 29] {
            let grid = try HEALPixGrid(nside: nside, ordering: .nested)
            for _ in 0..<2000 {
                let lat = Double.random(in: -90...90, using: &rng), lon = Double.random(in: -540...540, using: &rng)
                let s = grid.interpolationStencil(latitude: lat, longitude: lon)
                #expect(abs(s.weights.sum() - 1) < 1e-12)
                #expect((0..<4).allSatisfy { s.weights[$0] >= -1e-15 && grid.contains(s.pixels[$0]) })
            }
        }
    }

    /// The first pixel of each face at its north corner, known by hand for Nside 1 and 2.
    @Test func knownPixels() throws {
        let ring1 = try HEALPixGrid(nside: 1, ordering: .ring)
        #expect(ring1.pixel(latitude: 90, longitude: 0) == 0)
        #expect(ring1.pixel(latitude: -90, longitude: 0) == 8)
        #expect(ring1.pixel(latitude: 0, longitude: 1) == 4)
        let nested2 = try HEALPixGrid(nside: 2, ordering: .nested)
        #expect(nested2.pixel(latitude: 89, longitude: 46) == 3)       // face 0, north corner child
        #expect(nested2.ringIndex(fromNested: 3) == 0)
        #expect(nested2.neighbours(of: 3)[.north] == 11)               // across the pole: face 2's north-corner child
    }
}
