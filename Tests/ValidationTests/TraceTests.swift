import Foundation
import ModelSchema
import PlatformModel
import Testing
@testable import Validation

/// The trace file: written from a real run, read back unchanged; bad files rejected with a location.
@Suite struct TraceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static func smallTrace(config: String = "phase1", rateScale: Double = 50) throws -> (Trace, RunResult) {
        let (model, provenance) = try PlatformModelFile.load(root + "/Models/platform.yaml", configuration: config, users: 400)
        let settings = RunSettings(seed: 3, warmUp: 20, duration: 40)
        let header = TraceHeader(modelFile: provenance.baseFile, configuration: config, files: provenance.files, overlays: [],
                                 overrides: [], modelHash: provenance.modelHash, users: 400, seed: 3, rateScale: rateScale,
                                 warmUpSeconds: 0, durationSeconds: 0, windowStart: 0, endpoints: [], tiers: [], programVersion: "test")
        return TraceRecorder.record(model: model, header: header, settings: settings)
    }

    @Test func roundTripsThroughItsFile() throws {
        let (trace, result) = try Self.smallTrace()
        #expect(trace.records.count > 1000)
        // The measured records are the arrivals of the run's window; the run counts completions
        // in it: they differ only by the requests in flight at the window's two edges.
        #expect(abs(trace.measured.count - result.requests) <= result.requests / 100)
        let text = try trace.csv()
        let back = try Trace.parse(text, file: "t.csv")
        #expect(back.header == trace.header)
        #expect(back.records.count == trace.records.count)
        for (a, b) in zip(back.records, trace.records) {
            #expect(abs(a.time - b.time) <= 5e-7)
            #expect(a.endpoint == b.endpoint && a.user == b.user && a.ip == b.ip && a.tier == b.tier)
            #expect(a.predictedStatus == b.predictedStatus && a.predictedError == b.predictedError)
        }
        // Same inputs, same bytes.
        #expect(try Self.smallTrace().0.csv() == text)
    }

    @Test func errorsCarryTheirStatus() throws {
        let (trace, result) = try Self.smallTrace(config: "current", rateScale: 200)
        // A 429 is answered at once, so the window's 429s are the same requests on both counts
        // (up to one Redis round trip at the window's edges).
        let limited = trace.measured.filter { $0.predictedError?.isRateLimit ?? false }
        #expect(abs(limited.count - (result.errors[.rateLimited] + result.errors[.rateLimitedFalse])) <= 2)
        #expect(limited.allSatisfy { $0.predictedStatus == 429 })
        #expect(!limited.isEmpty)
    }

    @Test func addressesRoundTrip() {
        for i in [0, 1, 255, 256, 65_535, 1_000_000] {
            #expect(TraceRecord.ipIndex(Substring(TraceRecord.ipAddress(i))) == i)
        }
        #expect(TraceRecord.ipIndex("192.168.0.1") == nil)
    }

    @Test func badFilesSayWhereAndWhy() throws {
        let (trace, _) = try Self.smallTrace()
        var lines = try trace.csv().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(throws: ValidationFileError.self) { try Trace.parse("hello\n", file: "x.csv") }
        lines[4] = lines[4].replacingOccurrences(of: ",\(trace.header.endpoints[trace.records[1].endpoint]),", with: ",nowhere,")
        do {
            _ = try Trace.parse(lines.joined(separator: "\n"), file: "x.csv")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("x.csv:5:"), "\(error)")
            #expect(error.description.contains("endpoint"), "\(error)")
        }
    }

    @Test func usersMatchThePopulation() throws {
        let (model, _) = try PlatformModelFile.load(Self.root + "/Models/platform.yaml", configuration: "current", users: 500)
        let table = UserTable(model: model, seed: 3)
        #expect(table.users.count == 500)
        #expect(table.users.filter(\.active).count == model.traffic.activeUsers)
        let weights = table.users.filter(\.active).map(\.weight)
        #expect(abs(weights.reduce(0, +) / Double(weights.count) - 1) < 1e-3)
    }
}
