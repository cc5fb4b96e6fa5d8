import PlatformModel
import SimulationEngine

/// Two sets of runs side by side, figure by figure: a baseline and another configuration (a
/// what-if, another phase, another run's file). Each side's figures are means with their 95%
/// half-widths; the difference (other minus baseline) is paired run by run when both sides
/// ran the same seeds and replications (common random numbers: the noise they share cancels,
/// so the interval is far narrower than the two side by side), and Welch's interval of two
/// independent means otherwise.
///
/// The workbench's what-if page and `platform-sim compare` both show this; the figures and
/// their order are decided here only (``figures``).
public struct RunComparison: Sendable {
    public var baseline: [DiagnosedRun]
    public var other: [DiagnosedRun]
    /// Whether run `i` of one side pairs with run `i` of the other: the same seed and replication.
    public let paired: Bool

    /// Pairs the sides by seed and replication when they ran the same ones (`other` is then put
    /// in the baseline's order).
    public init(baseline: [DiagnosedRun], other: [DiagnosedRun]) {
        precondition(!baseline.isEmpty && !other.isEmpty, "a comparison needs runs on both sides")
        self.baseline = baseline
        func key(_ r: DiagnosedRun) -> String { "\(r.result.seed)/\(r.result.replication)" }
        let keys = baseline.map(key)
        let byKey = Dictionary(other.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        if baseline.count == other.count, Set(keys).count == keys.count, Set(keys) == Set(byKey.keys) {
            self.other = keys.map { byKey[$0]! }
            paired = true
        } else {
            self.other = other
            paired = false
        }
    }

    public enum Side: Sendable { case baseline, other }

    /// A figure's mean over one side's runs, with its 95% half-width (infinite with one run).
    public func estimate(_ side: Side, _ f: (DiagnosedRun) -> Double) -> Estimate {
        Estimate((side == .baseline ? baseline : other).map(f))
    }

    /// The other side minus the baseline: paired (common random numbers) or Welch's.
    public func difference(_ f: (DiagnosedRun) -> Double) -> Estimate {
        paired ? Estimate.pairedDifference(other.map(f), baseline.map(f))
            : Estimate.unpairedDifference(other.map(f), baseline.map(f))
    }

    /// How a figure reads.
    public enum Unit: Sendable, Equatable { case milliseconds, perSecond, share, utilization, usd, usdPerThousandUsers }
    /// Whether a rise is bad (marked red in the workbench), good, or neither.
    public enum Direction: Sendable, Equatable { case higherIsWorse, higherIsBetter, neutral }
    /// Where a figure belongs: the headline, errors by kind, components, cost items.
    public enum Section: String, Sendable, Equatable, Codable { case headline, errors, components, costs }

    /// One figure compared.
    public struct Figure: Sendable {
        public var section: Section
        /// What people read: `p99 latency (ms)`, an error kind's or a component's name.
        public var name: String
        /// A stable key for programs: `p99_ms`, `errors.poolTimeout`, `utilization.redis`, `cost.Redis`.
        public var key: String
        public var unit: Unit
        public var direction: Direction
        public var value: @Sendable (DiagnosedRun) -> Double
    }

    /// Every figure, in the order to show them: latency, errors, throughput and cost; each
    /// error kind that either side has; each component's utilization and p99 wait; each cost item.
    public func figures() -> [Figure] {
        var out: [Figure] = [
            Figure(section: .headline, name: "p50 latency (ms)", key: "p50_ms", unit: .milliseconds, direction: .higherIsWorse) { $0.result.latencyMs.p50 },
            Figure(section: .headline, name: "p95 latency (ms)", key: "p95_ms", unit: .milliseconds, direction: .higherIsWorse) { $0.result.latencyMs.p95 },
            Figure(section: .headline, name: "p99 latency (ms)", key: "p99_ms", unit: .milliseconds, direction: .higherIsWorse) { $0.result.latencyMs.p99 },
            Figure(section: .headline, name: "error rate", key: "error_share", unit: .share, direction: .higherIsWorse) { $0.result.errorRate },
            Figure(section: .headline, name: "throughput (req/s)", key: "throughput_per_s", unit: .perSecond, direction: .neutral) { $0.result.throughput },
            Figure(section: .headline, name: "monthly cost (USD)", key: "monthly_usd", unit: .usd, direction: .higherIsWorse) { $0.diagnosis.cost.monthlyUSD },
            Figure(section: .headline, name: "cost per 1,000 users (USD)", key: "monthly_usd_per_1k_users", unit: .usdPerThousandUsers,
                   direction: .higherIsWorse) { $0.diagnosis.cost.perThousandUsersUSD },
        ]
        let runs = baseline + other
        for kind in ErrorKind.allCases {
            let share: @Sendable (DiagnosedRun) -> Double = { Double($0.result.errors[kind]) / Double(Swift.max(1, $0.result.requests)) }
            guard runs.contains(where: { share($0) > 0 }) else { continue }
            out.append(Figure(section: .errors, name: kind.name, key: "errors.\(kind.name)", unit: .share, direction: .higherIsWorse, value: share))
        }
        for name in Self.names(baseline.first!.result.components.map(\.name) + other.first!.result.components.map(\.name)) {
            out.append(Figure(section: .components, name: name, key: "utilization.\(name)", unit: .utilization, direction: .neutral) { r in
                r.result.components.first { $0.name == name }?.utilization ?? 0
            })
            out.append(Figure(section: .components, name: name, key: "p99_wait_ms.\(name)", unit: .milliseconds, direction: .higherIsWorse) { r in
                r.result.components.first { $0.name == name }?.p99WaitMs ?? 0
            })
        }
        for item in Self.names(baseline.first!.diagnosis.cost.items.map(\.name) + other.first!.diagnosis.cost.items.map(\.name)) {
            out.append(Figure(section: .costs, name: item, key: "cost.\(item)", unit: .usd, direction: .higherIsWorse) { r in
                r.diagnosis.cost.items.first { $0.name == item }?.monthlyUSD ?? 0
            })
        }
        return out
    }

    /// Names in their first order, each once.
    static func names(_ all: [String]) -> [String] {
        var seen = Set<String>()
        return all.filter { seen.insert($0).inserted }
    }

    /// The bottleneck most runs of a side named, with the reason its first such run gives
    /// (ties: the first in name order).
    public func usualBottleneck(_ side: Side) -> (bottleneck: Cause, runs: Int) {
        let runs = side == .baseline ? baseline : other
        var counts: [String: Int] = [:]
        for r in runs { counts[r.diagnosis.bottleneck.component, default: 0] += 1 }
        let top = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }!
        return (runs.map(\.diagnosis.bottleneck).first { $0.component == top.key }!, top.value)
    }

    /// How many runs of a side meet an SLO.
    public func meeting(_ slo: ServiceLevelObjective, _ side: Side) -> Int {
        (side == .baseline ? baseline : other).filter { slo.verdict($0.result).meets }.count
    }
}

extension Estimate {
    /// The difference of two independent means, `a` minus `b`, with Welch's 95% interval
    /// (Welch-Satterthwaite degrees of freedom); infinite half-width when a side has one run.
    public static func unpairedDifference(_ a: [Double], _ b: [Double], confidence: Double = 0.95) -> Estimate {
        let ea = Estimate(a, confidence: confidence), eb = Estimate(b, confidence: confidence)
        let mean = ea.mean - eb.mean
        guard a.count > 1, b.count > 1 else { return Estimate(mean: mean, halfWidth: .infinity, replications: Swift.min(a.count, b.count)) }
        func variance(_ x: [Double], _ m: Double) -> Double { x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1) }
        let va = variance(a, ea.mean) / Double(a.count), vb = variance(b, eb.mean) / Double(b.count)
        let se2 = va + vb
        guard se2 > 0 else { return Estimate(mean: mean, halfWidth: 0, replications: Swift.min(a.count, b.count)) }
        let df = se2 * se2 / (va * va / Double(a.count - 1) + vb * vb / Double(b.count - 1))
        let t = StudentT.critical(confidence: confidence, degreesOfFreedom: df)
        return Estimate(mean: mean, halfWidth: t * se2.squareRoot(), replications: Swift.min(a.count, b.count))
    }
}
