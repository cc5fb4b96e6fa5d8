import Foundation
import Testing
import ModelFiles
import ModelSchema
import PlatformModel

/// The storage keys of the model files: read with their units, and bad values stopped with one
/// located line each.
@Suite struct StorageSchemaTests {
    static func errors(_ overrides: [String], configuration: String = "current", overlays: [String] = []) -> [String] {
        do {
            _ = try PlatformModelFile.load(PlatformFixture.modelPath, configuration: configuration, overrides: overrides, users: 1000,
                                           extraOverlays: overlays)
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    @Test func theCatalogsVolumeClassesAreRead() throws {
        let railway = try PlatformFixture.model("current", users: 1000)
        let c = try #require(railway.pricing.volumeClasses.first)
        #expect(c.separateReadWriteIOPS && c.maxIOPS == c.minIOPS)
        #expect(abs(c.ioLatency - railway.pricing.volumeClasses[0].ioLatency) == 0 && c.ioLatency < 1)  // milliseconds read as seconds
        let aws = try PlatformModelFile.load(PlatformFixture.modelPath, configuration: "current", users: 1000,
                                             pricing: PlatformFixture.root.appendingPathComponent("Models/pricing/aws.yaml").path).0
        #expect(aws.pricing.volumeClasses.map(\.name) == ["gp3", "io2"])
        let io2 = aws.pricing.volumeClasses[1]
        // Tiered: the first 32,000 IOPS at one price, the next at a lower one.
        #expect(io2.monthlyPerformanceUSD(iops: 40_000, throughputMBps: 0)
                == 32_000 * io2.iopsPriceTiers[0].usdPerUnitMonth + 8_000 * io2.iopsPriceTiers[1].usdPerUnitMonth)
        #expect(railway.database.sharding == .fixed(1))
        if case .byLoad = try PlatformFixture.model("phase4", users: 1000).database.sharding {} else { Issue.record("phase4 shards by load") }
    }

    @Test func badStorageValuesGiveLocatedErrors() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("storage-\(UUID().uuidString).yaml")
        try "database:\n  storage:\n    volumeClass: gp9\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let unknown = Self.errors([], overlays: [file.path])
        #expect(unknown.count == 1 && unknown[0].contains("\(file.lastPathComponent):3:18") && unknown[0].contains("unknown volume class 'gp9'"),
                "\(unknown)")
        let target = Self.errors(["database.storage.targetUtilization=2"])
        #expect(target.count == 1 && target[0].contains("database.storage.targetUtilization"), "\(target)")
        let iops = Self.errors(["database.storage.provisionedIops=lots"])
        #expect(iops.count == 1 && iops[0].contains("provisionedIops"), "\(iops)")
        let rule = Self.errors(["database.sharding.rule=sometimes"])
        #expect(rule.count == 1 && rule[0].contains("database.sharding.rule"), "\(rule)")
        let buffers = Self.errors(["database.postgres.bufferCache.sharedBuffersFraction=1.5"])
        #expect(buffers.count == 1 && buffers[0].contains("sharedBuffersFraction"), "\(buffers)")
    }

    /// The testbed's measured commit (its overlay sets `database.postgres.walFlushMs`): read in
    /// milliseconds, absent from the platform model (`~`: a write I/O on the volume). With it, a
    /// commit waits the measured flush and puts no WAL write on the volume, in the analytic
    /// demand and in the run alike.
    @Test func aMeasuredWALFlushIsAWaitNotAVolumeWrite() throws {
        #expect(try PlatformFixture.model("phase1", users: 1000).database.postgres.walFlush == nil)
        let testbed = PlatformFixture.root.appendingPathComponent("Models/testbed")
        let measured = try PlatformModelFile.load(PlatformFixture.modelPath, configuration: "phase1", users: 1000,
                                                  extraOverlays: [testbed.appendingPathComponent("topology.yaml").path,
                                                                  testbed.appendingPathComponent("service-times.yaml").path]).0
        let flush = try #require(measured.database.postgres.walFlush)
        // The overlay's figure is in milliseconds (whatever this machine's disk measured); the
        // model holds seconds.
        let text = try String(contentsOf: testbed.appendingPathComponent("service-times.yaml"), encoding: .utf8)
        let written = try #require(text.split(separator: "\n").first { $0.contains("walFlushMs:") }
            .flatMap { $0.split(separator: "lognormal:").last?.split(separator: ",").first }.flatMap { Double($0) })
        #expect(abs(flush.mean - written / 1000) <= 1e-9 * written, "a flush of \(written) ms read as \(flush.mean) s")

        let m = try PlatformFixture.model("phase1", users: 5_000, overrides: ["database.postgres.walFlushMs=lognormal:5,0.5"])
        let settings = RunSettings(seed: 1, replication: 0, startHour: nil, warmUp: 60, duration: 120, timeSeriesInterval: 10)
        let (load, plan) = PlatformRun.plan(model: m, settings: settings)
        let d = StorageDemand(model: m, load: load, memoryGB: m.database.postgres.ladder[plan.postgresSizeIndex].memoryGB,
                              backends: 10, shards: 1, replicasPerShard: 0, role: .primary, volume: plan.volume)
        #expect(d.walIOPS == 0)
        let r = PlatformRun.run(model: m, settings: settings)
        let v = try #require(r.components.first { $0.kind == .storageVolume })
        #expect(v.details[.writeIops] == 0, "foreground writes on the volume: \(v.details[.writeIops] ?? -1)")
        let writes = try #require(r.components.first { $0.kind == .postgresPrimary })
        #expect(writes.throughput > 0)
    }
}
