/// The `ml:` section of a recipe, or a `cubegen sample --config ml.yaml` file: how training data
/// is cut from a cube (patches, validity rules, a leakage-free split, normalisation statistics,
/// the output format). See docs/recipe-format.md, "ml".
public struct SamplingSection: Sendable, Hashable {
    /// A size or offset along the cube's time, y and x axes (in steps and pixels).
    public struct Extent: Sendable, Hashable {
        /// Time steps.
        public var time: Int
        /// Rows.
        public var y: Int
        /// Columns.
        public var x: Int

        /// Creates an extent.
        public init(time: Int, y: Int, x: Int) {
            self.time = time
            self.y = y
            self.x = x
        }
    }

    /// How patches are assigned to train, validation and test.
    public enum SplitMethod: String, Sendable, Hashable, CaseIterable {
        /// Space-time blocks shuffled with the seed; a patch belongs to the split of the blocks its
        /// whole footprint lies in (no leakage across blocks, `buffer` apart).
        case blocks
        /// Contiguous periods in time order (train, then val, then test) over the whole area.
        case time
        /// Each patch drawn independently (leaks: neighbours land in different splits; for comparison only).
        case random
    }

    /// The split settings.
    public struct Split: Sendable, Hashable {
        /// `method`.
        public var method: SplitMethod
        /// `block`: the block size (`blocks`: time, y and x; `time`: time only).
        public var block: Extent?
        /// `fractions`: train, val, test (summing to 1).
        public var train: Double
        /// The validation fraction.
        public var val: Double
        /// The test fraction.
        public var test: Double
        /// `buffer`: how far a patch must stay from any pixel of another split.
        public var buffer: Extent

        /// Creates split settings.
        public init(method: SplitMethod, block: Extent?, train: Double, val: Double, test: Double, buffer: Extent) {
            self.method = method
            self.block = block
            self.train = train
            self.val = val
            self.test = test
            self.buffer = buffer
        }
    }

    /// Normalisation statistics computed over the training split.
    public enum Normalization: String, Sendable, Hashable, CaseIterable {
        /// Mean and standard deviation.
        case standardize
        /// Minimum and maximum.
        case minmax
        /// None.
        case none
    }

    /// Output formats.
    public enum Format: String, Sendable, Hashable, CaseIterable {
        /// One Zarr v2 group per split, arrays `(sample, time, y, x)`.
        case zarr
        /// One `.npy` file per split and variable.
        case npy
        /// WebDataset tar shards, one `.npy` per sample and variable plus a `.json`.
        case webdataset
    }

    /// `inputs`: the model's input variables.
    public var inputs: [String]
    /// `targets`: the variables to predict.
    public var targets: [String]
    /// `patch`.
    public var patch: Extent
    /// `stride` (default: the patch).
    public var stride: Extent
    /// `min_valid_fraction` per group (`inputs`, `targets`): every variable of the group must have
    /// at least this fraction of valid (non-NaN, unmasked) values in a patch.
    public var minValidInputs: Double
    /// The targets' threshold.
    public var minValidTargets: Double
    /// `mask`: a variable whose zero or NaN values count as invalid for every variable.
    public var mask: String?
    /// `split`.
    public var split: Split
    /// `seed`.
    public var seed: UInt64
    /// `normalize`.
    public var normalize: Normalization
    /// `apply_normalization`: write normalised values (the statistics are written either way).
    public var applyNormalization: Bool
    /// `format`.
    public var format: Format
    /// `shard_size`: samples per Zarr chunk or tar shard.
    public var shardSize: Int
    /// `output`: where the samples go (absolute), if given.
    public var output: String?

    /// Creates a section.
    public init(inputs: [String], targets: [String], patch: Extent, stride: Extent, minValidInputs: Double, minValidTargets: Double,
                mask: String?, split: Split, seed: UInt64, normalize: Normalization, applyNormalization: Bool, format: Format,
                shardSize: Int, output: String?) {
        self.inputs = inputs
        self.targets = targets
        self.patch = patch
        self.stride = stride
        self.minValidInputs = minValidInputs
        self.minValidTargets = minValidTargets
        self.mask = mask
        self.split = split
        self.seed = seed
        self.normalize = normalize
        self.applyNormalization = applyNormalization
        self.format = format
        self.shardSize = shardSize
        self.output = output
    }

    /// Every variable read: inputs, targets, then the mask.
    public var variables: [String] { inputs + targets + (mask.map { [$0] } ?? []) }
}
