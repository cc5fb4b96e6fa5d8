import Foundation
import Testing
@testable import Analysis
import PlatformModel

/// The sizing search's grow steps, one rule at a time: a real short run of phase 3 whose
/// components are then made idle except the one under test, diagnosed again, and handed to
/// `Sizing.grow`. Each test states what the busy component's rule must add.
@Suite struct SizingGrowTests {
    static let slo = ServiceLevelObjective(p99Ms: 300, errorRate: 0.001)

    /// phase 3 at 20,000 users (PgBouncer, replicas, workers), its lower-bound candidate, and a
    /// run of it with every component set idle: no rule fires until a test makes one busy.
    static func idle(_ configuration: String = "phase3", overrides: [String] = []) throws -> (PlatformModel, SizingCandidate, RunResult) {
        let model = try Fixture.model(configuration, users: 20_000, overrides: overrides)
        let settings = Fixture.settings(warmUp: 30, duration: 60)
        let candidate = Sizing.lowerBound(model: model, settings: settings)
        var result = DiagnosedRun.run(model: model, settings: settings).result
        try #require(result.errors.total == 0, "the fixture run has no errors: \(result.errors)")
        for i in result.components.indices {
            result.components[i].utilization = 0.1
            result.components[i].maxUtilization = 0.1
        }
        return (model, candidate, result)
    }

    static func grow(_ c: SizingCandidate, _ r: RunResult, _ m: PlatformModel) -> (SizingCandidate?, String) {
        switch Sizing.grow(c, after: DiagnosedRun(result: r, diagnosis: Diagnosis(of: r, model: m)), model: m, slo: slo) {
        case .next(let n, let why): return (n, why)
        case .impossible(let why): return (nil, why)
        }
    }

    static func busy(_ kind: ComponentKind, namePrefix: String? = nil, in r: inout RunResult) throws {
        let i = try #require(r.components.firstIndex { $0.kind == kind && (namePrefix.map($0.name.hasPrefix) ?? true) }, "a \(kind) component")
        r.components[i].utilization = 0.97
        r.components[i].maxUtilization = 0.99
    }

    @Test func nothingBusyIsLatencyInThePath() throws {
        let (m, c, r) = try Self.idle()
        let (next, why) = Self.grow(c, r, m)
        #expect(next == nil && why.contains("no component is more than half busy"), "\(why)")
    }

    /// A primary volume at its IOPS: the next Postgres size (more RAM, more reads cached);
    /// at the ladder's top, one more shard when the configuration shards.
    @Test func aBusyPrimaryVolumeMovesUpTheLadderThenShards() throws {
        var (m, c, r) = try Self.idle()
        try Self.busy(.storageVolume, namePrefix: "postgres", in: &r)
        let (next, why) = Self.grow(c, r, m)
        #expect(next?.postgresSizeIndex == c.postgresSizeIndex + 1 && next?.shards == c.shards, "\(why)")
        var top = c
        top.postgresSizeIndex = m.database.postgres.ladder.count - 1
        let (sharded, why2) = Self.grow(top, r, m)
        if m.database.sharding == .fixed(1) {
            #expect(sharded == nil, "\(why2)")
        } else {
            #expect(sharded?.shards == top.shards + 1, "\(why2)")
        }
        m.database.sharding = .byLoad(largestSizeShare: 0.8, maxShards: 64)
        #expect(Self.grow(top, r, m).0?.shards == top.shards + 1)
    }

    /// The replicas' volumes at their IOPS: more replicas split the reads (at least one more,
    /// a quarter more when there are many).
    @Test func busyReplicaVolumesAddReplicas() throws {
        let (m, c, idle) = try Self.idle()
        var r = idle
        try #require(c.replicasPerShard > 0)
        try Self.busy(.storageVolume, namePrefix: "replica", in: &r)
        let (next, why) = Self.grow(c, r, m)
        #expect(next?.replicasPerShard == Swift.max(c.replicasPerShard + 1, Int((Double(c.replicasPerShard) * 1.25).rounded(.up))), "\(why)")
        #expect(next?.postgresSizeIndex == c.postgresSizeIndex)
    }

    /// A pool busy all the time: behind PgBouncer a pool twice as big; straight to Postgres,
    /// a bigger pool only while every process's pool fits max_connections, else more instances.
    @Test func aBusyPoolGrowsWithinWhatTheServerSideAllows() throws {
        var (m, c, r) = try Self.idle()
        try #require(m.database.pgbouncer.enabled)
        try Self.busy(.connectionPool, in: &r)
        let (next, why) = Self.grow(c, r, m)
        #expect(next?.connectionLimit == c.connectionLimit * 2 && next?.apiInstances == c.apiInstances, "\(why)")

        m.database.pgbouncer.enabled = false
        var full = c
        let processes = c.apiInstances * m.api.processesPerInstance + c.workerInstances * m.workers.processesPerInstance
        full.connectionLimit = m.database.postgres.maxConnections / Swift.max(1, processes)
        let (more, why2) = Self.grow(full, r, m)
        #expect(more?.connectionLimit == full.connectionLimit && (more?.apiInstances ?? 0) > full.apiInstances, "\(why2)")
    }

    /// Busy event loops: more API instances (at least one, a quarter more when many).
    @Test func busyEventLoopsAddInstances() throws {
        let (m, c, idle) = try Self.idle()
        var r = idle
        try Self.busy(.apiProcess, in: &r)
        let (next, why) = Self.grow(c, r, m)
        #expect(next?.apiInstances == Swift.max(c.apiInstances + 1, Int((Double(c.apiInstances) * 1.25).rounded(.up))), "\(why)")
    }
}
