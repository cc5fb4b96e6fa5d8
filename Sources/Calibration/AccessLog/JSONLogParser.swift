/// Parses one JSON object per line, as structured loggers write them, reading only the fields a
/// calibration needs. Keys are looked for at the top level and one level down in `req`,
/// `request`, `res` and `response` (pino-http's layout); the first match in this order wins:
///
/// | field | keys |
/// |---|---|
/// | time (response finished) | `time`, `timestamp`, `@timestamp`, `ts`, `date` — ISO 8601 text, or a number of seconds (milliseconds when above 1e11) since 1970 |
/// | method | `method` |
/// | path and query | `url`, `originalUrl`, `path`, `uri` |
/// | status | `status`, `statusCode`, `status_code` |
/// | response time, ms | `responseTime`, `responseTimeMs`, `response_time`, `response_time_ms`, `response-time`, `duration_ms`, `elapsed_ms`, `latency_ms` |
/// | user id (optional) | `userId`, `user_id`, `uid`, `user` (text or number) |
/// | client IP | `ip`, `remoteAddress`, `remoteAddr`, `remote_addr`, `remote-addr`, `clientIp`, `client_ip` |
///
/// Written by hand rather than with `JSONSerialization`: a log of millions of lines must be read
/// without building a dictionary per line (this scanner allocates nothing). Text values with
/// escapes are used as written (they are only hashed and compared).
public enum JSONLogParser {
    enum Field: Int, CaseIterable { case time, method, target, status, responseTime, user, ip }

    static let keys: [(Field, [UInt8])] = {
        let table: [(Field, [String])] = [
            (.time, ["time", "timestamp", "@timestamp", "ts", "date"]),
            (.method, ["method"]),
            (.target, ["url", "originalUrl", "path", "uri"]),
            (.status, ["status", "statusCode", "status_code"]),
            (.responseTime, ["responseTime", "responseTimeMs", "response_time", "response_time_ms", "response-time", "duration_ms", "elapsed_ms", "latency_ms"]),
            (.user, ["userId", "user_id", "uid", "user"]),
            (.ip, ["ip", "remoteAddress", "remoteAddr", "remote_addr", "remote-addr", "clientIp", "client_ip"]),
        ]
        return table.flatMap { f, names in names.map { (f, Array($0.utf8)) } }
    }()
    static let nested: [[UInt8]] = ["req", "request", "res", "response"].map { Array($0.utf8) }

    enum Value { case string(Range<Int>), number(Double, Range<Int>), other }

    public static func parse(_ s: UnsafeBufferPointer<UInt8>) -> Result<AccessLogLine, LineParseFailure> {
        var found = [Value?](repeating: nil, count: Field.allCases.count)
        var i = 0
        do {
            try skipSpace(s, &i)
            guard i < s.count, s[i] == 123 else { throw LineParseFailure(column: i + 1, reason: "expected a JSON object ('{')") }
            try object(s, &i, depth: 0, &found)
            try skipSpace(s, &i)
            guard i == s.count else { throw LineParseFailure(column: i + 1, reason: "unexpected text after the JSON object") }
        } catch let f as LineParseFailure {
            return .failure(f)
        } catch {
            return .failure(LineParseFailure(column: 1, reason: "\(error)"))
        }
        var r = AccessLogLine()
        func missing(_ what: String) -> Result<AccessLogLine, LineParseFailure> {
            .failure(LineParseFailure(column: 1, reason: "no \(what) field (looked for \(keyList(what)))"))
        }
        switch found[Field.time.rawValue] {
        case .string(let range)?:
            guard let t = isoTime(s, range) else { return .failure(LineParseFailure(column: range.lowerBound + 1, reason: "the time is not ISO 8601 (2026-11-20T14:03:12.345Z)")) }
            r.loggedAt = t
        case .number(let x, _)?: r.loggedAt = x > 1e11 ? x / 1000 : x
        default: return missing("time")
        }
        guard case .string(let method)? = found[Field.method.rawValue] else { return missing("method") }
        r.method = method
        guard case .string(let target)? = found[Field.target.rawValue] else { return missing("url") }
        r.target = target
        switch found[Field.status.rawValue] {
        case .number(let x, _)? where x >= 100 && x < 600: r.status = Int(x)
        case .string(let range)?:
            var k = range.lowerBound
            guard let x = Bytes.number(s, &k), k == range.upperBound, x >= 100, x < 600 else { return missing("status") }
            r.status = Int(x)
        default: return missing("status")
        }
        switch found[Field.responseTime.rawValue] {
        case .number(let x, _)? where x >= 0: r.responseTimeMs = x
        case .string(let range)?:
            var k = range.lowerBound
            if let x = Bytes.number(s, &k), x >= 0 { r.responseTimeMs = x }
        default: break
        }
        switch found[Field.user.rawValue] {
        case .string(let range)? where !range.isEmpty && !(range.count == 1 && s[range.lowerBound] == 45): r.user = range
        case .number(_, let range)?: r.user = range  // a numeric id: its digits as written
        default: break
        }
        guard case .string(let ip)? = found[Field.ip.rawValue] else { return missing("client IP") }
        r.ip = ip
        return .success(r)
    }

    static func keyList(_ what: String) -> String {
        let field: Field
        switch what {
        case "time": field = .time
        case "method": field = .method
        case "url": field = .target
        case "status": field = .status
        default: field = .ip
        }
        return keys.filter { $0.0 == field }.map { String(decoding: $0.1, as: UTF8.self) }.joined(separator: ", ")
    }

    static func skipSpace(_ s: UnsafeBufferPointer<UInt8>, _ i: inout Int) throws {
        while i < s.count, s[i] == 32 || s[i] == 9 || s[i] == 10 || s[i] == 13 { i += 1 }
    }

    static func object(_ s: UnsafeBufferPointer<UInt8>, _ i: inout Int, depth: Int, _ found: inout [Value?]) throws {
        i += 1  // '{'
        try skipSpace(s, &i)
        if i < s.count, s[i] == 125 { i += 1; return }
        while true {
            try skipSpace(s, &i)
            guard i < s.count, s[i] == 34 else { throw LineParseFailure(column: i + 1, reason: i < s.count ? "expected a quoted key" : "the line ends inside the JSON object (truncated line?)") }
            let key = try string(s, &i)
            try skipSpace(s, &i)
            guard i < s.count, s[i] == 58 else { throw LineParseFailure(column: i + 1, reason: "expected ':' after a key") }
            i += 1
            try skipSpace(s, &i)
            guard i < s.count else { throw LineParseFailure(column: i + 1, reason: "the line ends before a value (truncated line?)") }
            let field = depth <= 1 ? match(s, key) : nil
            if s[i] == 123 {
                if depth == 0 && nested.contains(where: { equal(s, key, $0) }) {
                    try object(s, &i, depth: 1, &found)
                } else {
                    try skipValue(s, &i)
                }
            } else {
                let v = try value(s, &i)
                if let field, found[field.rawValue] == nil { found[field.rawValue] = v }
            }
            try skipSpace(s, &i)
            guard i < s.count else { throw LineParseFailure(column: i + 1, reason: "the line ends inside the JSON object (truncated line?)") }
            if s[i] == 44 { i += 1; continue }
            if s[i] == 125 { i += 1; return }
            throw LineParseFailure(column: i + 1, reason: "expected ',' or '}'")
        }
    }

    static func match(_ s: UnsafeBufferPointer<UInt8>, _ key: Range<Int>) -> Field? {
        for (f, name) in keys where equal(s, key, name) { return f }
        return nil
    }

    @inline(__always)
    static func equal(_ s: UnsafeBufferPointer<UInt8>, _ r: Range<Int>, _ b: [UInt8]) -> Bool {
        guard r.count == b.count else { return false }
        var k = 0
        for i in r { if s[i] != b[k] { return false }; k += 1 }
        return true
    }

    /// A string at `i` (on its opening quote); returns the range inside the quotes.
    static func string(_ s: UnsafeBufferPointer<UInt8>, _ i: inout Int) throws -> Range<Int> {
        let start = i + 1
        var j = start
        while j < s.count && s[j] != 34 {
            if s[j] == 92 { j += 1 }
            j += 1
        }
        guard j < s.count else { throw LineParseFailure(column: start, reason: "a string is not closed (truncated line?)") }
        i = j + 1
        return start..<j
    }

    static func value(_ s: UnsafeBufferPointer<UInt8>, _ i: inout Int) throws -> Value {
        switch s[i] {
        case 34: return .string(try string(s, &i))
        case 91, 123: try skipValue(s, &i); return .other
        case 116, 102, 110:  // true, false, null
            while i < s.count, s[i] >= 97, s[i] <= 122 { i += 1 }
            return .other
        default:
            let at = i
            guard let x = Bytes.number(s, &i) else { throw LineParseFailure(column: at + 1, reason: "expected a JSON value") }
            return .number(x, at..<i)
        }
    }

    /// Skips a value of any kind, nested objects and arrays included.
    static func skipValue(_ s: UnsafeBufferPointer<UInt8>, _ i: inout Int) throws {
        var depth = 0
        repeat {
            guard i < s.count else { throw LineParseFailure(column: i + 1, reason: "the line ends inside a JSON value (truncated line?)") }
            switch s[i] {
            case 34: _ = try string(s, &i); continue
            case 91, 123: depth += 1
            case 93, 125: depth -= 1
            default:
                if depth == 0 { _ = try value(s, &i); return }
            }
            i += 1
        } while depth > 0
    }

    /// `2026-11-20T14:03:12.345Z`, `2026-11-20 14:03:12+01:00`, ... in seconds since 1970 UTC.
    static func isoTime(_ s: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Double? {
        let p = r.lowerBound
        guard r.count >= 19 else { return nil }
        func digits(_ at: Int, _ count: Int) -> Int? { AccessLogLine.digits(s, at, count) }
        guard let y = digits(p, 4), s[p + 4] == 45, let mo = digits(p + 5, 2), s[p + 7] == 45, let d = digits(p + 8, 2),
              s[p + 10] == 84 || s[p + 10] == 32, let h = digits(p + 11, 2), s[p + 13] == 58, let mi = digits(p + 14, 2),
              s[p + 16] == 58, let sec = digits(p + 17, 2), (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, sec < 61 else { return nil }
        var t = Double(Bytes.daysFromCivil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec)
        var k = p + 19
        if k < r.upperBound, s[k] == 46 {
            k += 1
            var scale = 0.1
            while k < r.upperBound, s[k] >= 48, s[k] <= 57 { t += Double(s[k] - 48) * scale; scale *= 0.1; k += 1 }
        }
        if k < r.upperBound {
            if s[k] == 90 { k += 1 } else if s[k] == 43 || s[k] == 45, k + 6 <= r.upperBound, let zh = digits(k + 1, 2), s[k + 3] == 58, let zm = digits(k + 4, 2) {
                t -= Double((zh * 3600 + zm * 60) * (s[k] == 45 ? -1 : 1))
                k += 6
            } else { return nil }
        }
        return k == r.upperBound ? t : nil
    }
}
