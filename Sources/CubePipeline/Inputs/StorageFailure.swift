import CubeCore
import CubeStorage

/// Turns storage failures of remote inputs into `CubeError`s that name the URL and keep the
/// `StorageError` as the cause (the CLI exits 6 for `.storage`).
enum StorageFailure {
    /// The `CubeError` for `error` met while doing something with `url`; a `CubeError` passes unchanged.
    static func wrap(_ error: any Error, url: String) -> any Error {
        if error is CubeError || error is CancellationError { return error }
        guard let storage = error as? StorageError else {
            return CubeError(.io, "cannot read '\(url)': \(error)", context: ["url": url], underlying: error)
        }
        return CubeError(code(of: storage), storage.description, context: ["url": url], underlying: storage)
    }

    /// The broad CubeGen code of a storage failure: an unusable URL is `.invalidInput`; everything
    /// a service did (denied, missing bucket, unreachable, throttled) is `.storage` (its
    /// `StorageError` code says which).
    static func code(of error: StorageError) -> CubeError.Code {
        switch error.code {
        case .invalid: return .invalidInput
        case .notFound, .denied, .throttled, .transient, .io, .conditionFailed: return .storage
        }
    }
}
