import CubeCore
import Foundation
import Synchronization

/// Checks the global heap collections of a NetCDF-4 (HDF5) file before netCDF-C opens it.
///
/// HDF5 1.10.8 trusts the object sizes inside a global heap collection (`GCOL`, where netCDF-4
/// keeps variable-length attributes such as the dimension-scale lists it reads while describing a
/// file): a free-space object of size 0 makes it loop forever, and an object size past the
/// collection makes `H5HG_read` copy gigabytes from wherever the size points (both found by the
/// `netcdf` fuzz target: `Fuzz/library-hangs/netcdf`, `Fuzz/crashes/netcdf`). Every collection in
/// the file is walked here by the rules of the HDF5 File Format Specification (III.E, Global Heap),
/// so such a file is a clear error and never reaches the C library.
enum HDF5GlobalHeapCheck {
    /// Why the file is refused.
    struct Failure: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    /// The file versions that passed (only passing ones: a damaged file is refused every time).
    private static let checked = Mutex(Set<FileVersionMemo.Version>())

    /// The file versions that passed in earlier runs (a planning run and the runs after it read
    /// the same archive: the scan costs 20–25 ms per 100 MB file, a third of a T2 M run's start).
    static let remembered = FileVersionMemo(namespace: "hdf5-heap-checked")

    /// The signature of a collection, version 1, and its three reserved bytes.
    private static let signature: [UInt8] = Array("GCOL".utf8) + [1, 0, 0, 0]

    /// Checks the file at `path` when it is an HDF5 file; other files pass.
    /// - Throws: `Failure` naming the collection and object that are out of bounds.
    static func check(path: String, memo: FileVersionMemo = remembered) throws {
        // A run describes each file when planning and opens it again to read: one scan per
        // version of the file (path, device, inode, size, modification and change times), in
        // this process or an earlier one.
        let identity = FileVersionMemo.identify(path)
        if let identity, checked.withLock({ $0.contains(identity.version) }) { return }
        let earlier = identity.flatMap(memo.settled)
        if let earlier, memo.value(for: earlier) == "sound" {
            checked.withLock { _ = $0.insert(earlier) }
            return
        }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_size > 8 else { return }
        let size = Int(status.st_size)
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, descriptor, 0), mapped != MAP_FAILED else { return }
        defer { munmap(mapped, size) }
        let bytes = UnsafeRawBufferPointer(start: mapped, count: size)
        guard let lengthSize = superblockLengthSize(bytes) else { return }
        // Every 'G' (memchr, at memory speed), then the eight signature bytes as one word.
        let word = signature.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        var offset = 0
        while offset + 8 <= size, let found = memchr(mapped + offset, 0x47, size - offset - 7) {
            if found.loadUnaligned(as: UInt64.self) == word {
                try checkCollection(bytes, at: mapped.distance(to: found), lengthSize: lengthSize)
            }
            offset = mapped.distance(to: found) + 1
        }
        if let identity { checked.withLock { _ = $0.insert(identity.version) } }
        if let earlier { memo.remember("sound", for: earlier, path: path) }
    }

    /// The "size of lengths" of the superblock (at 0, 512, 1024, … as HDF5 looks for it), or
    /// `nil` when the file is not HDF5 or uses lengths this check does not know.
    private static func superblockLengthSize(_ bytes: UnsafeRawBufferPointer) -> Int? {
        let magic: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
        var base = 0
        while base + 16 <= bytes.count {
            if (0..<8).allSatisfy({ bytes[base + $0] == magic[$0] }) {
                // Version 0/1: size of lengths at byte 14; version 2/3: at byte 10.
                let length = Int(bytes[base + 8] < 2 ? bytes[base + 14] : bytes[base + 10])
                return [2, 4, 8].contains(length) ? length : nil
            }
            base = base == 0 ? 512 : base * 2
        }
        return nil
    }

    /// Walks one collection's objects as HDF5 reads them (`H5HG__cache_heap_deserialize`).
    private static func checkCollection(_ bytes: UnsafeRawBufferPointer, at start: Int, lengthSize: Int) throws {
        func length(at offset: Int) -> Int? {
            guard offset + lengthSize <= bytes.count else { return nil }
            var value: UInt64 = 0
            for k in (0..<lengthSize).reversed() { value = value << 8 | UInt64(bytes[offset + k]) }
            return value > UInt64(Int.max / 2) ? nil : Int(value)
        }
        let header = 8 + lengthSize, objectHeader = 8 + lengthSize
        guard let size = length(at: start + 8), size >= header, start + size <= bytes.count else {
            throw Failure(reason: "damaged HDF5 global heap collection at byte \(start): its size runs past the file")
        }
        let end = start + size
        var p = start + header
        while p < end {
            // A tail too small for an object header is free space.
            if p + objectHeader > end { return }
            let index = Int(bytes[p]) | Int(bytes[p + 1]) << 8
            guard let objectSize = length(at: p + 8) else {
                throw Failure(reason: "damaged HDF5 global heap collection at byte \(start): object \(index) has an impossible size")
            }
            let need = index > 0 ? objectHeader + (objectSize + 7) / 8 * 8 : objectSize
            guard need > 0, need <= end - p else {
                throw Failure(reason: "damaged HDF5 global heap collection at byte \(start): object \(index) at byte \(p) of size \(objectSize) does not fit the collection (\(size) bytes)")
            }
            p += need
        }
    }
}
