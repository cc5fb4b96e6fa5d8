import PlatformModel
import SimulationEngine

/// Turns access-log observations into model parameters with 95% intervals and joint draws.
///
/// Every figure is computed once from the data and again on ``Resampling/replicates`` Poisson
/// bootstrap replicates (users as clusters for the session stream; the user-less streams as
/// independent requests); the interval is the replicates' 2.5% to 97.5% range and the first
/// ``drawCount`` replicates are the joint draws. A figure the log cannot give is left as the
/// model has it, with the reason.
public struct TrafficCalibration {
    public static let drawCount = 50
    /// Fewer session-stream users than this and per-user figures are left alone.
    public static let minimumUsers = 30

    public var parameters: [CalibratedParameter] = []
    public var skipped: [SkippedParameter] = []
    public var report: TrafficReport

    public init(_ o: AccessLogObservations, model: PlatformModel, registeredUsers: Int?) {
        let family = ActivityFamily(model.traffic.activityWeight)
        let point = TrafficFigures.estimate(o, family: family, weights: .one)
        var replicates: [TrafficFigures] = []
        for b in 0..<Resampling.replicates {
            let box = RNGBox(Xoshiro256StarStar(seed: 0xCA11_B8A7 &+ UInt64(b)))
            replicates.append(TrafficFigures.estimate(o, family: family, weights: .init(
                user: { Resampling.weight(cluster: $0, replicate: b, salt: 0x05E7) },
                count: { Resampling.poisson($0, &box.rng) })))
        }
        report = TrafficReport(o, model: model, point: point)
        let source = Self.source(o)
        let t = model.traffic
        let names = model.endpoints.map(\.name)
        var out = Builder(source: source, replicates: replicates)

        // The diurnal profile.
        if let d = point.diurnal {
            out.list("traffic.diurnalWeights", values: d, samples: o.parsedLines - o.health, what: "requests") { $0.diurnal }
        } else {
            out.skip("traffic.diurnalWeights", "the log covers \(Self.hours(o.spanSeconds)) hours; every hour of the day must be covered in full")
        }
        // The endpoint mixes.
        if let m = point.authenticatedMix, o.users.count >= Self.minimumUsers {
            out.mix("traffic.authenticatedMix", names: t.authenticatedMix.map { names[$0.endpoint] }, values: m,
                    samples: o.sessionRequests, what: "session requests") { $0.authenticatedMix }
        } else {
            out.skip("traffic.authenticatedMix", "fewer than \(Self.minimumUsers) users with a user id in the log")
        }
        if let m = point.unauthenticatedMix, o.unauthenticated.reduce(0, +) >= 100 {
            out.mix("traffic.unauthenticatedMix", names: t.unauthenticatedMix.map { names[$0.endpoint] }, values: m,
                    samples: o.unauthenticated.reduce(0, +), what: "unauthenticated requests") { $0.unauthenticatedMix }
        } else {
            out.skip("traffic.unauthenticatedMix", "fewer than 100 unauthenticated requests (\(o.unauthenticated.reduce(0, +)))")
        }
        // Page views and sessions.
        let enoughUsers = o.users.count >= Self.minimumUsers
        if enoughUsers, let k = point.callsPerPage {
            let calls = Swift.max(1, Int(k.rounded()))
            let interval = out.interval { $0.callsPerPage }
            out.add(CalibratedParameter(keyPath: "traffic.apiCallsPerPageView", value: "\(calls)",
                                        comment: Self.comment(source, o.users.count, "users", interval.map { ($0.low, $0.high) }, note: "\(NumberText.significant(k, 3)) calls per page view, rounded")))
            let scale = k / Double(calls)
            if let l = point.pagesPerSession {
                out.scalar("traffic.pageViewsPerSession", l * scale, samples: o.users.sessions.reduce(0) { $0 + Int($1) }, what: "sessions",
                           note: "\(percent(point.mergedShare ?? 0)) of sessions restored from merges") { f in f.pagesPerSession.flatMap { l in f.callsPerPage.map { l * $0 / Double(calls) } } }
            } else {
                out.skip("traffic.pageViewsPerSession", o.sessionGapNote)
            }
            if let s = point.staticPerPage {
                out.scalar("traffic.staticAssetsPerPageView", s / scale, samples: o.staticAssets, what: "asset requests") { f in f.staticPerPage.flatMap { s in f.callsPerPage.map { s * Double(calls) / $0 } } }
            }
            if let m = point.thinkTime {
                out.distributionMean("traffic.thinkTimeS", t.thinkTime, m, samples: o.users.thinkCount.reduce(0) { $0 + Int($1) }, what: "think times") { $0.thinkTime }
            } else {
                out.skip("traffic.thinkTimeS", o.sessionGapNote)
            }
        } else {
            out.skip("traffic.apiCallsPerPageView", "fewer than \(Self.minimumUsers) users with a user id in the log")
        }
        // Whole days.
        if o.dayCount == 0 {
            for key in ["traffic.dailyActiveFraction", "traffic.sessionsPerActiveUserPerDay", "traffic.activityWeight",
                        "traffic.unauthenticatedRequestsPerUserPerDay", "traffic.webhooksPerUserPerDay"] {
                out.skip(key, "the log covers no whole UTC day (\(Bytes.isoTime(o.firstArrival)) to \(Bytes.isoTime(o.lastArrival)))")
            }
        } else if !enoughUsers || point.activePool == nil || point.pagesPerSession == nil {
            for key in ["traffic.dailyActiveFraction", "traffic.sessionsPerActiveUserPerDay", "traffic.activityWeight"] {
                out.skip(key, o.sessionGap.isNaN ? o.sessionGapNote : "too few users with a user id to estimate the active pool")
            }
        } else {
            let users = Int(o.users.activeDays.reduce(0) { $0 + Int($1) })
            // The model derives a user's requests from sessions x pages x (calls + polling calls) per page.
            let polling = t.pollingCallsPerPageView
            func sessions(_ f: TrafficFigures) -> Double? {
                guard let a = f.requestsPerActiveUser, let l = f.pagesPerSession, let k = f.callsPerPage else { return nil }
                let calls = Double(Swift.max(1, Int(k.rounded())))
                return a / (l * k + l * k / calls * polling)
            }
            out.scalar("traffic.sessionsPerActiveUserPerDay", sessions(point)!, samples: users, what: "user-days",
                       note: "per active user of the model's pool: \(NumberText.significant(point.requestsPerActiveUser!, 4)) session requests a day, \(NumberText.significant(Double(o.sessionRequests) / Swift.max(1, Double(users)), 4)) per user seen") { sessions($0) }
            out.distributionCV("traffic.activityWeight", t.activityWeight, point.activityCV!, family: family, samples: users, what: "user-days") { $0.activityCV }
            if let n = registeredUsers {
                let fraction = point.activePool! / Double(n)
                if fraction <= 1 {
                    out.scalar("traffic.dailyActiveFraction", fraction, samples: users, what: "user-days",
                               note: "pool of \(NumberText.significant(point.activePool!, 4)) a day behind \(NumberText.significant(point.seenUsers!, 4)) users seen, of \(n) registered") { f in f.activePool.map { $0 / Double(n) } }
                } else {
                    out.skip("traffic.dailyActiveFraction", "the log shows a pool of \(Int(point.activePool!)) active users a day, more than the \(n) registered users given")
                }
            }
        }
        if let n = registeredUsers, o.dayCount > 0 {
            if let u = point.unauthenticatedPerDay {
                out.scalar("traffic.unauthenticatedRequestsPerUserPerDay", u / Double(n), samples: o.dayUnauthenticated, what: "requests") { f in f.unauthenticatedPerDay.map { $0 / Double(n) } }
            }
            if let w = point.webhooksPerDay {
                out.scalar("traffic.webhooksPerUserPerDay", w / Double(n), samples: o.dayWebhooks, what: "deliveries") { f in f.webhooksPerDay.map { $0 / Double(n) } }
            }
        } else if registeredUsers == nil {
            for key in ["traffic.dailyActiveFraction", "traffic.unauthenticatedRequestsPerUserPerDay", "traffic.webhooksPerUserPerDay", "traffic.unauthenticatedIPsPerUser"] {
                out.skip(key, "needs --registered-users N (it is per registered user)")
            }
        }
        if let n = registeredUsers { Self.unauthenticatedIPs(o, registered: n, source: source, into: &out) }
        Self.offices(o, model: model, pool: point.activePool, source: source, into: &out)
        Self.pageSizes(o, model: model, source: source, into: &out)
        parameters = out.parameters
        skipped = out.skipped
    }

    final class RNGBox { var rng: Xoshiro256StarStar; init(_ r: Xoshiro256StarStar) { rng = r } }

    static func hours(_ s: Double) -> String { NumberText.significant(s / 3600, 3) }

    /// `access.log (2026-11-20T00:00:00Z to 2026-11-21T00:00:00Z)`.
    static func source(_ o: AccessLogObservations) -> String {
        let files = o.files.map(\.path).joined(separator: " + ")
        return "\(files) (\(Bytes.isoTime(o.firstArrival)) to \(Bytes.isoTime(o.lastArrival)))"
    }

    /// `measured: SOURCE, N WHAT, 95% interval LOW to HIGH[, NOTE]`.
    static func comment(_ source: String, _ samples: Int, _ what: String, _ interval: (Double, Double)?, note: String? = nil) -> String {
        var c = "measured: \(source), \(samples) \(what)"
        if let (lo, hi) = interval { c += ", 95% interval \(NumberText.significant(lo)) to \(NumberText.significant(hi))" }
        if let note, !note.isEmpty { c += "; \(note)" }
        return c
    }

    // MARK: Builder

    /// Collects parameters with their intervals from the replicates.
    struct Builder {
        let source: String
        let replicates: [TrafficFigures]
        var parameters: [CalibratedParameter] = []
        var skipped: [SkippedParameter] = []

        mutating func add(_ p: CalibratedParameter) { parameters.append(p) }
        mutating func skip(_ key: String, _ reason: String) {
            if !skipped.contains(where: { $0.keyPath == key }) && !parameters.contains(where: { $0.keyPath == key }) {
                skipped.append(SkippedParameter(keyPath: key, reason: reason))
            }
        }

        func values(_ f: (TrafficFigures) -> Double?) -> [Double] { replicates.map { f($0) ?? .nan } }
        func interval(_ f: (TrafficFigures) -> Double?) -> (low: Double, high: Double)? { Resampling.interval(values(f)) }
        func draws(_ f: (TrafficFigures) -> Double?) -> [Double] { Array(values(f).prefix(TrafficCalibration.drawCount)) }

        func measured(_ name: String, _ value: Double, samples: Int, _ f: (TrafficFigures) -> Double?) -> MeasuredValue? {
            guard let i = interval(f) else { return nil }
            let d = draws(f)
            guard d.allSatisfy(\.isFinite) else { return nil }
            return MeasuredValue(name: name, value: value, low: Swift.min(i.low, value), high: Swift.max(i.high, value), samples: samples,
                                 source: source, draws: d)
        }

        mutating func scalar(_ key: String, _ value: Double, samples: Int, what: String, note: String? = nil, _ f: (TrafficFigures) -> Double?) {
            let text = NumberText.significant(value, 4)
            let v = Double(text) ?? value
            let m = measured(key, v, samples: samples, f)
            add(CalibratedParameter(keyPath: key, value: text, comment: TrafficCalibration.comment(source, samples, what, m.map { ($0.low, $0.high) }, note: note),
                                    measurements: m.map { [$0] } ?? []))
        }

        mutating func list(_ key: String, values: [Double], samples: Int, what: String, _ f: @escaping (TrafficFigures) -> [Double]?) {
            var ms: [MeasuredValue] = []
            var texts: [String] = []
            for (i, x) in values.enumerated() {
                let text = NumberText.significant(x, 3)
                texts.append(text)
                if let m = measured("\(key)[\(i)]", Double(text) ?? x, samples: samples, { g in f(g).map { $0[i] } }) { ms.append(m) }
            }
            add(CalibratedParameter(keyPath: key, value: "[" + texts.joined(separator: ", ") + "]",
                                    comment: TrafficCalibration.comment(source, samples, what, nil, note: "hourly intervals in calibration.measured"),
                                    measurements: ms))
        }

        mutating func mix(_ key: String, names: [String], values: [Double], samples: Int, what: String, _ f: @escaping (TrafficFigures) -> [Double]?) {
            let texts = NumberText.shares(values)
            var ms: [MeasuredValue] = []
            for (i, name) in names.enumerated() {
                if let m = measured("\(key).\(name)", Double(texts[i]) ?? values[i], samples: samples, { g in f(g).map { $0[i] } }) { ms.append(m) }
            }
            add(CalibratedParameter(keyPath: key, entries: Array(zip(names, texts)).map { (name: $0.0, value: $0.1) },
                                    comment: TrafficCalibration.comment(source, samples, what, nil, note: "intervals in calibration.measured"),
                                    measurements: ms))
        }

        /// A distribution whose mean is measured; its family and CV stay the model's.
        mutating func distributionMean(_ key: String, _ d: Distribution, _ mean: Double, samples: Int, what: String, _ f: (TrafficFigures) -> Double?) {
            let text = NumberText.significant(mean, 4)
            let spec = DistributionText.spec(d, mean: text)
            let m = measured("\(key)@mean", Double(text) ?? mean, samples: samples, f)
            add(CalibratedParameter(keyPath: key, value: spec, comment: TrafficCalibration.comment(source, samples, what, m.map { ($0.low, $0.high) }, note: "the mean; the shape stays the model's"),
                                    measurements: m.map { [$0] } ?? []))
        }

        /// A mean-1 weight distribution whose CV is measured.
        mutating func distributionCV(_ key: String, _ d: Distribution, _ cv: Double, family: ActivityFamily, samples: Int, what: String, _ f: (TrafficFigures) -> Double?) {
            let text = NumberText.significant(cv, 4)
            let m = measured("\(key)@cv", Double(text) ?? cv, samples: samples, f)
            add(CalibratedParameter(keyPath: key, value: "\(family.name):1,\(text)",
                                    comment: TrafficCalibration.comment(source, samples, what, m.map { ($0.low, $0.high) }, note: "the CV of per-user activity"),
                                    measurements: m.map { [$0] } ?? []))
        }
    }
}

/// Distribution specs as the model files write them.
enum DistributionText {
    /// The spec of `d` with its mean replaced (the CV kept): `exp:M`, `lognormal:M,CV`, `gamma:M,CV`.
    static func spec(_ d: Distribution, mean: String) -> String {
        switch d {
        case .exponential: return "exp:\(mean)"
        case .gamma: return "gamma:\(mean),\(NumberText.significant(d.squaredCV.squareRoot(), 4))"
        case .deterministic: return "det:\(mean)"
        default: return "lognormal:\(mean),\(NumberText.significant(d.squaredCV.squareRoot(), 4))"
        }
    }
}
