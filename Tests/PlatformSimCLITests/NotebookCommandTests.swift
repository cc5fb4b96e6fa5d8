import Foundation
import Testing

/// `platform-sim notebook` end to end on a tiny experiment: the same command twice gives the
/// same bytes; bad input writes nothing and says why in one line.
@Suite struct NotebookCommandTests {
    static func experiment(in folder: String) throws -> String {
        let path = folder + "/tiny.yaml"
        try """
        name: tiny
        question: Does the notebook command work?
        model: \(SweepCommandTests.root)/Models/platform.yaml
        configurations: [current, phase2]
        users: [600, 1200]
        seeds: [1]
        window: {warmUpS: 5, durationS: 30}
        set: [faults.degradedService.enabled=true, faults.degradedService.startS=10, faults.degradedService.durationS=10]
        slo: {p99Ms: 1000, errorRate: 0.01}
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Every file under `folder`, by path relative to it, with its bytes.
    static func files(_ folder: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let fm = FileManager.default
        guard let e = fm.enumerator(atPath: folder) else { return out }
        for case let name as String in e {
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: folder + "/" + name, isDirectory: &isDirectory), !isDirectory.boolValue {
                out[name] = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
            }
        }
        return out
    }

    @Test func twiceGivesTheSameBytes() throws {
        let dir = try SweepCommandTests.folder()
        let file = try Self.experiment(in: dir)
        let first = try PlatformSimBinary.run(["notebook", file, "--out", dir + "/one/tiny.md", "--jobs", "1"])
        #expect(first.status == 0, "\(first.stderr)")
        let second = try PlatformSimBinary.run(["notebook", file, "--out", dir + "/two/tiny.md", "--jobs", "2", "--db", dir + "/kept.sqlite"])
        #expect(second.status == 0, "\(second.stderr)")
        let one = try Self.files(dir + "/one"), two = try Self.files(dir + "/two")
        #expect(one.keys.sorted() == two.keys.sorted())
        #expect(one.keys.contains("tiny.md") && one.keys.contains("tiny/latency.svg") && one.keys.contains("tiny/timeline-phase2-1200.svg"),
                "\(one.keys.sorted())")
        // The notebooks differ only in the --out they were asked for (the command to rerun names it).
        let a = String(decoding: one["tiny.md"]!, as: UTF8.self).replacingOccurrences(of: dir + "/one/", with: "OUT/")
        let b = String(decoding: two["tiny.md"]!, as: UTF8.self).replacingOccurrences(of: dir + "/two/", with: "OUT/")
        #expect(a == b)
        for name in one.keys where name.hasSuffix(".svg") { #expect(one[name] == two[name], "\(name)") }
        #expect(FileManager.default.fileExists(atPath: dir + "/kept.sqlite"))
        // Running again over an earlier notebook replaces it whole.
        let again = try PlatformSimBinary.run(["notebook", file, "--out", dir + "/one/tiny.md", "--jobs", "2"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try Self.files(dir + "/one") == one)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/one").sorted() == ["tiny", "tiny.md"])
    }

    @Test(arguments: [
        (["notebook", "/nonexistent/x.yaml"], "/nonexistent/x.yaml: error: no such file"),
        (["notebook", "EXPERIMENT", "--out", "OUT/notes.txt"], "error: the notebook must be a file ending in .md (its charts go to the folder of the same name without .md), got 'OUT/notes.txt'"),
        (["notebook", "EXPERIMENT", "--jobs", "0"], "error: --jobs must be between 1 and 256, got 0"),
    ])
    func badInputWritesNothing(arguments: [String], expected: String) throws {
        let dir = try SweepCommandTests.folder()
        let file = try Self.experiment(in: dir)
        let args = arguments.map { $0.replacingOccurrences(of: "EXPERIMENT", with: file).replacingOccurrences(of: "OUT", with: dir + "/out") }
        let out = try PlatformSimBinary.run(args + (args.contains("--out") ? [] : ["--out", dir + "/out/tiny.md"]))
        #expect(out.status != 0)
        #expect(out.stderrLines.count == 1, "\(out.stderr)")
        #expect(out.stderr == expected.replacingOccurrences(of: "OUT", with: dir + "/out") + "\n")
        #expect(!FileManager.default.fileExists(atPath: dir + "/out"))
    }

    @Test func anUnknownOverrideIsLocatedAndNothingIsWritten() throws {
        let dir = try SweepCommandTests.folder()
        let path = dir + "/bad.yaml"
        try String(contentsOfFile: try Self.experiment(in: dir), encoding: .utf8)
            .replacingOccurrences(of: "faults.degradedService.enabled=true", with: "faults.degradedServic.enabled=true")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let out = try PlatformSimBinary.run(["notebook", path, "--out", dir + "/out/tiny.md"])
        #expect(out.status != 0)
        #expect(out.stderrLines.count == 1, "\(out.stderr)")
        #expect(out.stderr.hasPrefix("\(path):8:"), "\(out.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/out"))
    }
}
