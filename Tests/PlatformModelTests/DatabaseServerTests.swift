import Foundation
import Testing
import PlatformModel
import SimulationEngine

/// The Postgres server: processor sharing over its cores with the capacity curve of the
/// Universal Scalability Law fitted in the model.
@Suite struct DatabaseServerTests {
    /// The USL as the model file states it, evaluated here from its definition:
    /// X(N) = N / (1 + alpha (N - 1) + beta N (N - 1)), peak at N* = sqrt((1 - alpha) / beta).
    /// On `cores` cores, n active backends act like n * measuredVCPU / cores on the measured
    /// machine; up to N* the cores are fully usable (min(n, cores)), past it the capacity falls
    /// in proportion to X.
    static func uslCapacity(_ n: Int, cores: Double, alpha: Double, beta: Double, measured: Double) -> Double {
        func x(_ n: Double) -> Double { n / (1 + alpha * (n - 1) + beta * n * (n - 1)) }
        let peak = ((1 - alpha) / beta).squareRoot()
        let ideal = min(Double(n), cores)
        let scaled = Double(n) * measured / cores
        return scaled <= peak ? ideal : ideal * x(scaled) / x(peak)
    }

    static func modelUSL() throws -> USLModel { try PlatformFixture.model("current", users: 1000).database.postgres.usl }

    @Test func uslCapacityFollowsTheFittedCurve() throws {
        let usl = try Self.modelUSL()
        let peak = ((1 - usl.alpha) / usl.beta).squareRoot()
        #expect(abs(usl.peakConcurrency - peak) < 1e-12)
        for cores in [2.0, 4, 8, 16, 32] {
            var previous = 0.0
            let peakN = peak * cores / usl.measuredVCPU
            for n in 1...400 {
                let c = usl.capacity(activeBackends: n, cores: cores)
                let expected = Self.uslCapacity(n, cores: cores, alpha: usl.alpha, beta: usl.beta, measured: usl.measuredVCPU)
                #expect(abs(c - expected) <= 1e-12 * expected, "n \(n) cores \(cores): \(c) vs \(expected)")
                #expect(c <= cores + 1e-12)
                if Double(n) <= peakN {
                    #expect(c >= previous, "capacity must not fall before the peak (n \(n), cores \(cores))")
                } else if Double(n - 1) > peakN {
                    #expect(c < previous, "capacity must fall past the peak (n \(n), cores \(cores))")
                }
                previous = c
            }
            // The best concurrency scales with the cores: all of them are usable there.
            #expect(abs(usl.capacity(activeBackends: Int(peakN.rounded(.down)), cores: cores) - cores) < 1e-12)
        }
    }

    /// The fit against what it was fitted to (MODEL.md section 8, pgbench select-only on the 2-vCPU
    /// build machine): 20.4k / 22.8k / 16.9k tps at 4 / 16 / 64 clients, 10-12.6k at 1 client.
    /// Each measured figure divided by the curve's relative throughput must land in the
    /// measured 1-client range.
    @Test func uslFitReproducesTheMeasuredPgbenchCurve() throws {
        let usl = try Self.modelUSL()
        #expect(usl.measuredVCPU == 2)
        for (clients, tps) in [(4.0, 20_400.0), (16, 22_800), (64, 16_900)] {
            let oneClient = tps / usl.relativeThroughput(clients)
            #expect(oneClient >= 10_000 && oneClient <= 12_600, "\(Int(clients)) clients imply \(oneClient) tps at 1 client")
        }
    }

    /// A closed loop of n queries that never stops: each completion is replaced at once, so the
    /// server holds exactly n active backends.
    struct ClosedLoop: SimulationModel {
        static let completion: Int32 = 1
        var server: DatabaseServer
        var rng: Xoshiro256StarStar
        let meanWork: Double
        let deterministic: Bool
        var completions = 0
        var lastCompletion = 0.0

        mutating func work() -> Double { deterministic ? meanWork : rng.exponential(rate: 1 / meanWork) }

        mutating func handle(_ event: Event, in sim: inout Simulator) {
            guard let d = server.station.complete(event, in: &sim) else { return }
            completions += 1
            lastCompletion = sim.now
            _ = server.station.arrive(d.customer, work: work(), in: &sim)
        }
    }

    static func closedLoop(n: Int, vcpu: Double, usl: USLModel, meanWork: Double, deterministic: Bool, seed: UInt64)
        -> (model: ClosedLoop, sim: Simulator) {
        let server = DatabaseServer(name: "pg", role: .primary, shard: 0, size: InstanceSize(name: "pg", vcpu: vcpu, memoryGB: 8),
                                    maxConnections: 100, usl: usl, index: 0, completionKind: ClosedLoop.completion,
                                    startTime: 0)
        var model = ClosedLoop(server: server, rng: Xoshiro256StarStar(seed: seed), meanWork: meanWork, deterministic: deterministic)
        var sim = Simulator()
        for i in 0..<n { _ = model.server.station.arrive(Int32(i), work: model.work(), in: &sim) }
        return (model, sim)
    }

    /// At saturation with n active backends the server completes capacity(n) / E[work] queries
    /// per second: with exponential work every customer's remaining work is memoryless, so
    /// completions form a Poisson process of exactly that rate and the count in a window is
    /// Poisson (tolerance: 4 standard deviations).
    @Test func throughputAtSaturationIsTheCapacity() throws {
        let usl = try Self.modelUSL()
        let work = 0.001
        for (i, n) in [1, 2, 4, 11, 16, 32, 64, 100].enumerated() {
            var (model, sim) = Self.closedLoop(n: n, vcpu: 2, usl: usl, meanWork: work, deterministic: false, seed: UInt64(100 + i))
            let capacity = Self.uslCapacity(n, cores: 2, alpha: usl.alpha, beta: usl.beta, measured: usl.measuredVCPU)
            let warmUp = 1.0, span = 20_000 * work / capacity
            sim.run(&model, until: warmUp)
            model.completions = 0
            model.server.resetStatistics(at: warmUp)
            sim.run(&model, until: warmUp + span)
            let expected = capacity * span / work
            #expect(abs(Double(model.completions) - expected) < 4 * expected.squareRoot(),
                    "n \(n): \(model.completions) completions vs \(expected)")
            // Exactly n present all the time: min(n, cores) cores occupied, and the useful work
            // done on them as the curve says (less than occupied past the best concurrency).
            #expect(abs(model.server.station.population.average(at: warmUp + span) - Double(n)) < 1e-9)
            #expect(abs(model.server.utilization(at: warmUp + span) - Double(min(n, 2)) / 2) < 1e-9)
            #expect(abs(model.server.usefulShare(at: warmUp + span) - min(capacity, 2) / 2) < 1e-9)
        }
    }

    /// The same with identical work: n queries started together share the capacity equally and
    /// all finish at n w / capacity(n), exactly.
    @Test func identicalQueriesFinishTogether() throws {
        let usl = try Self.modelUSL()
        for n in [1, 3, 12, 40] {
            var (model, sim) = Self.closedLoop(n: n, vcpu: 4, usl: usl, meanWork: 0.002, deterministic: true, seed: 1)
            let capacity = Self.uslCapacity(n, cores: 4, alpha: usl.alpha, beta: usl.beta, measured: usl.measuredVCPU)
            let round = Double(n) * 0.002 / capacity
            sim.run(&model, until: round * 10.5)
            #expect(model.completions == 10 * n, "n \(n): \(model.completions)")
            #expect(abs(model.lastCompletion - 10 * round) < 1e-9 * round)
        }
    }
}
