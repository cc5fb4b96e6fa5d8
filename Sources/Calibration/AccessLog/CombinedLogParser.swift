/// Parses the Apache/morgan "combined" format, with an optional trailing response time.
///
/// morgan's `combined` is `:remote-addr - :remote-user [:date[clf]] ":method :url HTTP/:http-version"
/// :status :res[content-length] ":referrer" ":user-agent"`; apps that measure latency append
/// ` :response-time` (milliseconds, sometimes followed by ` ms`). The remote-user field is where
/// apps that log a user id put it; `-` means none. `:date[clf]` has one-second resolution and is
/// taken when the response finished.
public enum CombinedLogParser {
    static let months: [UInt32: Int] = {
        var m: [UInt32: Int] = [:]
        for (i, name) in ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].enumerated() {
            let b = Array(name.utf8)
            m[UInt32(b[0]) << 16 | UInt32(b[1]) << 8 | UInt32(b[2])] = i + 1
        }
        return m
    }()

    public static func parse(_ s: UnsafeBufferPointer<UInt8>) -> Result<AccessLogLine, LineParseFailure> {
        var r = AccessLogLine()
        var i = 0
        let n = s.count
        func fail(_ reason: String) -> Result<AccessLogLine, LineParseFailure> { .failure(LineParseFailure(column: min(i, n) + 1, reason: reason)) }
        func skipSpaces() { while i < n && s[i] == 32 { i += 1 } }
        /// The next space-delimited field.
        func field() -> Range<Int>? {
            let start = i
            while i < n && s[i] != 32 { i += 1 }
            return i > start ? start..<i : nil
        }
        guard let ip = field() else { return fail("expected the client address") }
        r.ip = ip
        skipSpaces()
        guard field() != nil else { return fail("expected the identity field ('-')") }
        skipSpaces()
        // The user may in principle hold spaces only if quoted; morgan writes it raw.
        guard i < n, s[i] != 91 else { return fail("expected the user field ('-' or an id) before the date") }
        guard let user = field() else { return fail("expected the user field") }
        if !(user.count == 1 && s[user.lowerBound] == 45) { r.user = user }
        skipSpaces()
        guard i < n, s[i] == 91 else { return fail("expected '[' and the date") }
        i += 1
        guard let t = clfDate(s, &i) else { return fail("expected a date like [20/Nov/2026:14:03:12 +0000]") }
        r.loggedAt = t
        guard i < n, s[i] == 93 else { return fail("expected ']' after the date") }
        i += 1
        skipSpaces()
        guard i < n, s[i] == 34 else { return fail("expected the quoted request line") }
        i += 1
        let requestStart = i
        while i < n && s[i] != 34 { if s[i] == 92 { i += 1 }; i += 1 }
        guard i < n else { return fail("the request line is not closed by a quote (truncated line?)") }
        let requestEnd = i
        i += 1
        // "METHOD TARGET HTTP/x.y"
        var j = requestStart
        while j < requestEnd && s[j] != 32 { j += 1 }
        r.method = requestStart..<j
        guard j < requestEnd, r.method.count > 0 else { return .failure(LineParseFailure(column: requestStart + 1, reason: "the request line has no method and path")) }
        j += 1
        let targetStart = j
        while j < requestEnd && s[j] != 32 { j += 1 }
        r.target = targetStart..<j
        guard r.target.count > 0 else { return .failure(LineParseFailure(column: targetStart + 1, reason: "the request line has no path")) }
        skipSpaces()
        guard let statusRange = field(), statusRange.count == 3 else { return fail("expected a three-digit status") }
        var status = 0
        for k in statusRange {
            guard s[k] >= 48 && s[k] <= 57 else { return .failure(LineParseFailure(column: statusRange.lowerBound + 1, reason: "the status is not a number")) }
            status = status * 10 + Int(s[k] - 48)
        }
        r.status = status
        skipSpaces()
        guard field() != nil else { return fail("expected the response size") }
        skipSpaces()
        // Referrer and user agent, each quoted (escapes allowed).
        for what in ["referrer", "user agent"] {
            guard i < n, s[i] == 34 else { return fail("expected the quoted \(what)") }
            i += 1
            while i < n && s[i] != 34 { if s[i] == 92 { i += 1 }; i += 1 }
            guard i < n else { return fail("the \(what) is not closed by a quote (truncated line?)") }
            i += 1
            skipSpaces()
        }
        // Optional response time (`12.345`, `12.345 ms`, or `-` when none was measured).
        if i < n {
            if s[i] == 45 && (i + 1 == n || s[i + 1] == 32) {
                i += 1
            } else {
                let at = i
                guard let ms = Bytes.number(s, &i), ms >= 0 else {
                    return .failure(LineParseFailure(column: at + 1, reason: "unexpected text after the user agent (expected a response time in ms)"))
                }
                r.responseTimeMs = ms
                skipSpaces()
                if i + 1 < n, s[i] == 109, s[i + 1] == 115 { i += 2 }
            }
            skipSpaces()
            guard i == n else { return fail("unexpected text at the end of the line") }
        }
        return .success(r)
    }

    /// `20/Nov/2026:14:03:12 +0000` at `i` (after the `[`), in seconds since 1970 UTC.
    static func clfDate(_ s: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Double? {
        guard i + 26 <= s.count else { return nil }
        func digits(_ at: Int, _ count: Int) -> Int? { AccessLogLine.digits(s, at, count) }
        let p = i
        guard let day = digits(p, 2), s[p + 2] == 47,
              let month = months[UInt32(s[p + 3]) << 16 | UInt32(s[p + 4]) << 8 | UInt32(s[p + 5])], s[p + 6] == 47,
              let year = digits(p + 7, 4), s[p + 11] == 58,
              let hour = digits(p + 12, 2), s[p + 14] == 58,
              let minute = digits(p + 15, 2), s[p + 17] == 58,
              let second = digits(p + 18, 2), s[p + 20] == 32,
              s[p + 21] == 43 || s[p + 21] == 45,
              let zh = digits(p + 22, 2), let zm = digits(p + 24, 2),
              (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        let offset = (zh * 3600 + zm * 60) * (s[p + 21] == 45 ? -1 : 1)
        i = p + 26
        let days = Bytes.daysFromCivil(year, month, day)
        return Double(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
    }
}
