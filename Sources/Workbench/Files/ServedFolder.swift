import Foundation

/// A folder the workbench was given (notebooks, experiments), and the only way it reads files
/// from it: a request names a file by a path relative to the folder, and gets it only when
/// that path, with every symbolic link resolved, is a regular file inside the folder with one
/// of the allowed extensions.
///
/// Why resolve instead of only refusing `..`: a link inside the folder may point outside it,
/// and percent-encoded or doubled separators reach the file system in forms a string check
/// misses. The resolved path is compared with the resolved folder, so none of them escapes.
struct ServedFolder: Sendable {
    /// The folder as given (for messages) and resolved (for checks).
    let path: String
    let resolved: String

    /// The folder, or nil when it does not exist or is not a directory.
    init?(_ path: String) {
        guard let real = Self.resolve(path), Self.isDirectory(real) else { return nil }
        self.path = path
        resolved = real
    }

    /// The resolved path of the file `relative` names inside the folder, or nil when it is
    /// outside, hidden (a component starting with `.`), not a regular file, or of another type.
    func file(_ relative: String, extensions: Set<String>) -> String? {
        guard !relative.isEmpty, relative.utf8.count <= 1024, !relative.contains("\0"), !relative.hasPrefix("/"),
              !relative.contains("\\") else { return nil }
        let components = relative.split(separator: "/", omittingEmptySubsequences: false)
        guard components.allSatisfy({ !$0.isEmpty && !$0.hasPrefix(".") }) else { return nil }
        let ext = (relative as NSString).pathExtension.lowercased()
        guard extensions.contains(ext) else { return nil }
        guard let real = Self.resolve(resolved + "/" + relative), real.hasPrefix(resolved + "/") else { return nil }
        guard Self.isRegularFile(real) else { return nil }
        return real
    }

    /// The bytes of a file found by ``file(_:extensions:)``; nil when it cannot be read or is
    /// larger than `limit` bytes.
    func read(_ relative: String, extensions: Set<String>, limit: Int = 32 << 20) -> [UInt8]? {
        guard let real = file(relative, extensions: extensions),
              let attributes = try? FileManager.default.attributesOfItem(atPath: real),
              let size = attributes[.size] as? NSNumber, size.intValue <= limit,
              let data = FileManager.default.contents(atPath: real) else { return nil }
        return [UInt8](data)
    }

    /// The names of the regular files directly in the folder with one of the extensions, sorted.
    func files(extensions: Set<String>) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: resolved)) ?? []
        return names.filter { file($0, extensions: extensions) != nil }.sorted()
    }

    static func resolve(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }
}
