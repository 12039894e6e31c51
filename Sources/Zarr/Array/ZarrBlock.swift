/// Copies rectangular blocks of elements between C-order buffers: the inner chunks of a shard,
/// the chunks of an array.
enum ZarrBlock {
    /// The block of `shape` starting at element `origin` of `source` (of shape `sourceShape`);
    /// parts outside the source are left as `padding`.
    static func extract(_ source: [UInt8], sourceShape: [Int], origin: [Int], shape: [Int], elementSize: Int, padding: [UInt8]) -> [UInt8] {
        let count = shape.reduce(1, *)
        var block = [UInt8](repeating: 0, count: count * elementSize)
        if !padding.allSatisfy({ $0 == 0 }) {
            for k in 0..<count { block.replaceSubrange(k * elementSize..<(k + 1) * elementSize, with: padding) }
        }
        copy(rank: shape.count, shape: shape) { blockIndex, sourceIndex, run in
            let from = flat(sourceIndex, sourceShape) * elementSize, to = flat(blockIndex, shape) * elementSize
            block.replaceSubrange(to..<(to + run * elementSize), with: source[from..<(from + run * elementSize)])
        } map: { blockIndex in
            let sourceIndex = zip(blockIndex, origin).map { $0 + $1 }
            guard zip(sourceIndex, sourceShape).allSatisfy({ $0 < $1 }) else { return nil }
            return (sourceIndex, min(shape.last ?? 1, (sourceShape.last ?? 1) - (sourceIndex.last ?? 0)))
        }
        return block
    }

    /// Writes `block` (of `shape`) into `target` (of `targetShape`) at element `origin`, dropping
    /// what falls outside the target.
    static func insert(_ block: [UInt8], shape: [Int], into target: inout [UInt8], targetShape: [Int], origin: [Int], elementSize: Int) {
        copy(rank: shape.count, shape: shape) { blockIndex, targetIndex, run in
            let from = flat(blockIndex, shape) * elementSize, to = flat(targetIndex, targetShape) * elementSize
            target.replaceSubrange(to..<(to + run * elementSize), with: block[from..<(from + run * elementSize)])
        } map: { blockIndex in
            let targetIndex = zip(blockIndex, origin).map { $0 + $1 }
            guard zip(targetIndex, targetShape).allSatisfy({ $0 < $1 }) else { return nil }
            return (targetIndex, min(shape.last ?? 1, (targetShape.last ?? 1) - (targetIndex.last ?? 0)))
        }
    }

    /// Calls `body` once per row of the block (the last dimension), with the block index of the
    /// row's start, the other buffer's index of it and the row's length there, as `map` gives
    /// them (`nil`: the row lies outside).
    private static func copy(rank: Int, shape: [Int], _ body: ([Int], [Int], Int) -> Void, map: ([Int]) -> ([Int], Int)?) {
        if rank == 0 {
            if let (other, _) = map([]) { body([], other, 1) }
            return
        }
        guard !shape.contains(0) else { return }
        var index = [Int](repeating: 0, count: rank)
        while true {
            if let (other, run) = map(index), run > 0 { body(index, other, run) }
            var d = rank - 2
            while d >= 0 {
                index[d] += 1
                if index[d] < shape[d] { break }
                index[d] = 0
                d -= 1
            }
            if d < 0 { return }
        }
    }

    /// The C-order offset of `index` in `shape`.
    static func flat(_ index: [Int], _ shape: [Int]) -> Int {
        var offset = 0
        for (i, n) in zip(index, shape) { offset = offset * n + i }
        return offset
    }
}
