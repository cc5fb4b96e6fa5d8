import Analysis
import PlatformModel
import ResultsStore
import Formatting

/// One cell of an experiment (configuration, variant, user count) summarised over its runs:
/// with several seeds or replications, figures are means, and the bottleneck is the component
/// most runs name.
public struct CellSummary: Sendable, Codable, Equatable {
    public var configuration: String
    public var variant: String
    public var users: Int
    public var runs: Int
    public var bottleneckComponent: String
    public var bottleneckReason: String
    /// The kind of limit the bottleneck is (nil for a row this program cannot read).
    public var bottleneckCause: CauseKind?
    /// How many of the runs name that bottleneck.
    public var bottleneckRuns: Int
    public var bottleneckUtilization: Double
    /// Every cause the runs' diagnoses name, with its mean share of requests over the cell's
    /// runs, most failing first (see ``CellCause``).
    public var causes: [CellCause]
    public var p50Ms: Double
    public var p95Ms: Double
    public var p99Ms: Double
    /// Every error, intended 429s included.
    public var errorRate: Double
    /// Share of requests per error kind.
    public var errorRateByKind: ErrorShares
    /// The errors the SLO's budget counts (server errors and false 429s; intended 429s too
    /// when the experiment's SLO says so).
    public var sloErrorRate: Double
    /// Background jobs dead-lettered (out of retries) per job enqueued: work the API accepted
    /// but never did, which the request error rate does not show.
    public var jobsDeadLetteredShare: Double
    /// The endpoint with the highest p99 (mean over runs) and that p99.
    public var slowestEndpoint: String
    public var slowestEndpointP99Ms: Double
    /// Mean users more until the first fixed-capacity component saturates; nil when no run has one.
    public var headroomUsers: Double?
    public var headroomComponent: String?
    /// Mean monthly USD per cost line item (an item a run lacks counts as 0).
    public var costByItem: [String: Double]
    public var monthlyCostUSD: Double
    public var costPer1kUsersUSD: Double
    /// p99, the counted error rate, jobs lost and worker saturation (the means) within the
    /// experiment's SLO (``ServiceLevelObjective/verdict(p99Ms:errorShare:jobsLostShare:workerUtilization:)``).
    public var meetsSLO: Bool
    /// What misses the SLO (`p99 4,276 ms, errors 3.33%`), nil when met.
    public var sloShortfall: String?
    /// The same by the misses' names (``SLOVerdict/missNames``), empty when met.
    public var sloMisses: [String]
    /// 95% confidence half-widths over the runs (nil with a single run).
    public var p50HalfWidth: Double?
    public var p95HalfWidth: Double?
    public var p99HalfWidth: Double?
    public var errorRateHalfWidth: Double?
    public var monthlyCostHalfWidth: Double?
    /// Half-width of the 95% interval of the errors the SLO counts (nil with one run).
    public var sloErrorRateHalfWidth: Double? = nil
    /// Each run's figures with its seed and replication, to pair cells run on the same random
    /// numbers (a difference between configurations then has its own, narrower, interval).
    public var samples: [CellSample]
}

/// A cause the diagnoses of a cell's runs name: its mean share of requests over all the
/// cell's runs (a run that does not name it counts 0) and in how many runs it appears.
public struct CellCause: Sendable, Codable, Equatable {
    public var kind: CauseKind
    public var component: String
    public var requestShare: Double
    public var runs: Int
}

/// One run of a cell, as the paired comparisons need it.
public struct CellSample: Sendable, Codable, Equatable {
    public var seed: UInt64
    public var replication: Int
    public var p99Ms: Double
    public var errorRate: Double
    public var monthlyCostUSD: Double
}

/// How far one configuration (and variant) goes within the SLO: the largest user count that
/// meets it below the first one that fails, and the bottleneck at that first failure.
public struct SLOSummary: Sendable, Codable, Equatable {
    public var configuration: String
    public var variant: String
    /// nil when even the smallest user count fails.
    public var largestUsersMeetingSLO: Int?
    /// nil when every user count tested meets the SLO.
    public var firstFailingUsers: Int?
    public var stoppedBy: String?
    public var reason: String?
    /// What fails at the first failing user count: `p99 4,276 ms`, `error rate 3.33%` or both.
    public var failsOn: String?
    /// The slowest endpoint there, with its p99: where a latency failure comes from.
    public var slowestEndpoint: String?
    /// The figures of the first failing user count, as numbers: what misses by name
    /// (``SLOVerdict/missNames``), p99, the error share the SLO counts, the slowest endpoint
    /// and its p99.
    public var firstFailingMisses: [String]?
    public var firstFailingP99Ms: Double?
    public var firstFailingSLOErrorRate: Double?
    public var slowestEndpointName: String?
    public var slowestEndpointP99Ms: Double?
}

/// An experiment's results as the tables show them, computed from database records only (so
/// `report` gives the same tables as `sweep`).
public struct ExperimentSummary: Sendable, Codable, Equatable {
    public var experiment: String
    public var question: String
    public var sloP99Ms: Double
    public var sloErrorRate: Double
    /// Whether the SLO counts intended 429s against its error budget.
    public var sloCountsIntended429s: Bool
    public var configurations: [String]
    public var variants: [String]
    public var userCounts: [Int]
    /// Runs per cell, most and fewest (equal unless a sweep was interrupted).
    public var runsPerCell: Int
    public var cells: [CellSummary]
    public var slo: [SLOSummary]

    public init(_ results: ExperimentResults) {
        let e = results.experiment
        experiment = e.name
        question = e.question
        sloP99Ms = e.sloP99Ms
        sloErrorRate = e.sloErrorRate
        sloCountsIntended429s = e.sloCountsIntended429s
        // The experiment's order first; anything else the database holds after it.
        func ordered<T: Hashable & Comparable>(_ declared: [T], _ present: [T]) -> [T] {
            let set = Set(present)
            return declared.filter(set.contains) + Set(present).subtracting(declared).sorted()
        }
        let configurations = ordered(e.configurationList, results.runs.map(\.run.configuration))
        let variants = ordered(e.variantList, results.runs.map(\.run.variant))
        let userCounts = Array(Set(results.runs.map(\.run.users))).sorted()
        self.configurations = configurations
        self.variants = variants
        self.userCounts = userCounts

        var groups: [String: [StoredRun]] = [:]
        func groupKey(_ c: String, _ v: String, _ u: Int) -> String { "\(c)\n\(v)\n\(u)" }
        for r in results.runs { groups[groupKey(r.run.configuration, r.run.variant, r.run.users), default: []].append(r) }
        var cells: [CellSummary] = []
        for c in configurations {
            for v in variants {
                for u in userCounts {
                    guard let runs = groups[groupKey(c, v, u)], !runs.isEmpty else { continue }
                    cells.append(Self.summarise(runs, slo: e.slo))
                }
            }
        }
        self.cells = cells
        runsPerCell = cells.map(\.runs).max() ?? 0
        slo = configurations.flatMap { c in
            variants.compactMap { v -> SLOSummary? in
                let row = cells.filter { $0.configuration == c && $0.variant == v }.sorted { $0.users < $1.users }
                guard !row.isEmpty else { return nil }
                let failing = row.first { !$0.meetsSLO }
                let meeting = row.prefix { $0.meetsSLO }.last
                let failsOn = failing?.sloShortfall
                return SLOSummary(configuration: c, variant: v, largestUsersMeetingSLO: meeting?.users,
                                  firstFailingUsers: failing?.users, stoppedBy: failing?.bottleneckComponent,
                                  reason: failing?.bottleneckReason, failsOn: failsOn,
                                  slowestEndpoint: failing.map { "\($0.slowestEndpoint) (p99 \(Format.number($0.slowestEndpointP99Ms)) ms)" },
                                  firstFailingMisses: failing?.sloMisses, firstFailingP99Ms: failing?.p99Ms,
                                  firstFailingSLOErrorRate: failing?.sloErrorRate, slowestEndpointName: failing?.slowestEndpoint,
                                  slowestEndpointP99Ms: failing?.slowestEndpointP99Ms)
            }
        }
    }

    static func summarise(_ runs: [StoredRun], slo: ServiceLevelObjective) -> CellSummary {
        let n = Double(runs.count)
        func mean(_ f: (StoredRun) -> Double) -> Double { runs.reduce(0) { $0 + f($1) } / n }
        // The bottleneck most runs name; a tie goes to the earliest run in key order
        // (`max(by:)` keeps the first of equal elements).
        var votes: [String: Int] = [:]
        for r in runs { votes[r.run.bottleneckComponent, default: 0] += 1 }
        let top = runs.map(\.run.bottleneckComponent).max { votes[$0]! < votes[$1]! }!
        let topRuns = runs.filter { $0.run.bottleneckComponent == top }
        let bottleneckUtilization = topRuns.reduce(0) { $0 + $1.run.bottleneckUtilization } / Double(topRuns.count)

        var errorKinds = ErrorShares()
        var costs: [String: Double] = [:]
        for r in runs {
            for e in r.errors { if let k = e.errorKind { errorKinds[k] += e.shareOfRequests / n } }
            for c in r.costItems { costs[c.item, default: 0] += c.monthlyUSD / n }
        }
        // The causes of every run's diagnosis, in the order they first appear (the first run's
        // order, most binding first), with their mean shares.
        var causes: [CellCause] = []
        for r in runs {
            for c in r.run.causeList {
                if let i = causes.firstIndex(where: { $0.kind == c.kind && $0.component == c.component }) {
                    causes[i].requestShare += c.requestShare / n
                    causes[i].runs += 1
                } else {
                    causes.append(CellCause(kind: c.kind, component: c.component, requestShare: c.requestShare / n, runs: 1))
                }
            }
        }
        var endpointP99: [String: Double] = [:]
        var enqueued = 0, deadLettered = 0
        for r in runs {
            for e in r.endpoints where e.requests > 0 { endpointP99[e.endpoint, default: 0] += e.p99Ms / n }
            for j in r.jobs { enqueued += j.enqueued; deadLettered += j.deadLettered }
        }
        let slowest = endpointP99.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }
        let withHeadroom = runs.compactMap { r in r.run.headroomUsers.map { (Double($0), r.run.headroomComponent ?? "") } }
        var headroomVotes: [String: Int] = [:]
        for h in withHeadroom { headroomVotes[h.1, default: 0] += 1 }
        let headroomComponent = withHeadroom.map(\.1).max { headroomVotes[$0]! < headroomVotes[$1]! }

        let p99 = mean { $0.run.p99Ms }
        let errorRate = mean { $0.run.errorRate }
        let workers = runs.compactMap { r in r.components.first { $0.componentKind == .workers }?.utilization }
        let verdict = slo.verdict(p99Ms: p99, errorShare: { errorKinds[$0] }, jobsLostShare: enqueued > 0 ? Double(deadLettered) / Double(enqueued) : 0,
                                  workerUtilization: workers.isEmpty ? nil : workers.reduce(0, +) / Double(workers.count))
        let first = runs[0].run
        func halfWidth(_ f: (StoredRun) -> Double) -> Double? { runs.count > 1 ? Estimate(runs.map(f)).halfWidth : nil }
        return CellSummary(
            configuration: first.configuration, variant: first.variant, users: first.users, runs: runs.count,
            bottleneckComponent: top, bottleneckReason: topRuns[0].run.bottleneckReason, bottleneckCause: topRuns[0].run.bottleneckCauseKind,
            bottleneckRuns: topRuns.count, bottleneckUtilization: bottleneckUtilization, causes: causes,
            p50Ms: mean { $0.run.p50Ms }, p95Ms: mean { $0.run.p95Ms },
            p99Ms: p99, errorRate: errorRate, errorRateByKind: errorKinds, sloErrorRate: verdict.countedErrorRate,
            jobsDeadLetteredShare: enqueued > 0 ? Double(deadLettered) / Double(enqueued) : 0,
            slowestEndpoint: slowest?.key ?? "-", slowestEndpointP99Ms: slowest?.value ?? 0,
            headroomUsers: withHeadroom.isEmpty ? nil : withHeadroom.reduce(0) { $0 + $1.0 } / Double(withHeadroom.count),
            headroomComponent: headroomComponent, costByItem: costs, monthlyCostUSD: mean { $0.run.monthlyCostUSD },
            costPer1kUsersUSD: mean { $0.run.costPer1kUsersUSD }, meetsSLO: verdict.meets, sloShortfall: verdict.shortfall,
            sloMisses: verdict.missNames,
            p50HalfWidth: halfWidth { $0.run.p50Ms }, p95HalfWidth: halfWidth { $0.run.p95Ms }, p99HalfWidth: halfWidth { $0.run.p99Ms },
            errorRateHalfWidth: halfWidth { $0.run.errorRate }, monthlyCostHalfWidth: halfWidth { $0.run.monthlyCostUSD },
            sloErrorRateHalfWidth: halfWidth { r in r.errors.reduce(0) { sum, e in sum + (e.errorKind.map(slo.counts) == true ? e.shareOfRequests : 0) } },
            samples: runs.map { CellSample(seed: UInt64($0.run.seed), replication: $0.run.replication, p99Ms: $0.run.p99Ms,
                                           errorRate: $0.run.errorRate, monthlyCostUSD: $0.run.monthlyCostUSD) }
                .sorted { ($0.seed, $0.replication) < ($1.seed, $1.replication) })
    }

    /// The paired difference of a figure between two cells over the runs they share (same seed
    /// and replication: common random numbers); nil when they share fewer than two runs.
    public static func pairedDifference(_ a: CellSummary, _ b: CellSummary, _ f: (CellSample) -> Double) -> Estimate? {
        var left: [Double] = [], right: [Double] = []
        for x in a.samples {
            if let y = b.samples.first(where: { $0.seed == x.seed && $0.replication == x.replication }) {
                left.append(f(x)); right.append(f(y))
            }
        }
        return left.count >= 2 ? Estimate.pairedDifference(left, right) : nil
    }

    /// The cell of one configuration, variant and user count.
    public func cell(_ configuration: String, _ variant: String, _ users: Int) -> CellSummary? {
        cells.first { $0.configuration == configuration && $0.variant == variant && $0.users == users }
    }
}
