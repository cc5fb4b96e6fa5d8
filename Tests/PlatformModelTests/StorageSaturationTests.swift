import Foundation
import Testing
import Analysis
import PlatformModel
import SimulationEngine

/// Storage as the capacity that ends a run: where the volume saturates as users grow, and
/// how far doubling its IOPS moves that point.
///
/// The prediction comes from the analytic model alone (``StorageDemand``: Che's approximation
/// for the buffer cache, the offered load's queries, the volume's background): the user count
/// N*(K) at which the volume's I/O reaches 85% of K IOPS. It is not 2x for 2K IOPS, because the
/// working set grows with users while the buffer cache does not, so the hit ratio falls. The
/// simulation measures the volume's busy share at three tenths and four fifths of each predicted point,
/// puts N* where the power law through them reaches 85%, per seed (the prediction goes through
/// the same estimator on the analytic curve); the ratio N*(2K) / N*(K) of each
/// seed goes into a 99% t interval, which must hold the prediction within Che's approximation
/// allowance (the 1 point of hit ratio of the engine's Che tests, about 3% of the I/O here).
@Suite(.serialized) struct StorageSaturationTests {
    static let iops = 150.0
    static let saturation = 0.85
    /// Relative allowance for the analytic model's own approximation (Che's, and the sessions'
    /// renewal form) on the ratio, beyond the seeds' interval.
    static let approximationAllowance = 0.05

    /// phase1 without rate limits or the dashboard cache (nothing but the database decides),
    /// Postgres pinned to one small size, and a volume of `iops` IOPS shared by reads and writes.
    /// Users less skewed than the model's (a few very heavy users make one seed's load differ
    /// from another's by several percent, which six seeds cannot average out).
    static func model(users: Int, iops: Double) throws -> PlatformModel {
        var m = try PlatformFixture.model("phase1", users: users,
                                          overrides: try PlatformFixture.noRateLimits()
                                              + ["caches.dashboard.enabled=false", "traffic.activityWeight=lognormal:1,0.5"])
        m.database.postgres.ladder = [InstanceSize(name: "small", vcpu: 8, memoryGB: 2)]
        m.pricing.volumeClasses = [VolumeClass(
            name: "test", usdPerGBMonth: 0.1, maxSizeGB: 1_000_000, includedIOPS: iops, minIOPS: iops, maxIOPS: iops, iopsPriceTiers: [],
            separateReadWriteIOPS: false, includedThroughputMBps: 1_000_000, maxThroughputMBps: 1_000_000, usdPerThroughputMBpsMonth: 0,
            throughputMBpsPerIOPS: 0, ioLatency: 0.001, sequentialIOBytes: 262_144)]
        m.database.storage.volumeClass = .named("test")
        return m
    }

    static let settings = RunSettings(seed: 1, replication: 0, startHour: nil, warmUp: 120, duration: 900, timeSeriesInterval: 10)

    /// The volume's busy share the analytic model predicts at `users`.
    static func predictedBusy(users: Int, iops: Double) throws -> Double {
        let m = try model(users: users, iops: iops)
        let (load, plan) = PlatformRun.plan(model: m, settings: settings)
        let d = StorageDemand(model: m, load: load, memoryGB: 2,
                              backends: DatabaseSizing.backends(model: m, processes: plan.apiProcesses + plan.workerProcesses,
                                                                pgbouncerProcesses: plan.pgbouncerProcesses, role: .primary),
                              shards: 1, replicasPerShard: 0, role: .primary, volume: plan.volume)
        return d.totalIOPS / iops
    }

    /// N*: where the predicted busy share reaches the saturation share (bisection on log users).
    static func predictedSaturation(iops: Double) throws -> Double {
        var lo = log(2_000.0), hi = log(2_000_000.0)
        for _ in 0..<30 {
            let mid = (lo + hi) / 2
            if try predictedBusy(users: Int(exp(mid)), iops: iops) < saturation { lo = mid } else { hi = mid }
        }
        return exp((lo + hi) / 2)
    }

    /// The simulated volume's busy share at `users` with `seed`.
    static func simulatedBusy(users: Int, iops: Double, seed: UInt64) throws -> Double {
        var s = settings
        s.seed = seed
        let r = PlatformRun.run(model: try model(users: users, iops: iops), settings: s)
        let v = try #require(r.components.first { $0.kind == .storageVolume })
        return v.utilization
    }

    /// N* from two simulated points below it (where the volume is stable, so its busy share is
    /// the I/O asked of it): the power law through them, carried to the saturation share.
    static func simulatedSaturation(around n: Double, iops: Double, seed: UInt64) throws -> Double {
        let (a, b) = (n * 0.3, n * 0.8)
        let (ua, ub) = (try simulatedBusy(users: Int(a), iops: iops, seed: seed), try simulatedBusy(users: Int(b), iops: iops, seed: seed))
        let slope = log(ub / ua) / log(b / a)
        if ProcessInfo.processInfo.environment["PLATFORMSIM_TEST_VERBOSE"] != nil {
            print("[saturation] \(Int(a)) users: \(ua) (predicted \(try predictedBusy(users: Int(a), iops: iops))), \(Int(b)): \(ub) (predicted \(try predictedBusy(users: Int(b), iops: iops)))")
        }
        return a * exp(log(saturation / ua) / slope)
    }

    /// The same estimator on the analytic curve: the power law through its busy shares at the
    /// same two user counts (the curve bends up as the hit ratio falls, so the estimator's own
    /// bias must be the same on both sides).
    static func extrapolatedSaturation(around n: Double, iops: Double) throws -> Double {
        let (a, b) = (n * 0.3, n * 0.8)
        let (ua, ub) = (try predictedBusy(users: Int(a), iops: iops), try predictedBusy(users: Int(b), iops: iops))
        return a * exp(log(saturation / ua) / (log(ub / ua) / log(b / a)))
    }

    @Test func doublingTheIOPSMovesTheSaturationPointByThePredictedRatio() throws {
        let low = try Self.predictedSaturation(iops: Self.iops)
        let high = try Self.predictedSaturation(iops: 2 * Self.iops)
        let predicted = try Self.extrapolatedSaturation(around: high, iops: 2 * Self.iops) / Self.extrapolatedSaturation(around: low, iops: Self.iops)
        // The hit ratio falls as users grow: doubling the IOPS buys less than double the users.
        #expect(predicted > 1.05 && predicted < 1.95, "predicted ratio \(predicted) should be between 1 and 2")
        var ratios: [Double] = []
        for seed: UInt64 in [1, 2, 3, 4, 5, 6] {
            let a = try Self.simulatedSaturation(around: low, iops: Self.iops, seed: seed)
            let b = try Self.simulatedSaturation(around: high, iops: 2 * Self.iops, seed: seed)
            ratios.append(b / a)
            if ProcessInfo.processInfo.environment["PLATFORMSIM_TEST_VERBOSE"] != nil {
                print("[saturation] seed \(seed): N* \(Int(a)) at \(Self.iops) IOPS, \(Int(b)) at \(2 * Self.iops) (predicted \(Int(low)), \(Int(high)))")
            }
        }
        let ci = ConfidenceInterval(samples: ratios, confidence: 0.99)
        #expect(abs(ci.mean - predicted) <= ci.halfWidth + Self.approximationAllowance * predicted,
                "simulated ratio \(ci.mean) ± \(ci.halfWidth) against the predicted \(predicted) (N* \(Int(low)) and \(Int(high)) users)")
        #expect(ci.halfWidth <= 0.1 * predicted, "interval ± \(ci.halfWidth) too wide to test")
    }

    /// Past the saturation point, the run says storage stopped it and since when: the first
    /// cause names the volume, there is no headroom, and the user count where the volume began
    /// to saturate is the analytic N* (the headroom grows the load in proportion to users, which
    /// the analytic load at each user count does too in this model: no cache estimate in front
    /// of the database; allowance 1% for the bisections and the rounding of active users).
    @Test func pastTheSaturationPointTheRunNamesStorageAndSinceWhen() throws {
        let nStar = try Self.predictedSaturation(iops: Self.iops)
        let users = Int(nStar * 1.5)
        let m = try Self.model(users: users, iops: Self.iops)
        var s = Self.settings
        s.duration = 300
        let r = PlatformRun.run(model: m, settings: s)
        let d = Diagnosis(of: r, model: m)
        #expect(d.bottleneck.componentKind == .storageVolume, "bottleneck \(d.bottleneck.component): \(d.bottleneck.reason)")
        #expect([CauseKind.storageIOPSLimit, .databaseMemory].contains(d.bottleneck.kind) || d.bottleneck.kind.errorKind != nil,
                "\(d.bottleneck.kind.name)")
        let h = try #require(d.headroom)
        #expect(h.users == 0 && h.componentKind == .storageVolume, "\(h)")
        #expect(abs(Double(h.saturatesAt) - nStar) <= 0.01 * nStar, "saturates at \(h.saturatesAt), predicted N* \(Int(nStar))")
    }
}
