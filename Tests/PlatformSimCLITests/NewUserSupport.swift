import Foundation
import Testing

/// Shared by the tests of what a new user meets: `report`'s formats, `compare`, `capacity`, progress.
enum NewUser {
    static let model = SweepCommandTests.root + "/Models/platform.yaml"
    /// A short window, so that the debug binary runs a few hundred users in well under a second.
    static let window = ["--duration", "20", "--warm-up", "5"]

    static func lines(_ text: String) -> [Substring] { text.split(separator: "\n", omittingEmptySubsequences: false) }

    /// A tiny sweep with three seeds (for intervals and paired differences) into a database.
    static func sweep(_ folder: String, name: String = "tiny", set: String = "") throws -> (db: String, stdout: String) {
        let path = try SweepCommandTests.experiment(in: folder, seeds: "[1, 2, 3]")
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: "name: tiny", with: "name: \(name)") + (set.isEmpty ? "" : "\nset: [\(set)]\n")
        let file = folder + "/\(name).yaml"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let db = folder + "/\(name).sqlite"
        let out = try PlatformSimBinary.run(["sweep", file, "--db", db])
        #expect(out.status == 0, "\(out.stderr)")
        return (db, out.stdout)
    }
}
