import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes the program's output files so that nothing is lost: a file is written whole beside
/// its destination and renamed over it, a set of files is written into a temporary folder
/// and moved into place only once every file is complete, and nothing that is not a file the
/// command was asked to write is ever replaced or deleted.
///
/// Failures are ``OutputError``s with one line naming the path and the system's reason
/// (`cannot write 'out/x.md': No space left on device`), never a Foundation error dump.
/// Bytes go through POSIX `open`/`write`/`close`, so a full disk shows up at the write or at
/// the close that reports it, not later.
public enum OutputFiles {
    /// A file that could not be written, in one line.
    public struct OutputError: Error, CustomStringConvertible, Equatable {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// Checks, before any work is done, that `path` can be a file the command writes: not a
    /// folder (writing would replace it and everything in it), not ending in `/`, with a
    /// parent that is a folder or can be made. `what` names the option in the message.
    public static func checkFileDestination(_ path: String, what: String) throws {
        guard !path.isEmpty else { throw OutputError("\(what) needs a file name, got an empty path") }
        if path.hasSuffix("/") || path == "." || path == ".." || path.hasSuffix("/.") || path.hasSuffix("/..") {
            throw OutputError("\(what) '\(path)' is a folder, not a file")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw OutputError("\(what) '\(path)' is a folder, not a file: refusing to replace it")
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw OutputError("\(what) '\(path)': '\(parent)' is not a folder")
        }
    }

    /// Writes `text` to the file at `path` through a temporary file beside it and a rename:
    /// the old file stays until the new one is complete, and a failure leaves it untouched.
    public static func write(_ text: String, to path: String, what: String = "output") throws {
        try checkFileDestination(path, what: what)
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty { try makeFolder(parent) }
        let temporary = temporaryName(beside: path)
        do {
            try writeBytes(text, to: temporary)
            guard rename(temporary, path) == 0 else { throw OutputError("cannot write '\(path)': \(reason())") }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Writes a set of files (names relative to `folder`, no sub-folders) all together:
    /// into a temporary folder beside `folder`, then, once every one is complete, moved into
    /// `folder` (created if missing). Other files in `folder` are left alone. Returns the
    /// paths written, in the order given.
    @discardableResult
    public static func writeSet(_ files: [(name: String, text: String)], into folder: String) throws -> [String] {
        guard !folder.isEmpty else { throw OutputError("the output folder is an empty path") }
        for f in files where f.name.isEmpty || f.name.contains("/") || f.name.hasPrefix(".") {
            throw OutputError("cannot write '\(f.name)' into '\(folder)': not a plain file name")
        }
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory)
        if exists && !isDirectory.boolValue { throw OutputError("the output folder '\(folder)' is a file, not a folder") }
        for f in files {
            let target = (folder as NSString).appendingPathComponent(f.name)
            if FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory), isDirectory.boolValue {
                throw OutputError("cannot write '\(target)': it is a folder")
            }
        }
        let trimmed = folder.hasSuffix("/") && folder.count > 1 ? String(folder.dropLast()) : folder
        let parent = (trimmed as NSString).deletingLastPathComponent
        if !parent.isEmpty { try makeFolder(parent) }
        let staging = temporaryName(beside: trimmed)
        defer { removeStaging(staging) }
        guard mkdir(staging, 0o755) == 0 else { throw OutputError("cannot write into '\(parent.isEmpty ? "." : parent)': \(reason())") }
        for f in files {
            let path = (staging as NSString).appendingPathComponent(f.name)
            do { try writeBytes(f.text, to: path) } catch {
                throw OutputError("cannot write '\((trimmed as NSString).appendingPathComponent(f.name))': \(reason(from: error))")
            }
        }
        if !exists {
            guard rename(staging, trimmed) == 0 else { throw OutputError("cannot write '\(trimmed)': \(reason())") }
        } else {
            for f in files {
                let from = (staging as NSString).appendingPathComponent(f.name)
                let to = (trimmed as NSString).appendingPathComponent(f.name)
                guard rename(from, to) == 0 else { throw OutputError("cannot write '\(to)': \(reason())") }
            }
        }
        return files.map { (trimmed as NSString).appendingPathComponent($0.name) }
    }

    /// Makes `folder` and its parents, with the reason in one line when it cannot.
    public static func makeFolder(_ folder: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw OutputError("'\(folder)' is a file, not a folder") }
            return
        }
        let parent = (folder as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != folder { try makeFolder(parent) }
        guard mkdir(folder, 0o755) == 0 || errno == EEXIST else { throw OutputError("cannot make the folder '\(folder)': \(reason())") }
    }

    /// A name beside `path` that no other process writing the same destination uses.
    public static func temporaryName(beside path: String) -> String {
        let parent = (path as NSString).deletingLastPathComponent
        let base = (path as NSString).lastPathComponent
        let name = ".\(base).tmp-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        return parent.isEmpty ? name : (parent as NSString).appendingPathComponent(name)
    }

    /// Creates `path` (which must not exist) holding `text`; every write and the close are checked.
    public static func writeBytes(_ text: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OutputError("cannot write '\(path)': \(reason())") }
        var failure: String?
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { systemWrite(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                failure = reason()
                break
            }
            bytes = bytes.dropFirst(n)
        }
        if close(fd) != 0 && failure == nil { failure = reason() }
        if let failure {
            unlink(path)
            throw OutputError("cannot write '\(path)': \(failure)")
        }
    }

    static func removeStaging(_ folder: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for n in names { unlink((folder as NSString).appendingPathComponent(n)) }
        rmdir(folder)
    }

    /// The system's reason for the last failed call (`No space left on device`).
    static func reason() -> String { String(cString: strerror(errno)) }

    /// The reason part of an ``OutputError`` (after the path), for messages that name their own path.
    public static func reason(from error: Error) -> String {
        let text = "\(error)"
        if let r = text.range(of: "': ", options: .backwards) { return String(text[r.upperBound...]) }
        return text
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif
