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
}
