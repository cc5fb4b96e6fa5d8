import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension PlatformSimBinary {
    /// Runs `platform-sim ARGUMENTS` with its standard error on a pseudo-terminal (as a person
    /// at a terminal sees it) and its standard output captured in a file; returns both.
    static func runOnTerminal(_ arguments: [String]) throws -> Output {
        let binary = try locate()
        var master: Int32 = -1, slave: Int32 = -1
        guard openpty(&master, &slave, nil, nil, nil) == 0 else { throw Failure("openpty failed: \(String(cString: strerror(errno)))") }
        let outURL = FileManager.default.temporaryDirectory.appendingPathComponent("platform-sim-\(UUID().uuidString).out")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outURL) }
        let outHandle = try FileHandle(forWritingTo: outURL)
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = outHandle
        process.standardError = FileHandle(fileDescriptor: slave, closeOnDealloc: false)
        try process.run()
        close(slave)
        // Read the terminal while the program runs (a full terminal buffer would block it); the
        // read fails with EIO once the program has exited and the terminal is closed.
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(master, &buffer, buffer.count)
            if n <= 0 { if n < 0 && errno == EINTR { continue }; break }
            bytes += buffer[0..<n]
        }
        process.waitUntilExit()
        close(master)
        try outHandle.close()
        return Output(status: process.terminationStatus, stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                      stderr: String(decoding: bytes, as: UTF8.self))
    }
}
