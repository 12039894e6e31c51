/// Range slicing and key paging shared by the stores that hold whole values locally.
enum StorageSlicing {
    /// The bytes of `range` within `bytes`, or a `.invalid` error naming `key` when the range reaches past the end.
    static func slice(_ bytes: [UInt8], _ range: ByteRange, key: String) throws -> [UInt8] {
        guard let offsets = range.offsets(in: bytes.count) else {
            throw StorageError(operation: "read", location: key,
                               reason: "byte range \(range) reaches past the end of a \(bytes.count)-byte value",
                               code: .invalid)
        }
        return offsets == 0..<bytes.count ? bytes : Array(bytes[offsets])
    }

    /// The page of at most `limit` sorted keys that follow the key `after` (from the start for `nil`);
    /// its continuation is its last key when more keys follow.
    static func page(_ sorted: [StoreKey], after: String?, limit: Int) -> StoreListingPage {
        precondition(limit >= 1, "page limit must be at least 1, not \(limit)")
        let start = after.map { marker in sorted.partitioningIndex { $0.rawValue > marker } } ?? 0
        let end = min(sorted.count, start + limit)
        let keys = Array(sorted[start..<end])
        return StoreListingPage(keys: keys, continuation: end < sorted.count ? keys.last?.rawValue : nil)
    }
}

extension Array {
    /// The index of the first element for which `belongs` is true, in an array where all such
    /// elements come after all others (binary search).
    fileprivate func partitioningIndex(where belongs: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if belongs(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
