import SimulationEngine
#if canImport(Glibc)
import Glibc
#endif

/// The traffic parameters estimated from access-log observations, for one set of cluster
/// weights: all ones for the estimate itself, Poisson(1) per user (and Poisson counts for the
/// user-less streams) for a bootstrap replicate. A figure is nil when the log cannot give it.
struct TrafficFigures {
    var diurnal: [Double]?
    var authenticatedMix: [Double]?
    var unauthenticatedMix: [Double]?
    /// Pages per session, API calls per page (not rounded), mean think time (s).
    var pagesPerSession: Double?
    var callsPerPage: Double?
    var thinkTime: Double?
    var staticPerPage: Double?
    /// Per day: the model's pool of active users, the users seen, the session stream's
    /// requests per pool user, and the activity weights' CV.
    var activePool: Double?
    var seenUsers: Double?
    var requestsPerActiveUser: Double?
    var activityCV: Double?
    var unauthenticatedPerDay: Double?
    var webhooksPerDay: Double?
    /// Sessions merged into others by the gap rule, as a share of all sessions (the correction made).
    var mergedShare: Double?
}

extension TrafficFigures {
    /// Replicate weights: per user, and the Poisson redraw of the user-less counts.
    struct Weights {
        var user: (Int) -> Double
        var count: (Double) -> Double
        static var one: Weights { Weights(user: { _ in 1 }, count: { $0 }) }
    }

    static func estimate(_ o: AccessLogObservations, family: ActivityFamily, weights w: Weights) -> TrafficFigures {
        var f = TrafficFigures()
        let users = o.users
        let n = users.count
        let mixSize = users.mixSize

        // Hourly volume (every stream but health checks and refreshes) over the hours covered.
        var hours = o.cellHours.map { w.count(Double($0)) }
        var mix = o.sessionRequestsWithoutUser.map { w.count(Double($0)) }
        var requests = 0.0, pages = 0.0, sessions = 0.0, hiddenThink = 0.0, pagesTimesBlind = 0.0, blind = 0.0
        var userDays = 0.0, daySum = 0.0, daySquares = 0.0
        let exposure = o.hourExposure
        let span = Swift.max(1, o.spanSeconds)
        let diurnalFactor = diurnalSelfWeight(o)
        var userPages = [Double](repeating: 0, count: n)
        var userHours = [Double](repeating: 0, count: 24), userHoursAll = [Double](repeating: 0, count: 24)
        for u in 0..<n {
            for h in 0..<24 { userHoursAll[h] += Double(users.hourCounts[u * 24 + h]) }
            let wu = w.user(u)
            guard wu > 0 else { continue }
            for h in 0..<24 { userHours[h] += wu * Double(users.hourCounts[u * 24 + h]) }
            for i in 0..<mixSize { mix[i] += wu * Double(users.mixCounts[u * mixSize + i]) }
            requests += wu * Double(users.requests[u])
            let hidden = Swift.max(0, 2 * Double(users.nearGaps1[u]) - Double(users.nearGaps2[u]))
            userPages[u] = Double(users.pages[u]) + hidden
            pages += wu * Double(users.pages[u])
            hiddenThink += wu * hidden
            sessions += wu * Double(users.sessions[u])
            pagesTimesBlind += wu * userPages[u] * users.blindTime[u]
            blind += wu * users.blindTime[u]
            userDays += wu * Double(users.activeDays[u])
            daySum += wu * users.dayRequestSum[u]
            daySquares += wu * users.dayRequestSquares[u]
        }
        // Static assets come with page views: a replicate scales them with its session stream.
        for h in 0..<24 {
            let assets = Double(o.staticHours[h])
            hours[h] += userHours[h] + (userHoursAll[h] > 0 ? assets * userHours[h] / userHoursAll[h] : w.count(assets))
        }
        if exposure.allSatisfy({ $0 >= 3000 }) {
            let rates = (0..<24).map { hours[$0] / exposure[$0] }
            let mean = rates.reduce(0, +) / 24
            if mean > 0 { f.diurnal = rates.map { $0 / mean } }
        }
        let mixTotal = mix.reduce(0, +)
        if mixTotal > 0 { f.authenticatedMix = mix.map { $0 / mixTotal } }
        let unauth = o.unauthenticated.map { w.count(Double($0)) }
        let unauthTotal = unauth.reduce(0, +)
        if unauthTotal > 0 { f.unauthenticatedMix = unauth.map { $0 / unauthTotal } }

        let delta = o.pageGap
        if pages > 0 {
            let truePages = pages + hiddenThink
            f.callsPerPage = requests / truePages
            f.staticPerPage = w.count(Double(o.staticAssets)) / truePages
            if !o.sessionGap.isNaN, sessions > 0 {
                // Sessions that began inside another of the user's sessions or less than tau after it
                // are merged by the gap rule. A user with P pages at L pages a session starts
                // sessions at P / (L span) a second, weighted by the diurnal profile (sessions fall
                // in busy hours), so the merged ones number sum_u P_u / (L span) f B_u, B_u the
                // user's time inside sessions plus tau (for a Poisson process the starts inside such
                // clusters are exactly rate x their length, as for M/G/inf busy periods). With
                // L = P / (S + merged) that is L = (P - f/span sum_u P_u B_u) / S.
                let merged = diurnalFactor / span * pagesTimesBlind
                if truePages > merged {
                    let l = (truePages - merged) / sessions
                    f.pagesPerSession = l
                    f.mergedShare = (merged / l) / (sessions + merged / l)
                    // Think times from users whose page count (not their gaps, which would bias
                    // the choice) makes merged sessions rare.
                    let blindPerSession = blind / sessions
                    var think = 0.0, gaps = 0.0, hiddenGaps = 0.0
                    for u in 0..<n {
                        let wu = w.user(u)
                        guard wu > 0 else { continue }
                        let expectedMerges = userPages[u] / (l * span) * diurnalFactor * blindPerSession
                        guard expectedMerges < 0.03 else { continue }
                        think += wu * users.thinkSum[u]
                        gaps += wu * Double(users.thinkCount[u])
                        hiddenGaps += wu * Swift.max(0, 2 * Double(users.nearGaps1[u]) - Double(users.nearGaps2[u]))
                    }
                    if gaps + hiddenGaps > 0 { f.thinkTime = (think + hiddenGaps * delta / 2) / (gaps + hiddenGaps) }
                }
            }
        }

        // Whole days: the pool of active users behind the users seen (method of moments with
        // the zero class restored; see `activePool(...)`).
        let days = Double(o.dayCount)
        if days > 0, userDays > 0, let k = f.callsPerPage, let l = f.pagesPerSession {
            let withoutUser = w.count(Double(o.daySessionWithoutUser))
            if let pool = activePool(userDays: userDays, sum: daySum, squares: daySquares, callsPerPage: k, pagesPerSession: l, family: family) {
                f.activePool = pool.users / days
                f.activityCV = pool.cv
                f.requestsPerActiveUser = (daySum + withoutUser) / pool.users
            }
            f.seenUsers = userDays / days
            f.unauthenticatedPerDay = w.count(Double(o.dayUnauthenticated)) / days
            f.webhooksPerDay = w.count(Double(o.dayWebhooks)) / days
        }
        return f
    }

    /// E[d^2]/E[d] for the hourly profile d of the log (1 when flat): sessions fall in busy hours
    /// more than in quiet ones, so the chance that two of a user's sessions meet is higher than
    /// their daily mean says.
    static func diurnalSelfWeight(_ o: AccessLogObservations) -> Double {
        var hours = zip(o.cellHours, o.staticHours).map { Double($0 + $1) }
        for u in 0..<o.users.count { for h in 0..<24 { hours[h] += Double(o.users.hourCounts[u * 24 + h]) } }
        let exposure = o.hourExposure
        let rates = (0..<24).compactMap { exposure[$0] > 0 ? hours[$0] / exposure[$0] : nil }
        let mean = rates.reduce(0, +) / Double(Swift.max(1, rates.count))
        guard mean > 0 else { return 1 }
        return rates.reduce(0) { $0 + $1 * $1 } / Double(rates.count) / (mean * mean)
    }

    /// The model's pool of daily-active users behind what a day's log shows.
    ///
    /// In the model a day's pool of n active users each get a weight w (mean 1, CV c) and
    /// sessions arrive for them as a Poisson process with mean s w a day, each session X = k G
    /// requests (G pages, geometric with mean L). A user with no session that day is not in the
    /// log, so the users seen undercount the pool. Over the pool, E[R] = a and
    /// E[R^2] = a^2 (1 + c^2) + a E[X^2]/E[X], with E[X^2]/E[X] = k (2L - 1); the log gives the
    /// sums of R and R^2 over the user-days seen, which are the pool's sums (the unseen add 0).
    /// The pool is then N = seen / (1 - P0) with P0 = E[exp(-s w)], s = a / (k L): solved by
    /// fixed-point iteration from N = seen.
    static func activePool(userDays: Double, sum: Double, squares: Double, callsPerPage k: Double, pagesPerSession l: Double,
                           family: ActivityFamily) -> (users: Double, cv: Double)? {
        guard userDays > 0, sum > 0, k > 0, l >= 1 else { return nil }
        let within = k * (2 * l - 1)
        var pool = userDays
        var cv = 1.0
        for _ in 0..<200 {
            let a = sum / pool
            let c2 = Swift.min(100, Swift.max(1e-4, (squares / pool - a * within) / (a * a) - 1))
            cv = c2.squareRoot()
            let p0 = family.zeroShare(sessions: a / (k * l), cv: cv)
            guard p0 < 0.999 else { return nil }
            let next = userDays / (1 - p0)
            if abs(next - pool) <= 1e-10 * pool { pool = next; break }
            pool = next
        }
        return (pool, cv)
    }
}
