import Analysis
import PlatformModel
import ResultsStore
import SimulationEngine
import Synchronization

/// Runs the cells of a sweep on several threads and writes each finished run to the results
/// database at once, in its own transaction: whatever stops the sweep, the database holds
/// whole runs only. Rows do not depend on the number of threads or the order runs finish in.
public enum SweepRunner {
    /// What the sweep has done so far, after each run.
    public struct Progress: Sendable {
        public var done: Int
        public var total: Int
        public var elapsedSeconds: Double
        /// From the work done and left (weighted by users and window); nil before the first run.
        public var secondsLeft: Double?
        /// The run just finished and its wall time.
        public var finished: RunKey
        public var runWallSeconds: Double
    }

    /// How far the sweep has got inside the runs under way: the share of the whole work done
    /// (runs weighted by users and window, each running one by its simulated time so far).
    public struct RunningProgress: Sendable {
        public var done: Int
        public var total: Int
        /// Share of the weighted work done (0-1), runs under way counted by their progress.
        public var share: Double
        public var elapsedSeconds: Double
        /// At the pace so far; nil before any progress.
        public var secondsLeft: Double?
    }

    /// Simulated seconds between progress reports from inside a run.
    public static let progressInterval = 5.0

    /// Which cells to run. Without `resume`, all of them. With `resume`, the ones the database
    /// lacks; a stored run whose model or pricing hash differs from the cell's, or whose
    /// experiment window changed, is stale and runs again. `stale` lists stored runs to delete
    /// first: the stale ones and those the experiment no longer has.
    public static func pending(_ plan: SweepPlan, stored: [RunRecord], storedExperiment: ExperimentRecord?, resume: Bool)
        -> (run: [SweepCell], stale: [RunKey]) {
        guard resume else { return (plan.cells, []) }
        let new = plan.record
        let sameWindow = storedExperiment.map {
            $0.warmUpS == new.warmUpS && $0.durationS == new.durationS && $0.startHour == new.startHour
        } ?? false
        let cells = Dictionary(uniqueKeysWithValues: plan.cells.map { ($0.key, $0) })
        var done = Set<RunKey>()
        var stale: [RunKey] = []
        for r in stored {
            let k = r.runKey
            if sameWindow, let c = cells[k], c.provenance.modelSHA256 == r.modelSHA256, c.provenance.pricingSHA256 == r.pricingSHA256 {
                done.insert(k)
            } else {
                stale.append(k)
            }
        }
        return (plan.cells.filter { !done.contains($0.key) }, stale)
    }

    /// Simulates, analyses and stores one cell; a monitor sees its progress (and changes nothing).
    public static func run(_ cell: SweepCell, monitor: RunMonitor? = nil) -> StoredRun {
        StoredRun(key: cell.key, run: DiagnosedRun.run(model: cell.model, settings: cell.settings, monitor: monitor), provenance: cell.provenance)
    }

    /// Runs `cells` on up to `jobs` threads, the heaviest first (so the last ones to finish are
    /// short), saving each as it finishes. Stops starting new runs after the first failure to
    /// save, and throws it.
    ///
    /// With `onRunning`, each run is watched between slices of simulated time (a terminal's
    /// progress bar), which changes nothing in its results; without, runs go unwatched.
    public static func run(_ cells: [SweepCell], into database: ResultsDatabase, jobs: Int,
                           onProgress: (@Sendable (Progress) -> Void)? = nil,
                           onRunning: (@Sendable (RunningProgress) -> Void)? = nil) throws {
        let order = cells.indices.sorted { cells[$0].weight > cells[$1].weight || (cells[$0].weight == cells[$1].weight && $0 < $1) }
        let totalWeight = cells.reduce(0) { $0 + $1.weight }
        let clock = WallClock()
        let failure = Mutex<(any Error)?>(nil)
        let finished = Mutex((count: 0, weight: 0.0, running: [Int: Double]()))
        _ = ParallelRunner.run(count: order.count, jobs: jobs) { i in
            if failure.withLock({ $0 != nil }) { return }
            let cell = cells[order[i]]
            let monitor = onRunning.map { report in
                RunMonitor(interval: progressInterval) { p in
                    finished.withLock { f in
                        f.running[i] = p.fraction
                        let partial = f.running.reduce(0.0) { $0 + $1.value * cells[order[$1.key]].weight }
                        let share = totalWeight > 0 ? Swift.min(1, (f.weight + partial) / totalWeight) : 1
                        let elapsed = clock.elapsed
                        report(RunningProgress(done: f.count, total: cells.count, share: share, elapsedSeconds: elapsed,
                                               secondsLeft: share > 0 ? elapsed * (1 - share) / share : nil))
                    }
                    return true
                }
            }
            let stored = run(cell, monitor: monitor)
            do {
                try database.save(stored)
            } catch {
                failure.withLock { if $0 == nil { $0 = error } }
                return
            }
            // Counted and reported under one lock, so progress lines come out in order.
            finished.withLock { f in
                f.count += 1
                f.weight += cell.weight
                f.running[i] = nil
                let elapsed = clock.elapsed
                let left = f.weight > 0 ? elapsed * (totalWeight - f.weight) / f.weight : nil
                onProgress?(Progress(done: f.count, total: cells.count, elapsedSeconds: elapsed, secondsLeft: left,
                                     finished: cell.key, runWallSeconds: stored.run.wallS))
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
    }
}
