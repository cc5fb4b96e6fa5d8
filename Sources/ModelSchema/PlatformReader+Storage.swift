import ModelFiles
import PlatformModel

/// The storage keys of the schema: the volume (`database.storage`), the buffer cache
/// (`database.postgres.bufferCache`), sharding (`database.sharding`) and the pricing catalogs'
/// volume classes (`volumeClasses`). Units in the key names; every value range-checked.
extension PlatformReader {
    func readStorage(_ o: ObjectReader, pricing: PricingModel) throws -> StorageModel {
        let classValue = try o.value("volumeClass")
        let choice: VolumeClassChoice
        if Self.isAuto(classValue) {
            choice = .firstThatHolds
        } else {
            let name = try classValue.string()
            let known = pricing.volumeClasses.map(\.name)
            // A catalog without classes is the stand-in for one with errors of its own: no follow-on error here.
            guard known.isEmpty || known.contains(name) else {
                throw classValue.error("names an unknown volume class '\(name)' (the \(pricing.provider) catalog has: \(known.joined(separator: ", ")))")
            }
            choice = .named(name)
        }
        return StorageModel(
            volumeClass: choice,
            provisionedIOPS: try Self.provisioned(o.value("provisionedIops"), .range(1...10_000_000)),
            provisionedThroughputMBps: try Self.provisioned(o.value("provisionedThroughputMBps"), .range(1...1_000_000)),
            targetUtilization: try o.double("targetUtilization", .range(0.01...1)),
            checkpointPagesPerWriteTransaction: try o.double("checkpointPagesPerWriteTransaction", .range(0...1000)))
    }

    func readBufferCache(_ o: ObjectReader) throws -> BufferCacheModel {
        BufferCacheModel(sharedBuffersFraction: try o.double("sharedBuffersFraction", .range(0...0.95)),
                         sharedBuffersAlsoInPageCache: try o.double("sharedBuffersAlsoInPageCache", .probability),
                         osReservedBytes: try o.double("osReservedMemoryGB", .range(0...100_000)) * 1e9)
    }

    func readSharding(_ o: ObjectReader) throws -> ShardingRule {
        enum Rule: String, CaseIterable { case fixed, byLoad }
        let rule = try o.enumeration("rule", as: Rule.self)
        let count = try o.int("count", .shards)
        let share = try o.double("largestSizeShare", .range(0.01...1))
        let most = try o.int("maxShards", .shards)
        switch rule {
        case .fixed: return .fixed(count)
        case .byLoad: return .byLoad(largestSizeShare: share, maxShards: most)
        }
    }

    /// `auto` (what the load needs) or a number.
    static func provisioned(_ v: ValueReader, _ constraint: Constraint) throws -> ProvisionedAmount {
        isAuto(v) ? .toLoad : .fixed(try v.double(constraint))
    }

    static func isAuto(_ v: ValueReader) -> Bool {
        if case .scalar(let text, _) = v.node.content { return text == "auto" }
        return false
    }
}

extension PricingReader {
    /// The catalog's volume classes, cheapest first; at least one.
    static func readVolumeClasses(_ value: ValueReader) throws -> [VolumeClass] {
        let items = try value.list()
        guard !items.isEmpty else { throw value.error("must list at least one volume class") }
        var names = Set<String>()
        return try items.map { item in
            let c = try item.object()
            let name = try c.string("name")
            guard names.insert(name).inserted else { throw c.error("name", "repeats the volume class '\(name)'") }
            let included = try c.double("includedIops", .range(0...10_000_000))
            let least = try c.double("minIops", .range(1...10_000_000))
            let most = try c.double("maxIops", .range(1...10_000_000))
            guard most >= Swift.max(least, included) else {
                throw c.error("maxIops", "must be at least minIops and includedIops (\(Swift.max(least, included))), got \(most)")
            }
            let tiersValue = try c.value("iopsPriceTiers")
            var floor = 0.0
            let tiers = try tiersValue.list().map { t -> PriceTier in
                let o = try t.object()
                let upTo = try o.ifPresent("upToIops").map { try $0.double(.positive) } ?? .infinity
                guard upTo > floor else { throw o.error("upToIops", "must grow from tier to tier (after \(floor)), got \(upTo)") }
                floor = upTo
                return PriceTier(upTo: upTo, usdPerUnitMonth: try o.double("usdPerIopsMonth", .range(0...1000)))
            }
            let includedThroughput = try c.double("includedThroughputMBps", .range(0...1_000_000))
            let maxThroughput = try c.double("maxThroughputMBps", .range(0...1_000_000))
            guard maxThroughput >= includedThroughput else {
                throw c.error("maxThroughputMBps", "must be at least includedThroughputMBps (\(includedThroughput)), got \(maxThroughput)")
            }
            let perIOPS = try c.double("throughputMBpsPerIops", .range(0...100))
            guard includedThroughput > 0 || perIOPS > 0 else {
                throw c.error("includedThroughputMBps", "must be positive when throughputMBpsPerIops is 0 (the volume would move no data)")
            }
            return VolumeClass(
                name: name, usdPerGBMonth: try c.double("usdPerGBMonth", .range(0...1000)),
                maxSizeGB: try c.double("maxSizeGB", .range(1...10_000_000)),
                includedIOPS: included, minIOPS: least, maxIOPS: most, iopsPriceTiers: tiers,
                separateReadWriteIOPS: try c.bool("separateReadWriteIops"),
                includedThroughputMBps: includedThroughput, maxThroughputMBps: maxThroughput,
                usdPerThroughputMBpsMonth: try c.double("usdPerThroughputMBpsMonth", .range(0...1000)),
                throughputMBpsPerIOPS: perIOPS,
                ioLatency: try c.double("ioLatencyMs", .range(0.001...10_000)) / 1000,
                sequentialIOBytes: try c.double("sequentialIoKB", .range(4...1_048_576)) * 1024)
        }
    }
}
