import PlatformModel

/// What the workbench lets a page ask of the machine: how many what-ifs run at once and wait,
/// how large and long a run may be, and the defaults a new what-if starts from.
///
/// The defaults answer a `phase3` what-if at 1M users (baseline and what-if, three seeds each,
/// one minute of warm-up and three measured minutes of the busiest hour) in about 8 seconds on
/// the 2-core build machine (see the README's `serve` section); a reader who wants narrower
/// intervals raises the replications or the window on the page, up to the maxima here.
/// `platform-sim serve --limits FILE` reads them from a YAML file
/// (`Documentation/workbench-limits.yaml` lists every key with its default).
public struct WorkbenchLimits: Sendable, Equatable {
    /// What-ifs simulated at the same time; the others wait in the queue.
    public var concurrentRuns = 1
    /// What-ifs waiting beyond the running ones; more are refused with 503 until one finishes.
    public var queuedRuns = 16
    /// Threads one what-if spreads its runs over (0: one per core).
    public var simulationThreads = 0
    /// Largest registered-user count a what-if may ask for.
    public var maxUsers = 3_000_000
    /// Longest measured window and warm-up, in simulated seconds.
    public var maxDurationS = 3600.0
    public var maxWarmUpS = 1800.0
    /// Most replications (seeds) per side.
    public var maxReplications = 10
    /// Most parameter overrides in one what-if.
    public var maxOverrides = 64
    /// Most simulated events one what-if (both sides, every replication) may take, as estimated
    /// before it starts (``PlatformModel/WorkEstimate``): the command line's `--max-events`
    /// default. A what-if past it is refused with how long it would take.
    public var maxEvents = WorkEstimate.defaultMaxEvents
    /// Finished what-ifs kept in memory for their pages (the oldest go first; saved ones stay
    /// in the results database).
    public var finishedRunsKept = 50
    /// Seconds a running what-if waits for its page to reconnect before it is cancelled.
    public var disconnectGraceS = 2.0
    /// Defaults of the what-if form.
    public var defaultUsers = 1_000_000
    public var defaultReplications = 3
    public var defaultDurationS = 180.0
    public var defaultWarmUpS = 60.0

    public init() {}

    /// Threads a what-if uses: the configured count, or the machine's cores.
    public func threads(availableCores: Int) -> Int {
        simulationThreads > 0 ? simulationThreads : Swift.max(1, availableCores)
    }
}
