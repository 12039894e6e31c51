import CubeCore
import Testing

/// A variable as a CF store describes it (name, dimensions, shape, attributes), with its values.
private struct Variable: CFVariableMetadata {
    var name: String
    var dataType: DataType? = .float32
    var dimensions: [String]
    var shape: [Int]
    var attributes: [Attribute]
    var values: [Double] = []
}

/// CF-1.13 HEALPix attributes (and the older easygems form) → the grid, the cell dimension and
/// the stored cells; every error one line naming the file, variable and value.
@Suite struct CFHEALPixGridTests {
    private static let path = "in.nc"

    private static func mapping(_ attributes: [String: AttributeValue]) -> Variable {
        Variable(name: "crs", dataType: .int32, dimensions: [], shape: [],
                 attributes: attributes.sorted { $0.key < $1.key }.map { Attribute($0.key, $0.value) })
    }

    private static let time = Variable(name: "time", dataType: .float64, dimensions: ["time"], shape: [2],
                                       attributes: [Attribute("units", .text("hours since 2024-01-01")), Attribute("calendar", .text("standard"))],
                                       values: [0, 6])

    private static func data(_ cells: Int, dimension: String = "cell", gridMapping: String? = "crs", name: String = "tas") -> Variable {
        Variable(name: name, dimensions: ["time", dimension], shape: [2, cells],
                 attributes: gridMapping.map { [Attribute("grid_mapping", .text($0))] } ?? [])
    }

    private static func index(_ values: [Double], name: String = "cell", dimension: String = "cell") -> Variable {
        Variable(name: name, dataType: .int64, dimensions: [dimension], shape: [values.count],
                 attributes: [Attribute("standard_name", .text("healpix_index"))], values: values)
    }

    private static func cf(_ scheme: String, level: AttributeValue?) -> Variable {
        var attributes: [String: AttributeValue] = ["grid_mapping_name": .text("healpix"), "indexing_scheme": .text(scheme),
                                                    "earth_radius": .reals([6_371_000])]
        attributes["refinement_level"] = level
        return mapping(attributes)
    }

    /// The grid's error message, or "" when it is found.
    private static func error(_ variables: [Variable]) -> String {
        do {
            guard let grid = try CFHEALPixGrid.find(in: variables, path: path) else { return "no grid" }
            _ = try CFDatasetDescription.describe(location: path, variables: variables, attributes: [], healpix: grid) { $0.values }
            return ""
        } catch let error as CubeError {
            #expect(error.context["file"] == path)
            #expect(!error.message.contains("\n"))
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test(arguments: [("nested", 0, true), ("ring", 3, false), ("NESTED", 11, true)])
    func cf113AttributesGiveTheGrid(scheme: String, level: Int, nested: Bool) throws {
        let nside = 1 << level
        let variables = [Self.cf(scheme, level: .integers([Int64(level)])), Self.time, Self.data(12 * nside * nside)]
        let grid = try #require(try CFHEALPixGrid.find(in: variables, path: Self.path))
        #expect(grid.geometry == .healpix(nside: nside, nested: nested))
        #expect(grid.cellDimension == "cell" && grid.index == nil && grid.time?.name == "time")
        #expect(grid.dataVariables.map(\.name) == ["tas"])
        let d = try CFDatasetDescription.describe(location: Self.path, variables: variables, attributes: [], healpix: grid) { $0.values }
        #expect(d.grid.cells == .healpix(nside: nside, nested: nested))
        #expect(d.grid.width == 12 * nside * nside && d.grid.height == 1)
        #expect(d.spatialDimensions == ("cell", "cell") && d.timeDimension == "time" && d.dates.count == 2)
        let storage = try #require(d.cellStorage)
        #expect(!storage.needsScatter && storage.storedCount == 12 * nside * nside)
        #expect(storage.mappingName == "crs" && storage.mappingAttributes[named: "earth_radius"]?.number == 6_371_000)
    }

    @Test func easygemsAttributesWithoutIndexOrGridMapping() throws {
        let crs = Self.mapping(["grid_mapping_name": .text("healpix"), "healpix_nside": .integers([16]), "healpix_order": .text("nest")])
        let variables = [crs, Self.time, Self.data(3072, gridMapping: nil), Self.data(3072, gridMapping: nil, name: "ps"),
                         Variable(name: "lat", dataType: .float64, dimensions: ["cell"], shape: [3072], attributes: [Attribute("standard_name", .text("latitude"))])]
        let grid = try #require(try CFHEALPixGrid.find(in: variables, path: Self.path))
        #expect(grid.geometry == .healpix(nside: 16, nested: true))
        #expect(grid.dataVariables.map(\.name) == ["tas", "ps"])
        let ring = Self.mapping(["grid_mapping_name": .text("healpix"), "healpix_nside": .reals([12]), "healpix_order": .text("ring")])
        // Ring order takes any Nside.
        #expect(try CFHEALPixGrid.find(in: [ring, Self.data(1728, gridMapping: nil)], path: Self.path)?.geometry == .healpix(nside: 12, nested: false))
        // A grid mapping stored as a 1-D array of one element (some Zarr writers) is still the mapping.
        var column = crs
        column.dimensions = ["crs"]
        column.shape = [1]
        let gridOfColumn = try #require(try CFHEALPixGrid.find(in: [column, Self.data(3072, gridMapping: nil)], path: Self.path))
        #expect(gridOfColumn.mapping.name == "crs" && gridOfColumn.dataVariables.map(\.name) == ["tas"])
        // A dataset without a HEALPix grid mapping is not one.
        #expect(try CFHEALPixGrid.find(in: [Self.time, Self.data(10)], path: Self.path) == nil)
    }

    @Test func aRegionalIndexIsScatteredToGridOrder() throws {
        let cells: [Double] = [40, 17, 5, 18, 191]
        let variables = [Self.cf("ring", level: .integers([2])), Self.index(cells, name: "hpx"), Self.data(5)]
        let grid = try #require(try CFHEALPixGrid.find(in: variables, path: Self.path))
        #expect(grid.index?.name == "hpx" && grid.cellDimension == "cell")
        let d = try CFDatasetDescription.describe(location: Self.path, variables: variables, attributes: [], healpix: grid) { $0.values }
        let storage = try #require(d.cellStorage)
        #expect(storage.needsScatter && !storage.isAscending && storage.storedCount == 5 && storage.cellCount == 192)
        // Unordered: every position is read; each value lands at its cell, every other cell is NaN.
        #expect(storage.storedRange(covering: 0..<192) == 0..<5)
        let out = storage.scatter([1, 2, 3, 4, 5], stored: 0..<5, into: 10..<41)
        #expect(out.count == 31 && out[30] == 1 && out[7] == 2 && out[8] == 4)
        #expect(out.enumerated().filter { !$0.element.isNaN }.count == 3)
    }

    @Test func anAscendingIndexReadsOnlyThePositionsAWindowNeeds() throws {
        let storage = try CellGridStorage(dimension: "cell", cellCount: 48, indices: [3, 4, 9, 20, 21, 40])
        #expect(storage.isAscending)
        // Brute force: the positions whose cells fall in the window must lie inside the range.
        for lower in 0..<48 {
            for upper in lower...48 {
                let range = storage.storedRange(covering: lower..<upper)
                let needed = [3, 4, 9, 20, 21, 40].enumerated().filter { (lower..<upper).contains($0.element) }.map(\.offset)
                #expect(needed.allSatisfy(range.contains) && range.count == needed.count)
            }
        }
        let values = storage.scatter([9, 20], stored: 2..<4, into: 8..<22)
        #expect(values[1] == 9 && values[12] == 20 && values.filter(\.isNaN).count == 12)
        // Every cell in grid order needs no index.
        #expect(try !CellGridStorage(dimension: "cell", cellCount: 4, indices: [0, 1, 2, 3]).needsScatter)
    }

    @Test func badMappingsFailNamingTheVariableAndValue() {
        let full = Self.data(192)
        let cases: [([Variable], [String])] = [
            ([Self.cf("nested", level: nil), full], ["'crs'", "no refinement_level"]),
            ([Self.cf("nested", level: .integers([-1])), full], ["refinement_level -1", "negative"]),
            ([Self.cf("nested", level: .integers([12])), full], ["refinement_level 12", "too large", "11"]),
            ([Self.cf("nested", level: .integers([40])), full], ["refinement_level 40", "too large"]),
            ([Self.cf("nested", level: .reals([2.5])), full], ["refinement_level 2.5", "not an integer"]),
            ([Self.cf("nuniq", level: .integers([2])), full], ["indexing_scheme \"nuniq\"", "not supported"]),
            ([Self.cf("zuniq", level: .integers([2])), full], ["indexing_scheme \"zuniq\"", "not supported"]),
            ([Self.cf("hilbert", level: .integers([2])), full], ["indexing_scheme \"hilbert\"", "not a HEALPix indexing scheme"]),
            ([Self.mapping(["grid_mapping_name": .text("healpix")]), full], ["neither indexing_scheme"]),
            ([Self.mapping(["grid_mapping_name": .text("healpix"), "healpix_order": .text("nest"), "healpix_nside": .integers([12])]), Self.data(1728)],
             ["healpix_nside 12", "power of two"]),
            ([Self.mapping(["grid_mapping_name": .text("healpix"), "healpix_order": .text("zorder"), "healpix_nside": .integers([4])]), full],
             ["healpix_order \"zorder\""]),
            ([Self.mapping(["grid_mapping_name": .text("healpix"), "healpix_order": .text("ring"), "healpix_nside": .integers([0])]), full],
             ["healpix_nside 0"]),
            ([Self.mapping(["grid_mapping_name": .text("healpix"), "indexing_scheme": .text("ring"), "refinement_level": .integers([2]),
                            "healpix_nside": .integers([8])]), full], ["healpix_nside 8", "disagrees"]),
            // Cells.
            ([Self.cf("nested", level: .integers([2])), Self.data(100)], ["no healpix_index coordinate and no dimension of 192 cells"]),
            ([Self.cf("nested", level: .integers([2])), Self.index([1, 2, 192]), Self.data(3)], ["healpix_index 'cell'", "index 192", "position 2", "0…191"]),
            ([Self.cf("nested", level: .integers([2])), Self.index([4, 2, 4]), Self.data(3)], ["index 4 appears twice", "positions 0 and 2"]),
            ([Self.cf("nested", level: .integers([2])), Self.index([1, .nan]), Self.data(2)], ["value nan at position 1"]),
            ([Self.cf("nested", level: .integers([2])), Self.index([1, 2]), Self.data(3)], ["'tas'", "3 cells along 'cell'", "healpix_index 'cell' has 2"]),
            ([Self.cf("nested", level: .integers([2])), Self.index([1, 2]), Self.data(2), Self.data(2, dimension: "other", name: "ps")],
             ["'ps'", "without 'cell'"]),
            ([Self.cf("nested", level: .integers([2])), Self.index([1, 2]), Self.index([3, 4], name: "cell2", dimension: "cell2"), Self.data(2)],
             ["several healpix_index variables"]),
        ]
        for (variables, fragments) in cases {
            let message = Self.error(variables)
            #expect(message.hasPrefix("'in.nc': "), "\(message)")
            for fragment in fragments { #expect(message.contains(fragment), "\(message) lacks \(fragment)") }
        }
    }

    @Test func severalHEALPixMappingsAreAmbiguousUnlessOneIsNamed() throws {
        var other = Self.cf("ring", level: .integers([2]))
        other.name = "crs2"
        #expect(Self.error([Self.cf("nested", level: .integers([2])), other, Self.data(192, gridMapping: nil)]).contains("several HEALPix grid mappings"))
        let grid = try #require(try CFHEALPixGrid.find(in: [Self.cf("nested", level: .integers([2])), other, Self.data(192, gridMapping: "crs2")],
                                                       path: Self.path))
        #expect(grid.mapping.name == "crs2" && grid.geometry == .healpix(nside: 4, nested: false))
    }
}
