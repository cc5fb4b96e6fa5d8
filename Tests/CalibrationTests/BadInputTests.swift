import Foundation
import Testing
@testable import Calibration

/// Input that must be refused with a located error, or counted and sampled, never dropped silently.
@Suite struct BadInputTests {
    let good = #"10.0.0.%d - u%d [20/Nov/2026:%02d:%02d:%02d +0000] "GET /api/v1/dashboard HTTP/1.1" 200 100 "-" "-" 3.5"#

    func lines(_ n: Int, startHour: Int = 10) -> [String] {
        (0..<n).map { i in
            let t = startHour * 3600 + i * 7
            return String(format: good, i % 200, i % 40, t / 3600 % 24, t / 60 % 60, t % 60)
        }
    }

    func analyze(_ text: String) throws -> AccessLogObservations {
        let folder = try Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/access.log"
        try Support.write(text, to: path)
        let (model, calibration) = try Support.load()
        return try AccessLogAnalyzer(model: model, calibration: calibration).analyze(files: [path], format: nil)
    }

    func error(_ text: String) -> CalibrationError? {
        do { _ = try analyze(text); return nil } catch let e as CalibrationError { return e } catch { return nil }
    }

    @Test func emptyFileIsAnError() {
        let e = error("")
        #expect(e?.message == "the access log is empty")
        #expect(e?.description.hasSuffix("access.log: error: the access log is empty") == true)
        #expect(error("\n\n  \n")?.message == "the access log is empty")
    }

    @Test func truncatedLinesAreCountedAndSampled() throws {
        var text = lines(500).joined(separator: "\n")
        text += "\n" + String(lines(1)[0].prefix(60))   // the writer died mid-line
        let o = try analyze(text)
        #expect(o.parsedLines == 500)
        #expect(o.unparsed.count == 1)
        #expect(o.unparsed.samples.first?.line == 501)
        #expect(o.unparsed.samples.first?.reason.contains("truncated") == true)
    }

    @Test func mixedFormatsAreCountedThenRefused() throws {
        let json = #"{"time":"2026-11-20T10:00:00Z","method":"GET","url":"/health","status":200,"ip":"10.0.0.1"}"#
        var few = lines(400)
        few.insert(json, at: 200)
        let o = try analyze(few.joined(separator: "\n"))
        #expect(o.unparsed.count == 1)
        #expect(o.unparsed.samples.first?.line == 201)
        // Mostly another format: refused at the first bad line, with its file, line and column.
        var many = lines(100)
        for i in stride(from: 1, to: 100, by: 2) { many[i] = json }
        let e = try #require(error(many.joined(separator: "\n")))
        #expect(e.line == 2)
        #expect(e.column > 1)
        #expect(e.message.contains("do not parse as combined"))
    }

    @Test func clockGoingBackwardsIsRefused() throws {
        // Two files given in the wrong order look like a log whose clock jumps back a day.
        let day2 = lines(300, startHour: 10).map { $0.replacingOccurrences(of: "20/Nov", with: "21/Nov") }
        let day1 = lines(300, startHour: 10)
        let e = try #require(error((day2 + day1).joined(separator: "\n")))
        #expect(e.line == 301)
        #expect(e.message.contains("clock goes back"))
        // A few lines a little out of order (slow responses logged late) are kept.
        var jitter = lines(300)
        jitter.swapAt(100, 105)   // 35 s apart
        let o = try analyze(jitter.joined(separator: "\n"))
        #expect(o.unparsed.count == 0)
        #expect(o.parsedLines == 300)
    }

    @Test func missingFilesAndFoldersAreErrors() throws {
        let (model, calibration) = try Support.load()
        let a = AccessLogAnalyzer(model: model, calibration: calibration)
        #expect(throws: CalibrationError("no such file", file: "/nonexistent/access.log")) {
            _ = try a.analyze(files: ["/nonexistent/access.log"], format: nil)
        }
        let folder = try Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(throws: CalibrationError("is a folder, not a file", file: folder)) { _ = try a.analyze(files: [folder], format: nil) }
    }

    @Test func badSnapshotsAreLocated() throws {
        let header = "userid,dbid,toplevel,queryid,query,calls,total_exec_time\n"
        let cut = header + "10,1,t,42,\"SELECT 1\",5,1.5\n10,1,t,43,\"SELECT \"\"a\"\" FROM b"
        #expect(throws: CalibrationError("a quoted field is not closed (a truncated file?)", file: "s.csv", line: 3)) {
            _ = try PgStatStatementsSnapshot.parse(cut, file: "s.csv")
        }
        let short = header + "10,1,t,42,\"SELECT 1\",5\n"
        #expect(throws: CalibrationError("a row has 6 fields, the header 7 (a truncated file?)", file: "s.csv", line: 2)) {
            _ = try PgStatStatementsSnapshot.parse(short, file: "s.csv")
        }
        #expect(throws: CalibrationError("no cmdstat_ lines: expected the output of INFO commandstats (or INFO all)", file: "i.txt")) {
            _ = try RedisCommandStats.parse("# Server\nredis_version:7.0.15\n", file: "i.txt")
        }
    }
}
