#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file line by line through one fixed buffer, so that a log of any length is read in
/// constant memory: each line is handed to the caller as bytes that are only valid during the
/// call, and nothing of it is kept.
///
/// Written by hand because Foundation's `FileHandle.bytes` and `String(contentsOfFile:)` either
/// need async code or read the whole file; a plain `read(2)` loop is the fastest and smallest.
/// Lines end at `\n`; a `\r` before it is dropped; a last line without `\n` is still a line.
/// A line longer than ``maxLineBytes`` is handed over cut at that length with `truncated` set.
public struct LineReader {
    public static let maxLineBytes = 1 << 20
    static let chunk = 1 << 20

    public let path: String

    public init(path: String) { self.path = path }

    /// What was read: lines and bytes.
    public struct Totals: Sendable, Equatable {
        public var lines = 0
        public var bytes = 0
    }

    /// Calls `body(line, number, truncated)` for every line, numbered from 1.
    /// - Throws: ``CalibrationError`` when the file cannot be opened or read, or what `body` throws.
    @discardableResult
    public func forEachLine(_ body: (UnsafeBufferPointer<UInt8>, Int, Bool) throws -> Void) throws -> Totals {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw CalibrationError(errno == ENOENT ? "no such file" : "cannot open the file: \(String(cString: strerror(errno)))", file: path)
        }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw CalibrationError("is a folder, not a file", file: path)
        }
        var totals = Totals()
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: Self.chunk + Self.maxLineBytes)
        defer { buffer.deallocate() }
        var filled = 0          // bytes in the buffer
        var start = 0           // start of the current line in the buffer
        var skipping = false    // inside the rest of an over-long line already handed over
        var lineNumber = 0

        func emit(_ from: Int, _ to: Int, truncated: Bool) throws {
            var end = to
            if end > from && buffer[end - 1] == 13 { end -= 1 }
            lineNumber += 1
            try body(UnsafeBufferPointer(start: buffer + from, count: end - from), lineNumber, truncated)
        }

        while true {
            let n = read(fd, buffer + filled, Self.chunk)
            if n < 0 {
                if errno == EINTR { continue }
                throw CalibrationError("cannot read the file: \(String(cString: strerror(errno)))", file: path)
            }
            if n == 0 { break }
            totals.bytes += n
            var i = filled
            filled += n
            while i < filled {
                // memchr is far faster than a byte loop over long lines.
                guard let p = memchr(buffer + i, 10, filled - i) else { i = filled; break }
                let newline = UnsafeMutablePointer<UInt8>(p.assumingMemoryBound(to: UInt8.self)) - buffer
                if skipping {
                    skipping = false
                } else {
                    try emit(start, newline, truncated: false)
                }
                start = newline + 1
                i = start
            }
            // Keep the unfinished line; hand over a line that outgrew the limit.
            if filled - start >= Self.maxLineBytes && !skipping {
                try emit(start, start + Self.maxLineBytes, truncated: true)
                skipping = true
            }
            if skipping {
                start = filled
            }
            if start > 0 {
                memmove(buffer, buffer + start, filled - start)
                filled -= start
                start = 0
            }
        }
        if filled > start && !skipping { try emit(start, filled, truncated: false) }
        totals.lines = lineNumber
        return totals
    }
}
