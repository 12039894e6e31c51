import CubeCore
import CubeStorage
import Zarr

/// Turns the Zarr layer's and storage's errors into `CubeError`s naming the store and array.
///
/// A damaged chunk or shard is a damaged input (`.invalidInput`, exit 3), never filled silently;
/// a codec the registry lacks is `.unsupported`; storage failures keep their `StorageError`.
enum ZarrStoreErrors {
    /// The `CubeError` for `error` met reading `array` (or the group, for `nil`) of `location`.
    static func wrap(_ error: any Error, location: String, array: String?) -> any Error {
        if error is CubeError || error is CancellationError { return error }
        let what = array.map { "array '\($0)' of '\(location)'" } ?? "'\(location)'"
        var context = ["file": location]
        if let array { context["variable"] = array }
        switch error {
        case let zarr as ZarrError:
            switch zarr {
            case let .corruptChunk(key, reason):
                return CubeError(.invalidInput, "\(what): chunk '\(key)' is damaged: \(reason)", context: context, underlying: zarr)
            case let .unknownCodec(name):
                return CubeError(.unsupported, "\(what) uses codec '\(name)', which CubeGen cannot decode", context: context, underlying: zarr)
            default:
                return CubeError(.invalidInput, "\(what): \(zarr)", context: context, underlying: zarr)
            }
        case let storage as StorageError:
            let code: CubeError.Code = storage.code == .invalid ? .invalidInput : .storage
            return CubeError(code, "cannot read \(what): \(storage)", context: context, underlying: storage)
        default:
            return CubeError(.io, "cannot read \(what): \(error)", context: context, underlying: error)
        }
    }
}
