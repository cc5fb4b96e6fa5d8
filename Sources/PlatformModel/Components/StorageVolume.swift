import SimulationEngine

/// The volume under one database server, as a queue: I/O requests share its IOPS limit.
///
/// A request is a query's page reads (or a commit's WAL flush), done one after another by its
/// backend: alone on an idle volume it takes `units x ioLatency`. Requests present together are
/// served at once, each at an equal share of the volume, until the IOPS limit binds: with n
/// requests the volume runs min(n / ioLatency, IOPS) I/Os per second. That is a processor-
/// sharing station with capacity min(n, c) in units of one request's pace, c = IOPS x
/// ioLatency: a c-server processor-sharing queue, whose number in system does not depend on the
/// service distribution and equals M/M/c's (a symmetric queue, Kelly 1979), so latency rises
/// with load as Erlang C says.
///
/// Reads and writes share the limit (EBS) or each have one (Railway); then writes have their
/// own station. Background I/O that no request waits for (checkpoint writes, a replica's WAL
/// and the reads to apply it) is taken off the limit at the rate the capacity plan expects.
public struct StorageVolume: Sendable {
    public let name: String
    public let spec: VolumeSpec
    /// Background I/O units per second taken off each side's limit.
    public let backgroundReadIOPS: Double
    public let backgroundWriteIOPS: Double
    /// Page reads (and WAL flushes when they share the limit).
    public var reads: ProcessorSharingStation
    /// WAL flushes when writes have a limit of their own (nil: they go to `reads`).
    public var writes: ProcessorSharingStation?
    /// I/O units asked of each side in the measured window (foreground).
    public var readUnits = 0.0
    public var writeUnits = 0.0
    /// Time requests spent waiting beyond their unloaded time, summed, and their count.
    public var readDelaySum = 0.0
    public var writeDelaySum = 0.0

    /// - Parameters:
    ///   - index: this volume's number; its stations complete with targets 2 x index (reads)
    ///     and 2 x index + 1 (writes).
    public init(name: String, spec: VolumeSpec, backgroundReadIOPS: Double, backgroundWriteIOPS: Double, index: Int32,
                completionKind: Int32, startTime: Double) {
        self.name = name
        self.spec = spec
        self.backgroundReadIOPS = backgroundReadIOPS
        self.backgroundWriteIOPS = backgroundWriteIOPS
        let readBackground = spec.separateReadWriteIOPS ? backgroundReadIOPS : backgroundReadIOPS + backgroundWriteIOPS
        reads = Self.station(name: name + "-reads", iops: spec.iops, background: readBackground, latency: spec.ioLatency,
                             index: 2 * index, completionKind: completionKind, startTime: startTime)
        writes = spec.separateReadWriteIOPS
            ? Self.station(name: name + "-writes", iops: spec.iops, background: backgroundWriteIOPS, latency: spec.ioLatency,
                           index: 2 * index + 1, completionKind: completionKind, startTime: startTime)
            : nil
    }

    /// The capacity left to requests, in requests' paces: (IOPS - background) x latency, at
    /// least a hundredth of the limit (a volume swamped by background I/O still crawls).
    public static func paces(iops: Double, background: Double, latency: Double) -> Double {
        Swift.max(iops * 0.01, iops - background) * latency
    }

    static func station(name: String, iops: Double, background: Double, latency: Double, index: Int32, completionKind: Int32,
                        startTime: Double) -> ProcessorSharingStation {
        let c = Swift.max(1e-9, paces(iops: iops, background: background, latency: latency))
        let servers = Swift.max(1, Int(c.rounded(.up)))
        var curve = [0.0]
        for n in 1...servers { curve.append(Swift.min(Double(n), c)) }
        return ProcessorSharingStation(name: name, servers: servers, capacityCurve: curve, index: index,
                                       completionKind: completionKind, startTime: startTime)
    }

    /// Seconds of station work for `units` I/O units (their time alone on an idle volume).
    @inline(__always)
    public func work(units: Double) -> Double { units * spec.ioLatency }

    /// The station WAL flushes go to: 1 (writes) or 0 (shared with reads).
    @inline(__always)
    public var writeSide: Int { writes == nil ? 0 : 1 }

    /// Busy share of the read side's IOPS (with the writes when shared), background included.
    public func readUtilization(at time: Double) -> Double {
        let background = spec.separateReadWriteIOPS ? backgroundReadIOPS : backgroundReadIOPS + backgroundWriteIOPS
        return Swift.min(1, (reads.busy.average(at: time) / spec.ioLatency + background) / spec.iops)
    }

    /// Busy share of the write side's own IOPS (nil when writes share the read side's).
    public func writeUtilization(at time: Double) -> Double? {
        guard let w = writes else { return nil }
        return Swift.min(1, (w.busy.average(at: time) / spec.ioLatency + backgroundWriteIOPS) / spec.iops)
    }

    /// The busier side's share: what runs out first.
    public func utilization(at time: Double) -> Double {
        Swift.max(readUtilization(at: time), writeUtilization(at: time) ?? 0)
    }

    public mutating func resetStatistics(at time: Double) {
        reads.resetStatistics(at: time)
        writes?.resetStatistics(at: time)
        readUnits = 0
        writeUnits = 0
        readDelaySum = 0
        writeDelaySum = 0
    }
}
