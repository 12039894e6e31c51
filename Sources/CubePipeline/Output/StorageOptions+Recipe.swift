public import CubeRecipe
public import CubeStorage

extension StorageOptions {
    /// The options a recipe's `storage_options` section sets.
    public init(_ section: StorageOptionsSection) {
        self.init(endpointURL: section.endpointURL, region: section.region, profile: section.profile, anonymous: section.anonymous)
    }
}
