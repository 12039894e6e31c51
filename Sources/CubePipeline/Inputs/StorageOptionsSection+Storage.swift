import CubeRecipe
import CubeStorage

extension StorageOptionsSection {
    /// The recipe's `storage_options` as the storage registry takes them.
    var storageOptions: StorageOptions {
        StorageOptions(endpointURL: endpointURL, region: region, profile: profile, anonymous: anonymous)
    }
}
