import PlatformModel

/// The requests the simulator simulated in one run, as a file another program can replay
/// against a real platform (the testbed's replayer): when each request arrives, whose it is,
/// from which IP, to which endpoint with which parameters, and what the simulator predicted
/// for it.
///
/// The predicted outcome rides along so that one file is both the load to send and the
/// prediction to compare with: the replayer's measurements line up with it record by record.
public struct Trace: Sendable, Equatable {
    /// The format's version: the first line of the file says `# platformsim-trace 1`.
    public static let formatVersion = 1

    public var header: TraceHeader
    public var records: [TraceRecord]

    public init(header: TraceHeader, records: [TraceRecord]) {
        self.header = header
        self.records = records
    }

    /// Records that arrived in the measured window (after the warm-up).
    public var measured: ArraySlice<TraceRecord> {
        let start = header.warmUpSeconds
        let first = records.firstIndex { $0.time >= start } ?? records.endIndex
        return records[first...]
    }

    /// Whether a record arrived in the measured window (after the warm-up, before the end).
    public func inMeasuredWindow(_ r: TraceRecord) -> Bool {
        r.time >= header.warmUpSeconds && r.time < header.warmUpSeconds + header.durationSeconds
    }
}

/// What made a trace: the model files and their hash, the configuration, the overrides, the
/// users, seed, rate scale and window, and the program's version. Enough to run the same
/// simulation again (``TraceRecorder``) and to refuse a model that has changed since.
public struct TraceHeader: Sendable, Equatable, Codable {
    public var modelFile: String
    public var configuration: String
    /// Every model file read, base first (overlays included).
    public var files: [String]
    public var overlays: [String]
    public var overrides: [String]
    public var modelHash: String
    public var users: Int
    public var seed: UInt64
    /// Every arrival rate of the traffic multiplied by this (``TrafficScaling``).
    public var rateScale: Double
    public var warmUpSeconds: Double
    public var durationSeconds: Double
    /// The measured window's start, seconds into the simulated day (time 0 of the trace is
    /// `windowStart - warmUpSeconds`).
    public var windowStart: Double
    /// Whether the run started cold: no traffic history, every limiter window and cache empty
    /// (``RunSettings/replaySeconds`` 0), as the testbed's servers start.
    public var coldStart: Bool
    /// The endpoints by index, as the model names them.
    public var endpoints: [String]
    /// The tiers by index.
    public var tiers: [String]
    public var programVersion: String

    public init(modelFile: String, configuration: String, files: [String], overlays: [String], overrides: [String],
                modelHash: String, users: Int, seed: UInt64, rateScale: Double, warmUpSeconds: Double,
                durationSeconds: Double, windowStart: Double, coldStart: Bool = false, endpoints: [String], tiers: [String], programVersion: String) {
        self.modelFile = modelFile
        self.configuration = configuration
        self.files = files
        self.overlays = overlays
        self.overrides = overrides
        self.modelHash = modelHash
        self.users = users
        self.seed = seed
        self.rateScale = rateScale
        self.warmUpSeconds = warmUpSeconds
        self.durationSeconds = durationSeconds
        self.windowStart = windowStart
        self.coldStart = coldStart
        self.endpoints = endpoints
        self.tiers = tiers
        self.programVersion = programVersion
    }
}

/// One request of a trace.
public struct TraceRecord: Sendable, Equatable {
    /// Seconds from the trace's start (the start of the warm-up).
    public var time: Double
    /// Index into ``TraceHeader/endpoints``.
    public var endpoint: Int
    /// The user (index into the population), or -1 for traffic without one.
    public var user: Int
    /// Index into ``TraceHeader/tiers``, or -1.
    public var tier: Int
    /// The source IP as an index (``TraceRecord/ipAddress(_:)`` spells it).
    public var ip: Int
    /// The page size asked for, 0 when the endpoint takes none.
    public var pageLimit: Int
    /// 0 for a first attempt, n for a client's n-th retry.
    public var attempt: Int
    /// What the simulator predicted: the status, the latency (NaN when the run ended first),
    /// and the error kind (nil for success).
    public var predictedStatus: Int
    public var predictedLatencyMs: Double
    public var predictedError: ErrorKind?

    public init(time: Double, endpoint: Int, user: Int, tier: Int, ip: Int, pageLimit: Int, attempt: Int,
                predictedStatus: Int, predictedLatencyMs: Double, predictedError: ErrorKind?) {
        self.time = time
        self.endpoint = endpoint
        self.user = user
        self.tier = tier
        self.ip = ip
        self.pageLimit = pageLimit
        self.attempt = attempt
        self.predictedStatus = predictedStatus
        self.predictedLatencyMs = predictedLatencyMs
        self.predictedError = predictedError
    }

    /// Whether `other` is the same request (time, endpoint, user, tier, IP, page size, attempt),
    /// whatever was predicted for it: a request the run left unanswered has a NaN latency,
    /// which equals nothing, not even itself.
    public func isSameRequest(as other: TraceRecord) -> Bool {
        time == other.time && endpoint == other.endpoint && user == other.user && tier == other.tier && ip == other.ip
            && pageLimit == other.pageLimit && attempt == other.attempt
    }

    /// An IP index as an address in 10.0.0.0/8 (index 0 is 10.0.0.1), for `X-Forwarded-For`.
    public static func ipAddress(_ index: Int) -> String {
        let v = (index + 1) & 0xFF_FFFF
        return "10.\(v >> 16).\((v >> 8) & 0xFF).\(v & 0xFF)"
    }

    /// The index of an address written by ``ipAddress(_:)``, or nil.
    public static func ipIndex(_ address: Substring) -> Int? {
        let parts = address.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "10" else { return nil }
        var v = 0
        for p in parts.dropFirst() {
            guard let b = Int(p), (0...255).contains(b) else { return nil }
            v = v << 8 | b
        }
        return v >= 1 ? v - 1 : nil
    }
}
