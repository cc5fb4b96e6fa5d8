import Foundation
import Testing
import PlatformModel
import SimulationEngine

/// The database's scaling rules together: the ladder chosen on CPU and on the I/O its RAM
/// leaves to the volume, the volume's size as a hard limit, and sharding when one cluster no
/// longer holds. Each check states the rule and tests it with the analytic model's own figures,
/// never a number read off the program's output.
@Suite struct DatabaseSizingTests {
    static let settings = RunSettings(seed: 1, replication: 0, startHour: nil, warmUp: 120, duration: 300, timeSeriesInterval: 10)

    static func volumeClass(iops: Double, maxSizeGB: Double = 1_000_000) -> VolumeClass {
        VolumeClass(name: "test", usdPerGBMonth: 0.1, maxSizeGB: maxSizeGB, includedIOPS: iops, minIOPS: iops, maxIOPS: iops,
                    iopsPriceTiers: [], separateReadWriteIOPS: false, includedThroughputMBps: 1_000_000, maxThroughputMBps: 1_000_000,
                    usdPerThroughputMBpsMonth: 0, throughputMBpsPerIOPS: 0, ioLatency: 0.001, sequentialIOBytes: 262_144)
    }

    static func model(_ configuration: String, users: Int, volume: VolumeClass) throws -> PlatformModel {
        var m = try PlatformFixture.model(configuration, users: users)
        m.pricing.volumeClasses = [volume]
        m.database.storage.volumeClass = .named(volume.name)
        return m
    }

    /// The primary's I/O at a size of the ladder, as the plan's own analytic model sees it.
    static func neededIOPS(_ m: PlatformModel, size i: Int, plan: CapacityPlan, load: OfferedLoad) -> Double {
        let d = StorageDemand(model: m, load: load, memoryGB: m.database.postgres.ladder[i].memoryGB,
                              backends: DatabaseSizing.backends(model: m, processes: plan.apiProcesses + plan.workerProcesses,
                                                                pgbouncerProcesses: plan.pgbouncerProcesses, role: .primary),
                              shards: plan.shards, replicasPerShard: 0, role: .primary, volume: plan.volume)
        return d.totalIOPS / m.database.storage.targetUtilization
    }

    /// A process's connection pool is part of its capacity: when queries wait on a slow volume,
    /// `connectionLimit` connections serve at most limit / hold transactions a second, so the API
    /// scales out until its pools are at the scaling target too (phase 3's pool of 2 per process).
    /// The rule is checked against its own terms, and the simulation of the plan it gives must
    /// not saturate a pool: no request is refused at the in-flight cap and no pool is busy all
    /// the time.
    @Test func theAPIScalesOutForItsConnectionPools() throws {
        var slow = Self.volumeClass(iops: 1_000_000)
        slow.ioLatency = 0.004
        let m = try Self.model("phase3", users: 100_000, volume: slow)
        let (load, plan) = PlatformRun.plan(model: m, settings: Self.settings)
        guard case .horizontal(let target, let least, let most) = m.api.scaling else { Issue.record("phase3's API scales out"); return }
        let hold = CapacityPlan.connectionHoldTime(model: m, load: load, sizeIndex: plan.postgresSizeIndex, shards: plan.shards,
                                                   replicasPerShard: plan.replicasPerShard, volume: plan.volume,
                                                   processes: plan.apiProcesses + plan.workerProcesses, pgbouncerProcesses: plan.pgbouncerProcesses)
        #expect(hold > load.connectionHoldTime, "the volume's reads join the hold time")
        let busyPerProcess = load.apiTransactions * hold / Double(plan.apiProcesses * plan.shards * m.database.pool.effectiveLimit)
        let byCPU = Int((load.apiCPU / (Double(m.api.processesPerInstance) * target)).rounded(.up))
        #expect(plan.apiInstances > byCPU, "the pool binds here: \(plan.apiInstances) instances, \(byCPU) by CPU")
        #expect(plan.apiInstances == most || busyPerProcess <= target * (1 + 1e-9),
                "pools busy \(busyPerProcess) per connection at \(plan.apiProcesses) processes, target \(target)")
        // A stricter storage target (the primary still copes) leaves the rule on: the same API.
        var strict = m
        strict.database.storage.targetUtilization = 0.3
        #expect(PlatformRun.plan(model: strict, settings: Self.settings).1.apiInstances == plan.apiInstances)
        // A primary whose volume cannot serve its reads: more pools would only queue on it.
        let starved = try Self.model("phase3", users: 100_000, volume: { var v = slow; v.includedIOPS = 50; v.minIOPS = 50; v.maxIOPS = 50; return v }())
        let (_, starvedPlan) = PlatformRun.plan(model: starved, settings: Self.settings)
        #expect(starvedPlan.apiInstances == Swift.min(most, Swift.max(least, byCPU)),
                "\(starvedPlan.apiInstances) instances for a primary short of IOPS (\(byCPU) by CPU)")
        let r = PlatformRun.run(model: m, settings: Self.settings)
        let pool = try #require(r.components.first { $0.kind == .connectionPool })
        #expect(r.errors[.overloaded] == 0, "\(r.errors[.overloaded]) requests refused at the in-flight cap")
        #expect(pool.maxUtilization < 0.95, "busiest pool busy \(pool.maxUtilization) of the time")
    }

    /// Whether the primary is overloaded (which turns the pool rule off) is judged on the I/O
    /// the plan's primary is asked for, the replicas taking the reads that go to them: a volume
    /// just above that I/O copes, one just below does not. The primary's share of the reads
    /// follows the replicas' being on, not their count (each replica takes 1/n of the replicas' share).
    @Test func theOverloadCheckIsTheIOThePrimaryIsAsked() throws {
        let m = try Self.model("phase3", users: 300_000, volume: Self.volumeClass(iops: 1_000_000))
        let (load, plan) = PlatformRun.plan(model: m, settings: Self.settings)
        try #require(plan.replicasPerShard > 0, "phase 3 runs read replicas at 300k users")
        let processes = plan.apiProcesses + plan.workerProcesses
        var db = DatabaseSizing(model: m, load: load, processes: processes, pgbouncerProcesses: plan.pgbouncerProcesses)
        let size = m.database.postgres.ladder[db.sizeIndex]
        func asked(replicas: Int, role: StorageDemand.Role = .primary) -> Double {
            StorageDemand(model: m, load: load, size: size, processes: processes, pgbouncerProcesses: plan.pgbouncerProcesses,
                          shards: db.shards, replicasPerShard: replicas, role: role, volume: db.volume).totalIOPS
        }
        let primary = asked(replicas: plan.replicasPerShard)
        #expect(primary == asked(replicas: plan.replicasPerShard + 2))
        #expect(asked(replicas: plan.replicasPerShard + 2, role: .replica) < asked(replicas: plan.replicasPerShard, role: .replica))
        try #require(load.primaryCPU / Double(db.shards) <= size.vcpu, "the primary's CPU copes")
        func overloaded(iops: Double) -> Bool {
            db.volume.iops = iops
            return CapacityPlan.primaryOverloaded(model: m, load: load, database: db, processes: processes, pgbouncerProcesses: plan.pgbouncerProcesses)
        }
        #expect(!overloaded(iops: primary * 1.01))
        #expect(overloaded(iops: primary * 0.99))
    }

    /// A volume too slow for the smallest size's buffer cache moves the primary up the ladder
    /// to the first size whose RAM leaves the volume little enough I/O: the size below needs
    /// more than the volume gives, the chosen one no more. More RAM, more hits: the I/O falls
    /// along the ladder.
    @Test func theLadderRisesUntilTheVolumeHolds() throws {
        let users = 100_000
        let generous = try Self.model("phase1", users: users, volume: Self.volumeClass(iops: 1_000_000))
        let (load, cpuOnly) = PlatformRun.plan(model: generous, settings: Self.settings)
        let ladder = generous.database.postgres.ladder
        let needs = ladder.indices.map { Self.neededIOPS(generous, size: $0, plan: cpuOnly, load: load) }
        for i in 1..<needs.count { #expect(needs[i] <= needs[i - 1] * (1 + 1e-9), "I/O must not grow with RAM: \(needs)") }
        // A volume between what the CPU's size and the next size need.
        let index = cpuOnly.postgresSizeIndex
        try #require(index + 1 < ladder.count && needs[index + 1] < needs[index])
        let limit = (needs[index] + needs[index + 1]) / 2
        let tight = try Self.model("phase1", users: users, volume: Self.volumeClass(iops: limit))
        let (_, plan) = PlatformRun.plan(model: tight, settings: Self.settings)
        #expect(plan.postgresSizeIndex == index + 1, "chose \(plan.postgresSize) for a volume of \(limit) IOPS (needs \(needs))")
        #expect(plan.databaseShortfalls.isEmpty)
        // A volume too slow even for the largest size: the largest, and the shortfall says storage.
        let hopeless = try Self.model("phase1", users: users, volume: Self.volumeClass(iops: needs[needs.count - 1] / 2))
        let (_, worst) = PlatformRun.plan(model: hopeless, settings: Self.settings)
        #expect(worst.postgresSizeIndex == ladder.count - 1)
        // Storage: its IOPS, or the buffer cache in front of it (told apart by the test below).
        #expect(worst.databaseShortfalls.count == 1 && [.storageIOPS, .workingSet].contains(worst.databaseShortfalls[0].resource))
    }

    /// Data beyond the class's largest volume is a hard limit: named, with the data's size.
    @Test func dataLargerThanTheVolumeIsAShortfall() throws {
        let users = 50_000
        let m0 = try PlatformFixture.model("current", users: users)
        let dataGB = m0.database.bytesPerUser * Double(users) / 1e9
        let fits = try Self.model("current", users: users, volume: Self.volumeClass(iops: 1_000_000, maxSizeGB: dataGB * 1.01))
        #expect(PlatformRun.plan(model: fits, settings: Self.settings).1.databaseShortfalls.isEmpty)
        let full = try Self.model("current", users: users, volume: Self.volumeClass(iops: 1_000_000, maxSizeGB: dataGB * 0.99))
        let shortfall = try #require(PlatformRun.plan(model: full, settings: Self.settings).1.databaseShortfalls.first)
        #expect(shortfall.resource == .volumeSize)
        #expect(abs(shortfall.needed - dataGB) <= 1e-9 * dataGB)
    }

    /// Sharding by load: one cluster while one holds within the share of the largest size; past
    /// it, the fewest clusters that do, each within the share (the count before that did not fit).
    @Test func shardingFollowsTheLoad() throws {
        let small = try Self.model("phase4", users: 10_000, volume: Self.volumeClass(iops: 3000, maxSizeGB: 250))
        #expect(PlatformRun.plan(model: small, settings: Self.settings).1.shards == 1)
        // Data alone: 250 GB volumes at 80% hold 200 GB per shard.
        let users = 1_000_000
        let large = try Self.model("phase4", users: users, volume: Self.volumeClass(iops: 1_000_000, maxSizeGB: 250))
        let plan = PlatformRun.plan(model: large, settings: Self.settings).1
        guard case .byLoad(let share, _) = large.database.sharding else { Issue.record("phase4 shards by load"); return }
        let dataGB = large.database.bytesPerUser * Double(users) / 1e9
        let fewest = Int((dataGB / (share * 250)).rounded(.up))
        #expect(plan.shards >= fewest, "\(plan.shards) shards for \(dataGB) GB at \(share) x 250 GB")
        #expect(plan.databaseShortfalls.allSatisfy { $0.resource != .volumeSize })
    }

    /// Memory: a size whose RAM cannot keep shared_buffers, every backend's memory and the OS
    /// apart is skipped, however many cores it has; when no size can, the shortfall names
    /// memory with what it needs: (OS + backends x memory each) / (1 - shared_buffers' share).
    @Test func aSizeThatCannotKeepItsBackendsIsSkipped() throws {
        let users = 20_000
        var m = try Self.model("phase1", users: users, volume: Self.volumeClass(iops: 1_000_000))
        let (_, plan0) = PlatformRun.plan(model: m, settings: Self.settings)
        let pg = m.database.postgres
        let backends = DatabaseSizing.backends(model: m, processes: plan0.apiProcesses + plan0.workerProcesses,
                                               pgbouncerProcesses: plan0.pgbouncerProcesses, role: .primary)
        let neededGB = (pg.bufferCache.osReservedBytes + backends * pg.memoryPerConnectionBytes) / (1 - pg.bufferCache.sharedBuffersFraction) / 1e9
        m.database.postgres.ladder = [InstanceSize(name: "tiny", vcpu: 64, memoryGB: neededGB * 0.9),
                                      InstanceSize(name: "roomy", vcpu: 64, memoryGB: neededGB * 1.1)]
        let (_, plan) = PlatformRun.plan(model: m, settings: Self.settings)
        #expect(plan.postgresSize == "roomy" && plan.databaseShortfalls.isEmpty, "\(plan.postgresSize): \(plan.databaseShortfalls)")
        m.database.postgres.ladder = [InstanceSize(name: "tiny", vcpu: 64, memoryGB: neededGB * 0.9)]
        let short = try #require(PlatformRun.plan(model: m, settings: Self.settings).1.databaseShortfalls.first)
        #expect(short.resource == .memory)
        #expect(abs(short.needed - neededGB) <= 1e-9 * neededGB, "needs \(short.needed) GB, expected \(neededGB)")
    }

    /// Which resource is short when the largest size's volume cannot serve its I/O: the buffer
    /// cache when the volume would serve it with the whole working set in memory (RAM of
    /// (working set + OS + backends) / (1 - shared_buffers held twice), the inverse of the
    /// model's split of RAM), the volume's IOPS when even that would not do.
    @Test func theShortfallTellsTheBufferCacheFromTheVolume() throws {
        let users = 100_000
        let generous = try Self.model("phase1", users: users, volume: Self.volumeClass(iops: 1_000_000))
        let (load, plan) = PlatformRun.plan(model: generous, settings: Self.settings)
        let pg = generous.database.postgres
        let top = pg.ladder.count - 1
        let needTop = Self.neededIOPS(generous, size: top, plan: plan, load: load)
        let backends = DatabaseSizing.backends(model: generous, processes: plan.apiProcesses + plan.workerProcesses,
                                               pgbouncerProcesses: plan.pgbouncerProcesses, role: .primary)
        let atTop = StorageDemand(model: generous, load: load, memoryGB: pg.ladder[top].memoryGB, backends: backends, shards: plan.shards,
                                  replicasPerShard: 0, role: .primary, volume: plan.volume)
        try #require(atTop.workingSetPages > atTop.cachePages, "the working set must outgrow the largest size for this test")
        let b = pg.bufferCache
        let ramForWorkingSet = (atTop.workingSetPages * StorageDemand.pageBytes + b.osReservedBytes + backends * pg.memoryPerConnectionBytes)
            / (1 - b.sharedBuffersFraction * b.sharedBuffersAlsoInPageCache) / 1e9
        let fitting = StorageDemand(model: generous, load: load, memoryGB: ramForWorkingSet, backends: backends, shards: plan.shards,
                                    replicasPerShard: 0, role: .primary, volume: plan.volume)
        let needFit = fitting.totalIOPS / generous.database.storage.targetUtilization
        try #require(needFit < needTop * 0.9, "with the working set in memory the volume must need less (\(needFit) against \(needTop))")

        let cacheShort = try Self.model("phase1", users: users, volume: Self.volumeClass(iops: (needFit + needTop) / 2))
        let a = PlatformRun.plan(model: cacheShort, settings: Self.settings).1
        #expect(a.postgresSizeIndex == top)
        #expect(a.databaseShortfalls.map(\.resource) == [.workingSet], "\(a.databaseShortfalls.map(\.text))")
        let volumeShort = try Self.model("phase1", users: users, volume: Self.volumeClass(iops: needFit * 0.9))
        let v = PlatformRun.plan(model: volumeShort, settings: Self.settings).1
        #expect(v.databaseShortfalls.map(\.resource) == [.storageIOPS], "\(v.databaseShortfalls.map(\.text))")
    }
}
