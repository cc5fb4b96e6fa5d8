import Analysis
import PlatformModel
import SimulationEngine
import Synchronization

/// Runs a what-if's simulations on the calling thread and up to `threads` workers: the
/// baseline and the changed model, replication by replication with the same seeds, each
/// analysed as the command line does. Returns nil when the job was cancelled.
///
/// Runs are plain threads, never the server's async tasks, so pages stay quick while both
/// cores simulate. A run checks for cancellation every few simulated seconds through
/// ``RunMonitor`` (which does not change its result).
enum WhatIfExecution {
    /// Simulated seconds between progress reports (and cancellation checks) of one run.
    static let monitorInterval = 5.0

    static func run(_ job: WhatIfJob, threads: Int, baselines: BaselineCache) -> WhatIfOutcome? {
        let p = job.prepared
        let replications = p.specification.replications
        let key = BaselineCache.Key(p)
        let cached = baselines.runs(for: key)
        // Slot 2r is replication r of the baseline, 2r + 1 of the what-if.
        var planned: [(slot: Int, side: Int, replication: Int)] = []
        for r in 0..<replications {
            if cached == nil { planned.append((2 * r, 0, r)) } else { job.progress(run: 2 * r, fraction: 1) }
            if p.changesNothing { job.progress(run: 2 * r + 1, fraction: 1) } else { planned.append((2 * r + 1, 1, r)) }
        }
        let work = planned
        let results: [RunResult?] = ParallelRunner.run(count: work.count, jobs: Swift.max(1, threads)) { k in
            let w = work[k]
            if job.isCancelled { return nil }
            let side = w.side == 0 ? p.baseline : p.whatIf
            let monitor = RunMonitor(interval: monitorInterval) { progress in
                job.progress(run: w.slot, fraction: progress.fraction)
                return !job.isCancelled
            }
            guard var result = PlatformRun.run(model: side.model, settings: p.settings(replication: w.replication), plan: side.plan,
                                               monitor: monitor, recordRequests: false)?.result else { return nil }
            BottleneckAnalysis.analyse(&result, model: side.model)
            job.progress(run: w.slot, fraction: 1)
            return result
        }
        if job.isCancelled || results.contains(where: { $0 == nil }) { return nil }
        var baseline = cached ?? [], whatIf: [RunResult] = []
        for (k, w) in work.enumerated() {
            if w.side == 0 { baseline.append(results[k]!) } else { whatIf.append(results[k]!) }
        }
        if cached == nil { baselines.store(baseline, for: key) }
        if p.changesNothing { whatIf = baseline }
        return WhatIfOutcome(baseline: baseline, whatIf: whatIf, reusedBaseline: cached != nil)
    }
}

/// The baseline runs of recent what-ifs, so that changing one more parameter of the same
/// configuration, users, window and seeds simulates only the what-if side. The same inputs
/// and seed give the same result byte for byte, so a kept run is the run that would be made.
final class BaselineCache: Sendable {
    struct Key: Hashable, Sendable {
        var modelHash: String
        var pricingHash: String
        var configuration: String
        var users: Int
        var seed: UInt64
        var replications: Int
        var durationS: Double
        var warmUpS: Double
        var startHour: Double?

        init(_ p: PreparedWhatIf) {
            let s = p.specification
            modelHash = p.baseline.provenance.modelHash; pricingHash = p.baseline.provenance.pricingHash
            configuration = s.configuration; users = s.users; seed = s.seed; replications = s.replications
            durationS = s.durationS; warmUpS = s.warmUpS; startHour = s.startHour
        }
    }

    let capacity: Int
    private let entries = Mutex<[(key: Key, runs: [RunResult])]>([])

    init(capacity: Int = 8) { self.capacity = capacity }

    func runs(for key: Key) -> [RunResult]? {
        entries.withLock { e in e.first { $0.key == key }?.runs }
    }

    func store(_ runs: [RunResult], for key: Key) {
        entries.withLock { e in
            e.removeAll { $0.key == key }
            e.append((key, runs))
            if e.count > capacity { e.removeFirst(e.count - capacity) }
        }
    }
}
