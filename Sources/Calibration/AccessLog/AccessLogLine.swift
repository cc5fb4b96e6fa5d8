/// The access-log formats `calibrate` reads (and `run --write-access-log` writes).
public enum AccessLogFormat: String, Sendable, CaseIterable {
    /// Apache/morgan "combined", optionally followed by the response time in milliseconds
    /// (morgan's `:response-time`, with or without ` ms`):
    /// `IP - USER [20/Nov/2026:14:03:12 +0000] "GET /path HTTP/1.1" 200 1234 "REFERRER" "AGENT" 12.345`.
    case combined
    /// One JSON object per line (pino-http, morgan-json and most structured loggers); the keys
    /// read are listed in ``JSONLogParser``.
    case json

    /// The format of a log from its first non-blank line: `{` starts JSON, anything else is
    /// taken for combined.
    public static func detect(firstLine: UnsafeBufferPointer<UInt8>) -> AccessLogFormat {
        for b in firstLine where b != 32 && b != 9 { return b == UInt8(ascii: "{") ? .json : .combined }
        return .combined
    }
}

/// One parsed access-log line. Text fields are byte ranges into the line (valid only while the
/// line's bytes are), so that parsing allocates nothing.
public struct AccessLogLine {
    /// When the line was logged, in seconds since 1970 (UTC). Express loggers log when the
    /// response finishes, so the request arrived `responseTimeMs` earlier.
    public var loggedAt: Double = 0
    /// Milliseconds from arrival to response; NaN when the line has none.
    public var responseTimeMs: Double = .nan
    public var status: Int = 0
    public var method: Range<Int> = 0..<0
    /// Path and query, as in the request line.
    public var target: Range<Int> = 0..<0
    /// The user id; nil when the line has none (`-`, absent or null).
    public var user: Range<Int>?
    public var ip: Range<Int> = 0..<0
    /// True when a JSON string field held escapes; its range then covers the raw escaped text
    /// (the estimators only hash and compare these fields, so raw text is good enough).
    public init() {}

    /// When the request arrived: the logged time less the response time when it is known.
    public var arrival: Double { responseTimeMs.isNaN ? loggedAt : loggedAt - responseTimeMs / 1000 }
}

/// Why a line did not parse, and where.
public struct LineParseFailure: Error {
    public var column: Int
    public var reason: String
    public init(column: Int, reason: String) { self.column = column; self.reason = reason }
}

// MARK: - Small byte helpers

@usableFromInline
enum Bytes {
    /// FNV-1a over a byte range: a stable 64-bit key for user ids and IPs (collisions among a
    /// few million keys have a probability under 1e-6).
    @inline(__always)
    static func hash(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, seed: UInt64 = 0xCBF2_9CE4_8422_2325) -> UInt64 {
        var h = seed
        for i in range {
            h ^= UInt64(line[i])
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }

    static func string(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: line[range]), as: UTF8.self)
    }

    /// A decimal number (optional sign, fraction, exponent) at `i`; advances `i` past it.
    static func number(_ line: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Double? {
        let start = i
        var j = i
        if j < line.count && (line[j] == 45 || line[j] == 43) { j += 1 }
        var intPart: Double = 0
        var digits = 0
        while j < line.count, line[j] >= 48, line[j] <= 57 {
            intPart = intPart * 10 + Double(line[j] - 48)
            j += 1; digits += 1
        }
        var value = intPart
        if j < line.count && line[j] == 46 {
            j += 1
            var scale = 0.1
            while j < line.count, line[j] >= 48, line[j] <= 57 {
                value += Double(line[j] - 48) * scale
                scale *= 0.1
                j += 1; digits += 1
            }
        }
        guard digits > 0 else { return nil }
        if j < line.count && (line[j] == 101 || line[j] == 69) {
            var k = j + 1
            var negative = false
            if k < line.count && (line[k] == 45 || line[k] == 43) { negative = line[k] == 45; k += 1 }
            var e = 0
            var expDigits = 0
            while k < line.count, line[k] >= 48, line[k] <= 57, e < 400 { e = e * 10 + Int(line[k] - 48); k += 1; expDigits += 1 }
            if expDigits > 0 {
                value *= pow10(negative ? -e : e)
                j = k
            }
        }
        if line[start] == 45 { value = -value }
        i = j
        return value
    }

    static func pow10(_ e: Int) -> Double {
        var r = 1.0
        var b = 10.0
        var n = abs(e)
        while n > 0 { if n & 1 == 1 { r *= b }; b *= b; n >>= 1 }
        return e < 0 ? 1 / r : r
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date of a day count since 1970-01-01 (`civil_from_days`).
    static func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        return (m <= 2 ? y + 1 : y, m, d)
    }

    /// `2026-11-20T14:03:12Z` (seconds shown only when not whole... always shown).
    static func isoTime(_ t: Double) -> String {
        let seconds = Int((t).rounded(.down))
        let day = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let rest = seconds - day * 86_400
        let (y, m, d) = civilFromDays(day)
        func two(_ x: Int) -> String { x < 10 ? "0\(x)" : "\(x)" }
        return "\(y)-\(two(m))-\(two(d))T\(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60))Z"
    }
}

extension AccessLogLine {
    /// The decimal number written by the `count` ASCII digits at `at` (nil when one is not a
    /// digit): the parsers' timestamp fields.
    @inline(__always)
    static func digits(_ s: UnsafeBufferPointer<UInt8>, _ at: Int, _ count: Int) -> Int? {
        var v = 0
        for k in at..<(at + count) {
            guard s[k] >= 48 && s[k] <= 57 else { return nil }
            v = v * 10 + Int(s[k] - 48)
        }
        return v
    }
}
