import CubeCore
import Foundation

/// Finds the GRIB messages of a file by their framing alone, before ecCodes sees a byte: the
/// `GRIB` signature, the edition and total length of section 0, and the `7777` end marker at the
/// end of that length.
///
/// Debian's ecCodes 2.28 trusts a damaged length when it reads messages from a file (a heap
/// overflow in its `wmo_read_grib_from_file_malloc`, found by fuzzing), so CubeGen frames each
/// message itself and hands ecCodes only whole, well-framed messages from memory.
/// Bytes between messages are skipped, as ecCodes does.
public enum GRIBFraming {
    /// One message: its first byte and its length.
    public struct Frame: Hashable, Sendable {
        /// The offset of `GRIB`.
        public var offset: Int
        /// The length section 0 states, `7777` included.
        public var length: Int
    }

    /// The frames of `bytes` read through `read(offset, count)` from a file of `size` bytes.
    /// - Throws: `CubeError` naming `path` and the offset of a message whose length runs past the
    ///   end of the file or does not end in `7777`, or that uses GRIB 1's large-message length.
    public static func frames(size: Int, path: String, read: (Int, Int) throws -> [UInt8]) throws -> [Frame] {
        var frames: [Frame] = []
        var position = 0
        let block = 1 << 16
        while position + 16 <= size {
            // The next signature at or after `position`.
            let chunk = try read(position, min(block, size - position))
            guard let hit = signature(in: chunk) else {
                position += max(1, chunk.count - 3)
                continue
            }
            let offset = position + hit
            guard offset + 16 <= size else { break }
            let header = try read(offset, 16)
            let edition = Int(header[7])
            let length: Int
            switch edition {
            case 1:
                let stated = Int(header[4]) << 16 | Int(header[5]) << 8 | Int(header[6])
                if stated & 0x80_0000 != 0 {
                    throw CubeError(.unsupported,
                        "'\(path)': the GRIB 1 message at byte \(offset) uses ECMWF's large-message length encoding, which CubeGen does not read",
                        context: ["file": path])
                }
                length = stated
            case 2:
                length = header[8..<16].reduce(0) { ($0 << 8) | Int($1) }
            default:
                // "GRIB" inside other bytes: not a message start.
                position = offset + 4
                continue
            }
            guard length >= 16 + 4 else {
                throw CubeError(.invalidInput, "'\(path)': the GRIB message at byte \(offset) states an impossible length of \(length) bytes: damaged",
                                context: ["file": path])
            }
            guard length <= size - offset else {
                throw CubeError(.invalidInput,
                    "'\(path)': the GRIB message at byte \(offset) states a length of \(length) bytes, past the end of the file (\(size) bytes): truncated or damaged",
                    context: ["file": path])
            }
            guard try read(offset + length - 4, 4) == Array("7777".utf8) else {
                throw CubeError(.invalidInput,
                    "'\(path)': the GRIB message at byte \(offset) does not end in 7777 after its stated \(length) bytes: damaged",
                    context: ["file": path])
            }
            if edition == 2 {
                try checkSections(offset: offset, length: length, path: path, read: read)
            }
            frames.append(Frame(offset: offset, length: length))
            position = offset + length
        }
        return frames
    }

    /// The frames of the file at `path`.
    /// - Throws: `CubeError` naming the file when it cannot be read, or as `frames(size:path:read:)`.
    public static func frames(path: String) throws -> [Frame] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CubeError(.invalidInput, "cannot open '\(path)'", context: ["file": path])
        }
        defer { try? handle.close() }
        let size: Int
        do {
            size = Int(try handle.seekToEnd())
        } catch {
            throw CubeError(.io, "cannot read '\(path)': \(error.localizedDescription)", context: ["file": path])
        }
        return try frames(size: size, path: path) { offset, count in try read(handle, path: path, offset: offset, count: count) }
    }

    /// Up to `count` bytes of the open file `handle` from `offset`.
    /// - Throws: `CubeError` (`.io`) naming `path` and the offset.
    static func read(_ handle: FileHandle, path: String, offset: Int, count: Int) throws -> [UInt8] {
        do {
            try handle.seek(toOffset: UInt64(offset))
            return [UInt8](try handle.read(upToCount: count) ?? Data())
        } catch {
            throw CubeError(.io, "cannot read '\(path)' at byte \(offset): \(error.localizedDescription)", context: ["file": path])
        }
    }

    /// Walks a GRIB 2 message's sections: each at least 5 bytes long, numbered 1…7 in order (2…7 may
    /// repeat, as for several fields in one message), the last ending exactly at `7777`. ecCodes
    /// 2.28 spins for minutes on a section of length 0 (found by fuzzing).
    /// - Throws: `CubeError` naming `path`, the message offset and the section.
    static func checkSections(offset: Int, length: Int, path: String, read: (Int, Int) throws -> [UInt8]) throws {
        let end = offset + length - 4
        var position = offset + 16, previous = 0
        while position < end {
            let header = try read(position, 5)
            guard header.count == 5 else { break }
            let size = header[0..<4].reduce(0) { ($0 << 8) | Int($1) }
            let number = Int(header[4])
            guard size >= 5, size <= end - position, (1...7).contains(number), number > previous || (number >= 2 && previous >= 2) else {
                throw CubeError(.invalidInput,
                    "'\(path)': the GRIB message at byte \(offset) has a damaged section \(number) at byte \(position) (length \(size)): damaged",
                    context: ["file": path])
            }
            previous = number
            position += size
        }
        guard position == end else {
            throw CubeError(.invalidInput, "'\(path)': the sections of the GRIB message at byte \(offset) do not end at its 7777 marker: damaged",
                            context: ["file": path])
        }
    }

    /// The `length` bytes of the message at `offset` of the file at `path`, read in one call.
    /// - Throws: `CubeError` naming the file and offset when it cannot be read or ends early.
    static func message(_ path: String, offset: Int, length: Int) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw CubeError(.invalidInput, "cannot open '\(path)'", context: ["file": path]) }
        defer { close(descriptor) }
        let (bytes, failure) = PositionalRead.bytes(descriptor, count: length, at: offset)
        guard bytes.count == length else {
            let reason = failure != 0 ? String(cString: strerror(failure)) : "\(bytes.count) of \(length) bytes"
            throw CubeError(failure != 0 ? .io : .invalidInput,
                "'\(path)': the GRIB message at byte \(offset) cannot be read whole (\(reason)): truncated?", context: ["file": path])
        }
        return bytes
    }

    private static func signature(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for k in 0...(bytes.count - 4) where bytes[k] == 0x47 && bytes[k + 1] == 0x52 && bytes[k + 2] == 0x49 && bytes[k + 3] == 0x42 {
            return k
        }
        return nil
    }
}
