import Foundation
import Testing
import PlatformModel
import SimulationEngine

@Suite struct TrafficTests {
    // MARK: - ArrivalRate

    static let diurnal: [Double] = [0.35, 0.3, 0.3, 0.3, 0.35, 0.45, 0.6, 0.8, 1.1, 1.4, 1.6, 1.7,
                                    1.75, 1.8, 1.9, 1.85, 1.7, 1.45, 1.2, 0.95, 0.75, 0.6, 0.5, 0.4]

    /// The expected arrivals in [a, b), computed here from the definition: the rate in hour h of
    /// the day is base * w[h] / mean(w), times the spike's multiplier inside its window.
    static func integral(base: Double, weights: [Double], spike: TrafficSpike?, from a: Double, to b: Double) -> Double {
        let mean = weights.reduce(0, +) / Double(weights.count)
        var total = 0.0
        var t = a
        while t < b {
            let hourEnd = ((t / 3600).rounded(.down) + 1) * 3600
            var end = min(b, hourEnd)
            var multiplier = 1.0
            if let s = spike {
                if t < s.start { end = min(end, s.start) }
                else if t < s.start + s.duration { end = min(end, s.start + s.duration); multiplier = s.multiplier }
            }
            let hour = Int((t / 3600).rounded(.down)) % 24
            total += (end - t) * base * weights[hour] / mean * multiplier
            t = end
        }
        return total
    }

    /// Arrivals over a day and a half, started mid-hour, with a marketing blast (x5 for ten
    /// minutes from 14:15): the counts per hour and in the spike's pieces against the integral of
    /// the rate. Each count is Poisson, so (O - E)^2 / E summed over the pieces is chi-square with
    /// as many degrees of freedom as pieces; the test allows the 0.1% upper quantile, and no
    /// single piece beyond 4.5 standard deviations.
    @Test func countsPerHourMatchTheIntegratedRate() {
        let base = 1.5
        let spike = TrafficSpike(multiplier: 5, start: 14 * 3600 + 900, duration: 600)
        let from = 1800.5, to = 36.0 * 3600
        var rate = ArrivalRate(perSecondAtMean: base, diurnalWeights: Self.diurnal, spike: spike, from: from, to: to)
        var rng = Xoshiro256StarStar(seed: 77)
        // Pieces: every hour boundary and the spike's two edges.
        var edges: [Double] = [from]
        var h = 3600.0
        while h < to { edges.append(h); h += 3600 }
        edges.append(contentsOf: [spike.start, spike.start + spike.duration, to])
        edges = Array(Set(edges)).sorted()
        var counts = [Int](repeating: 0, count: edges.count - 1)
        var t = from
        var piece = 0
        while true {
            t = rate.next(after: t, &rng)
            if t >= to { break }
            while t >= edges[piece + 1] { piece += 1 }
            counts[piece] += 1
        }
        var chi2 = 0.0, worst = 0.0
        for i in counts.indices {
            let expected = Self.integral(base: base, weights: Self.diurnal, spike: spike, from: edges[i], to: edges[i + 1])
            // The type's own integral agrees with the one written here.
            #expect(abs(rate.expectedArrivals(from: edges[i], to: edges[i + 1]) - expected) < 1e-9 * expected)
            let z = (Double(counts[i]) - expected) / expected.squareRoot()
            chi2 += z * z
            worst = max(worst, abs(z))
        }
        let critical = Stats.chiSquareQuantile(0.999, degreesOfFreedom: Double(counts.count))
        #expect(counts.count == 38)
        #expect(chi2 < critical, "chi-square \(chi2) over \(counts.count) pieces (0.1% critical \(critical))")
        #expect(worst < 4.5)
        // The blast multiplies the rate by 5 within its window and nowhere else.
        let inside = rate.rate(at: spike.start + 1), before = rate.rate(at: spike.start - 1)
        #expect(abs(inside - 5 * before) < 1e-12 * inside)
        #expect(rate.rate(at: spike.start + spike.duration + 1) == before)
        #expect(abs(before - base * Self.diurnal[14] / (Self.diurnal.reduce(0, +) / 24)) < 1e-12)
        #expect(rate.rate(at: 26 * 3600 + 5) == rate.rate(at: 2 * 3600 + 5))   // the next day repeats the profile
    }

    // MARK: - UserPopulation

    static func traffic(users: Int) throws -> TrafficModel {
        try PlatformFixture.model("current", users: users).traffic
    }

    /// Activity weights average 1 (they scale sessions and data per user), tiers come out in
    /// their shares within binomial error, and office IPs hold at least two users each (a
    /// single user behind an "office" IP is not sharing anything).
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func populationIsAsSpecified(seed: UInt64) throws {
        let t = try Self.traffic(users: 20_000)   // 3,000 daily-active users
        let population = UserPopulation(traffic: t, streams: RandomStreams(masterSeed: seed))
        let n = population.count
        #expect(n == t.activeUsers)
        let meanWeight = population.weight.reduce(0.0) { $0 + Double($1) } / Double(n)
        #expect(abs(meanWeight - 1) < 1e-5)
        #expect(population.weight.allSatisfy { $0 > 0 })

        var tierCounts = [Int](repeating: 0, count: t.tiers.count)
        for u in 0..<n { tierCounts[Int(population.tier[u])] += 1 }
        for (i, tier) in t.tiers.enumerated() {
            let p = tier.userShare
            let se = (p * (1 - p) / Double(n)).squareRoot()
            #expect(abs(Double(tierCounts[i]) / Double(n) - p) < 4 * se, "tier \(tier.name)")
        }

        var usersPerIP = [Int](repeating: 0, count: population.userIPs)
        for u in 0..<n { usersPerIP[Int(population.ip[u])] += 1 }
        #expect(usersPerIP.allSatisfy { $0 >= 1 })   // IP ids are dense
        let shared = usersPerIP.filter { $0 >= 2 }
        // Every office IP holds two or more users: the shared IPs are exactly the offices.
        #expect(shared.count == population.officeIPs, "\(population.officeIPs) offices but \(shared.count) IPs with 2+ users")
        #expect(shared.reduce(0, +) == population.officeUsers)
        // The office share of users within binomial error of the model's fraction.
        let p = t.officeUserFraction
        #expect(abs(Double(population.officeUsers) / Double(n) - p) < 4 * (p * (1 - p) / Double(n)).squareRoot())
    }
}
