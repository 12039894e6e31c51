import CubeCrypto
import CubeFixtures
import CubeGen
import CubeSamples
import Foundation
import Testing

/// `http://` inputs from a plain web server (Python's `http.server`: no ETag, no range requests):
/// the same chunks as from local files, a cache keyed by size and Last-Modified, and SHA-256
/// fingerprints of the copies read.
@Suite(.enabled(if: LoopbackFileServer.isAvailable, "needs \(LoopbackFileServer.python) for a loopback web server"))
struct PlainWebServerInputTests {
    private func recipe(_ paths: [String]) -> String {
        """
        version: 1
        cube: {id: web-cube, title: Web inputs, license: CC0-1.0}
        grid: {crs: EPSG:4326, bbox: [-20, 10, 40, 40], resolution: 0.5}
        sources:
          - name: src
            store: netcdf
            paths: [\(paths.map { "\"\($0)\"" }.joined(separator: ", "))]
            variables: {tas: {}, wet: {}}
        output:
          path: out.zarr
          overwrite: true
          chunks: {time: 2, y: 16, x: 16}
        """
    }

    private func chunks(_ cube: String) throws -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        for variable in ["tas", "wet"] {
            for name in try FileManager.default.contentsOfDirectory(atPath: "\(cube)/\(variable)") where !name.hasPrefix(".") {
                result["\(variable)/\(name)"] = Array(try Data(contentsOf: URL(fileURLWithPath: "\(cube)/\(variable)/\(name)")))
            }
        }
        return result
    }

    @Test func aPlainWebServerServesInputsThatBuildTheSameCube() async throws {
        let local = try TemporaryDirectory("web-local"), remote = try TemporaryDirectory("web-remote")
        defer { local.remove(); remote.remove() }
        try LinearFields.dataset(resolution: 1, days: [7308, 7309]).write(to: local.path("a_later.nc"))
        try LinearFields.dataset(resolution: 1, days: [7305, 7306, 7307]).write(to: local.path("b_earlier.nc"))
        let pipeline = Pipeline()
        let localRecipe = try local.write("recipe.yaml", recipe(["*.nc"]))
        _ = try await pipeline.run(try await pipeline.plan(try pipeline.load(recipeAt: localRecipe)))
        let expected = try chunks(local.path("out.zarr"))
        #expect(expected.count >= 8)

        let server = try LoopbackFileServer(folder: local.url.path)
        defer { server.stop() }
        let urls = ["\(server.base)/a_later.nc", "\(server.base)/b_earlier.nc"]
        let path = try remote.write("recipe.yaml", recipe(urls))
        let web = Pipeline(inputCache: InputCache(directory: remote.path("cache")))
        let plan = try await web.plan(try web.load(recipeAt: path))
        #expect(plan.sources[0].files.map(\.location) == [urls[1], urls[0]])
        _ = try await web.run(plan)
        #expect(try chunks(remote.path("out.zarr")) == expected)
        #expect(await web.inputCache.statistics.downloads == 2)

        // Without an ETag the lineage holds the SHA-256 of the copy that was read.
        let lineage = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: remote.path("out.zarr/lineage.json")))) as? [String: Any])
        let variables = try #require(lineage["variables"] as? [[String: Any]])
        let source = try #require(variables.first?["source"] as? [String: Any])
        let files = try #require(source["files"] as? [[String: Any]])
        for (file, name) in zip(files, ["b_earlier.nc", "a_later.nc"]) {
            #expect(file["path"] as? String == "\(server.base)/\(name)")
            #expect(file["sha256"] as? String == (try SHA256.hex(fileAt: local.path(name))))
            #expect(file["fingerprint"] == nil)
        }

        // The next run finds both copies (same size and Last-Modified).
        let again = Pipeline(inputCache: InputCache(directory: remote.path("cache")))
        _ = try await again.run(try await again.plan(try again.load(recipeAt: path)))
        #expect(await again.inputCache.statistics.downloads == 0)
        #expect(try chunks(remote.path("out.zarr")) == expected)
    }
}
