// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "CubeGen",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "CubeGen", targets: ["CubeGen"]),
        .executable(name: "cubegen", targets: ["CubeCLI"]),
        .executable(name: "cubegen-sample-data", targets: ["CubeSampleData"]),
        .executable(name: "cubegen-floor", targets: ["CubeFloor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // Level 0: C system libraries (modulemap + shim.h only).
        .systemLibrary(name: "CEccodes", pkgConfig: "eccodes", providers: [.apt(["libeccodes-dev"])]),
        .systemLibrary(name: "CNetCDF", pkgConfig: "netcdf", providers: [.apt(["libnetcdf-dev", "libhdf5-dev"])]),
        .systemLibrary(name: "CPROJ", pkgConfig: "proj", providers: [.apt(["libproj-dev"])]),
        .systemLibrary(name: "CBlosc", pkgConfig: "blosc", providers: [.apt(["libblosc-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CDeflate", pkgConfig: "libdeflate", providers: [.apt(["libdeflate-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        // libbz2 ships no pkg-config file on Debian 12: the modulemap links it by name.
        .systemLibrary(name: "CBzip2", providers: [.apt(["libbz2-dev"])]),
        // libgeotiff ships no pkg-config file on Debian: the modulemap links it by name.
        .systemLibrary(name: "CGeoTIFF", providers: [.apt(["libtiff-dev", "libgeotiff-dev"])]),

        // Level 0: hashing (SHA-256, later HMAC for request signing); the only importer of CCrypto.
        .target(name: "CubeCrypto", dependencies: ["CCrypto"]),

        // Level 0/1: storage and Zarr, cube-agnostic.
        .target(name: "CubeStorage"),
        .target(name: "Zarr", dependencies: ["CubeStorage", "CBlosc", "CZstd", "CZlib", "CDeflate", "CLZ4", "CBzip2"]),
        // S3-compatible object storage and read-only HTTPS, signed with CubeCrypto (AWS Signature V4).
        .target(
            name: "CubeStorageS3",
            dependencies: ["CubeStorage", "CubeCrypto",
                           .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "NIOHTTP1", package: "swift-nio")]),

        // Level 1: geo, time and dataset values and protocols.
        .target(name: "CubeCore", dependencies: ["CubeStorage"]),
        // Level 1: cell-grid sphere geometry, pure Swift, no dependencies: HEALPix (Górski et al. 2005)
        // and reduced Gaussian grids (Gaussian latitudes, octahedral O-N).
        .target(name: "CubeHEALPix"),
        .target(name: "CubeGaussianGrid"),

        // Level 2: implementations.
        .target(name: "CubeProjection", dependencies: ["CubeCore", "CPROJ"]),
        .target(name: "CubeResampling", dependencies: ["CubeCore", "CubeHEALPix", "CubeGaussianGrid"]),
        .target(name: "CubeStoreNetCDF", dependencies: ["CubeCore", "CNetCDF", "Zarr"]),
        .target(name: "CubeStoreGRIB", dependencies: ["CubeCore", "CubeProjection", "CEccodes"]),
        .target(name: "CubeStoreZarr", dependencies: ["CubeCore", "CubeStorage", "Zarr"]),
        .target(name: "CubeStoreGeoTIFF", dependencies: ["CubeCore", "CGeoTIFF", "Zarr"]),
        // STAC documents (Codable) and item search over the HTTP client of CubeStorageS3 (one HTTP stack).
        // STAC documents alone (Codable, no I/O): what the STAC fuzz target parses.
        .target(name: "CubeSTACDocuments", dependencies: ["CubeCore"]),
        .target(name: "CubeSTAC", dependencies: ["CubeCore", "CubeSTACDocuments", "CubeStorage", "CubeStorageS3"]),
        .target(name: "CubeRecipe", dependencies: ["CubeCore", "CubeCrypto", .product(name: "Yams", package: "Yams")]),
        .target(name: "CubeCatalog", dependencies: ["CubeCore", "CubeCrypto", "CubeStorage", "Zarr"]),
        .target(name: "CubeSampling", dependencies: ["CubeCore", "CubeCrypto", "CubeStorage", "Zarr", "CubeRecipe"]),

        // Level 3: validate → plan → run.
        .target(
            name: "CubePipeline",
            dependencies: ["CubeCore", "CubeCrypto", "CubeStorage", "Zarr", "CubeProjection", "CubeResampling",
                           "CubeStoreNetCDF", "CubeStoreGRIB", "CubeStoreZarr", "CubeStoreGeoTIFF", "CubeStorageS3", "CubeRecipe", "CubeCatalog", "CubeSTAC"]),

        // Level 4: the xcube-Server-compatible HTTP server (`cubegen serve`); the only module that
        // depends on Hummingbird.
        .target(
            name: "CubeServe",
            dependencies: ["CubeCore", "CubeStorage", "CubeStoreZarr", "CubeProjection", "CubeCatalog", "Zarr",
                           .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log")]),

        // Level 4: umbrella library and executables.
        .target(name: "CubeGen", dependencies: ["CubePipeline", "CubeCatalog", "CubeSampling", "CubeStoreZarr"]),
        .target(name: "CubeSamples", dependencies: ["CubeCore", "CubeStoreNetCDF"]),
        .executableTarget(
            name: "CubeCLI",
            dependencies: ["CubeGen", "CubeServe", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(
            name: "CubeSampleData",
            dependencies: ["CubeSamples", .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        // Fuzz targets (Fuzz/README.md): libFuzzer under `scripts/fuzz.sh`; in ordinary builds each
        // replays its corpus, so the seeds and every crash found run as regression tests.
        .target(name: "FuzzSupport", path: "Fuzz/Support"),
        // The machine's floor for the reference workloads (bench/), measured with CubeGen's own code.
        .executableTarget(name: "CubeFloor", dependencies: ["CubeCore", "CubeStoreNetCDF", "Zarr"], path: "Bench/Floor"),
        .executableTarget(name: "FuzzRecipe", dependencies: ["FuzzSupport", "CubeRecipe"], path: "Fuzz/Recipe"),
        .executableTarget(name: "FuzzZarr", dependencies: ["FuzzSupport", "Zarr"], path: "Fuzz/Zarr"),
        .executableTarget(name: "FuzzNetCDF", dependencies: ["FuzzSupport", "CubeCore", "CubeStoreNetCDF"], path: "Fuzz/NetCDF"),
        .executableTarget(name: "FuzzGeoTIFF", dependencies: ["FuzzSupport", "CubeCore", "CubeStoreGeoTIFF"], path: "Fuzz/GeoTIFF"),
        .executableTarget(name: "FuzzGRIB", dependencies: ["FuzzSupport", "CubeCore", "CubeStoreGRIB"], path: "Fuzz/GRIB"),
        .executableTarget(name: "FuzzSTAC", dependencies: ["FuzzSupport", "CubeCore", "CubeSTACDocuments"], path: "Fuzz/STAC"),

        // Tests.
        .target(name: "CubeFixtures", dependencies: ["CubeGen", "CubeSamples"], path: "Tests/CubeFixtures"),
        .testTarget(name: "ZarrTests", dependencies: ["Zarr", "CubeStorage"]),
        .testTarget(name: "CubeCoreTests", dependencies: ["CubeCore", "CubeFixtures"]),
        // healpy's answers in Fixtures/ (Tests/interop/healpix_reference.py); CUBEGEN_HEALPIX_REFERENCE overrides.
        .testTarget(name: "CubeHEALPixTests", dependencies: ["CubeHEALPix", "CubeFixtures"], resources: [.copy("Fixtures")]),
        // numpy's leggauss nodes and 40-digit weights in Fixtures/ (Tests/interop/gaussian_reference.py).
        .testTarget(name: "CubeGaussianGridTests", dependencies: ["CubeGaussianGrid", "CubeFixtures"], resources: [.copy("Fixtures")]),
        .testTarget(name: "CubeProjectionTests", dependencies: ["CubeProjection", "CubeCore", "CubeResampling", "CubeFixtures"]),
        .testTarget(name: "CubeResamplingTests", dependencies: ["CubeResampling", "CubeCore", "CubeFixtures"]),
        .testTarget(name: "CubeStoreNetCDFTests", dependencies: ["CubeStoreNetCDF", "CubeCore", "CubeFixtures", "CubeSamples", "Zarr"]),
        .testTarget(name: "CubeStoreZarrTests", dependencies: ["CubeStoreZarr", "CubeCore", "CubeStorage", "Zarr", "CubeFixtures"]),
        .testTarget(name: "CubeStoreGeoTIFFTests", dependencies: ["CubeStoreGeoTIFF", "CubeCore", "CubeFixtures"]),
        .testTarget(name: "CubeSTACTests", dependencies: ["CubeSTAC", "CubeCore"]),
        .testTarget(name: "CubeRecipeTests", dependencies: ["CubeRecipe", "CubeCore", "CubeCrypto"]),
        .testTarget(name: "CubeCatalogTests", dependencies: ["CubeCatalog", "CubeCore", "Zarr", "CubeStorage", "CubeFixtures"]),
        .testTarget(name: "CubePipelineTests", dependencies: ["CubeGen", "CubeFixtures", "CubeSamples", "CubeStorageS3", "CubeCrypto"]),
        .testTarget(name: "CubeStorageTests", dependencies: ["CubeStorage", "CubeFixtures"]),
        .testTarget(name: "CubeStoreGRIBTests", dependencies: ["CubeStoreGRIB", "CubeCore"], exclude: ["Fixtures"]),
        .testTarget(name: "CubeSamplingTests", dependencies: ["CubeGen", "CubeFixtures", "CubeSamples", "CubeStorageS3"]),
        // Signer, crypto and configuration tests run offline; the S3 suites need CUBEGEN_TEST_S3_* (scripts/test-s3.sh).
        .testTarget(
            name: "CubeStorageS3Tests",
            dependencies: ["CubeStorageS3", "CubeStorage", "CubeCrypto", "CubeFixtures",
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "NIOHTTP1", package: "swift-nio")]),
    ]
)

// Same language settings everywhere.
for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("InternalImportsByDefault"),
        .enableUpcomingFeature("MemberImportVisibility"),
    ]
}
