extension ValidationReport {
    /// The targets, as `validation-report --check-targets` names them.
    public enum Target: String, CaseIterable, Sendable {
        /// Throughput within 4% below saturation.
        case throughput
        /// Mean within 10%, p95 and p99 within 20% below saturation.
        case latency
        /// Errors of each kind within 20% of the measured count or 0.2 points of requests, at every level.
        case errors
        /// The saturation point at the same level.
        case saturation
    }

    /// Every miss of the given targets, one line each (empty when all are met).
    public func misses(of targets: Set<Target>) -> [String] {
        var out: [String] = []
        for c in configurations {
            let sat = saturationLevel(c, measured: true) ?? c.judged.count
            for (i, l) in c.judged.enumerated() {
                let at = "\(c.name) at \(label(l))"
                if i < sat {
                    if targets.contains(.throughput), let e = Self.relative(l.predicted.throughput, l.measured.throughput), abs(e) > Self.throughputTarget {
                        out.append("\(at): throughput \(Self.pct(e)) (target 4%)")
                    }
                    if targets.contains(.latency) {
                        for (name, p, m, t) in [("mean", l.predicted.meanMs, l.measured.meanMs, Self.meanTarget),
                                                ("p95", l.predicted.p95Ms, l.measured.p95Ms, Self.tailTarget),
                                                ("p99", l.predicted.p99Ms, l.measured.p99Ms, Self.tailTarget)] {
                            if let e = Self.relative(p, m), abs(e) > t { out.append("\(at): \(name) \(Self.pct(e)) (target \(Int(t * 100))%)") }
                        }
                    }
                }
                if targets.contains(.errors) {
                    for k in Self.errorMisses(l) {
                        let scale = l.predicted.requests > 0 ? Double(l.measured.requests) / Double(l.predicted.requests) : 0
                        out.append("\(at): \(k) measured \(l.measured.errors[k] ?? 0), predicted \(Int((Double(l.predicted.errors[k] ?? 0) * scale).rounded()))")
                    }
                }
            }
            if targets.contains(.saturation), let _ = c.baseline {
                let m = saturationLevel(c, measured: true), p = saturationLevel(c, measured: false)
                if m != p { out.append("\(c.name): saturation measured at level \(m.map { String($0 + 1) } ?? "none"), predicted at \(p.map { String($0 + 1) } ?? "none")") }
            }
        }
        return out
    }
}
