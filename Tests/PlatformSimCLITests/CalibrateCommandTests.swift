import Foundation
import Testing

/// `platform-sim calibrate` end to end on the committed real-format fixtures, and its refusals:
/// one error line, a non-zero exit, nothing written.
@Suite struct CalibrateCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let model = root + "/Models/platform.yaml"
    static func fixture(_ name: String) -> String { root + "/Tests/CalibrationTests/Fixtures/" + name }

    func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("calibrate-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func fixturesGiveAnOverlayThatValidates() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = dir + "/calibrated.yaml"
        let r = try PlatformSimBinary.run(["calibrate", Self.model, "--access-log", Self.fixture("access.combined.log"),
                                           "--pg-stat-statements", Self.fixture("pg-before.csv"), Self.fixture("pg-after.csv"),
                                           "--redis-info", Self.fixture("redis-before.txt"), Self.fixture("redis-after.txt"),
                                           "--registered-users", "12", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("redis.scriptTimeUs"))
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.contains("# measured: "))
        let v = try PlatformSimBinary.run(["validate", Self.model, "--overlay", out])
        #expect(v.status == 0, "\(v.stderr)")
    }

    @Test func badInputWritesNothing() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let empty = dir + "/empty.log", out = dir + "/calibrated.yaml"
        FileManager.default.createFile(atPath: empty, contents: Data())
        let r = try PlatformSimBinary.run(["calibrate", Self.model, "--access-log", empty, "--out", out])
        #expect(r.status != 0)
        #expect(r.stderrLines == ["\(empty): error: the access log is empty"])
        #expect(!FileManager.default.fileExists(atPath: out))
        let one = try PlatformSimBinary.run(["calibrate", Self.model, "--pg-stat-statements", Self.fixture("pg-after.csv"), "--out", out])
        #expect(one.status != 0)
        #expect(one.stderrLines == ["error: --pg-stat-statements takes two files, before and after, got 1"])
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
