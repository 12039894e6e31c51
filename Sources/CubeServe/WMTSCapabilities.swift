import CubeCore
import Foundation

/// OGC WMTS 1.0.0 (OGC 07-057r7) for QGIS and GDAL: a capabilities document with one layer per
/// served variable (`ds.var`) in OGC's two well-known tile matrix sets, WebMercatorQuad (EPSG:3857)
/// and WorldCRS84Quad (CRS84: two 180° tiles at zoom 0), each layer with xcube's `time`
/// `<Dimension>` (ISO 8601 values of the time steps, default `current`: the last one), tiles at
/// `/wmts/1.0.0/tile/{ds}/{var}/{TileMatrixSet}/{TileMatrix}/{TileRow}/{TileCol}.png?time={Time}`
/// (RESTful; without the set, WebMercatorQuad) and `/wmts/kvp?SERVICE=WMTS&REQUEST=GetTile&…&TIME=`
/// (KVP, `WMTSKeyValues`): the variable's colour-bar range, viridis, the same tiles as
/// `/tiles/…?crs=EPSG:3857|OGC:CRS84&time=`.
enum WMTSCapabilities {
    /// Zoom levels offered for `cube` in `set`: down to the first whose pixel at the equator is not
    /// larger than the cube's pixel (geographic resolution taken at 111,320 m a degree), at most 20.
    static func maxZoom(_ cube: ServedCube, _ set: TileMatrix = .webMercator) -> Int {
        let grid = cube.levels[0].grid
        let pixel = cube.levels[0].resolution * (grid.isGeographic ? 111_320 : 1)
        // Zoom 0 spans the equator with one tile (WebMercatorQuad) or two (WorldCRS84Quad).
        let tiles = Double(set.counts(zoom: 0).x)
        var z = 0
        while z < 20 && 2 * Double.pi * TileMatrix.earthRadius / (tiles * Double(TileMatrix.size << z)) > pixel { z += 1 }
        return z
    }

    /// The `<TileMatrix>` elements of `set` from zoom 0 to `deepest`: OGC's WebMercatorQuad (scale
    /// denominator 559082264.0287178 at zoom 0) or WorldCRS84Quad (0.703125° pixels at zoom 0,
    /// 279541132.0143589; the top left corner in CRS84's longitude, latitude order), halving.
    static func tileMatrices(_ set: TileMatrix, deepest: Int) -> String {
        let (scale, corner) = set == .webMercator ? (559_082_264.028_717_8, "-20037508.3427892 20037508.3427892")
                                                  : (279_541_132.014_358_9, "-180 90")
        return (0...deepest).map { z in
            let (width, height) = set.counts(zoom: z)
            return """
                  <TileMatrix>
                    <ows:Identifier>\(z)</ows:Identifier>
                    <ScaleDenominator>\(scale / Double(1 << z))</ScaleDenominator>
                    <TopLeftCorner>\(corner)</TopLeftCorner>
                    <TileWidth>256</TileWidth><TileHeight>256</TileHeight>
                    <MatrixWidth>\(width)</MatrixWidth><MatrixHeight>\(height)</MatrixHeight>
                  </TileMatrix>

            """
        }.joined()
    }

    /// The capabilities document, its resource URLs on `base` (`http://host:port`).
    static func document(_ cubes: [ServedCube], base: String) -> String {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        var layers = "", deepest = 0, deepestCRS84 = 0
        for cube in cubes {
            deepest = max(deepest, maxZoom(cube, .webMercator))
            deepestCRS84 = max(deepestCRS84, maxZoom(cube, .crs84))
            // xcube's time dimension: default "current" (the last step), one Value per step.
            let dimension = "      <Dimension>\n"
                + "        <ows:Identifier>time</ows:Identifier><ows:Title>time</ows:Title><ows:UOM>ISO8601</ows:UOM>\n"
                + "        <Default>current</Default><Current>true</Current>\n"
                + cube.times.map { "        <Value>\(escape($0))</Value>\n" }.joined()
                + "      </Dimension>\n"
            for variable in cube.variables {
                let title = variable.attributes[named: "long_name"]?.text ?? variable.name
                layers += """
                    <Layer>
                      <ows:Title>\(escape("\(cube.id): \(title)"))</ows:Title>
                      <ows:Identifier>\(escape("\(cube.id).\(variable.name)"))</ows:Identifier>
                      <Style isDefault="true"><ows:Identifier>default</ows:Identifier></Style>
                      <Format>image/png</Format>
                \(dimension)      <TileMatrixSetLink><TileMatrixSet>WebMercatorQuad</TileMatrixSet></TileMatrixSetLink>
                      <TileMatrixSetLink><TileMatrixSet>WorldCRS84Quad</TileMatrixSet></TileMatrixSetLink>
                      <ResourceURL format="image/png" resourceType="tile" template="\(escape(base))/wmts/1.0.0/tile/\(escape(cube.id))/\(escape(variable.name))/{TileMatrixSet}/{TileMatrix}/{TileRow}/{TileCol}.png?time={Time}"/>
                    </Layer>

                """
            }
        }
        let matrices = tileMatrices(.webMercator, deepest: deepest)
        let matricesCRS84 = tileMatrices(.crs84, deepest: deepestCRS84)
        let operations = ["GetCapabilities", "GetTile"].map { operation in
            "    <ows:Operation name=\"\(operation)\"><ows:DCP><ows:HTTP><ows:Get xlink:href=\"\(escape(base))/wmts/kvp?\">"
                + "<ows:Constraint name=\"GetEncoding\"><ows:AllowedValues><ows:Value>KVP</ows:Value></ows:AllowedValues></ows:Constraint>"
                + "</ows:Get></ows:HTTP></ows:DCP></ows:Operation>\n"
        }.joined()
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <Capabilities xmlns="http://www.opengis.net/wmts/1.0" xmlns:ows="http://www.opengis.net/ows/1.1" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.0.0">
              <ows:ServiceIdentification>
                <ows:Title>cubegen serve</ows:Title>
                <ows:ServiceType>OGC WMTS</ows:ServiceType>
                <ows:ServiceTypeVersion>1.0.0</ows:ServiceTypeVersion>
              </ows:ServiceIdentification>
              <ows:OperationsMetadata>
            \(operations)  </ows:OperationsMetadata>
              <Contents>
            \(layers)    <TileMatrixSet>
                  <ows:Identifier>WebMercatorQuad</ows:Identifier>
                  <ows:SupportedCRS>urn:ogc:def:crs:EPSG::3857</ows:SupportedCRS>
                  <WellKnownScaleSet>urn:ogc:def:wkss:OGC:1.0:GoogleMapsCompatible</WellKnownScaleSet>
            \(matrices)    </TileMatrixSet>
                <TileMatrixSet>
                  <ows:Identifier>WorldCRS84Quad</ows:Identifier>
                  <ows:SupportedCRS>urn:ogc:def:crs:OGC:1.3:CRS84</ows:SupportedCRS>
                  <WellKnownScaleSet>urn:ogc:def:wkss:OGC:1.0:GoogleCRS84Quad</WellKnownScaleSet>
            \(matricesCRS84)    </TileMatrixSet>
              </Contents>
              <ServiceMetadataURL xlink:href="\(escape(base))/wmts/1.0.0/WMTSCapabilities.xml"/>
            </Capabilities>

            """
    }
}
