import ArgumentParser
import CubeGen

/// Where remote inputs (`s3://`, `https://` source paths) are cached, for the commands that plan.
struct InputCacheOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Folder of the local copies of remote inputs (default: $XDG_CACHE_HOME/cubegen/inputs or ~/.cache/cubegen/inputs).",
                               valueName: "dir"))
    var cacheDir: String?

    @Option(help: "Megabytes the remote-input cache may keep (default: $CUBEGEN_INPUT_CACHE_MB, else 10240).")
    var inputCacheMb: Int?

    func validate() throws {
        if let inputCacheMb, inputCacheMb < 0 { throw ValidationError("--input-cache-mb must not be negative") }
    }

    /// The cache these options describe.
    /// - Throws: `CubeError` when `CUBEGEN_INPUT_CACHE_MB` is malformed (and no option overrides it).
    func cache() throws -> InputCache {
        InputCache(directory: cacheDir ?? InputCache.defaultDirectory(), budget: try inputCacheMb.map { $0 << 20 } ?? InputCache.budget())
    }
}
