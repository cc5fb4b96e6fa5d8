/// The database volume and what sits in front of it: the volume class and its provisioned
/// IOPS and throughput, the writes a transaction leaves behind, and how the server's RAM is
/// split between Postgres's shared buffers, the OS page cache and the backends.
///
/// Storage is a capacity like the cores: a page read that misses the buffer cache is an I/O
/// on a volume with an IOPS limit, queued with every other I/O (see ``StorageVolume``), and the
/// vertical ladder is chosen on CPU, memory and IOPS together (``CapacityPlan``).
public struct StorageModel: Sendable {
    /// Which of the pricing catalog's volume classes the servers use.
    public var volumeClass: VolumeClassChoice
    /// IOPS bought per volume (classes that sell them).
    public var provisionedIOPS: ProvisionedAmount
    /// Throughput bought per volume, MB/s (classes that sell it).
    public var provisionedThroughputMBps: ProvisionedAmount
    /// Busy share of the volume's IOPS the sizing aims at (like the ladder's target for CPU).
    public var targetUtilization: Double
    /// Pages written back by checkpoints per write transaction (heap and index pages it dirtied,
    /// less those dirtied again before the next checkpoint).
    public var checkpointPagesPerWriteTransaction: Double
    public init(volumeClass: VolumeClassChoice, provisionedIOPS: ProvisionedAmount, provisionedThroughputMBps: ProvisionedAmount,
                targetUtilization: Double, checkpointPagesPerWriteTransaction: Double) {
        self.volumeClass = volumeClass; self.provisionedIOPS = provisionedIOPS
        self.provisionedThroughputMBps = provisionedThroughputMBps; self.targetUtilization = targetUtilization
        self.checkpointPagesPerWriteTransaction = checkpointPagesPerWriteTransaction
    }
}

/// A volume class picked by name, or the catalog's first class that holds the load.
public enum VolumeClassChoice: Sendable, Equatable {
    /// The first class in the pricing catalog's order whose limits hold the load (the catalogs
    /// list the cheapest first); the last class when none does.
    case firstThatHolds
    case named(String)
}

/// How much of a sold capacity (IOPS, throughput) a volume is provisioned with.
public enum ProvisionedAmount: Sendable, Equatable {
    /// What the load needs at the target utilization, within the class's range.
    case toLoad
    /// This much, clamped to the class's range.
    case fixed(Double)
}

/// The memory of a Postgres server and what caches pages in it: shared_buffers, and the OS
/// page cache in what is left after the backends and the operating system.
public struct BufferCacheModel: Sendable {
    /// shared_buffers as a share of the server's RAM.
    public var sharedBuffersFraction: Double
    /// Share of shared_buffers whose pages sit in the OS page cache too (Postgres reads
    /// through the page cache, so a page can be held twice), counted once.
    public var sharedBuffersAlsoInPageCache: Double
    /// RAM the operating system and other processes keep (bytes).
    public var osReservedBytes: Double
    public init(sharedBuffersFraction: Double, sharedBuffersAlsoInPageCache: Double, osReservedBytes: Double) {
        self.sharedBuffersFraction = sharedBuffersFraction; self.sharedBuffersAlsoInPageCache = sharedBuffersAlsoInPageCache
        self.osReservedBytes = osReservedBytes
    }

    /// Bytes of distinct data pages a server of `memoryGB` caches with `backends` open: shared
    /// buffers plus the page cache, less the backends' and the OS's memory and the pages held twice.
    public func cacheBytes(memoryGB: Double, backends: Double, bytesPerBackend: Double) -> Double {
        let ram = memoryGB * 1e9
        return Swift.max(0, ram - osReservedBytes - backends * bytesPerBackend - ram * sharedBuffersFraction * sharedBuffersAlsoInPageCache)
    }
}

/// How many Postgres clusters the users are spread over (by user-id hash).
public enum ShardingRule: Sendable, Equatable {
    /// Exactly this many (1: no sharding).
    case fixed(Int)
    /// As few as keep each cluster within `largestSizeShare` of the ladder's largest size (its
    /// CPU and IOPS at their targets, and the volume's size limit), up to `maxShards`.
    case byLoad(largestSizeShare: Double, maxShards: Int)

    /// The count when it is fixed, else nil (the capacity plan decides).
    public var fixedCount: Int? {
        if case .fixed(let n) = self { return Swift.max(1, n) }
        return nil
    }
}

/// A kind of volume a pricing catalog sells (a Railway volume, EBS gp3, io2): its limits and prices.
public struct VolumeClass: Sendable, Equatable {
    public var name: String
    public var usdPerGBMonth: Double
    /// The largest volume the provider gives (GB): data beyond it does not fit.
    public var maxSizeGB: Double
    /// IOPS that come with the volume at no extra charge.
    public var includedIOPS: Double
    /// The fewest and most IOPS one volume can be provisioned with.
    public var minIOPS: Double
    public var maxIOPS: Double
    /// Price of provisioned IOPS above the included ones, by tier (IOPS up to, USD per IOPS-month).
    public var iopsPriceTiers: [PriceTier]
    /// Whether reads and writes each have the IOPS limit (Railway) or share it (EBS).
    public var separateReadWriteIOPS: Bool
    /// Throughput that comes with the volume, the most it can be provisioned with, and the
    /// price of each MB/s above the included (MB/s, USD per MB/s-month).
    public var includedThroughputMBps: Double
    public var maxThroughputMBps: Double
    public var usdPerThroughputMBpsMonth: Double
    /// Throughput that comes with each provisioned IOPS (io2), MB/s.
    public var throughputMBpsPerIOPS: Double
    /// Time one 8 kB I/O (read, or a write with its flush) takes on an idle volume.
    public var ioLatency: Double
    /// Bytes one I/O covers when a read is sequential (the provider merges them).
    public var sequentialIOBytes: Double
    public init(name: String, usdPerGBMonth: Double, maxSizeGB: Double, includedIOPS: Double, minIOPS: Double, maxIOPS: Double,
                iopsPriceTiers: [PriceTier], separateReadWriteIOPS: Bool, includedThroughputMBps: Double, maxThroughputMBps: Double,
                usdPerThroughputMBpsMonth: Double, throughputMBpsPerIOPS: Double, ioLatency: Double, sequentialIOBytes: Double) {
        self.name = name; self.usdPerGBMonth = usdPerGBMonth; self.maxSizeGB = maxSizeGB; self.includedIOPS = includedIOPS
        self.minIOPS = minIOPS; self.maxIOPS = maxIOPS; self.iopsPriceTiers = iopsPriceTiers
        self.separateReadWriteIOPS = separateReadWriteIOPS; self.includedThroughputMBps = includedThroughputMBps
        self.maxThroughputMBps = maxThroughputMBps; self.usdPerThroughputMBpsMonth = usdPerThroughputMBpsMonth
        self.throughputMBpsPerIOPS = throughputMBpsPerIOPS; self.ioLatency = ioLatency; self.sequentialIOBytes = sequentialIOBytes
    }

    /// IOPS a volume of this class gets when the model asks for `wanted` (nil: the least it can have).
    public func iops(wanted: Double?) -> Double {
        Swift.min(maxIOPS, Swift.max(minIOPS, includedIOPS, wanted ?? 0))
    }

    /// Throughput with `iops` provisioned when the model asks for `wanted` MB/s (nil: the least).
    public func throughputMBps(wanted: Double?, iops: Double) -> Double {
        let base = includedThroughput(iops: iops)
        return Swift.min(Swift.max(base, wanted ?? 0), Swift.max(base, maxThroughputMBps))
    }

    /// Throughput that comes with `iops` provisioned, at no charge of its own.
    public func includedThroughput(iops: Double) -> Double {
        Swift.max(includedThroughputMBps, Swift.min(maxThroughputMBps, throughputMBpsPerIOPS * iops))
    }

    /// Monthly price of the IOPS and throughput provisioned beyond what the class includes.
    public func monthlyPerformanceUSD(iops: Double, throughputMBps: Double) -> Double {
        var usd = 0.0, floor = includedIOPS, left = Swift.max(0, iops - includedIOPS)
        for t in iopsPriceTiers where left > 0 {
            let span = Swift.min(left, Swift.max(0, t.upTo - floor))
            usd += span * t.usdPerUnitMonth
            left -= span
            floor = Swift.max(floor, t.upTo)
        }
        usd += Swift.max(0, throughputMBps - includedThroughput(iops: iops)) * usdPerThroughputMBpsMonth
        return usd
    }
}

/// One tier of a volume-tiered price: units up to `upTo` (cumulative) cost `usdPerUnitMonth` each.
public struct PriceTier: Sendable, Equatable {
    public var upTo: Double
    public var usdPerUnitMonth: Double
    public init(upTo: Double, usdPerUnitMonth: Double) { self.upTo = upTo; self.usdPerUnitMonth = usdPerUnitMonth }
}
