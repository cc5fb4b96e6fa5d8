import Testing
import Analysis
import PlatformModel

/// Saturation points and headroom from each scaling rule's limit, and the endpoint behind the p99.
///
/// Load grows in proportion to users, so a component with busy share u of capacity c saturates
/// (reaches 85% of the most capacity m its rule allows) at users x 0.85 x m / (u x c).
@Suite struct DiagnosisTests {
    /// `current`: Postgres scales up a ladder ending at 32 vCPU; API instances 2-100, one
    /// process each; workers 1-50; replicas 1-5.
    static func model() throws -> PlatformModel { try Fixture.model("current", users: 1000) }

    static func point(_ points: [(component: String, kind: ComponentKind, users: Double, note: String)], _ name: String) -> Double? {
        points.first { $0.component == name }?.users
    }

    static func close(_ a: Double?, _ b: Double) -> Bool { a.map { abs($0 - b) <= 1e-9 * b } ?? false }

    @Test func eachComponentSaturatesAtItsScalingLimit() throws {
        let model = try Self.model()
        #expect(model.database.postgres.ladder.last?.vcpu == 32)
        let users = 10_000.0
        let run = Constructed.run(users: Int(users), components: [
            Constructed.component("postgres-primary", kind: .postgresPrimary, utilization: 0.5, details: [.vcpu: 2]),
            Constructed.component("redis", kind: .redis, utilization: 0.1),
            Constructed.component("pgbouncer", kind: .pgbouncer, utilization: 0.02, maxUtilization: 0.04),
            Constructed.component("api", kind: .apiProcess, count: 4, utilization: 0.3),
            Constructed.component("workers", kind: .workers, count: 2, utilization: 0.25),
            Constructed.component("postgres-replicas", kind: .postgresReplica, count: 2, utilization: 0.1, details: [.vcpu: 4]),
            Constructed.component("mailgun", kind: .externalService, utilization: 0.02),
            Constructed.component("prisma-pool", kind: .connectionPool, utilization: 0.9),   // not a scaling limit
            Constructed.component("idle-redis", kind: .redis, utilization: 0),                // no load, no point
        ], plan: Constructed.plan(apiInstances: 4, workerInstances: 2, vcpu: 2, replicas: 2))
        let points = Diagnosis.saturationPoints(for: run, model: model)

        // Postgres: 50% of 2 vCPU is 1 vCPU busy; the ladder tops out at 32 vCPU.
        #expect(Self.close(Self.point(points, "postgres-primary"), users * 0.85 * 32 / 1))
        // Redis and PgBouncer: one thread (PgBouncer by its busiest process).
        #expect(Self.close(Self.point(points, "redis"), users * 8.5))
        #expect(Self.close(Self.point(points, "pgbouncer"), users * 0.85 / 0.04))
        // API: 4 processes at 30% against 100 instances of one process.
        #expect(Self.close(Self.point(points, "api"), users * 0.85 * 100 / (0.3 * 4)))
        // Workers: 2 instances at 25% against 50.
        #expect(Self.close(Self.point(points, "workers"), users * 0.85 * 50 / (0.25 * 2)))
        // Replicas: 2 x 4 vCPU at 10% against 5 replicas of 4 vCPU (one shard).
        #expect(Self.close(Self.point(points, "postgres-replicas"), users * 0.85 * 20 / (0.1 * 4 * 2)))
        // An external service stops at its rate limit itself (100%, not 85%).
        #expect(Self.close(Self.point(points, "mailgun"), users / 0.02))
        #expect(Self.point(points, "prisma-pool") == nil && Self.point(points, "idle-redis") == nil)
        #expect(points.count == 7)
        #expect(points.map(\.users) == points.map(\.users).sorted())

        // Headroom: the first to saturate, Redis at 85,000 users, 75,000 more than now.
        let h = try #require(Diagnosis.headroom(for: run, model: model))
        #expect(h.component == "redis" && h.saturatesAt == 85_000 && h.users == 75_000 && h.limit == "its single thread")
    }

    /// A primary that cannot scale up saturates at its own size; a component already past 85%
    /// leaves no headroom; a run without scalable components has none to report.
    @Test func fixedPostgresAndNoHeadroom() throws {
        var model = try Self.model()
        model.database.postgres.scaling = .fixed(0)
        let run = Constructed.run(users: 10_000, components: [
            Constructed.component("postgres-primary", kind: .postgresPrimary, utilization: 0.5, details: [.vcpu: 2]),
        ])
        #expect(Self.close(Self.point(Diagnosis.saturationPoints(for: run, model: model), "postgres-primary"), 10_000 * 0.85 * 2 / 1))

        let saturated = Constructed.run(users: 10_000, components: [Constructed.component("redis", kind: .redis, utilization: 0.95)])
        let h = try #require(Diagnosis.headroom(for: saturated, model: try Self.model()))
        #expect(h.users == 0 && h.saturatesAt == Int((10_000 * 0.85 / 0.95).rounded()))

        let none = Constructed.run(users: 10_000, components: [Constructed.component("prisma-pool", kind: .connectionPool, utilization: 0.5)])
        #expect(Diagnosis.headroom(for: none, model: try Self.model()) == nil)
    }

    /// The endpoint behind the p99: among endpoints with at least 1% of requests and a p99 at
    /// or above the overall one, the slowest.
    @Test func tailEndpointIsTheSlowestWithEnoughRequests() {
        let run = Constructed.run(requests: 10_000, p99: 200, endpoints: [
            Constructed.endpoint("listLeads", requests: 5000, p99: 150),
            Constructed.endpoint("aiScore", requests: 99, p99: 9000),      // under 1% of requests
            Constructed.endpoint("dashboard", requests: 500, p99: 800),
            Constructed.endpoint("emailSend", requests: 100, p99: 600),     // exactly 1%
            Constructed.endpoint("getRecord", requests: 4301, p99: 200),    // at the overall p99
        ])
        #expect(Diagnosis.tailEndpoint(for: run)?.endpoint == "dashboard")

        let onlyAtP99 = Constructed.run(requests: 10_000, p99: 200, endpoints: [
            Constructed.endpoint("listLeads", requests: 5000, p99: 150),
            Constructed.endpoint("getRecord", requests: 5000, p99: 200),
        ])
        #expect(Diagnosis.tailEndpoint(for: onlyAtP99)?.endpoint == "getRecord")

        let noneSlow = Constructed.run(requests: 10_000, p99: 200, endpoints: [
            Constructed.endpoint("listLeads", requests: 9950, p99: 150),
            Constructed.endpoint("aiScore", requests: 50, p99: 9000),
        ])
        #expect(Diagnosis.tailEndpoint(for: noneSlow) == nil)
    }
}

/// The order of a diagnosis' causes: binding hard limits by their share, then the capacity at
/// its end, then minor errors, then saturation; and the component each error kind blames.
@Suite struct DiagnosisCauseTests {
    static let model = Result { try Fixture.model("current", users: 1000) }

    @Test func bindingErrorsComeFirstMostFailingFirst() throws {
        var e = ErrorCounts()
        e[.poolTimeout] = 300          // 0.3%: binding
        e[.rateLimitedFalse] = 900     // 0.9%: binding, largest
        e[.upstream] = 50              // 0.05%: below the binding share
        let run = Constructed.run(requests: 100_000, errors: e, components: [
            Constructed.component("ratelimit-global", kind: .rateLimiter, utilization: 0, limitHits: 900, details: [.falseRejected: 900]),
            Constructed.component("prisma-pool", kind: .connectionPool, utilization: 0.7, maxUtilization: 0.99),
            Constructed.component("mailgun", kind: .externalService, utilization: 0.2, limitHits: 50),
            Constructed.component("api", kind: .apiProcess, count: 2, utilization: 0.3),
        ])
        let d = Diagnosis(of: run, model: try Self.model.get())
        #expect(d.causes.map(\.kind) == [.errors(.rateLimitedFalse), .errors(.poolTimeout), .errors(.upstream), .saturatesFirst])
        // Nothing saturates yet: the provider, at 20% of its rate limit, is the first to (at 5x the users).
        #expect(d.causes.map(\.component) == ["ratelimit-global", "prisma-pool", "mailgun", "mailgun"])
        #expect(abs(d.bottleneck.requestShare - 0.009) < 1e-15)
        // The pool is judged by its busiest process.
        #expect(d.causes[1].utilization == 0.99)
        // Intended and false 429s are separate causes: here all 429s were false.
        #expect(d.bottleneck.reason.contains("100% of all 429s"), "\(d.bottleneck.reason)")
    }

    @Test func refusedConnectionsBlamePgBouncerOnlyWhenItRefused() throws {
        var e = ErrorCounts()
        e[.connectionRefused] = 1000
        let viaPostgres = Constructed.run(requests: 100_000, errors: e, components: [
            Constructed.component("pgbouncer", kind: .pgbouncer, utilization: 0.1, details: [.refusedClients: 0]),
            Constructed.component("postgres-primary", kind: .postgresPrimary, utilization: 0.5, details: [.vcpu: 2]),
        ])
        #expect(Diagnosis(of: viaPostgres, model: try Self.model.get()).bottleneck.component == "postgres-primary")
        let viaBouncer = Constructed.run(requests: 100_000, errors: e, components: [
            Constructed.component("pgbouncer", kind: .pgbouncer, utilization: 0.1, details: [.refusedClients: 1000]),
            Constructed.component("postgres-primary", kind: .postgresPrimary, utilization: 0.5, details: [.vcpu: 2]),
        ])
        let d = Diagnosis(of: viaBouncer, model: try Self.model.get())
        #expect(d.bottleneck.component == "pgbouncer" && d.bottleneck.reason.hasPrefix("max_client_conn"))
    }

    /// Redis over maxmemory comes before errors under the binding share, after binding ones.
    @Test func capacityAtItsEndRanksBetweenBindingAndMinorErrors() throws {
        var e = ErrorCounts()
        e[.timeout] = 10               // 0.01%
        let run = Constructed.run(requests: 100_000, errors: e, components: [
            Constructed.component("redis", kind: .redis, utilization: 0.2, details: [.memoryMB: 300, .maxMemoryMB: 256]),
        ])
        let d = Diagnosis(of: run, model: try Self.model.get())
        #expect(d.causes.map(\.kind).prefix(2) == [.redisMemoryFull, .errors(.timeout)])
    }

    /// Nothing failed and nothing is loaded: the busiest bounded component, named as such.
    @Test func aQuietRunNamesItsBusiestComponent() throws {
        let run = Constructed.run(components: [Constructed.component("prisma-pool", kind: .connectionPool, utilization: 0.5)])
        let d = Diagnosis(of: run, model: try Self.model.get())
        #expect(d.causes.count == 1 && d.bottleneck.kind == .busiest && d.bottleneck.component == "none")
        #expect(d.headroom == nil)
    }

    /// Causes survive the database's JSON: names in, the same causes out.
    @Test func causeKindsRoundTripByName() {
        let all: [CauseKind] = ErrorKind.allCases.map { .errors($0) } + [.largestDatabaseSize, .volumeFull, .storageIOPSLimit, .databaseMemory, .redisMemoryFull, .saturated, .saturatesFirst, .busiest]
        for k in all { #expect(CauseKind(name: k.name) == k) }
        #expect(Set(all.map(\.name)).count == all.count)
        #expect(CauseKind(name: "errors.nonsense") == nil && CauseKind(name: "") == nil)
    }
}
