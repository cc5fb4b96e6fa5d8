import Foundation

/// Runs the built `platform-sim` executable as a subprocess, as a user or a script would.
enum PlatformSimBinary {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
        var stderrLines: [Substring] { stderr.split(separator: "\n", omittingEmptySubsequences: true) }
    }

    struct NotFound: Error, CustomStringConvertible {
        let searched: [String]
        var description: String { "platform-sim binary not found; looked at: \(searched.joined(separator: ", ")). Run `swift build` first or set PLATFORM_SIM_BINARY." }
    }

    /// Where the binary may be, best first: $PLATFORM_SIM_BINARY; beside the running test
    /// executable (the same build directory and configuration as the tests); the package's
    /// `.build/debug` and `.build/release`, found from this source file's path.
    static var candidates: [URL] {
        var list: [URL] = []
        if let explicit = ProcessInfo.processInfo.environment["PLATFORM_SIM_BINARY"], !explicit.isEmpty {
            list.append(URL(fileURLWithPath: explicit))
        }
        #if os(Linux)
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            list.append(URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("platform-sim"))
        }
        #endif
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            list.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("platform-sim"))
        }
        list.append(Bundle.main.bundleURL.appendingPathComponent("platform-sim"))
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // PlatformSimCLITests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // package root
        list.append(packageRoot.appendingPathComponent(".build/debug/platform-sim"))
        list.append(packageRoot.appendingPathComponent(".build/release/platform-sim"))
        return list
    }

    static func locate() throws -> URL {
        let all = candidates
        if let found = all.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) { return found }
        throw NotFound(searched: all.map(\.path))
    }

    /// Runs `platform-sim ARGUMENTS` to completion, capturing both streams through files (a
    /// pipe could fill up and block the child).
    static func run(_ arguments: [String]) throws -> Output {
        try run(arguments, standardOutputTo: nil)
    }

    /// Runs `platform-sim ARGUMENTS` with its standard output going to `path` (such as
    /// `/dev/full`) instead of being captured.
    static func run(_ arguments: [String], standardOutputTo path: String?) throws -> Output {
        let binary = try locate()
        let dir = FileManager.default.temporaryDirectory
        let tag = UUID().uuidString
        let outURL = dir.appendingPathComponent("platform-sim-\(tag).out")
        let errURL = dir.appendingPathComponent("platform-sim-\(tag).err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let outHandle = try FileHandle(forWritingTo: path.map { URL(fileURLWithPath: $0) } ?? outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = outHandle
        process.standardError = errHandle
        try process.run()
        process.waitUntilExit()
        try outHandle.close()
        try errHandle.close()
        return Output(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
        )
    }

    /// Runs a command that must succeed with JSON output and returns the parsed object.
    static func json(_ arguments: [String]) throws -> (text: String, object: [String: Any]) {
        let out = try run(arguments + ["--format", "json"])
        guard out.status == 0 else { throw Failure("exit \(out.status): \(out.stderr)") }
        guard let object = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any] else {
            throw Failure("not a JSON object: \(out.stdout)")
        }
        return (out.stdout, object)
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }
}
