import Foundation
import Testing
@testable import Calibration

/// The two access-log formats, line by line, on lines written as morgan and pino-http write them.
@Suite struct AccessLogParserTests {
    func parse(_ text: String, _ format: AccessLogFormat) -> Result<AccessLogLine, LineParseFailure> {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { b in
            format == .json ? JSONLogParser.parse(UnsafeBufferPointer(b)) : CombinedLogParser.parse(UnsafeBufferPointer(b))
        }
    }

    func fields(_ text: String, _ format: AccessLogFormat) throws -> (line: AccessLogLine, user: String?, target: String, ip: String) {
        let r = try parse(text, format).get()
        let b = Array(text.utf8)
        func s(_ range: Range<Int>) -> String { String(decoding: b[range], as: UTF8.self) }
        return (r, r.user.map(s), s(r.target), s(r.ip))
    }

    /// Seconds since 1970 of a UTC time, from Foundation's calendar (not the parser's own arithmetic).
    func utc(_ y: Int, _ m: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int) -> Double {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c.date(from: DateComponents(year: y, month: m, day: d, hour: h, minute: mi, second: s))!.timeIntervalSince1970
    }

    @Test func combinedWithResponseTime() throws {
        let f = try fields(#"::ffff:10.1.2.3 - u42 [20/Nov/2026:14:03:12 +0100] "GET /api/v1/leads?limit=50 HTTP/1.1" 200 1234 "https://app/" "Mozilla/5.0 (X11; \"Linux\")" 12.345 ms"#, .combined)
        // 14:03:12 at +01:00 is 13:03:12 UTC.
        #expect(f.line.loggedAt == utc(2026, 11, 20, 13, 3, 12))
        #expect(f.line.responseTimeMs == 12.345)
        #expect(abs(f.line.arrival - (f.line.loggedAt - 0.012345)) < 1e-9)
        #expect(f.user == "u42")
        #expect(f.target == "/api/v1/leads?limit=50")
        #expect(f.ip == "::ffff:10.1.2.3")
        #expect(f.line.status == 200)
    }

    @Test func combinedWithoutResponseTimeOrUser() throws {
        let f = try fields(#"10.0.0.1 - - [01/Jan/2026:00:00:00 +0000] "POST /webhooks/stripe HTTP/1.1" 204 - "-" "Stripe/1.0""#, .combined)
        #expect(f.user == nil)
        #expect(f.line.responseTimeMs.isNaN)
        #expect(f.line.status == 204)
    }

    @Test func truncatedCombinedLinesFailWithAColumn() {
        let cut = #"10.0.0.1 - u1 [20/Nov/2026:14:03:12 +0000] "GET /api/v1/dash"#
        guard case .failure(let f) = parse(cut, .combined) else { Issue.record("a cut line parsed"); return }
        #expect(f.column > 40)
        #expect(f.reason.contains("truncated"))
        guard case .failure = parse(#"{"time":"2026-11-20T14:03:12Z"}"#, .combined) else { Issue.record("JSON parsed as combined"); return }
    }

    @Test func jsonLinesFlatAndNested() throws {
        let flat = try fields(#"{"time":"2026-11-20T14:03:12.250Z","method":"GET","url":"/api/v1/dashboard","status":429,"responseTime":1.5,"userId":"u7","ip":"10.0.0.9"}"#, .json)
        #expect(flat.line.loggedAt == utc(2026, 11, 20, 14, 3, 12) + 0.25)
        #expect(flat.line.status == 429)
        #expect(flat.user == "u7")
        // pino-http: epoch milliseconds, nested req/res, a numeric user id.
        let pino = try fields(#"{"level":30,"time":1763647392250,"req":{"id":1,"method":"POST","url":"/api/v1/leads","remoteAddress":"10.0.0.2","headers":{"x":"{"}},"res":{"statusCode":201},"responseTime":7,"uid":31}"#, .json)
        #expect(pino.line.loggedAt == 1_763_647_392.25)
        #expect(pino.line.status == 201)
        #expect(pino.user == "31")
        #expect(pino.ip == "10.0.0.2")
        guard case .failure(let f) = parse(#"{"time":"2026-11-20T14:03:12Z","method":"GET","url":"/x","status":200,"ip":"#, .json) else { Issue.record("a cut JSON line parsed"); return }
        #expect(f.reason.contains("truncated"))
    }
}
