/// How to run one simulation: which seed and replication, and which window of the day.
public struct RunSettings: Sendable, Equatable, Codable {
    public var seed: UInt64
    public var replication: Int
    /// Hour of the day (0-24) the measured window starts; nil for the busiest hour of the diurnal profile.
    public var startHour: Double?
    /// Seconds simulated before measuring (statistics are discarded).
    public var warmUp: Double
    /// Seconds measured.
    public var duration: Double
    /// Width of a time-series bucket in seconds.
    public var timeSeriesInterval: Double
    /// Seconds of traffic replayed before the run through rate-limit windows and caches only
    /// (no components), so that those start as real traffic leaves them: 900 s is the 15-minute
    /// window of the platform's main rate limits. 0 starts cold: empty limiter windows and
    /// caches, as servers just started (only sessions under way carry on into the run).
    public var replaySeconds: Double = 900

    public init(seed: UInt64 = 1, replication: Int = 0, startHour: Double? = nil, warmUp: Double = 300, duration: Double = 3600, timeSeriesInterval: Double = 10) {
        self.seed = seed
        self.replication = replication
        self.startHour = startHour
        self.warmUp = warmUp
        self.duration = duration
        self.timeSeriesInterval = timeSeriesInterval
    }

    /// The measured window's start in seconds into the day.
    public func windowStart(diurnalWeights: [Double]) -> Double {
        if let h = startHour { return h * 3600 }
        var best = 0
        for (i, w) in diurnalWeights.enumerated() where w > diurnalWeights[best] { best = i }
        return Double(best) * 3600
    }
}
