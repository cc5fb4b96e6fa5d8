import Analysis
import Foundation
import PlatformModel
import SimulationEngine
import Synchronization

/// Runs a what-if's simulations on the calling thread and up to `threads` workers: the
/// baseline and the changed model, replication by replication with the same seeds, each
/// diagnosed as the command line does (``DiagnosedRun``). Returns nil when the job was cancelled.
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
        var cached = baselines.runs(for: key)
        // A baseline being computed ahead (while the form was filled in) is waited for, not made twice.
        let awaited = cached == nil && baselines.isInFlight(key)
        let makesBaseline = cached == nil && !awaited
        // Slot 2r is replication r of the baseline, 2r + 1 of the what-if.
        var planned: [(slot: Int, side: Int, replication: Int)] = []
        for r in 0..<replications {
            if makesBaseline { planned.append((2 * r, 0, r)) } else if cached != nil { job.progress(run: 2 * r, fraction: 1) }
            if p.changesNothing && !awaited { job.progress(run: 2 * r + 1, fraction: 1) } else if !p.changesNothing { planned.append((2 * r + 1, 1, r)) }
        }
        if makesBaseline { _ = baselines.begin(key) }
        var results: [DiagnosedRun?] = simulate(p, planned, job: job, threads: threads, isCancelled: { job.isCancelled })
        if awaited {
            cached = baselines.waitForRuns(key) { job.isCancelled }
            if let cached {
                for r in 0..<replications { job.progress(run: 2 * r, fraction: 1) }
                if p.changesNothing { for r in 0..<replications { job.progress(run: 2 * r + 1, fraction: 1) } }
            } else if !job.isCancelled {
                // The computation ahead did not finish: make the baseline now.
                let baselineWork = (0..<replications).map { (slot: 2 * $0, side: 0, replication: $0) }
                planned += baselineWork
                results += simulate(p, baselineWork, job: job, threads: threads, isCancelled: { job.isCancelled })
            }
        }
        guard !job.isCancelled, !results.contains(where: { $0 == nil }) else {
            if makesBaseline { baselines.end(key, runs: nil) }
            return nil
        }
        var baseline = cached ?? [], whatIf: [DiagnosedRun] = []
        for (k, w) in planned.enumerated() {
            if w.side == 0 { baseline.append(results[k]!) } else { whatIf.append(results[k]!) }
        }
        if cached == nil { baselines.end(key, runs: baseline) }
        if p.changesNothing { whatIf = baseline }
        return WhatIfOutcome(baseline: baseline, whatIf: whatIf, reusedBaseline: cached != nil)
    }

    /// Makes the baseline of a what-if ahead of time, while its form is still being filled in,
    /// and keeps it in `baselines` for the what-if that follows. Does nothing when it is kept
    /// or being made already.
    static func prefetchBaseline(_ p: PreparedWhatIf, threads: Int, baselines: BaselineCache, isCancelled: @escaping @Sendable () -> Bool) {
        let key = BaselineCache.Key(p)
        guard baselines.begin(key) else { return }
        let work = (0..<p.specification.replications).map { (slot: 2 * $0, side: 0, replication: $0) }
        let results = simulate(p, work, job: nil, threads: threads, isCancelled: isCancelled)
        let complete = !isCancelled() && !results.contains { $0 == nil }
        baselines.end(key, runs: complete ? results.map { $0! } : nil)
    }

    /// The runs of `work` in parallel, in order; nil for a run stopped by cancellation.
    static func simulate(_ p: PreparedWhatIf, _ work: [(slot: Int, side: Int, replication: Int)], job: WhatIfJob?, threads: Int,
                         isCancelled: @escaping @Sendable () -> Bool) -> [DiagnosedRun?] {
        ParallelRunner.run(count: work.count, jobs: Swift.max(1, threads)) { k in
            let w = work[k]
            if isCancelled() { return nil }
            let side = w.side == 0 ? p.baseline : p.whatIf
            let monitor = RunMonitor(interval: monitorInterval) { progress in
                job?.progress(run: w.slot, fraction: progress.fraction)
                return !isCancelled()
            }
            guard let result = PlatformRun.run(model: side.model, settings: p.settings(replication: w.replication), plan: side.plan,
                                               monitor: monitor, recordRequests: false)?.result else { return nil }
            job?.progress(run: w.slot, fraction: 1)
            return DiagnosedRun(result: result, diagnosis: Diagnosis(of: result, model: side.model))
        }
    }
}

/// The baseline runs of recent what-ifs, so that changing one more parameter of the same
/// configuration, users, window and seeds simulates only the what-if side; and the baselines
/// being made now (ahead of a what-if, or by one), so that none is made twice at once. The
/// same inputs and seed give the same result byte for byte, so a kept run is the run that
/// would be made.
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

    struct State {
        var kept: [(key: Key, runs: [DiagnosedRun])] = []
        var inFlight: Set<Key> = []
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int = 8) { self.capacity = capacity }

    func runs(for key: Key) -> [DiagnosedRun]? {
        state.withLock { s in s.kept.first { $0.key == key }?.runs }
    }

    func isInFlight(_ key: Key) -> Bool { state.withLock { $0.inFlight.contains(key) } }

    /// Marks a baseline as being made; false when it is kept or being made already.
    func begin(_ key: Key) -> Bool {
        state.withLock { s in
            guard !s.inFlight.contains(key), !s.kept.contains(where: { $0.key == key }) else { return false }
            s.inFlight.insert(key)
            return true
        }
    }

    /// Ends the making of a baseline, keeping its runs (nil: it was stopped).
    func end(_ key: Key, runs: [DiagnosedRun]?) {
        state.withLock { s in
            s.inFlight.remove(key)
            guard let runs else { return }
            s.kept.removeAll { $0.key == key }
            s.kept.append((key, runs))
            if s.kept.count > capacity { s.kept.removeFirst(s.kept.count - capacity) }
        }
    }

    /// Waits (on the caller's thread) until the baseline is no longer being made; its runs, or
    /// nil when it was stopped or the caller was cancelled.
    func waitForRuns(_ key: Key, isCancelled: () -> Bool) -> [DiagnosedRun]? {
        while isInFlight(key) {
            if isCancelled() { return nil }
            usleep(20_000)
        }
        return runs(for: key)
    }
}
