/// The volume one database server gets: its class's limits with the IOPS and throughput the
/// capacity plan provisioned. Every server of a run (primaries, replicas, shards) has one.
public struct VolumeSpec: Sendable, Equatable, Codable {
    public var className: String
    /// IOPS limit (reads and writes each, or together: ``separateReadWriteIOPS``).
    public var iops: Double
    public var throughputMBps: Double
    /// Time one 8 kB I/O takes on an idle volume (seconds).
    public var ioLatency: Double
    public var separateReadWriteIOPS: Bool
    public var sequentialIOBytes: Double
    /// The largest volume the class allows (GB).
    public var maxSizeGB: Double

    public init(className: String, iops: Double, throughputMBps: Double, ioLatency: Double, separateReadWriteIOPS: Bool,
                sequentialIOBytes: Double, maxSizeGB: Double) {
        self.className = className; self.iops = iops; self.throughputMBps = throughputMBps; self.ioLatency = ioLatency
        self.separateReadWriteIOPS = separateReadWriteIOPS; self.sequentialIOBytes = sequentialIOBytes; self.maxSizeGB = maxSizeGB
    }

    public init(volumeClass c: VolumeClass, iops: Double, throughputMBps: Double) {
        self.init(className: c.name, iops: iops, throughputMBps: throughputMBps, ioLatency: c.ioLatency,
                  separateReadWriteIOPS: c.separateReadWriteIOPS, sequentialIOBytes: c.sequentialIOBytes, maxSizeGB: c.maxSizeGB)
    }

    /// I/O units (shares of one IOPS) a random 8 kB page read or write costs: 1, or more when the
    /// throughput limit binds before the IOPS limit does.
    public var unitsPerPage: Double {
        Swift.max(1, StorageDemand.pageBytes * iops / Swift.max(1, throughputMBps * 1e6))
    }

    /// I/O units per byte read sequentially: one I/O covers `sequentialIOBytes`, unless the
    /// throughput limit binds first.
    public var unitsPerSequentialByte: Double {
        Swift.max(1 / Swift.max(1, sequentialIOBytes), iops / Swift.max(1, throughputMBps * 1e6))
    }
}
