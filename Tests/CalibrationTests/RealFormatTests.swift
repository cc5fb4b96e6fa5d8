import Foundation
import Testing
@testable import Calibration

/// Output of real servers (see Fixtures/README.md): morgan's lines from Express, psql's CSV and
/// aligned output of pg_stat_statements from PostgreSQL 15, INFO commandstats from Redis.
@Suite struct RealFormatTests {
    @Test func morganLinesAllParseAndRoute() throws {
        let (model, calibration) = try Support.load()
        let path = Support.fixture("access.combined.log")
        let o = try AccessLogAnalyzer(model: model, calibration: calibration).analyze(files: [path], format: nil)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(o.files.first?.format == .combined)
        #expect(o.unparsed.count == 0)
        #expect(o.parsedLines == lines.count)
        // Counted here by the text of each line, independently of the parser and route table.
        #expect(o.unknownRouteLines == lines.filter { $0.contains("/api/v1/unknown/") }.count)
        #expect(o.health == lines.filter { $0.contains("\"GET /health ") }.count)
        #expect(o.webhooks == lines.filter { $0.contains("\"POST /webhooks/") }.count)
        let listLeads = lines.filter { $0.contains("\"GET /api/v1/leads?limit=") }
        let e = model.endpoints.firstIndex { $0.name == "listLeads" }!
        #expect(o.requestsByEndpoint[e] == listLeads.count)
        #expect(o.limits[e][1000] == listLeads.filter { $0.contains("limit=1000 ") }.count)
        // Every line has a response time; the slowest as written bounds the sketch's p99.
        let times = lines.compactMap { Double($0.split(separator: " ").last!) }
        #expect(times.count == lines.count)
        let p99 = o.latency[e].quantile(0.99)!
        let written = listLeads.compactMap { Double($0.split(separator: " ").last!) }.sorted()
        #expect(p99 >= written[Int(Double(written.count) * 0.98)] * 0.99 && p99 <= written.last! * 1.01)
    }

    @Test func psqlCSVAndAlignedOutputAgree() throws {
        let csv = try PgStatStatementsSnapshot.parse(String(contentsOfFile: Support.fixture("pg-after.csv"), encoding: .utf8), file: "pg-after.csv")
        let aligned = try PgStatStatementsSnapshot.parse(String(contentsOfFile: Support.fixture("pg-after.txt"), encoding: .utf8), file: "pg-after.txt")
        #expect(csv.entries.count == aligned.entries.count)
        #expect(csv.entries.count >= 10)
        // The CSV keys on userid/dbid/toplevel/queryid, the table on queryid: match on the query id.
        // The two were taken one after the other, so the snapshot query's own entry differs.
        for a in aligned.entries where !a.query.contains("pg_stat_statements") {
            let c = try #require(csv.entries.first { $0.key.hasSuffix("/" + a.key) })
            #expect(c.calls == a.calls)
            #expect(c.query == a.query)
            // The CSV adds planning time (0 here: track_planning is off) to execution time.
            #expect(abs(c.totalTime - a.totalTime) <= 1e-9 * max(1, a.totalTime))
        }
    }

    @Test func pgStatStatementsIntervalMapsToQueryClasses() throws {
        let (model, calibration) = try Support.load()
        let before = try String(contentsOfFile: Support.fixture("pg-before.csv"), encoding: .utf8)
        let after = try String(contentsOfFile: Support.fixture("pg-after.csv"), encoding: .utf8)
        let db = try PgStatStatementsCalibration(before: ("before", before), after: ("after", after), model: model, calibration: calibration, registeredUsers: 12)
        // The snapshots bracket the same traffic as the access log: one getRecord statement per
        // GET /api/v1/leads/ID line and one video-view insert per GET /v/ID line.
        let log = try String(contentsOfFile: Support.fixture("access.combined.log"), encoding: .utf8).split(separator: "\n")
        let records = log.filter { $0.contains("\"GET /api/v1/leads/") }.count
        let views = log.filter { $0.contains("\"GET /v/") }.count
        #expect(try #require(db.rows.first { $0.query == "getRecord" }).calls == Double(records))
        #expect(try #require(db.rows.first { $0.query == "insertVideoView" }).calls == Double(views))
        #expect(db.mappedTimeMs > 0)
        #expect(db.unmappedTimeMs / (db.mappedTimeMs + db.unmappedTimeMs) < 0.05)
        #expect(db.parameters.contains { $0.keyPath == "database.queries.getRecord.statementCpuMs" })
    }

    @Test func redisCommandstatsDifference() throws {
        let (model, _) = try Support.load()
        let before = try String(contentsOfFile: Support.fixture("redis-before.txt"), encoding: .utf8)
        let after = try String(contentsOfFile: Support.fixture("redis-after.txt"), encoding: .utf8)
        let r = try RedisCommandStats.calibrate(before: ("b", before), after: ("a", after), model: model)
        // EVAL's usec and calls read from the text independently: after minus before.
        func field(_ text: String, _ command: String, _ name: String) -> Double {
            let line = text.split(whereSeparator: \.isNewline).first { $0.hasPrefix("cmdstat_\(command):") }!
            let pair = line.split(separator: ":")[1].split(separator: ",").first { $0.hasPrefix(name + "=") }!
            return Double(pair.split(separator: "=")[1])!
        }
        let expected = (field(after, "eval", "usec") - field(before, "eval", "usec")) / (field(after, "eval", "calls") - field(before, "eval", "calls"))
        let script = try #require(r.parameters.first { $0.keyPath == "redis.scriptTimeUs" })
        #expect(abs(script.measurements[0].value - expected) <= 5e-4 * expected)
        #expect(r.parameters.contains { $0.keyPath == "redis.commandTimeUs" })
    }
}
