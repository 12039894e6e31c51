import CubeCatalog
import Testing
import Zarr

/// Longitude ranges across the antimeridian, as GeoJSON and STAC write them.
struct GeographicBoxTests {
    @Test func normalisesAndKeepsAnEastEdgeOf180() {
        let box = GeographicBox(west: 170, south: -10, east: 190, north: 10)
        #expect(box.west == 170 && box.east == -170 && box.crossesAntimeridian)
        let edge = GeographicBox(west: 0, south: 0, east: 180, north: 1)
        #expect(edge.east == 180 && !edge.crossesAntimeridian)
        let global = GeographicBox(west: 0, south: -90, east: 360, north: 90)
        #expect(global.west == -180 && global.east == 180)
    }

    @Test func enclosingTakesTheSmallestArc() throws {
        let pacific = try #require(GeographicBox.enclosing(longitudes: [175, 179, -179, -175, 178], latitudes: [-5, 5]))
        #expect(pacific.west == 175 && pacific.east == -175 && pacific.crossesAntimeridian)
        let europe = try #require(GeographicBox.enclosing(longitudes: [-10, 30, 5], latitudes: [35, 70]))
        #expect(europe.west == -10 && europe.east == 30 && !europe.crossesAntimeridian)
        #expect(GeographicBox.enclosing(longitudes: [.nan], latitudes: [1]) == nil)
    }

    @Test func stacBoxesAndGeometrySplitAtTheAntimeridian() {
        let box = GeographicBox(west: 170, south: -10, east: -170, north: 10)
        #expect(box.collectionBoxes == [[170, -10, -170, 10], [170, -10, 180, 10], [-180, -10, -170, 10]])
        #expect(box.geometry["type"] == .string("MultiPolygon"))
        let polygons = box.geometry["coordinates"]?.arrayValue ?? []
        #expect(polygons.count == 2)
        let simple = GeographicBox(west: -10, south: 35, east: 30, north: 70)
        #expect(simple.collectionBoxes == [[-10, 35, 30, 70]] && simple.geometry["type"] == .string("Polygon"))
    }
}
