internal import CNetCDF
import CubeCore
import Foundation

/// Direct access to the stored (compressed) chunks of a netCDF-4 file's variables, so that only
/// finding them happens under the library lock and reading and decoding (inflate, unshuffle,
/// type conversion) run on the caller's thread, in parallel with other reads. DESIGN.md §4.
///
/// HDF5 says where each chunk is stored (`H5Dget_chunk_info_by_coord`, under the lock); its bytes
/// are then read with `pread` from a descriptor of this object's own (`load`, any thread). HDF5
/// 1.10 finds a chunk by coordinates by walking the dataset's chunk index, so only datasets of at
/// most `locatedChunksLimit` chunks are read this way; larger ones, files with a user block and
/// files whose descriptor is not the file HDF5 opened are read through `H5Dread_chunk` under the
/// lock, as every file was before.
///
/// `@unchecked Sendable`: the HDF5 ids and the descriptor are immutable after opening, every
/// HDF5 call happens while holding `NetCDFLibrary`'s lock (the closes in `deinit` too), and
/// `pread` needs no lock.
final class HDF5Chunks: @unchecked Sendable {
    /// How one variable is stored.
    struct Layout: Sendable {
        /// Chunk shape per dimension (the variable's dimension order).
        var chunk: [Int]
        /// Bytes per element.
        var elementSize: Int
        /// Whether elements are IEEE floats (else integers).
        var isFloat: Bool
        /// For integers: whether they are signed.
        var isSigned: Bool
        /// The filter pipeline in write order: (HDF5 filter id, client values).
        var filters: [(id: Int32, values: [UInt32])]
    }

    /// One stored chunk's bytes as read, before decoding.
    struct RawChunk: Sendable {
        /// The chunk's first element per dimension.
        var offset: [Int]
        /// The stored bytes; `nil` when the chunk was never written (all fill), or not loaded yet.
        var bytes: [UInt8]?
        /// Where the stored bytes are in the file, while they are still to be loaded (`load`).
        var extent: (address: UInt64, size: Int)? = nil
        /// Bit k set: filter k of the pipeline was skipped for this chunk.
        var filterMask: UInt32
    }

    /// HDF5's deflate, shuffle and Fletcher-32 filters: the ones decoded here.
    static let deflate: Int32 = 1, shuffle: Int32 = 2, fletcher32: Int32 = 3

    private let file: hid_t
    /// Per variable: its dataset, its layout when decoded here, and whether its chunks are
    /// located and read with `pread` (else read with `H5Dread_chunk`).
    private var datasets: [String: (id: hid_t, layout: Layout?, located: Bool)] = [:]
    /// The most chunks a dataset may have for its chunks to be located one by one: each lookup
    /// walks the dataset's index in HDF5 1.10 (a walk of 1,024 entries is microseconds).
    static let locatedChunksLimit: hsize_t = 1024
    /// The file opened for `pread` of chunk bytes, or -1 when chunks are read through HDF5.
    private let descriptor: Int32
    let path: String

    /// Opens `path` with HDF5; `nil` when it is not an HDF5 file (netCDF-3). Call under the lock.
    init?(path: String) {
        guard H5Fis_hdf5(path) > 0 else { return nil }
        let id = cubegen_hdf5_open_readonly(path)
        guard id >= 0 else { return nil }
        file = id
        self.path = path
        descriptor = HDF5Chunks.userBlockSize(id) == 0 ? HDF5Chunks.openSameFile(path, as: id) : -1
    }

    /// `path` opened read-only when it is the very file HDF5 has open as `file` (same device and
    /// inode: not replaced in between), else -1.
    private static func openSameFile(_ path: String, as file: hid_t) -> Int32 {
        var handle: UnsafeMutableRawPointer?
        guard H5Fget_vfd_handle(file, hid_t(H5P_DEFAULT), &handle) >= 0, let handle else { return -1 }
        let theirs = handle.load(as: Int32.self)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return -1 }
        var a = stat(), b = stat()
        guard fstat(theirs, &a) == 0, fstat(descriptor, &b) == 0, a.st_dev == b.st_dev, a.st_ino == b.st_ino else {
            close(descriptor)
            return -1
        }
        return descriptor
    }

    deinit {
        let file = self.file, ids = datasets.values.map(\.id)
        if descriptor >= 0 { close(descriptor) }
        NetCDFLibrary.call {
            for id in ids where id >= 0 { H5Dclose(id) }
            H5Fclose(file)
        }
    }

    /// The file's user block size (chunk addresses are relative to its end), `nil` when unknown.
    private static func userBlockSize(_ file: hid_t) -> hsize_t? {
        let plist = H5Fget_create_plist(file)
        guard plist >= 0 else { return nil }
        defer { H5Pclose(plist) }
        var size: hsize_t = 0
        return H5Pget_userblock(plist, &size) >= 0 ? size : nil
    }

    /// The layout of variable `name` when its chunks can be decoded here (chunked, little-endian
    /// numbers, only deflate/shuffle/Fletcher-32 filters), else `nil`. Call under the lock.
    func layout(_ name: String) -> Layout? {
        if let known = datasets[name] { return known.layout }
        let dataset = H5Dopen2(file, "/" + name, hid_t(H5P_DEFAULT))
        let layout = dataset >= 0 ? HDF5Chunks.describe(dataset) : nil
        let located = descriptor >= 0 && layout != nil && (HDF5Chunks.storedChunks(dataset).map { $0 <= HDF5Chunks.locatedChunksLimit } ?? false)
        datasets[name] = (dataset, layout, located)
        return layout
    }

    /// How many chunks `dataset` has stored, `nil` when HDF5 cannot say (1.10 takes the dataset's
    /// own dataspace, not `H5S_ALL`).
    private static func storedChunks(_ dataset: hid_t) -> hsize_t? {
        let space = H5Dget_space(dataset)
        guard space >= 0 else { return nil }
        defer { H5Sclose(space) }
        var count: hsize_t = 0
        return H5Dget_num_chunks(dataset, space, &count) >= 0 ? count : nil
    }

    /// The largest decoded chunk read directly (1 GiB): larger chunks are refused, not allocated.
    static let maximumChunkBytes = 1 << 30

    /// The most bytes a stored chunk of `decoded` bytes can hold: deflate's worst-case growth
    /// (5 bytes per 16 KiB block plus headers), generously rounded, plus checksums.
    static func maximumStoredSize(decoded: Int) -> Int { decoded + decoded / 64 + 4096 }

    private static func describe(_ dataset: hid_t) -> Layout? {
        let plist = H5Dget_create_plist(dataset)
        guard plist >= 0 else { return nil }
        defer { H5Pclose(plist) }
        guard H5Pget_layout(plist) == H5D_CHUNKED else { return nil }
        let type = H5Dget_type(dataset)
        guard type >= 0 else { return nil }
        defer { H5Tclose(type) }
        let typeClass = H5Tget_class(type)
        guard typeClass == H5T_FLOAT || typeClass == H5T_INTEGER, H5Tget_order(type) == H5T_ORDER_LE else { return nil }
        let size = H5Tget_size(type)
        guard [1, 2, 4, 8].contains(size), !(typeClass == H5T_FLOAT && size < 4) else { return nil }
        var dims = [hsize_t](repeating: 0, count: 32)
        let rank = Int(H5Pget_chunk(plist, 32, &dims))
        // Chunks too large to hold decoded are left to netCDF, which reads only the window.
        guard rank > 0, dims.prefix(rank).reduce(hsize_t(size), *) <= hsize_t(maximumChunkBytes) else { return nil }
        var filters: [(id: Int32, values: [UInt32])] = []
        for index in 0..<H5Pget_nfilters(plist) {
            var flags: UInt32 = 0, count = 8, config: UInt32 = 0
            var values = [UInt32](repeating: 0, count: 8)
            var name = [CChar](repeating: 0, count: 64)
            let id = H5Pget_filter2(plist, UInt32(index), &flags, &count, &values, 64, &name, &config)
            guard [deflate, shuffle, fletcher32].contains(id) else { return nil }
            filters.append((id, Array(values.prefix(count))))
        }
        return Layout(chunk: dims.prefix(rank).map { Int($0) }, elementSize: size, isFloat: typeClass == H5T_FLOAT,
                      isSigned: typeClass == H5T_INTEGER && H5Tget_sign(type) == H5T_SGN_2, filters: filters)
    }

    /// The stored chunks covering `start ..< start + count` of variable `name`: their bytes, or
    /// where they are when this object reads them itself (`load`). Call under the lock.
    func readChunks(_ name: String, layout: Layout, start: [Int], count: [Int]) throws -> [RawChunk] {
        guard let (dataset, _, located) = datasets[name], dataset >= 0 else {
            throw NetCDFError(status: -1, function: "H5Dopen2", path: path, reason: "no dataset '\(name)'")
        }
        // A stored chunk is at most its decoded size plus deflate's worst-case growth and
        // checksums; anything larger is damage, refused before it is allocated.
        let decoded = layout.chunk.reduce(1, *) * layout.elementSize
        let largest = hsize_t(HDF5Chunks.maximumStoredSize(decoded: decoded))
        var chunks: [RawChunk] = []
        let first = zip(start, layout.chunk).map { $0 / $1 }
        let last = zip(zip(start, count), layout.chunk).map { ($0.0 + $0.1 - 1) / $1 }
        var index = first
        while true {
            let offset = zip(index, layout.chunk).map { $0 * $1 }
            chunks.append(located ? try locate(name, dataset, offset, largest: largest, decoded: decoded)
                                  : try read(name, dataset, offset, largest: largest, decoded: decoded))
            var d = index.count - 1
            while d >= 0 {
                index[d] += 1
                if index[d] <= last[d] { break }
                index[d] = first[d]
                d -= 1
            }
            if d < 0 { return chunks }
        }
    }

    /// Where the chunk of `name` at `offset` is stored (`load` reads it), or an unwritten chunk.
    private func locate(_ name: String, _ dataset: hid_t, _ offset: [Int], largest: hsize_t, decoded: Int) throws -> RawChunk {
        var hOffset = offset.map { hsize_t($0) }
        var mask: UInt32 = 0, address: haddr_t = 0, size: hsize_t = 0
        guard H5Dget_chunk_info_by_coord(dataset, &hOffset, &mask, &address, &size) >= 0 else {
            throw NetCDFError(status: -1, function: "H5Dget_chunk_info_by_coord", path: path,
                              reason: "cannot find the stored chunk of '\(name)' at \(offset)")
        }
        if address == haddr_t.max || size == 0 { return RawChunk(offset: offset, bytes: nil, filterMask: 0) }
        guard size <= largest else { throw HDF5Chunks.oversized(name, offset, size, decoded, path, "H5Dget_chunk_info_by_coord") }
        // A damaged index may point anywhere: an address `pread` cannot take is refused here.
        guard UInt64(address) <= UInt64(Int64.max) - UInt64(size) else {
            throw NetCDFError(status: -1, function: "H5Dget_chunk_info_by_coord", path: path,
                              reason: "the stored chunk of '\(name)' at \(offset) claims to lie at byte \(address), past any file")
        }
        return RawChunk(offset: offset, bytes: nil, extent: (UInt64(address), Int(size)), filterMask: mask)
    }

    /// The stored bytes of the chunk of `name` at `offset` (`H5Dread_chunk`), or an unwritten chunk.
    private func read(_ name: String, _ dataset: hid_t, _ offset: [Int], largest: hsize_t, decoded: Int) throws -> RawChunk {
        var hOffset = offset.map { hsize_t($0) }
        var stored: hsize_t = 0
        if H5Dget_chunk_storage_size(dataset, &hOffset, &stored) < 0 || stored == 0 {
            return RawChunk(offset: offset, bytes: nil, filterMask: 0)
        }
        guard stored <= largest else { throw HDF5Chunks.oversized(name, offset, stored, decoded, path, "H5Dread_chunk") }
        var mask: UInt32 = 0
        var status: herr_t = 0
        // Not pre-filled (this runs under the library lock): H5Dread_chunk writes the chunk's
        // `stored` bytes, and the buffer is dropped when it fails.
        let bytes = [UInt8](unsafeUninitializedCapacity: Int(stored)) { buffer, initialized in
            status = H5Dread_chunk(dataset, hid_t(H5P_DEFAULT), &hOffset, &mask, buffer.baseAddress)
            initialized = status >= 0 ? buffer.count : 0
        }
        guard status >= 0 else {
            throw NetCDFError(status: -1, function: "H5Dread_chunk", path: path, reason: "cannot read the chunk of '\(name)' at \(offset)")
        }
        return RawChunk(offset: offset, bytes: bytes, filterMask: mask)
    }

    private static func oversized(_ name: String, _ offset: [Int], _ stored: hsize_t, _ decoded: Int, _ path: String,
                                  _ function: String) -> NetCDFError {
        NetCDFError(status: -1, function: function, path: path,
                    reason: "the stored chunk of '\(name)' at \(offset) claims \(stored) bytes, more than a chunk of \(decoded) bytes can take")
    }

    /// Reads the bytes of the chunks `readChunks` located (any thread, no lock).
    /// - Throws: `NetCDFError` naming the file when a read fails or the file ends early.
    func load(_ chunks: [RawChunk]) throws -> [RawChunk] {
        try chunks.map { chunk in
            guard let extent = chunk.extent else { return chunk }
            let (bytes, error) = PositionalRead.bytes(descriptor, count: extent.size, at: Int(extent.address))
            if error != 0 {
                throw NetCDFError(status: -1, function: "pread", path: path,
                                  reason: "cannot read the stored chunk at \(chunk.offset): \(String(cString: strerror(error)))")
            }
            guard bytes.count == extent.size else {
                throw NetCDFError(status: -1, function: "pread", path: path,
                                  reason: "the file ends inside the stored chunk at \(chunk.offset) (byte \(extent.address + UInt64(bytes.count)))")
            }
            var loaded = chunk
            loaded.bytes = bytes
            loaded.extent = nil
            return loaded
        }
    }
}
