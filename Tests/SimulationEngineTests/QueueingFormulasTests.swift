import Testing
@testable import SimulationEngine

/// Checks of the closed-form queueing results against hand-checkable special cases and
/// published values.
@Suite struct QueueingFormulasTests {
    @Test func erlangBOneServerIsLoadOverOnePlusLoad() {
        for a in [0.1, 0.5, 1.0, 3.0] {
            #expect(abs(QueueingFormulas.erlangB(servers: 1, offeredLoad: a) - a / (1 + a)) < 1e-15)
        }
    }

    @Test func erlangCOneServerIsUtilization() {
        #expect(abs(QueueingFormulas.erlangC(servers: 1, offeredLoad: 0.7) - 0.7) < 1e-15)
        #expect(QueueingFormulas.erlangC(servers: 3, offeredLoad: 3.5) == 1)
    }

    @Test func erlangCMatchesTheAnchorValue() {
        // shared/anchors/README.md: lambda 8.5, mu 1, c 10 gives Wq = 0.3532.
        let wq = QueueingFormulas.mmcMeanWait(arrivalRate: 8.5, serviceRate: 1, servers: 10)
        #expect(abs(wq - 0.3532) < 5e-5)
        // Large c: no overflow, and a lightly loaded big pool rarely waits.
        let c = QueueingFormulas.erlangC(servers: 5000, offeredLoad: 4000)
        #expect(c >= 0 && c < 1e-10)
    }

    @Test func pollaczekKhinchineSpecialCases() {
        // Exponential service (scv 1) gives M/M/1: rho / (mu - lambda).
        let mm1 = QueueingFormulas.pollaczekKhinchineMeanWait(arrivalRate: 0.8, meanService: 1, scv: 1)
        #expect(abs(mm1 - 0.8 / 0.2) < 1e-12)
        // Deterministic service (scv 0) halves it.
        let md1 = QueueingFormulas.pollaczekKhinchineMeanWait(arrivalRate: 0.8, meanService: 1, scv: 0)
        #expect(abs(md1 - 2.0) < 1e-12)
        #expect(QueueingFormulas.pollaczekKhinchineMeanWait(arrivalRate: 1, meanService: 1, scv: 1) == .infinity)
    }

    @Test func mm1kMatchesItsClosedForm() {
        let rho = 0.9, k = 5
        let r = QueueingFormulas.mmck(arrivalRate: rho, serviceRate: 1, servers: 1, capacity: k)
        let pk = (1 - rho) * pow(rho, Double(k)) / (1 - pow(rho, Double(k + 1)))
        #expect(abs(r.blockingProbability - pk) < 1e-12)
        #expect(abs(QueueingFormulas.mmckBlocking(arrivalRate: rho, serviceRate: 1, servers: 1, capacity: k) - pk) < 1e-12)
        // Little's law holds between the figures.
        #expect(abs(r.meanInSystem - r.effectiveArrivalRate * r.meanResponse) < 1e-12)
        #expect(abs(r.meanResponse - r.meanWait - 1) < 1e-12)
    }

    @Test func mmccIsErlangB() {
        let r = QueueingFormulas.mmck(arrivalRate: 7, serviceRate: 1, servers: 10, capacity: 10)
        #expect(abs(r.blockingProbability - QueueingFormulas.erlangB(servers: 10, offeredLoad: 7)) < 1e-12)
        #expect(r.meanQueueLength == 0)
    }

    @Test func largeCapacityApproachesMMc() {
        let r = QueueingFormulas.mmck(arrivalRate: 8.5, serviceRate: 1, servers: 10, capacity: 2000)
        let wq = QueueingFormulas.mmcMeanWait(arrivalRate: 8.5, serviceRate: 1, servers: 10)
        #expect(abs(r.meanWait - wq) < 1e-9)
        #expect(r.blockingProbability < 1e-12)
        // Overload is fine with a capacity: the station is nearly always full.
        let over = QueueingFormulas.mmck(arrivalRate: 20, serviceRate: 1, servers: 10, capacity: 1000)
        #expect(abs(over.blockingProbability - 0.5) < 1e-9)
        #expect(abs(over.utilization - 1) < 1e-9)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
