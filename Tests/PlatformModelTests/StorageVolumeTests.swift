import Foundation
import Testing
import PlatformModel
import SimulationEngine

/// The volume as a station: Poisson I/O requests against its IOPS limit.
///
/// With capacity min(n, c) in units of one request's pace (c = IOPS x the unloaded I/O time),
/// the volume is a c-server processor-sharing queue: a symmetric queue, so its number in
/// system has M/M/c's distribution whatever the service distribution (Kelly 1979), and by
/// Little's law its mean response time is M/M/c's, W = s + C(c, a) / (c mu - lambda). The
/// checks use the Erlang C written out in this target's support (``Theory``), a 99.99% t
/// interval over independent replications, and require the interval to be narrow enough to
/// test something.
@Suite struct StorageVolumeTests {
    /// Poisson arrivals of requests of `units` I/O units each into one volume's read side.
    struct PoissonVolume: SimulationModel {
        static let arrival: Int32 = 0, completion: Int32 = 1
        var volume: StorageVolume
        let lambda: Double
        let exponentialWork: Bool
        var rng: Xoshiro256StarStar
        let measureFrom: Double
        var responses = 0.0, count = 0

        mutating func handle(_ event: Event, in sim: inout Simulator) {
            if event.kind == Self.arrival {
                sim.schedule(after: rng.exponential(rate: lambda), kind: Self.arrival)
                let mean = volume.work(units: 1)
                let work = exponentialWork ? rng.exponential(rate: 1 / mean) : mean
                _ = volume.reads.arrive(0, work: work, in: &sim)
            } else if let d = volume.reads.complete(event, in: &sim), d.arrivalTime >= measureFrom {
                responses += d.responseTime
                count += 1
            }
        }

        /// Mean response time and throughput of one replication.
        static func run(iops: Double, background: Double, latency: Double, lambda: Double, exponentialWork: Bool,
                        horizon: Double, streams: RandomStreams) -> (response: Double, throughput: Double) {
            let spec = VolumeSpec(className: "test", iops: iops, throughputMBps: 1000, ioLatency: latency, separateReadWriteIOPS: false,
                                  sequentialIOBytes: 262_144, maxSizeGB: 1000)
            var model = PoissonVolume(volume: StorageVolume(name: "v", spec: spec, backgroundReadIOPS: background, backgroundWriteIOPS: 0,
                                                            index: 0, completionKind: completion, startTime: 0),
                                      lambda: lambda, exponentialWork: exponentialWork, rng: streams.stream("volume"), measureFrom: horizon / 10)
            var sim = Simulator()
            sim.schedule(after: model.rng.exponential(rate: lambda), kind: arrival)
            sim.run(&model, until: model.measureFrom)
            model.volume.resetStatistics(at: model.measureFrom)
            sim.run(&model, until: horizon)
            // Throughput as the I/O done: completions while stable; past the limit, the work done
            // (processor sharing spreads it over everyone present, so fewer requests finish).
            let done = model.volume.readUtilization(at: horizon) * iops - background
            return (model.responses / Double(Swift.max(1, model.count)),
                    lambda < iops - background ? Double(model.volume.reads.completions) / (horizon - model.measureFrom) : done)
        }
    }

    static func replications(_ n: Int, seed: UInt64, _ body: @escaping @Sendable (RandomStreams) -> (response: Double, throughput: Double))
        -> [(response: Double, throughput: Double)] {
        ParallelRunner.run(count: n) { r in body(RandomStreams(masterSeed: seed, replication: r)) }
    }

    static func expectTheory(_ xs: [Double], _ theory: Double, precision: Double, _ label: String,
                             sourceLocation: SourceLocation = #_sourceLocation) {
        let ci = ConfidenceInterval(samples: xs, confidence: 0.9999)
        #expect(ci.contains(theory), "\(label): theory \(theory) outside \(ci.mean) ± \(ci.halfWidth)", sourceLocation: sourceLocation)
        #expect(ci.halfWidth <= precision * theory, "\(label): interval ± \(ci.halfWidth) too wide", sourceLocation: sourceLocation)
    }

    /// M/M/c's mean response time, c = IOPS x latency, whether each request's work is fixed
    /// (one 8 kB I/O) or exponential: insensitivity.
    @Test(arguments: [false, true])
    func meanResponseIsErlangCs(exponentialWork: Bool) {
        let iops = 3000.0, latency = 0.001  // c = 3 paces
        for rho in [0.5, 0.85] {
            let lambda = rho * iops
            let c = 3, a = lambda * latency
            let theory = latency + Theory.erlangC(servers: c, offeredLoad: a) / (Double(c) / latency - lambda)
            let runs = Self.replications(12, seed: exponentialWork ? 71 : 17) { s in
                PoissonVolume.run(iops: iops, background: 0, latency: latency, lambda: lambda, exponentialWork: exponentialWork,
                                  horizon: 150, streams: s)
            }
            Self.expectTheory(runs.map(\.response), theory, precision: 0.05, "ρ \(rho), \(exponentialWork ? "exponential" : "fixed") work")
            Self.expectTheory(runs.map(\.throughput), lambda, precision: 0.01, "throughput at ρ \(rho)")
        }
    }

    /// Background I/O takes its share off the limit: 4,000 IOPS with 1,000 taken by checkpoints
    /// serve requests as 3,000 IOPS do.
    @Test func backgroundIOTakesItsShare() {
        let lambda = 2400.0, latency = 0.001
        let theory = latency + Theory.erlangC(servers: 3, offeredLoad: lambda * latency) / (3 / latency - lambda)
        let runs = Self.replications(12, seed: 23) { s in
            PoissonVolume.run(iops: 4000, background: 1000, latency: latency, lambda: lambda, exponentialWork: false, horizon: 150, streams: s)
        }
        Self.expectTheory(runs.map(\.response), theory, precision: 0.05, "3,000 IOPS left of 4,000")
    }

    /// Past its limit the volume does exactly its IOPS of work (its busy share is 100%).
    @Test func overloadedVolumeServesItsIOPS() {
        let runs = Self.replications(6, seed: 29) { s in
            PoissonVolume.run(iops: 2000, background: 0, latency: 0.001, lambda: 3000, exponentialWork: false, horizon: 60, streams: s)
        }
        Self.expectTheory(runs.map(\.throughput), 2000, precision: 0.005, "throughput at 150% of the limit")
    }

    /// A volume slower than one request's pace (IOPS x latency < 1): a request alone takes
    /// 1 / IOPS, not the latency (the limit throttles even one stream).
    @Test func throttledVolumeSlowsALoneRequest() {
        let runs = Self.replications(8, seed: 31) { s in
            PoissonVolume.run(iops: 500, background: 0, latency: 0.001, lambda: 5, exponentialWork: false, horizon: 2000, streams: s)
        }
        // c = 0.5: an M/M/1 at service rate 500 for a unit of work: W = 1 / (500 - 5).
        Self.expectTheory(runs.map(\.response), 1 / (500 - 5.0), precision: 0.05, "0.5 paces")
    }
}
