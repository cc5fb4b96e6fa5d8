import PlatformModel
import SimulationEngine
#if canImport(Glibc)
import Glibc
#endif

extension TrafficCalibration {
    /// Distinct IPs behind the unauthenticated requests. The model sends each such request from
    /// one of K = users x unauthenticatedIPsPerUser IPs picked uniformly, so n requests show
    /// d = K (1 - exp(-n/K)) distinct IPs on average (the occupancy problem); K is solved from
    /// the d seen, its interval from the occupancy variance by the delta method.
    static func unauthenticatedIPs(_ o: AccessLogObservations, registered: Int, source: String, into out: inout Builder) {
        let n = Double(o.unauthenticated.reduce(0, +))
        let d = Double(o.unauthenticatedIPs.count)
        let key = "traffic.unauthenticatedIPsPerUser"
        guard n >= 100 else { out.skip(key, "fewer than 100 unauthenticated requests (\(Int(n)))"); return }
        guard d >= 20 else { out.skip(key, "fewer than 20 distinct visitor IPs (\(Int(d)))"); return }
        guard d < n * 0.98 else {
            out.skip(key, "almost every unauthenticated request came from a different IP (\(Int(d)) of \(Int(n))): the pool of visitor IPs is larger than this log can measure")
            return
        }
        func seen(_ k: Double) -> Double { k * -expm1(-n / k) }
        var lo = d, hi = d * 2
        while seen(hi) < d { hi *= 2 }
        for _ in 0..<200 { let mid = (lo + hi) / 2; if seen(mid) < d { lo = mid } else { hi = mid } }
        let k = (lo + hi) / 2
        let x = n / k
        let variance = k * exp(-x) * (1 - (1 + x) * exp(-x))
        let slope = -expm1(-x) - x * exp(-x)  // dd/dK
        let sdK = slope > 0 ? variance.squareRoot() / slope : .infinity
        let value = k / Double(registered)
        let low = Swift.max(0, (k - 1.96 * sdK)) / Double(registered), high = (k + 1.96 * sdK) / Double(registered)
        let text = NumberText.significant(value, 4)
        let v = Double(text) ?? value
        var rng = Xoshiro256StarStar(seed: 0x1B5)
        let draws = (0..<TrafficCalibration.drawCount).map { _ in Swift.max(1e-9, v + (high - low) / 3.92 * Distribution.standardNormal(&rng)) }
        out.add(CalibratedParameter(keyPath: key, value: text,
                                    comment: comment(source, Int(n), "requests from \(Int(d)) IPs", (Swift.min(low, v), Swift.max(high, v)), note: "K = \(Int(k)) visitor IPs by the occupancy formula"),
                                    measurements: [MeasuredValue(name: key, value: v, low: Swift.min(low, v), high: Swift.max(high, v), samples: Int(n), source: source, draws: draws)]))
    }

    /// Offices behind shared IPs, from the users each IP shows on the first whole day (or in
    /// the whole log when it has none), thinned by the share of the pool seen (``OfficeFit``).
    /// Fewer shared IPs than this and the office-size CV stays the model's (fitted otherwise).
    static let officeCVMinimumIPs = 100.0

    static func offices(_ o: AccessLogObservations, model: PlatformModel, pool: Double?, source: String, into out: inout Builder) {
        let users = o.users
        let firstDay = o.completeDays != nil
        var perIP: [UInt64: Int] = [:]
        var seen = 0
        for u in 0..<users.count where !firstDay || users.seenOnFirstDay[u] {
            perIP[users.ip[u], default: 0] += 1
            seen += 1
        }
        let q = pool.map { Swift.min(1, Double(seen) / $0) } ?? 1
        let kmax = perIP.values.max() ?? 0
        var counts = [Double](repeating: 0, count: Swift.max(3, kmax + 1))
        for k in perIP.values { counts[k] += 1 }
        let shared = counts.dropFirst(2).reduce(0, +)
        let modelCV = model.traffic.officeSize.squaredCV.squareRoot()
        let fixedCV: Double? = shared < officeCVMinimumIPs ? modelCV : nil
        guard seen >= TrafficCalibration.minimumUsers, shared >= 5, let point = OfficeFit.fit(counts, seen: q, fixedCV: fixedCV) else {
            for key in ["traffic.officeUserFraction", "traffic.officeSize"] {
                out.skip(key, "fewer than 5 IPs shared by several users (\(Int(shared))) among \(seen) users")
            }
            return
        }
        var fits: [OfficeFit] = []
        let thinning = OfficeFit.thinning(seen: q, kmax: counts.count - 1)
        for b in 0..<Resampling.replicates {
            var rng = Xoshiro256StarStar(seed: 0x0FF1CE &+ UInt64(b))
            let replicate = counts.map { Resampling.poisson($0, &rng) }
            if let f = OfficeFit.fit(replicate, seen: q, fixedCV: fixedCV, thinning: thinning, start: fixedCV == nil ? point.parameters : Array(point.parameters.prefix(3)), iterations: 600) { fits.append(f.fit) } else { fits.append(OfficeFit(userFraction: .nan, meanSize: .nan, cvSize: .nan)) }
        }
        let samples = seen
        let note = q < 1 ? "users per IP on \(firstDay ? "the first whole day" : "the log"), \(percent(q)) of the pool seen" : "users per IP"
        func measured(_ name: String, _ v: Double, _ f: (OfficeFit) -> Double) -> MeasuredValue? {
            let values = fits.map(f)
            guard let i = Resampling.interval(values) else { return nil }
            return MeasuredValue(name: name, value: v, low: Swift.min(i.low, v), high: Swift.max(i.high, v), samples: samples, source: source,
                                 draws: values.prefix(TrafficCalibration.drawCount).map { $0.isFinite ? $0 : v })
        }
        let fraction = NumberText.significant(point.fit.userFraction, 4)
        let fm = measured("traffic.officeUserFraction", Double(fraction)!, \.userFraction)
        out.add(CalibratedParameter(keyPath: "traffic.officeUserFraction", value: fraction,
                                    comment: comment(source, samples, "users", fm.map { ($0.low, $0.high) }, note: note), measurements: fm.map { [$0] } ?? []))
        let mean = NumberText.significant(point.fit.meanSize, 4), cv = NumberText.significant(point.fit.cvSize, 4)
        let mm = measured("traffic.officeSize@mean", Double(mean)!, \.meanSize)
        let cm = fixedCV == nil ? measured("traffic.officeSize@cv", Double(cv)!, \.cvSize) : nil
        let cvNote = fixedCV == nil ? "CV \(cv)" + (cm.map { " (95% interval \(NumberText.significant($0.low)) to \(NumberText.significant($0.high)))" } ?? "")
                                    : "CV kept at the model's \(cv): fewer than \(Int(officeCVMinimumIPs)) shared IPs cannot tell a large mean from a wide spread"
        var c = comment(source, Int(shared), "shared IPs", mm.map { ($0.low, $0.high) }, note: "the mean; " + cvNote)
        c += "; \(note)"
        out.add(CalibratedParameter(keyPath: "traffic.officeSize", value: "lognormal:\(mean),\(cv)", comment: c,
                                    measurements: [mm, cm].compactMap { $0 }))
    }

    /// The page sizes list requests ask for, as an empirical distribution of 20 quantiles.
    static func pageSizes(_ o: AccessLogObservations, model: PlatformModel, source: String, into out: inout Builder) {
        for (e, endpoint) in model.endpoints.enumerated() where endpoint.requestedLimit != nil {
            let key = "endpoints.\(endpoint.name).requestedLimit"
            let counts = o.limits[e]
            let n = counts.values.reduce(0, +)
            guard n >= 100 else {
                if o.requestsByEndpoint[e] > 0 || n > 0 { out.skip(key, "fewer than 100 requests with a '\(limitName)' parameter (\(n))") }
                continue
            }
            if o.limitMissing[e] * 2 > n + o.limitMissing[e] {
                out.skip(key, "most requests (\(o.limitMissing[e]) of \(n + o.limitMissing[e])) give no page size; the app's default applies")
                continue
            }
            let sorted = counts.sorted { $0.key < $1.key }
            var values: [Int] = []
            for i in 0..<20 {
                let target = (Double(i) + 0.5) / 20 * Double(n)
                var seen = 0
                for (size, c) in sorted {
                    seen += c
                    if Double(seen) >= target { values.append(size); break }
                }
            }
            let mean = Double(sorted.reduce(0) { $0 + $1.key * $1.value }) / Double(n)
            let sd = (Double(sorted.reduce(0) { $0 + $1.key * $1.key * $1.value }) / Double(n) - mean * mean).squareRoot()
            let half = 1.96 * sd / Double(n).squareRoot()
            out.add(CalibratedParameter(keyPath: key, value: "empirical:" + values.map(String.init).joined(separator: ","),
                                        comment: comment(source, n, "requests", nil, note: "20 quantiles; mean page \(NumberText.significant(mean, 4)) (95% interval \(NumberText.significant(mean - half, 4)) to \(NumberText.significant(mean + half, 4)))")))
        }
    }

    static let limitName = "limit"
}
