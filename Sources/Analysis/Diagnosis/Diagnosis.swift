import PlatformModel

/// Why a run's numbers are what they are: every limit that binds, most binding first, the
/// headroom, the endpoint behind the tail and the monthly cost. One diagnosis per run, made by
/// ``Diagnosis/init(of:model:)`` alone; tables, sizing and notebooks render it and never
/// decide causes again.
public struct Diagnosis: Sendable, Codable, Equatable {
    /// What limits the run, most binding first (see ``Diagnosis/init(of:model:)`` for the
    /// order). Never empty: a run with no error and nothing busy still has its busiest component.
    public var causes: [Cause]
    /// How many more users before the first component saturates.
    public var headroom: Headroom?
    /// The endpoint that sets the overall p99, when one does.
    public var tail: TailEndpoint?
    public var cost: CostBreakdown

    /// The first cause: what a table shows as the bottleneck.
    public var bottleneck: Cause { causes[0] }

    /// The causes that failed requests, with their shares.
    public var errorCauses: [Cause] { causes.filter { $0.kind.errorKind != nil } }

    public init(causes: [Cause], headroom: Headroom?, tail: TailEndpoint?, cost: CostBreakdown) {
        precondition(!causes.isEmpty, "a diagnosis names at least one cause")
        self.causes = causes; self.headroom = headroom; self.tail = tail; self.cost = cost
    }
}

/// One thing that limits a run: a hard limit that failed requests, a capacity at its end, or
/// the component that saturates (or is busiest).
public struct Cause: Sendable, Codable, Equatable {
    public var kind: CauseKind
    /// The component's name in the run (`prisma-pool`, `postgres-shard2`, `ratelimit-global`).
    public var component: String
    public var componentKind: ComponentKind?
    /// The component's busy share where it has one (0 for a rate limiter: hit or not).
    public var utilization: Double
    /// Share of the window's requests this cause failed (0 for a capacity cause).
    public var requestShare: Double
    /// The sentence a table shows.
    public var reason: String

    public init(kind: CauseKind, component: String, componentKind: ComponentKind?, utilization: Double, requestShare: Double, reason: String) {
        self.kind = kind; self.component = component; self.componentKind = componentKind; self.utilization = utilization
        self.requestShare = requestShare; self.reason = reason
    }
}

/// What kind of limit a ``Cause`` is.
public enum CauseKind: Sendable, Hashable {
    /// A hard limit that answered requests with this kind of error.
    case errors(ErrorKind)
    /// Postgres at the largest size its ladder allows and still short of CPU.
    case largestDatabaseSize
    /// Redis over `maxmemory`: keys evicted.
    case redisMemoryFull
    /// A component at or past the saturation threshold now.
    case saturated
    /// Nothing failed: the component that saturates first as users grow.
    case saturatesFirst
    /// Nothing failed and nothing saturates within its scaling rule: the busiest component.
    case busiest

    /// The kind of error, for an error cause.
    public var errorKind: ErrorKind? {
        if case .errors(let k) = self { return k }
        return nil
    }

    /// The stable name in the database and JSON (`errors.poolTimeout`, `saturated`).
    public var name: String {
        switch self {
        case .errors(let k): "errors.\(k.name)"
        case .largestDatabaseSize: "largestDatabaseSize"
        case .redisMemoryFull: "redisMemoryFull"
        case .saturated: "saturated"
        case .saturatesFirst: "saturatesFirst"
        case .busiest: "busiest"
        }
    }

    public init?(name: String) {
        if name.hasPrefix("errors."), let k = ErrorKind(name: String(name.dropFirst(7))) { self = .errors(k); return }
        switch name {
        case "largestDatabaseSize": self = .largestDatabaseSize
        case "redisMemoryFull": self = .redisMemoryFull
        case "saturated": self = .saturated
        case "saturatesFirst": self = .saturatesFirst
        case "busiest": self = .busiest
        default: return nil
        }
    }
}

extension CauseKind: Codable {
    public init(from decoder: Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        guard let k = CauseKind(name: name) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown cause '\(name)'"))
        }
        self = k
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(name)
    }
}

/// The endpoint that sets the overall p99: the slowest one with at least 1% of requests, when
/// its own p99 is at or above the overall p99.
public struct TailEndpoint: Sendable, Codable, Equatable {
    public var endpoint: String
    public var p50Ms: Double
    public var p99Ms: Double
    /// Its share of the window's requests.
    public var requestShare: Double
}

/// How many more users the configuration takes before its first component saturates.
public struct Headroom: Sendable, Codable, Equatable {
    /// Users more than this run's (0 when a component is saturated already).
    public var users: Int
    /// The user count at which it saturates.
    public var saturatesAt: Int
    public var component: String
    public var componentKind: ComponentKind
    /// What runs out: "its single thread", "CPU, even at its largest size (32 vCPU)"...
    public var limit: String
    public init(users: Int, saturatesAt: Int, component: String, componentKind: ComponentKind, limit: String) {
        self.users = users; self.saturatesAt = saturatesAt; self.component = component; self.componentKind = componentKind; self.limit = limit
    }
}

/// One line of the monthly bill.
public struct CostItem: Sendable, Codable, Equatable {
    public var name: String
    public var monthlyUSD: Double
    public var basis: String
    public init(name: String, monthlyUSD: Double, basis: String) { self.name = name; self.monthlyUSD = monthlyUSD; self.basis = basis }
}

/// The monthly bill of a run's configuration at its user count.
public struct CostBreakdown: Sendable, Codable, Equatable {
    public var provider: String
    public var monthlyUSD: Double
    public var perThousandUsersUSD: Double
    public var items: [CostItem]
    public init(provider: String, monthlyUSD: Double, perThousandUsersUSD: Double, items: [CostItem]) {
        self.provider = provider; self.monthlyUSD = monthlyUSD; self.perThousandUsersUSD = perThousandUsersUSD; self.items = items
    }
}

/// A run with its diagnosis: what every command stores, prints and compares.
public struct DiagnosedRun: Sendable, Equatable {
    public var result: RunResult
    public var diagnosis: Diagnosis

    public init(result: RunResult, diagnosis: Diagnosis) {
        self.result = result
        self.diagnosis = diagnosis
    }

    /// Simulates one run and diagnoses it: the one way a run is made. A monitor sees its
    /// progress between slices of simulated time (which changes nothing in the result); one
    /// that cancels is ignored here: the run goes on to its end.
    public static func run(model: PlatformModel, settings: RunSettings, plan: CapacityPlan? = nil, monitor: RunMonitor? = nil) -> DiagnosedRun {
        let result: RunResult
        if let monitor {
            let watching = RunMonitor(interval: monitor.interval) { p in _ = monitor.onProgress(p); return true }
            result = PlatformRun.run(model: model, settings: settings, plan: plan, monitor: watching, recordRequests: false)!.result
        } else {
            result = PlatformRun.run(model: model, settings: settings, plan: plan)
        }
        return DiagnosedRun(result: result, diagnosis: Diagnosis(of: result, model: model))
    }
}

extension DiagnosedRun: Codable {
    enum CodingKeys: String, CodingKey { case diagnosis }

    /// The result's members at the top level, and `diagnosis` beside them.
    public func encode(to encoder: Encoder) throws {
        try result.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(diagnosis, forKey: .diagnosis)
    }

    public init(from decoder: Decoder) throws {
        result = try RunResult(from: decoder)
        diagnosis = try decoder.container(keyedBy: CodingKeys.self).decode(Diagnosis.self, forKey: .diagnosis)
    }
}
