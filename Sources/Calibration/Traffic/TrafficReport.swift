import PlatformModel

/// What an access log shows that is not a model parameter but frames one: volumes, the
/// busiest minute against its hour, statuses and latencies by endpoint, routes the table did
/// not know, lines that did not parse.
public struct TrafficReport: Sendable {
    public struct EndpointRow: Sendable, Equatable {
        public var endpoint: String
        public var requests: Int
        public var rateLimited: Int
        public var serverErrors: Int
        /// Observed response times, ms (nil without response times in the log).
        public var p50: Double?
        public var p95: Double?
        public var p99: Double?
    }

    public var files: [AccessLogObservations.File]
    public var parsedLines: Int
    public var unparsed: UnparsedLines
    public var outOfOrder: Int
    public var firstArrival: Double
    public var lastArrival: Double
    public var wholeDays: Int
    public var users: Int
    public var seenUsersPerDay: Double?
    public var activePoolPerDay: Double?
    public var sessionRequests: Int
    public var unauthenticatedRequests: Int
    public var webhooks: Int
    public var healthChecks: Int
    public var staticAssets: Int
    public var refreshes: Int
    public var otherRequests: Int
    public var pageGap: Double
    public var sessionGap: Double
    public var sessionGapNote: String
    public var mergedSessionShare: Double?
    /// The busiest minute: its start, requests, and the mean requests per minute of its hour.
    public var busiestMinute: (start: Double, requests: Int, hourMean: Double)?
    /// The busiest hour: its start and requests.
    public var busiestHour: (start: Double, requests: Int)?
    /// Variance over mean of the per-minute counts in the busiest hour (1 for Poisson arrivals).
    public var minuteDispersion: Double?
    public var endpoints: [EndpointRow]
    public var unknownRoutes: [(route: String, requests: Int)]
    public var unknownRouteLines: Int

    init(_ o: AccessLogObservations, model: PlatformModel, point: TrafficFigures) {
        files = o.files
        parsedLines = o.parsedLines
        unparsed = o.unparsed
        outOfOrder = o.outOfOrder
        firstArrival = o.firstArrival
        lastArrival = o.lastArrival
        wholeDays = o.dayCount
        users = o.users.count
        seenUsersPerDay = point.seenUsers
        activePoolPerDay = point.activePool
        sessionRequests = o.sessionRequests + o.sessionRequestsWithoutUser.reduce(0, +)
        unauthenticatedRequests = o.unauthenticated.reduce(0, +)
        webhooks = o.webhooks
        healthChecks = o.health
        staticAssets = o.staticAssets
        refreshes = o.refreshes
        otherRequests = o.otherWithUser.values.reduce(0, +) + o.otherWithoutUser.values.reduce(0, +)
        pageGap = o.pageGap
        sessionGap = o.sessionGap
        sessionGapNote = o.sessionGapNote
        mergedSessionShare = point.mergedShare
        // The busiest hour and minute.
        var hours: [Int: Int] = [:]
        for (m, c) in o.perMinute { hours[m >= 0 ? m / 60 : (m - 59) / 60, default: 0] += c }
        // Against its hour only when the log covers that hour whole.
        let covered = { (h: Int) in o.firstArrival <= Double(h) * 3600 + 60 && o.lastArrival >= Double(h + 1) * 3600 - 60 }
        if let top = hours.filter({ covered($0.key) }).max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }) {
            busiestHour = (Double(top.key) * 3600, top.value)
            let minutes = (0..<60).map { o.perMinute[top.key * 60 + $0] ?? 0 }
            let mean = Double(top.value) / 60
            let variance = minutes.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / 59
            minuteDispersion = mean > 0 ? variance / mean : nil
        }
        if let top = o.perMinute.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }) {
            let hour = top.key >= 0 ? top.key / 60 : (top.key - 59) / 60
            busiestMinute = (Double(top.key) * 60, top.value, covered(hour) ? Double(hours[hour] ?? 0) / 60 : .nan)
        }
        endpoints = model.endpoints.enumerated().compactMap { e, endpoint in
            guard o.requestsByEndpoint[e] > 0 else { return nil }
            let l = o.latency[e]
            return EndpointRow(endpoint: endpoint.name, requests: o.requestsByEndpoint[e], rateLimited: o.rateLimitedByEndpoint[e],
                               serverErrors: o.serverErrorsByEndpoint[e], p50: l.quantile(0.5), p95: l.quantile(0.95), p99: l.quantile(0.99))
        }
        unknownRoutes = o.unknownRoutes.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.map { ($0.key, $0.value) }
        unknownRouteLines = o.unknownRouteLines
    }
}
