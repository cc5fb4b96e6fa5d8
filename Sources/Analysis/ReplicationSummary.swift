import PlatformModel
import SimulationEngine

/// A figure estimated from independent replications: the mean and the half-width of its 95%
/// Student-t confidence interval (infinite with a single replication).
public struct Estimate: Sendable, Codable, Equatable {
    public var mean: Double
    public var halfWidth: Double
    public var replications: Int

    public init(_ samples: [Double], confidence: Double = 0.95) {
        let ci = ConfidenceInterval(samples: samples, confidence: confidence)
        mean = ci.mean
        halfWidth = samples.count > 1 ? ci.halfWidth : .infinity
        replications = samples.count
    }

    public init(mean: Double, halfWidth: Double, replications: Int) {
        self.mean = mean; self.halfWidth = halfWidth; self.replications = replications
    }

    /// The interval of the difference of paired samples (common random numbers: the same
    /// seeds in both), which is much narrower than the two intervals side by side.
    public static func pairedDifference(_ a: [Double], _ b: [Double], confidence: Double = 0.95) -> Estimate {
        precondition(a.count == b.count)
        return Estimate(zip(a, b).map { $0 - $1 }, confidence: confidence)
    }

    /// Whether the interval excludes zero.
    public var excludesZero: Bool { halfWidth.isFinite && abs(mean) > halfWidth }
}

/// Means and 95% confidence half-widths over replications of one configuration and user count.
public struct ReplicationSummary: Sendable, Codable, Equatable {
    public var config: String
    public var users: Int
    public var seed: UInt64
    public var replications: Int
    public var throughput: Estimate
    public var latencyP50Ms: Estimate
    public var latencyP95Ms: Estimate
    public var latencyP99Ms: Estimate
    public var errorRate: Estimate
    /// Error rate by kind (share of requests), by the kinds' stored names.
    public var errors: [String: Estimate]
    /// Utilization and p99 wait by component.
    public var utilization: [String: Estimate]
    public var p99WaitMs: [String: Estimate]
    public var monthlyCostUSD: Estimate
    public var costItemsUSD: [String: Estimate]
    /// How many replications named each bottleneck component.
    public var bottlenecks: [String: Int]

    public init(_ diagnosed: [DiagnosedRun]) {
        precondition(!diagnosed.isEmpty)
        let runs = diagnosed.map(\.result)
        let first = runs[0]
        config = first.config
        users = first.users
        seed = first.seed
        replications = runs.count
        func e(_ f: (RunResult) -> Double) -> Estimate { Estimate(runs.map(f)) }
        throughput = e(\.throughput)
        latencyP50Ms = e(\.latencyMs.p50)
        latencyP95Ms = e(\.latencyMs.p95)
        latencyP99Ms = e(\.latencyMs.p99)
        errorRate = e(\.errorRate)
        var errors: [String: Estimate] = [:]
        for kind in ErrorKind.allCases {
            errors[kind.name] = e { Double($0.errors[kind]) / Double(Swift.max(1, $0.requests)) }
        }
        self.errors = errors
        var util: [String: Estimate] = [:], wait: [String: Estimate] = [:]
        for c in first.components {
            util[c.name] = e { r in r.components.first { $0.name == c.name }?.utilization ?? 0 }
            wait[c.name] = e { r in r.components.first { $0.name == c.name }?.p99WaitMs ?? 0 }
        }
        utilization = util
        p99WaitMs = wait
        func d(_ f: (DiagnosedRun) -> Double) -> Estimate { Estimate(diagnosed.map(f)) }
        monthlyCostUSD = d(\.diagnosis.cost.monthlyUSD)
        var items: [String: Estimate] = [:]
        for item in diagnosed[0].diagnosis.cost.items {
            items[item.name] = d { r in r.diagnosis.cost.items.first { $0.name == item.name }?.monthlyUSD ?? 0 }
        }
        costItemsUSD = items
        var b: [String: Int] = [:]
        for r in diagnosed { b[r.diagnosis.bottleneck.component, default: 0] += 1 }
        bottlenecks = b
    }

    /// The bottleneck most replications named (ties: the first in name order).
    public var usualBottleneck: String {
        bottlenecks.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key ?? "none"
    }
}
