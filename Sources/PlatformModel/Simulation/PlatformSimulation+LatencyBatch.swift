import Histogram

/// Responses' latencies added to the histograms in batches rather than one at a time.
///
/// A response is counted in up to three HdrHistograms (the time series' bucket, its endpoint's
/// window, its endpoint's bucket), each a count array tens of kilobytes long indexed by the
/// latency: at a million users, three cache misses per response that stalled the event loop
/// inside every completion (6% of a phase3 run's time in `record`). Kept in a small buffer and
/// added 512 at a time, the misses of one batch overlap. The counts are the same as adding each
/// response at once (a histogram's counts do not depend on the order of additions), so every
/// output is byte for byte what it was; every place that reads or resets these histograms
/// flushes first.
extension PlatformSimulation {
    /// How many responses wait before they are added (a few kilobytes of buffer).
    static let latencyBatch = 512

    /// Notes one response: `endpoint` is negative for a response outside the measured window
    /// (counted in the time series' histogram only).
    @inline(__always)
    mutating func bufferLatency(_ micros: UInt64, endpoint: Int) {
        pendingLatencies.append(PendingLatency(micros: micros, endpoint: Int32(truncatingIfNeeded: endpoint)))
        if pendingLatencies.count >= Self.latencyBatch { flushLatencies() }
    }

    /// Adds every buffered response to its histograms.
    @inline(never)
    mutating func flushLatencies() {
        guard !pendingLatencies.isEmpty else { return }
        for p in pendingLatencies {
            _ = tickLatency.record(p.micros)
            guard p.endpoint >= 0 else { continue }
            let e = Int(p.endpoint)
            _ = endpointLatency[e].record(p.micros)
            _ = bucketEndpointLatency[e].record(p.micros)
        }
        pendingLatencies.removeAll(keepingCapacity: true)
    }
}

/// One response waiting in ``PlatformSimulation/pendingLatencies``.
struct PendingLatency {
    var micros: UInt64
    /// The endpoint's index, or -1 outside the measured window.
    var endpoint: Int32
}
