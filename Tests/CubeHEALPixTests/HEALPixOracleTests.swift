import CubeHEALPix
import Testing

/// The geometry against healpy (an independent implementation): exact integers, angles and weights
/// to 1e-12 relative.
@Suite struct HEALPixOracleTests {
    let reference = HEALPixReference.shared

    private func grids(_ nside: Int) throws -> (ring: HEALPixGrid, nested: HEALPixGrid) {
        (try HEALPixGrid(nside: nside, ordering: .ring), try HEALPixGrid(nside: nside, ordering: .nested))
    }

    @Test func referenceCoversTheRequiredResolutions() {
        #expect(reference.generator.hasPrefix("healpy "))
        #expect(Set(reference.cases.map(\.nside)).isSuperset(of: [1, 2, 4, 8, 64, 1024, 8192]))
    }

    @Test func pixelOfLatLonMatchesAng2pix() throws {
        for c in reference.cases {
            try checkPixels(c.nside, zip(c.points.lat, c.points.lon), ring: c.points.ring, nested: c.points.nested) {
                $0.pixel(latitude: $1, longitude: $2)
            }
        }
    }

    @Test func pixelOfColatitudeLongitudeMatchesAng2pix() throws {
        for c in reference.cases {
            try checkPixels(c.nside, zip(c.points.theta, c.points.phi), ring: c.points.theta_ring, nested: c.points.theta_nested) {
                $0.pixel(colatitude: $1, longitude: $2)
            }
        }
    }

    /// `locate(grid, a, b)` for each input pair equals healpy's ring and nested answers.
    private func checkPixels(_ nside: Int, _ inputs: Zip2Sequence<[Double], [Double]>, ring: [Int], nested: [Int],
                             _ locate: (HEALPixGrid, Double, Double) -> Int) throws {
        let grids = try grids(nside)
        for (k, (a, b)) in inputs.enumerated() {
            #expect(locate(grids.ring, a, b) == ring[k], "Nside \(nside) ring at (\(a), \(b))")
            #expect(locate(grids.nested, a, b) == nested[k], "Nside \(nside) nested at (\(a), \(b))")
        }
    }

    @Test func interpolationStencilMatchesGetInterpWeights() throws {
        for c in reference.cases {
            let (ring, nested) = try grids(c.nside)
            for k in c.points.lon.indices {
                let (lat, lon) = (c.points.lat[k], c.points.lon[k])
                let r = ring.interpolationStencil(latitude: lat, longitude: lon)
                let n = nested.interpolationStencil(latitude: lat, longitude: lon)
                for m in 0..<4 {
                    #expect(r.pixels[m] == c.points.interp_ring[k][m], "Nside \(c.nside) ring stencil \(m) at \(lat), \(lon)")
                    #expect(n.pixels[m] == c.points.interp_nested[k][m], "Nside \(c.nside) nested stencil \(m) at \(lat), \(lon)")
                    #expect(close(r.weights[m], c.points.interp_weights[k][m]),
                            "Nside \(c.nside) weight \(m) at \(lat), \(lon): \(r.weights[m]) vs \(c.points.interp_weights[k][m])")
                    #expect(n.weights[m] == r.weights[m])
                }
            }
        }
    }

    @Test func nestRingConversionMatches() throws {
        for c in reference.cases {
            let (ring, nested) = try grids(c.nside)
            for (p, q) in zip(c.pixels.nested, c.pixels.ring) {
                #expect(nested.ringIndex(fromNested: p) == q, "Nside \(c.nside) nest2ring(\(p))")
                #expect(ring.nestedIndex(fromRing: q) == p, "Nside \(c.nside) ring2nest(\(q))")
            }
        }
    }

    @Test func centresMatchPix2ang() throws {
        for c in reference.cases {
            let (ring, nested) = try grids(c.nside)
            for k in c.pixels.ring.indices {
                let (theta, phi) = (c.pixels.theta[k], c.pixels.phi[k])
                for (grid, p) in [(ring, c.pixels.ring[k]), (nested, c.pixels.nested[k])] {
                    let centre = grid.centre(of: p)
                    #expect(close(centre.colatitude, theta, floor: 0), "Nside \(c.nside) θ of \(p): \(centre.colatitude) vs \(theta)")
                    #expect(close(centre.longitude, phi), "Nside \(c.nside) φ of \(p): \(centre.longitude) vs \(phi)")
                }
            }
        }
    }

    @Test func neighboursMatchGetAllNeighbours() throws {
        for c in reference.cases {
            let (ring, nested) = try grids(c.nside)
            for k in c.pixels.ring.indices {
                #expect(ring.neighbours(of: c.pixels.ring[k]).array == c.pixels.neighbours_ring[k], "Nside \(c.nside) ring \(c.pixels.ring[k])")
                #expect(nested.neighbours(of: c.pixels.nested[k]).array == c.pixels.neighbours_nested[k], "Nside \(c.nside) nested \(c.pixels.nested[k])")
            }
        }
    }

    @Test func boundariesMatch() throws {
        for c in reference.cases {
            let (ring, nested) = try grids(c.nside)
            for (k, p) in c.pixels.boundary_nested.enumerated() {
                let expected = c.pixels.boundaries[k]
                let q = nested.ringIndex(fromNested: p)
                for points in [nested.boundaries(of: p), ring.boundaries(of: q)] {
                    let flat = points.flatMap { [$0.x, $0.y, $0.z] }
                    #expect(flat.count == expected.count)
                    #expect(zip(flat, expected).allSatisfy { close($0, $1) }, "Nside \(c.nside) boundaries of nested \(p)")
                }
                let corners = nested.corners(of: p)
                let cornerFlat = [corners.north, corners.west, corners.south, corners.east].flatMap { [$0.x, $0.y, $0.z] }
                #expect(zip(cornerFlat, expected).allSatisfy { close($0, $1) }, "Nside \(c.nside) corners of nested \(p)")
                if k < c.pixels.boundaries_step3.count {
                    let flat = nested.boundaries(of: p, step: 3).flatMap { [$0.x, $0.y, $0.z] }
                    #expect(zip(flat, c.pixels.boundaries_step3[k]).allSatisfy { close($0, $1) }, "Nside \(c.nside) step 3 of \(p)")
                }
            }
        }
    }
}
