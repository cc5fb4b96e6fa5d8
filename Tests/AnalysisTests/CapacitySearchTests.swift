import Foundation
import PlatformModel
import Testing
@testable import Analysis

/// The bisection over users on runs built by hand: p99 grows with users as a configuration's
/// does, so the boundary is known and the search must bracket it.
@Suite struct CapacitySearchTests {
    static let slo = ServiceLevelObjective(p99Ms: 500, errorRate: 0.001)

    /// Replications of one count whose p99 is `users / 1000` ms, spread by `noise` ms.
    static func runs(_ users: Int, noise: Double = 0) -> [DiagnosedRun] {
        (0..<3).map { i in
            let p99 = Double(users) / 1000 + noise * Double(i - 1)
            var r = Constructed.run(users: users, p99: p99)
            r.replication = i
            let cause = Cause(kind: .busiest, component: "postgres-primary", componentKind: .postgresPrimary, utilization: 0.5, requestShare: 0, reason: "test")
            let cost = CostBreakdown(provider: "test", monthlyUSD: 1, perThousandUsersUSD: 0, items: [])
            return DiagnosedRun(result: r, diagnosis: Diagnosis(causes: [cause], headroom: nil, tail: nil, cost: cost))
        }
    }

    @Test func bracketsTheBoundaryWithinThePrecision() {
        var tried: [Int] = []
        let o = CapacitySearch.search(low: 10_000, high: 3_000_000, slo: Self.slo, precision: 0.05, evaluate: { Self.runs($0) },
                                      log: { tried.append($0.users) })
        let meet = o.largestMeeting!.users, fail = o.smallestFailing!.users
        #expect(meet <= 500_000 && fail > 500_000)
        #expect(Double(fail) <= Double(meet) * 1.05)
        #expect(tried.prefix(2) == [10_000, 3_000_000])
        #expect(tried.count == o.steps.count && tried.count <= 20)
        // Counts read as people write them: three significant digits.
        for u in tried.dropFirst(2) {
            var scale = 1
            while u / scale >= 1000 { scale *= 10 }
            #expect(u % scale == 0, "\(u)")
        }
    }

    @Test func saysWhenTheLowCountFailsOrTheHighOneMeets() {
        let failing = CapacitySearch.search(low: 600_000, high: 900_000, slo: Self.slo, evaluate: { Self.runs($0) })
        #expect(failing.largestMeeting == nil && failing.smallestFailing?.users == 600_000 && failing.steps.count == 1)
        let meeting = CapacitySearch.search(low: 1000, high: 400_000, slo: Self.slo, evaluate: { Self.runs($0) })
        #expect(meeting.largestMeeting?.users == 400_000 && meeting.smallestFailing == nil && meeting.steps.count == 2)
    }

    /// A count is judged on the mean of its replications, and its intervals say when the bound
    /// lies inside them.
    @Test func judgesACountOnItsMeansAndFlagsNoise() {
        let noisy = CapacitySearch.Step(users: 490_000, runs: Self.runs(490_000, noise: 40), slo: Self.slo)
        #expect(noisy.meets)
        #expect(abs(noisy.p99Ms.mean - 490) < 1e-9)
        #expect(noisy.boundsInsideIntervals(Self.slo) == ["p99"])
        let clear = CapacitySearch.Step(users: 100_000, runs: Self.runs(100_000, noise: 1), slo: Self.slo)
        #expect(clear.boundsInsideIntervals(Self.slo).isEmpty)
    }

    @Test func midpointsStayBetweenTheirEnds() {
        for (a, b) in [(1, 3), (10, 11), (999, 1001), (10_000, 3_000_000), (547_000, 574_000)] {
            let m = CapacitySearch.midpoint(a, b)
            #expect(b - a < 2 || (m > a && m < b), "\(a) \(b) -> \(m)")
        }
    }
}
