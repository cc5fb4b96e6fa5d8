/// What two streaming passes over access logs saw: counts by hour, stream and endpoint, per-user
/// figures, sessions, gaps, statuses, latencies, page sizes, and the lines that did not parse.
/// The estimators (``TrafficEstimates``) work from this alone.
public struct AccessLogObservations: Sendable {
    public struct File: Sendable, Equatable {
        public var path: String
        public var format: AccessLogFormat
        public var lines: Int
        public var bytes: Int
    }

    public internal(set) var files: [File] = []
    public internal(set) var unparsed = UnparsedLines()
    /// Lines logged more than a minute before the latest time already seen.
    public internal(set) var outOfOrder = 0
    public internal(set) var largestStepBack = 0.0
    public internal(set) var largestStepBackAt: (file: String, line: Int)?
    /// Lines that parsed, and of those the blank ones skipped.
    public internal(set) var parsedLines = 0
    public internal(set) var blankLines = 0

    /// First and last arrival (seconds since 1970, UTC).
    public internal(set) var firstArrival = Double.infinity
    public internal(set) var lastArrival = -Double.infinity
    /// Whether every logged time was a whole second (the combined format's resolution).
    public internal(set) var wholeSecondTimes = true

    // Counts by stream.
    var sessionRequests = 0
    var sessionRequestsWithoutUser: [Int]       // by authenticated-mix position
    var unauthenticated: [Int]                  // by unauthenticated-mix position
    var webhooks = 0, health = 0, staticAssets = 0, refreshes = 0
    var otherWithUser: [Int: Int] = [:]         // endpoint -> count
    var otherWithoutUser: [Int: Int] = [:]
    public internal(set) var unknownRoutes: [String: Int] = [:]
    public internal(set) var unknownRouteLines = 0

    /// Hourly counts (hour of day, UTC) of the user-less streams that the diurnal profile covers.
    var cellHours: [Int]                        // 24: unauthenticated, webhooks, user-less session calls
    /// Static assets by hour: they come with page views, so they move with the session stream.
    var staticHours: [Int]
    /// Requests per minute (minute since 1970) of everything but health checks.
    var perMinute: [Int: Int] = [:]
    /// Requests per minute and endpoint, for demand estimation (only when asked for).
    var perMinuteEndpoint: [Int: [Int32]]? = nil

    /// Gaps between a user's consecutive session requests: log-binned histogram.
    var gaps = GapHistogram()

    // Status and latency by endpoint.
    var requestsByEndpoint: [Int]
    var rateLimitedByEndpoint: [Int]
    var serverErrorsByEndpoint: [Int]
    var latency: [LatencySketch]
    /// Page sizes asked for per endpoint (rounded), and list requests without one.
    var limits: [[Int: Int]]
    var limitMissing: [Int]

    /// Distinct IPs of user-less unauthenticated requests (hashed).
    var unauthenticatedIPs = Set<UInt64>()

    var users: UserTable

    // Pass 2 (whole days only).
    /// Complete UTC days (days since 1970) the log covers.
    public internal(set) var completeDays: ClosedRange<Int>?
    var dayUnauthenticated = 0, dayWebhooks = 0, dayStatic = 0, daySessionWithoutUser = 0
    var pageViews = 0

    /// Thresholds chosen from the gaps: page burst (delta) and session gap (tau), seconds.
    public internal(set) var pageGap = 1.0
    public internal(set) var sessionGap = Double.nan
    public internal(set) var sessionGapNote = ""

    init(endpoints: Int, authenticatedMix: Int, unauthenticatedMix: Int) {
        sessionRequestsWithoutUser = Array(repeating: 0, count: authenticatedMix)
        unauthenticated = Array(repeating: 0, count: unauthenticatedMix)
        cellHours = Array(repeating: 0, count: 24)
        staticHours = cellHours
        requestsByEndpoint = Array(repeating: 0, count: endpoints)
        rateLimitedByEndpoint = requestsByEndpoint
        serverErrorsByEndpoint = requestsByEndpoint
        latency = Array(repeating: LatencySketch(), count: endpoints)
        limits = Array(repeating: [:], count: endpoints)
        limitMissing = requestsByEndpoint
        users = UserTable(mixSize: authenticatedMix)
    }

    /// Seconds of each hour of the day (UTC) between the first and last arrival.
    public var hourExposure: [Double] {
        var exposure = [Double](repeating: 0, count: 24)
        guard firstArrival < lastArrival else { return exposure }
        var t = firstArrival
        while t < lastArrival {
            let hourStart = (t / 3600).rounded(.down) * 3600
            let end = Swift.min(lastArrival, hourStart + 3600)
            let hour = ((Int(hourStart / 3600) % 24) + 24) % 24
            exposure[hour] += end - t
            t = end
        }
        return exposure
    }

    public var spanSeconds: Double { lastArrival > firstArrival ? lastArrival - firstArrival : 0 }
    public var dayCount: Int { completeDays.map { $0.count } ?? 0 }
}

/// Log-binned counts of gaps (seconds) from 1 ms to about 11.6 days, 20 bins per decade; gaps
/// under 1 ms in bin 0.
struct GapHistogram: Sendable {
    static let binsPerDecade = 20.0
    static let lowest = -3.0
    static let count = 180
    var counts = [Int](repeating: 0, count: GapHistogram.count)
    var zeros = 0

    mutating func add(_ gap: Double) {
        guard gap > 1e-3 else { zeros += 1; return }
        let b = Int(((log10(gap) - Self.lowest) * Self.binsPerDecade).rounded(.down))
        counts[Swift.min(Self.count - 1, Swift.max(0, b))] += 1
    }

    /// The lower edge of bin b, in seconds.
    static func edge(_ b: Int) -> Double { pow(10, lowest + Double(b) / binsPerDecade) }
    /// log10 of the middle of bin b.
    static func center(_ b: Int) -> Double { lowest + (Double(b) + 0.5) / binsPerDecade }
}

/// Quantiles of response times within 1%: counts in buckets growing by 1% from 0.01 ms.
struct LatencySketch: Sendable {
    static let base = 0.01
    static let growth = log(1.01)
    var buckets: [UInt32] = []
    var count = 0

    mutating func add(_ ms: Double) {
        guard ms.isFinite, ms >= 0 else { return }
        let b = ms <= Self.base ? 0 : Swift.min(2500, Int((log(ms / Self.base) / Self.growth).rounded(.down)) + 1)
        if buckets.count <= b { buckets.append(contentsOf: repeatElement(0, count: b + 1 - buckets.count)) }
        buckets[b] &+= 1
        count += 1
    }

    /// The q-quantile (0-1) in ms, the middle of its bucket; nil when empty.
    func quantile(_ q: Double) -> Double? {
        guard count > 0 else { return nil }
        let target = Swift.max(1, Int((q * Double(count)).rounded(.up)))
        var seen = 0
        for (b, c) in buckets.enumerated() {
            seen += Int(c)
            if seen >= target { return b == 0 ? Self.base : Self.base * exp((Double(b) - 0.5) * Self.growth) }
        }
        return nil
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
