import ModelSchema
import PlatformModel

/// Reads access logs in two streaming passes, in constant memory per line (memory grows with
/// the distinct users and IPs only):
///
/// 1. every line is parsed, routed and counted (hours, streams, endpoints, statuses, latencies,
///    page sizes, IPs, per-user counts, the gaps between a user's requests);
/// 2. with the page and session gaps chosen from pass 1's gaps, each user's requests are cut
///    into page views and sessions, and whole UTC days are counted per user.
///
/// Files are read in the order given, as one log (rotated files oldest first).
public struct AccessLogAnalyzer {
    public let model: PlatformModel
    let routes: RouteTable
    let streams: TrafficStreams
    /// Whether to keep per-minute counts by endpoint (for demand estimation).
    public var keepMinuteEndpoints = false

    public init(model: PlatformModel, calibration: CalibrationSection) {
        self.model = model
        routes = RouteTable(calibration.routes, endpointNames: model.endpoints.map(\.name))
        streams = TrafficStreams(model: model)
    }

    /// A line that is out of order by more than this (seconds) is counted as the clock going back.
    static let orderTolerance = 60.0
    /// More out-of-order lines than this share means the logs are not in time order: an error.
    static let outOfOrderLimit = 0.01
    /// More unparsed lines than this share means the format is wrong: an error.
    static let unparsedLimit = 0.1
    /// Logged times outside these years are refused as garbled.
    static let earliest = Double(Bytes.daysFromCivil(2000, 1, 1) * 86_400)
    static let latest = Double(Bytes.daysFromCivil(2100, 1, 1) * 86_400)

    public func analyze(files: [String], format: AccessLogFormat?) throws -> AccessLogObservations {
        var o = AccessLogObservations(endpoints: model.endpoints.count, authenticatedMix: streams.authenticatedEndpoints.count,
                                      unauthenticatedMix: streams.unauthenticatedEndpoints.count)
        if keepMinuteEndpoints { o.perMinuteEndpoint = [:] }
        for path in files { try passOne(path, format: format, into: &o) }
        guard o.parsedLines > 0 else {
            let first = o.files.first?.path ?? ""
            throw CalibrationError(o.unparsed.count == 0 ? "the access log is empty" : "no line of the access log parses (\(describe(o.unparsed)))",
                                   file: first, line: o.unparsed.samples.first?.line ?? 0, column: o.unparsed.samples.first?.column ?? 0)
        }
        let total = o.parsedLines + o.unparsed.count
        if Double(o.unparsed.count) > Self.unparsedLimit * Double(total), let s = o.unparsed.samples.first {
            throw CalibrationError("\(o.unparsed.count) of \(total) lines do not parse as \(o.files.map(\.format.rawValue).joined(separator: "/")) access-log lines; the first: \(s.reason)",
                                   file: s.file, line: s.line, column: s.column)
        }
        if Double(o.outOfOrder) > Self.outOfOrderLimit * Double(o.parsedLines), let at = o.largestStepBackAt {
            throw CalibrationError("the log's clock goes back by up to \(Int(o.largestStepBack)) s on \(o.outOfOrder) lines (\(percent(Double(o.outOfOrder) / Double(o.parsedLines)))); give the files oldest first, or sort the log by time",
                                   file: at.file, line: at.line)
        }
        chooseGaps(&o)
        o.users.startSessions()
        // A UTC day counts when the log covers it whole, give or take a quarter of an hour at either end.
        let slack = 900.0
        let candidates = Int((o.firstArrival / 86_400).rounded(.down))...Int((o.lastArrival / 86_400).rounded(.down))
        let whole = candidates.filter { d in
            o.firstArrival <= Double(d) * 86_400 + slack && o.lastArrival >= Double(d + 1) * 86_400 - slack
        }
        o.completeDays = whole.isEmpty ? nil : whole.first!...whole.last!
        for path in files { try passTwo(path, format: o.files.first { $0.path == path }?.format ?? format ?? .combined, into: &o) }
        for u in 0..<o.users.count { closeSession(u, &o); o.users.closeDay(u) }
        return o
    }

    func describe(_ u: UnparsedLines) -> String {
        guard let s = u.samples.first else { return "" }
        return "the first, line \(s.line): \(s.reason)"
    }

    // MARK: Pass 1

    func passOne(_ path: String, format given: AccessLogFormat?, into o: inout AccessLogObservations) throws {
        var format = given
        var maxLogged = -Double.infinity
        let totals = try LineReader(path: path).forEachLine { line, number, truncated in
            if line.isEmpty || line.allSatisfy({ $0 == 32 || $0 == 9 }) { o.blankLines += 1; return }
            if format == nil { format = AccessLogFormat.detect(firstLine: line) }
            if truncated {
                o.unparsed.add(file: path, line: number, column: LineReader.maxLineBytes, reason: "longer than \(LineReader.maxLineBytes) bytes", text: Bytes.string(line, 0..<160))
                return
            }
            let parsed = format == .json ? JSONLogParser.parse(line) : CombinedLogParser.parse(line)
            let r: AccessLogLine
            switch parsed {
            case .failure(let f):
                o.unparsed.add(file: path, line: number, column: f.column, reason: f.reason, text: Bytes.string(line, 0..<line.count))
                return
            case .success(let x): r = x
            }
            guard r.loggedAt >= Self.earliest, r.loggedAt < Self.latest, r.responseTimeMs.isNaN || r.responseTimeMs < 86_400_000 else {
                o.unparsed.add(file: path, line: number, column: 1, reason: "the time is outside 2000-2100 or the response time over a day", text: Bytes.string(line, 0..<line.count))
                return
            }
            o.parsedLines += 1
            if r.loggedAt < maxLogged - Self.orderTolerance {
                o.outOfOrder += 1
                if maxLogged - r.loggedAt > o.largestStepBack {
                    o.largestStepBack = maxLogged - r.loggedAt
                    o.largestStepBackAt = (path, number)
                }
            }
            maxLogged = Swift.max(maxLogged, r.loggedAt)
            if o.wholeSecondTimes && r.loggedAt != r.loggedAt.rounded(.down) { o.wholeSecondTimes = false }
            let arrival = r.arrival
            o.firstArrival = Swift.min(o.firstArrival, arrival)
            o.lastArrival = Swift.max(o.lastArrival, arrival)

            guard let match = routes.match(line, method: r.method, target: r.target) else {
                o.unknownRouteLines += 1
                let shape = RouteTable.shape(line, method: r.method, target: r.target)
                if o.unknownRoutes[shape] != nil || o.unknownRoutes.count < 1000 {
                    o.unknownRoutes[shape, default: 0] += 1
                } else {
                    o.unknownRoutes["(other routes)", default: 0] += 1
                }
                o.perMinute[Int((arrival / 60).rounded(.down)), default: 0] += 1
                return
            }
            let e = match.endpoint
            o.requestsByEndpoint[e] += 1
            if r.status == 429 { o.rateLimitedByEndpoint[e] += 1 }
            if r.status >= 500 { o.serverErrorsByEndpoint[e] += 1 }
            if !r.responseTimeMs.isNaN { o.latency[e].add(r.responseTimeMs) }
            if streams.takesLimit[e] {
                if let limit = match.limit { o.limits[e][Int(limit.rounded()), default: 0] += 1 } else { o.limitMissing[e] += 1 }
            }
            let stream = streams.classify(e, hasUser: r.user != nil)
            if stream != .health {
                let minute = Int((arrival / 60).rounded(.down))
                o.perMinute[minute, default: 0] += 1
                if o.perMinuteEndpoint != nil {
                    o.perMinuteEndpoint![minute, default: [Int32](repeating: 0, count: model.endpoints.count)][e] += 1
                }
            }
            let hour = Self.hour(arrival)
            switch stream {
            case .session(let position):
                let ipKey = Bytes.hash(line, r.ip)
                let u = o.users.user(Bytes.hash(line, r.user!), ip: ipKey)
                o.sessionRequests += 1
                o.users.requests[u] &+= 1
                o.users.hourCounts[u * 24 + hour] &+= 1
                o.users.mixCounts[u * o.users.mixSize + position] &+= 1
                let last = o.users.lastArrival[u]
                if last > -Double.infinity { o.gaps.add(Swift.max(0, arrival - last)) }
                o.users.lastArrival[u] = Swift.max(last, arrival)
            case .sessionWithoutUser(let position):
                o.sessionRequestsWithoutUser[position] += 1
                o.cellHours[hour] += 1
            case .unauthenticated(let position):
                o.unauthenticated[position] += 1
                o.cellHours[hour] += 1
                o.unauthenticatedIPs.insert(Bytes.hash(line, r.ip))
            case .webhook:
                o.webhooks += 1
                o.cellHours[hour] += 1
            case .staticAsset:
                o.staticAssets += 1
                o.staticHours[hour] += 1
            case .refresh:
                o.refreshes += 1
            case .health:
                o.health += 1
            case .otherWithUser:
                o.otherWithUser[e, default: 0] += 1
            case .otherWithoutUser:
                o.otherWithoutUser[e, default: 0] += 1
            }
        }
        guard totals.bytes > 0 else { throw CalibrationError("the access log is empty", file: path) }
        o.files.append(.init(path: path, format: format ?? .combined, lines: totals.lines, bytes: totals.bytes))
    }

    static func hour(_ t: Double) -> Int { ((Int((t / 3600).rounded(.down)) % 24) + 24) % 24 }

    // MARK: Gaps

    /// Chooses the page gap from the log's time resolution and the session gap from the gaps'
    /// distribution: a two-component Gaussian mixture on log10(gap) over the gaps longer than a
    /// page burst, cut where the upper component becomes the likelier (Halfaker et al. 2015,
    /// "User session identification based on strong regularities in inter-activity time").
    func chooseGaps(_ o: inout AccessLogObservations) {
        // An SPA fires a page's calls within a second; a whole-second log blurs arrivals by up to two.
        o.pageGap = o.wholeSecondTimes ? 2 : 1
        let lowestBin = Int(((log10(o.pageGap) - GapHistogram.lowest) * GapHistogram.binsPerDecade).rounded(.up))
        var xs: [(x: Double, n: Double)] = []
        for b in lowestBin..<GapHistogram.count where o.gaps.counts[b] > 0 {
            xs.append((GapHistogram.center(b), Double(o.gaps.counts[b])))
        }
        let total = xs.reduce(0) { $0 + $1.n }
        guard total >= 50 else {
            o.sessionGapNote = "too few gaps between a user's page views (\(Int(total))) to tell sessions apart"
            return
        }
        guard let mixture = GaussianMixture2.fit(xs), let cut = mixture.crossing(),
              mixture.weight.1 >= 0.002, mixture.mean.1 - mixture.mean.0 >= 0.5 else {
            o.sessionGapNote = "the gaps between a user's page views show no separate mode of gaps between sessions"
            return
        }
        o.sessionGap = pow(10, cut)
        o.sessionGapNote = String(format: "gaps of %.0f s and more start a new session: a two-component mixture of log gaps, think times around %.0f s and gaps between sessions around %.0f s",
                                  o.sessionGap, pow(10, mixture.mean.0), pow(10, mixture.mean.1))
    }

    // MARK: Pass 2

    func passTwo(_ path: String, format: AccessLogFormat, into o: inout AccessLogObservations) throws {
        let delta = o.pageGap
        let tau = o.sessionGap.isNaN ? Double.infinity : o.sessionGap
        let days = o.completeDays
        try LineReader(path: path).forEachLine { line, _, truncated in
            if truncated || line.isEmpty { return }
            guard case .success(let r) = format == .json ? JSONLogParser.parse(line) : CombinedLogParser.parse(line),
                  r.loggedAt >= Self.earliest, r.loggedAt < Self.latest,
                  let match = routes.match(line, method: r.method, target: r.target) else { return }
            let arrival = r.arrival
            let day = Int((arrival / 86_400).rounded(.down))
            let inDays = days?.contains(day) ?? false
            switch streams.classify(match.endpoint, hasUser: r.user != nil) {
            case .session:
                guard let u = o.users.lookup(Bytes.hash(line, r.user!)) else { return }
                let last = o.users.lastArrival[u]
                let gap = arrival - last
                if last == -Double.infinity || gap >= tau {
                    if last > -Double.infinity { closeSession(u, &o) }
                    o.users.sessions[u] += 1
                    o.users.pages[u] += 1
                    o.users.sessionStart[u] = arrival
                } else if gap >= delta {
                    o.users.pages[u] += 1
                    o.users.thinkSum[u] += gap
                    o.users.thinkCount[u] += 1
                    if gap < 2 * delta { o.users.nearGaps1[u] += 1 } else if gap < 3 * delta { o.users.nearGaps2[u] += 1 }
                }
                o.users.lastArrival[u] = Swift.max(last, arrival)
                if inDays {
                    if o.users.day[u] != Int32(day) {
                        o.users.closeDay(u)
                        o.users.day[u] = Int32(day)
                    }
                    o.users.dayRequests[u] += 1
                    if day == days!.lowerBound { o.users.seenOnFirstDay[u] = true }
                }
            case .sessionWithoutUser: if inDays { o.daySessionWithoutUser += 1 }
            case .unauthenticated: if inDays { o.dayUnauthenticated += 1 }
            case .webhook: if inDays { o.dayWebhooks += 1 }
            case .staticAsset: if inDays { o.dayStatic += 1 }
            default: break
            }
        }
    }

    /// Ends the user's open session: its span plus the session gap is time in which a new session
    /// of the same user would have merged into it.
    func closeSession(_ u: Int, _ o: inout AccessLogObservations) {
        let start = o.users.sessionStart[u]
        guard !start.isNaN else { return }
        let tau = o.sessionGap.isNaN ? 0 : o.sessionGap
        o.users.blindTime[u] += o.users.lastArrival[u] - start + tau
        o.users.sessionStart[u] = .nan
    }
}

func percent(_ x: Double) -> String {
    if x == 0 { return "0%" }
    if x < 0.001 { return String(format: "%.3f%%", x * 100) }
    if x < 0.1 { return String(format: "%.2f%%", x * 100) }
    return String(format: "%.1f%%", x * 100)
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
