import PlatformModel

/// Runs one configuration with every request recorded, and turns the run's ``RequestLog``
/// into a ``Trace``: the same users, sessions and requests as `platform-sim run` with the
/// same seed, because it is that run.
public enum TraceRecorder {
    /// The trace and the run it came from.
    /// - Parameters:
    ///   - model: the model as loaded, before rate scaling.
    ///   - rateScale: passed to ``TrafficScaling``.
    public static func record(model: PlatformModel, header partial: TraceHeader, settings given: RunSettings) -> (Trace, RunResult) {
        var settings = given
        if partial.coldStart { settings.replaySeconds = 0 }
        let scaled = TrafficScaling.scaled(model, by: partial.rateScale)
        let (result, log) = PlatformRun.run(model: scaled, settings: settings, plan: nil, monitor: nil, recordRequests: true)!
        let window = PlatformRun.window(model: scaled, settings: settings)
        var header = partial
        header.windowStart = window.start
        header.warmUpSeconds = settings.warmUp
        header.durationSeconds = settings.duration
        header.endpoints = model.endpoints.map(\.name)
        header.tiers = model.traffic.tiers.map(\.name)
        header.users = model.traffic.users
        header.seed = settings.seed
        let origin = window.start - settings.warmUp
        var records: [TraceRecord] = []
        records.reserveCapacity(log?.records.count ?? 0)
        for r in log?.records ?? [] {
            let error = r.error
            records.append(TraceRecord(
                time: Swift.max(0, r.arrival - origin), endpoint: Int(r.endpoint), user: Int(r.user), tier: Int(r.tier),
                ip: Int(r.ip), pageLimit: Int(r.pageLimit.rounded()), attempt: Int(r.attempt),
                predictedStatus: error?.httpStatus ?? 200,
                predictedLatencyMs: r.finished ? r.latency * 1000 : .nan, predictedError: error))
        }
        return (Trace(header: header, records: records), result)
    }
}
