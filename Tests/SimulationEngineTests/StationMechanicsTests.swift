import Testing
@testable import SimulationEngine

// Small scripted scenarios whose every departure time, wait and time average is worked out by
// hand in the comments: they pin down the stations' mechanics (FIFO, servers, priority order,
// no pre-emption, capacity, reneging, slot reuse, processor sharing) exactly, where the
// queueing-theory tests check them only in distribution.

/// Feeds a QueueingStation from a fixed script of arrivals and records what happens.
private struct ScriptedQueue: SimulationModel {
    struct Arrival {
        var time: Double
        var service: Double
        var priority = 0
        var patience = Double.infinity
    }

    static let arrival: Int32 = 0, completion: Int32 = 1, patience: Int32 = 2
    var station: QueueingStation
    let script: [Arrival]
    var admissions: [Admission] = []
    var departures: [Departure] = []
    var reneged: [(customer: Int32, time: Double)] = []

    mutating func handle(_ event: Event, in sim: inout Simulator) {
        switch event.kind {
        case Self.arrival:
            let a = script[Int(event.entity)]
            admissions.append(station.arrive(event.entity, serviceTime: a.service, priority: a.priority, patience: a.patience, in: &sim))
        case Self.completion:
            departures.append(station.complete(event, in: &sim))
        default:
            if let c = station.patienceExpired(event, in: &sim) { reneged.append((c, sim.now)) }
        }
    }

    static func run(servers: Int, capacity: Int? = nil, classes: Int = 1, until end: Double = .infinity,
                    _ script: [Arrival]) -> (ScriptedQueue, Simulator) {
        var model = ScriptedQueue(station: QueueingStation(name: "s", servers: servers, capacity: capacity, priorityClasses: classes,
                                                           index: 0, completionKind: completion, patienceKind: patience),
                                  script: script)
        var sim = Simulator()
        for (i, a) in script.enumerated() { sim.schedule(at: a.time, kind: arrival, entity: Int32(i)) }
        sim.run(&model, until: end)
        return (model, sim)
    }
}

private typealias A = ScriptedQueue.Arrival

/// Equal up to rounding (the values are sums and differences of a few exact inputs).
private func approx(_ a: [Double], _ b: [Double]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-12 * Swift.max(1, abs($1)) }
}

@Suite("Station mechanics on hand-worked scenarios")
struct StationMechanicsTests {
    /// One server, arrivals at 0, 1, 2 needing 3, 2, 1: departures at 3, 5, 6; waits 0, 2, 3.
    /// Waiting line: 0 on [0,1), 1 on [1,2), 2 on [2,3), 1 on [3,5), 0 after: area 5 over [0, 6].
    @Test func fifoSingleServer() {
        let (m, sim) = ScriptedQueue.run(servers: 1, [A(time: 0, service: 3), A(time: 1, service: 2), A(time: 2, service: 1)])
        #expect(m.admissions == [.started, .queued, .queued])
        #expect(m.departures.map(\.customer) == [0, 1, 2])
        #expect(approx(m.departures.map(\.departureTime), [3, 5, 6]))
        #expect(approx(m.departures.map(\.waitingTime), [0, 2, 3]))
        #expect(approx(m.departures.map(\.responseTime), [3, 4, 4]))
        #expect(sim.now == 6)
        let s = m.station
        #expect(s.arrivals == 3 && s.completions == 3 && s.rejections == 0 && s.population == 0)
        #expect(approx([s.queueLength.average(at: 6)], [5.0 / 6]) && s.queueLength.maximum == 2)
        #expect(s.utilization(at: 6) == 1)
        #expect(approx([s.waitingTimes.mean, s.responseTimes.mean], [5.0 / 3, 11.0 / 3]))
    }

    /// Two servers: 0 (needs 4) and 1 (needs 1) start at once; 2 arrives at 1.5, waits for the
    /// server 1 frees at 2 and leaves at 3; 0 leaves at 4. Busy servers: 1 on [0,1), 2 on [1,2),
    /// 2 on [2,3), 1 on [3,4): area 6 over [0,4], utilization 6 / (2 * 4).
    @Test func twoServers() {
        let (m, _) = ScriptedQueue.run(servers: 2, [A(time: 0, service: 4), A(time: 1, service: 1), A(time: 1.5, service: 1)])
        #expect(m.admissions == [.started, .started, .queued])
        #expect(m.departures.map(\.customer) == [1, 2, 0])
        #expect(approx(m.departures.map(\.departureTime), [2, 3, 4]))
        #expect(approx(m.departures.map(\.waitingTime), [0, 0.5, 0]))
        #expect(approx([m.station.utilization(at: 4)], [6.0 / 8]))
        #expect(m.station.busy.maximum == 2)
    }

    /// Non-pre-emptive priority: 0 (class 1) holds the server on [0, 5) although class-0
    /// customers 2 and 3 arrive meanwhile; at 5 they go first, in their own FIFO order, then 1.
    @Test func priorityOrderWithoutPreemption() {
        let (m, _) = ScriptedQueue.run(servers: 1, classes: 2, [
            A(time: 0, service: 5, priority: 1), A(time: 1, service: 1, priority: 1),
            A(time: 2, service: 1, priority: 0), A(time: 3, service: 1, priority: 0),
        ])
        #expect(m.departures.map(\.customer) == [0, 2, 3, 1])
        #expect(approx(m.departures.map(\.departureTime), [5, 6, 7, 8]))
        #expect(approx(m.departures.map(\.waitingTime), [0, 3, 3, 6]))
    }

    /// Capacity 2 with one server: the third and fourth arrivals find 2 present and are turned
    /// away; the fifth, after the first has left, is accepted.
    @Test func capacityRejects() {
        let (m, _) = ScriptedQueue.run(servers: 1, capacity: 2, [
            A(time: 0, service: 10), A(time: 1, service: 1), A(time: 2, service: 1), A(time: 3, service: 1), A(time: 10.5, service: 1),
        ])
        #expect(m.admissions == [.started, .queued, .rejected, .rejected, .queued])
        #expect(m.station.arrivals == 5 && m.station.rejections == 2 && m.station.completions == 3)
        #expect(m.departures.map(\.customer) == [0, 1, 4])
        #expect(approx(m.departures.map(\.departureTime), [10, 11, 12]))
    }

    /// Reneging: 1 (patience 2) leaves at 3 while 0 is served; 2 (patience 10) starts at 5 after
    /// the tombstone left by 1 is skipped, so its patience event at 12 is stale and ignored.
    /// Waiting line: 1 on [1,2), 2 on [2,3), 1 on [3,5): area 5.
    @Test func renegingAndStalePatience() {
        let (m, _) = ScriptedQueue.run(servers: 1, [
            A(time: 0, service: 5), A(time: 1, service: 1, patience: 2), A(time: 2, service: 1, patience: 10),
            A(time: 7, service: 1, patience: 0.5),
        ])
        #expect(m.reneged.map(\.customer) == [1] && m.reneged.map(\.time) == [3])
        #expect(m.departures.map(\.customer) == [0, 2, 3])
        #expect(approx(m.departures.map(\.departureTime), [5, 6, 8]))
        #expect(approx(m.departures.map(\.waitingTime), [0, 3, 0]))
        #expect(m.station.reneges == 1 && m.station.completions == 3)
        #expect(m.station.queueLength.integral(at: 8) == 5)
        #expect(m.station.waitingCount == 0 && m.station.lines[0].isEmpty)
    }

    /// A line holding only tombstones is emptied when the server frees, and the slots are reused.
    @Test func tombstonesAreDropped() {
        let (m, _) = ScriptedQueue.run(servers: 1, until: 5.5, [
            A(time: 0, service: 5), A(time: 1, service: 1, patience: 1), A(time: 1.5, service: 1, patience: 1),
        ])
        #expect(m.station.reneges == 2)
        #expect(m.station.lines[0].isEmpty && m.station.slots.abandonedInLines == 0)
        #expect(m.station.slots.freeList.count == m.station.slots.records.count)
    }

    /// A slot freed and taken by a new waiting customer must not be cancelled by the previous
    /// occupant's pending patience event. Two servers: 0 holds one for 100; 1 is served on
    /// [0, 1); 2 (patience 4, pending at 4.2) waits, is served on [1, 2) and frees its slot;
    /// 3 is served from 2 to 12; 4 arrives at 3, takes 2's old slot and waits. At 4.2 the stale
    /// event names that slot while it is waiting again: it must be ignored, so 4 is served at 12.
    @Test func staleEventDoesNotCancelNewOccupant() {
        let (m, _) = ScriptedQueue.run(servers: 2, [
            A(time: 0, service: 100), A(time: 0, service: 1), A(time: 0.2, service: 1, patience: 4),
            A(time: 0.3, service: 10), A(time: 3, service: 1, patience: 100),
        ])
        #expect(m.reneged.isEmpty)
        #expect(m.departures.map(\.customer) == [1, 2, 3, 4, 0])
        #expect(approx(m.departures.map(\.departureTime), [1, 2, 12, 13, 100]))
        #expect(approx(m.departures.map(\.waitingTime), [0, 0.8, 1.7, 9, 0]))
    }

    /// Statistics restart at a reset while the customers present stay.
    @Test func resetKeepsCustomers() {
        var (m, sim) = ScriptedQueue.run(servers: 1, until: 2, [A(time: 0, service: 3), A(time: 1, service: 3)])
        m.station.resetStatistics(at: 2)
        #expect(m.station.arrivals == 0 && m.station.waitingTimes.count == 0 && m.station.population == 2)
        sim.runToCompletion(&m)
        // After the reset: busy all of [2, 6]; 1 waiting on [2, 3); both complete, one wait (2) recorded.
        #expect(m.station.completions == 2 && m.station.waitingTimes.count == 1 && m.station.waitingTimes.mean == 2)
        #expect(m.station.utilization(at: 6) == 1 && m.station.queueLength.average(at: 6) == 0.25)
    }

    // MARK: Processor sharing

    private struct ScriptedPS: SimulationModel {
        var station: ProcessorSharingStation
        let script: [(time: Double, work: Double)]
        var outside: Set<Int32> = []
        var admissions: [Admission] = []
        var departures: [Departure] = []
        var stale = 0
        mutating func handle(_ event: Event, in sim: inout Simulator) {
            if event.kind == 0 {
                admissions.append(station.arrive(event.entity, work: script[Int(event.entity)].work,
                                                 contends: !outside.contains(event.entity), in: &sim))
            } else if let d = station.complete(event, in: &sim) {
                departures.append(d)
            } else {
                stale += 1
            }
        }
        static func run(servers: Int = 1, capacity: Int? = nil, curve: [Double]? = nil, outside: Set<Int32> = [],
                        _ script: [(time: Double, work: Double)]) -> ScriptedPS {
            var m = ScriptedPS(station: ProcessorSharingStation(name: "ps", servers: servers, capacity: capacity, capacityCurve: curve,
                                                                index: 0, completionKind: 1), script: script, outside: outside)
            var sim = Simulator()
            for (i, a) in script.enumerated() { sim.schedule(at: a.time, kind: 0, entity: Int32(i)) }
            sim.runToCompletion(&m)
            return m
        }
    }

    /// Work 1 and 2 at time 0, shared equally: the first is done at 2 (half speed), the second
    /// has 1 left and finishes alone at 3. Population 2 on [0,2), 1 on [2,3): average 5/3.
    @Test func processorSharingTwoCustomers() {
        let m = ScriptedPS.run([(0, 1), (0, 2)])
        #expect(m.departures.map(\.customer) == [0, 1])
        #expect(approx(m.departures.map(\.departureTime), [2, 3]))
        #expect(abs(m.station.population.average(at: 3) - 5.0 / 3) < 1e-12)
        #expect(m.station.utilization(at: 3) == 1)
    }

    /// Work 2 at 0 and 0.5 at 1: at 1 the first has 1 left; sharing, the second needs 1 time
    /// unit (done at 2) and the first has 0.5 left, done at 2.5. Arrival overtakes.
    @Test func processorSharingLateShortJobOvertakes() {
        let m = ScriptedPS.run([(0, 2), (1, 0.5)])
        #expect(m.departures.map(\.customer) == [1, 0])
        #expect(zip(m.departures.map(\.departureTime), [2.0, 2.5]).allSatisfy { abs($0 - $1) < 1e-12 })
        // The completion already pending at 2 stays valid (the newcomer is the one done at 2),
        // so nothing had to be re-armed.
        #expect(m.stale == 0)
    }

    /// Work 2 at 0 and 5 at 1: the arrival slows the first down, whose completion was pending
    /// at 2. That event fires early, finds 0.5 work left, and re-arms: the first is done at 3
    /// (1 left at half speed), the second at 3 + 4 = 7.
    @Test func processorSharingArrivalDelaysThePendingDeparture() {
        let m = ScriptedPS.run([(0, 2), (1, 5)])
        #expect(m.departures.map(\.customer) == [0, 1])
        #expect(zip(m.departures.map(\.departureTime), [3.0, 7.0]).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(m.stale >= 1, "the completion pending at 2 came early and was re-armed")
    }

    /// Two servers and three customers of work 1: capacity min(3, 2) = 2 shared by 3, each at
    /// rate 2/3, all done at 1.5. A capacity curve [0, 1, 1.5] with two customers of work 1.5:
    /// rate 0.75 each, done at 2.
    @Test func processorSharingServersAndCurve() {
        let m = ScriptedPS.run(servers: 2, [(0, 1), (0, 1), (0, 1)])
        #expect(m.departures.allSatisfy { abs($0.departureTime - 1.5) < 1e-12 } && m.departures.count == 3)
        let c = ScriptedPS.run(curve: [0, 1, 1.5], [(0, 1.5), (0, 1.5)])
        #expect(c.departures.allSatisfy { abs($0.departureTime - 2) < 1e-12 } && c.departures.count == 2)
    }

    /// Customers outside the capacity curve occupy servers but take no place on the curve. Two
    /// servers whose curve collapses at three contending customers ([0, 1, 2, 0.5]): three
    /// customers of work 1 share 0.5, each done at 6. With the third outside the curve, two
    /// servers run at the efficiency of two contending (curve(2) / 2 = 1): each at rate 2/3,
    /// all done at 1.5; once the outsider leaves the curve counts the other two alone again.
    /// With three contending and one outside, the efficiency is curve(3) / 2 = 0.25 for all
    /// four: capacity 0.5, each at 1/8, done at 8.
    @Test func processorSharingCustomersOutsideTheCurve() {
        let curve: [Double] = [0, 1, 2, 0.5]
        let all = ScriptedPS.run(servers: 2, curve: curve, [(0, 1), (0, 1), (0, 1)])
        #expect(all.departures.count == 3 && all.departures.allSatisfy { abs($0.departureTime - 6) < 1e-12 })
        let one = ScriptedPS.run(servers: 2, curve: curve, outside: [2], [(0, 1), (0, 1), (0, 1)])
        #expect(one.departures.count == 3 && one.departures.allSatisfy { abs($0.departureTime - 1.5) < 1e-12 })
        #expect(abs(one.station.busy.average(at: 1.5) - 2) < 1e-12)
        // The outsider (work 0.3) leaves at 0.45; then two contending share curve(2) = 2, one each.
        let short = ScriptedPS.run(servers: 2, curve: curve, outside: [2], [(0, 1), (0, 1), (0, 0.3)])
        #expect(approx(short.departures.map(\.departureTime), [0.45, 1.15, 1.15]))
        let crowded = ScriptedPS.run(servers: 2, curve: curve, outside: [3], [(0, 1), (0, 1), (0, 1), (0, 1)])
        #expect(crowded.departures.count == 4 && crowded.departures.allSatisfy { abs($0.departureTime - 8) < 1e-12 })
    }

    @Test func processorSharingCapacityRejects() {
        let m = ScriptedPS.run(capacity: 2, [(0, 5), (1, 5), (2, 5), (12, 1)])
        #expect(m.admissions == [.started, .started, .rejected, .started])
        #expect(m.station.rejections == 1 && m.station.completions == 3)
    }
}

@Suite("SingleStationSimulation on a deterministic input")
struct SingleStationDeterministicTests {
    private typealias Config = SingleStationSimulation.Configuration

    /// Arrivals every 1 (the first at 1), service 0.5: customers at 1, 2, 3, 4, 5 leave at
    /// 1.5 ... 5.5 without waiting; the server is busy 2.5 of the 5.5 time units.
    @Test func fiveCustomers() {
        let r = SingleStationSimulation.run(Config(interarrival: .deterministic(1), service: .deterministic(0.5), servers: 1, customers: 5),
                                            streams: RandomStreams(masterSeed: 1))
        #expect(r.customers == 5 && r.completions == 5 && r.rejected == 0 && r.reneged == 0 && r.events == 10)
        #expect(r.simulatedTime == 5.5 && r.meanWait == 0 && r.meanResponse == 0.5 && r.waitVariance == 0)
        #expect(abs(r.utilization - 2.5 / 5.5) < 1e-12 && abs(r.meanInSystem - 2.5 / 5.5) < 1e-12 && r.meanQueueLength == 0)
        #expect(abs(r.acceptedArrivalRate - 5 / 5.5) < 1e-12)
    }

    /// With 2 warm-up customers, measurement starts at the third arrival (t = 3): 3 arrivals,
    /// busy 1.5 of the 2.5 time units to the end.
    @Test func warmUpDeletion() {
        let r = SingleStationSimulation.run(Config(interarrival: .deterministic(1), service: .deterministic(0.5), servers: 1, customers: 5,
                                                   warmUpCustomers: 2), streams: RandomStreams(masterSeed: 1))
        #expect(r.customers == 3 && r.completions == 3)
        #expect(abs(r.utilization - 0.6) < 1e-12 && abs(r.acceptedArrivalRate - 1.2) < 1e-12)
    }

    /// Asking for no customers generates none.
    @Test func zeroCustomers() {
        let r = SingleStationSimulation.run(Config(interarrival: .exponential(mean: 1), service: .exponential(mean: 1), servers: 1, customers: 0),
                                            streams: RandomStreams(masterSeed: 1))
        #expect(r.customers == 0 && r.completions == 0 && r.events == 0)
    }
}
