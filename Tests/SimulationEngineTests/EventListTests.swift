import Testing
@testable import SimulationEngine

@Suite("Core: event list, ring buffer, simulator loop and reproducibility")
struct EventListTests {
    /// Events at one time pop in the order they were inserted, whatever the heap layout.
    @Test func equalTimesPopInInsertionOrder() {
        var list = EventList()
        for i in 0..<1000 { list.insert(Event(time: 5, kind: 0, entity: Int32(i))) }
        var popped: [Int32] = []
        while !list.isEmpty { popped.append(list.popMin().entity) }
        #expect(popped == (0..<1000).map(Int32.init))
    }

    /// Random times with many ties: popping gives the events sorted by (time, insertion order),
    /// the heap property holds after every operation, and the sequences are the insertion counter.
    @Test func randomSchedulePopsSorted() {
        var rng = Xoshiro256StarStar(seed: 3)
        var list = EventList(reservingCapacity: 4)
        var inserted: [Event] = []
        for i in 0..<5000 {
            let time = Double(rng.nextInt(below: 200)) * 0.5  // many equal times
            let seq = list.insert(Event(time: time, kind: 1, entity: Int32(i)))
            #expect(seq == UInt64(i))
            inserted.append(Event(time: time, sequence: seq, kind: 1, entity: Int32(i)))
            if i % 97 == 0 { #expect(list.checkInvariants()) }
        }
        #expect(list.count == 5000 && list.checkInvariants())
        let expected = inserted.sorted { ($0.time, $0.sequence) < ($1.time, $1.sequence) }
        var popped: [Event] = []
        while !list.isEmpty {
            popped.append(list.popMin())
            if popped.count % 101 == 0 { #expect(list.checkInvariants()) }
        }
        #expect(popped == expected)
    }

    /// Interleaved inserts and pops, as in a simulation, against a plainly sorted reference.
    @Test func interleavedOperationsMatchReference() {
        var rng = Xoshiro256StarStar(seed: 4)
        var list = EventList()
        var reference: [Event] = []
        var clock = 0.0
        var sequence: UInt64 = 0
        var mismatches = 0
        for step in 0..<20_000 {
            if reference.isEmpty || rng.nextUniform() < 0.55 {
                let e = Event(time: clock + Double(rng.nextInt(below: 10)), kind: 0, entity: Int32(step))
                list.insert(e)
                var stamped = e
                stamped.sequence = sequence
                sequence += 1
                reference.append(stamped)
            } else {
                let i = reference.indices.min { (reference[$0].time, reference[$0].sequence) < (reference[$1].time, reference[$1].sequence) }!
                if list.first != reference[i] { mismatches += 1 }
                let e = list.popMin()
                if e != reference.remove(at: i) { mismatches += 1 }
                clock = e.time
            }
            if list.count != reference.count { mismatches += 1 }
        }
        #expect(mismatches == 0)
        #expect(list.checkInvariants())
    }

    @Test func heapInvariantDetectsViolation() {
        var list = EventList()
        for t in [1.0, 2, 3, 4, 5, 6] { list.insert(Event(time: t, kind: 0)) }
        #expect(list.checkInvariants())
        list.far.swapAt(0, 5)
        #expect(!list.checkInvariants())
        #expect(EventList().checkInvariants())
        // A near event at or after the boundary breaks the split between the heaps.
        var split = EventList(nearWindow: 2)
        for t in [1.0, 2, 3, 4, 5, 6] { split.insert(Event(time: t, kind: 0)) }
        _ = split.popMin()
        #expect(split.checkInvariants() && split.storage.count == 1 && split.far.count == 4)
        split.storage[0].time = 10
        #expect(!split.checkInvariants())
    }

    /// The near window changes where events wait, never the order they pop in: interleaved
    /// inserts and pops (as a simulation does, with some events far ahead and a few at
    /// +infinity) pop exactly as a plain search for the earliest (time, insertion) does, for
    /// windows from far below to far above the spacing of the events.
    @Test(arguments: [0.001, 0.3, 1.0, 7.0, 1e9])
    func nearWindowLeavesTheOrderAlone(window: Double) {
        var rng = Xoshiro256StarStar(seed: 9)
        var list = EventList(nearWindow: window)
        var reference: [Event] = []
        var sequence: UInt64 = 0
        var clock = 0.0
        var mismatches = 0
        func pop() {
            let i = reference.indices.min { (reference[$0].time, reference[$0].sequence) < (reference[$1].time, reference[$1].sequence) }!
            if list.first != reference[i] { mismatches += 1 }
            let e = list.popMin()
            if e != reference.remove(at: i) { mismatches += 1 }
            if e.time.isFinite { clock = e.time }
        }
        for step in 0..<8_000 {
            if reference.isEmpty || rng.nextUniform() < 0.52 {
                let u = rng.nextUniform()
                let delay = u < 0.01 ? Double.infinity : u < 0.2 ? 30 * rng.nextUniform() : Double(rng.nextInt(below: 4)) * 0.01
                var e = Event(time: clock + delay, kind: 0, entity: Int32(step))
                list.insert(e)
                e.sequence = sequence
                sequence += 1
                reference.append(e)
            } else {
                pop()
            }
            if step % 499 == 0 && !list.checkInvariants() { mismatches += 1 }
        }
        while !reference.isEmpty { pop() }
        #expect(mismatches == 0 && list.isEmpty)
    }

    /// An event earlier than every pending one waits in the front slot, outside both heaps,
    /// and pops first; one at the slot's time pops after it (insertion order), one earlier
    /// takes the slot and sends the old one into the heap; the invariants hold throughout.
    @Test func anEarlierEventSkipsTheHeaps() {
        var list = EventList()
        for t in [5.0, 6, 7] { list.insert(Event(time: t, kind: 0)) }
        _ = list.popMin()  // sets the boundary past 5: the near heap holds 6 and 7
        let heapEvents = list.storage.count + list.far.count
        list.insert(Event(time: 5.5, kind: 1))
        #expect(list.hasFront && list.storage.count + list.far.count == heapEvents)
        list.insert(Event(time: 5.5, kind: 2))   // same time, later: into the heap
        list.insert(Event(time: 5.2, kind: 3))   // earlier: takes the slot
        #expect(list.checkInvariants() && list.count == 5)
        var kinds: [Int32] = []
        while !list.isEmpty { kinds.append(list.popMin().kind) }
        #expect(kinds == [3, 1, 2, 0, 0])
        // A slot event later than a heap event breaks the invariants.
        list.insert(Event(time: 9, kind: 0))
        list.insert(Event(time: 10, kind: 0))
        list.front = Event(time: 12, kind: 0)
        list.hasFront = true
        #expect(!list.checkInvariants())
    }

    @Test func removeAllKeepsCountingSequences() {
        var list = EventList()
        list.insert(Event(time: 1, kind: 0))
        list.insert(Event(time: 2, kind: 0))
        list.removeAll()
        #expect(list.isEmpty && list.first == nil)
        #expect(list.insert(Event(time: 0, kind: 0)) == 2)
    }

    /// The stations' FIFO lines: random appends and pops, wrapping around and growing from a
    /// small capacity, against an array used as a queue.
    @Test func ringBufferMatchesArrayQueue() {
        var rng = Xoshiro256StarStar(seed: 6)
        var ring = RingBuffer<Int32>(capacity: 4)
        var reference: [Int32] = []
        var head = 0
        var mismatches = 0
        for i in 0..<50_000 {
            // Drift towards growth, then towards emptying, so the buffer both wraps and grows.
            let appendProbability = i < 25_000 ? 0.55 : 0.45
            if rng.nextUniform() < appendProbability {
                ring.append(Int32(i)); reference.append(Int32(i))
            } else {
                let expected: Int32? = head < reference.count ? reference[head] : nil
                if expected != nil { head += 1 }
                if ring.first != expected || ring.popFirst() != expected { mismatches += 1 }
            }
            if ring.count != reference.count - head { mismatches += 1 }
        }
        #expect(mismatches == 0)
        ring.removeAll()
        #expect(ring.isEmpty && ring.popFirst() == nil && ring.first == nil)
    }

    // MARK: Simulator loop

    /// A model that records what it sees and schedules follow-ups.
    struct Recorder: SimulationModel {
        var seen: [(time: Double, kind: Int32, entity: Int32)] = []
        mutating func handle(_ event: Event, in simulator: inout Simulator) {
            #expect(simulator.now == event.time)
            seen.append((event.time, event.kind, event.entity))
            if event.kind == 0 && event.entity < 3 {
                // A follow-up at the same instant runs after everything already due then.
                simulator.schedule(after: 0, kind: 1, entity: event.entity)
                simulator.schedule(after: 1.5, kind: 0, entity: event.entity + 10)
            }
        }
    }

    @Test func runUntilStopsAndSetsTheClock() {
        var sim = Simulator()
        var model = Recorder()
        sim.schedule(at: 1, kind: 0, entity: 0)
        sim.schedule(at: 1, kind: 0, entity: 1)
        sim.schedule(at: 4, kind: 0, entity: 2)
        sim.run(&model, until: 3)
        // At t=1: entity 0, entity 1, then their same-time follow-ups in scheduling order;
        // t=2.5: the two later ones (entities 10 and 11 schedule nothing more).
        let expected: [(Double, Int32, Int32)] = [(1, 0, 0), (1, 0, 1), (1, 1, 0), (1, 1, 1), (2.5, 0, 10), (2.5, 0, 11)]
        #expect(model.seen.map { $0.time } == expected.map { $0.0 })
        #expect(model.seen.map { $0.kind } == expected.map { $0.1 })
        #expect(model.seen.map { $0.entity } == expected.map { $0.2 })
        #expect(sim.now == 3)
        #expect(sim.processedEvents == 6)
        #expect(sim.events.count == 1)
        // An event exactly at the end time still runs.
        sim.run(&model, until: 4)
        #expect(model.seen.last! == (4, 1, 2) && sim.now == 4 && sim.processedEvents == 8)
        sim.runToCompletion(&model)
        #expect(sim.events.isEmpty && sim.now == 5.5 && sim.processedEvents == 9)
    }

    // MARK: Reproducibility

    static let configurations: [SingleStationSimulation.Configuration] = [
        .init(interarrival: .exponential(mean: 1 / 0.9), service: .exponential(mean: 1), servers: 1, customers: 20_000, warmUpCustomers: 1000),
        .init(interarrival: .exponential(mean: 0.25), service: try! .lognormal(mean: 2.5, cv: 1.5), servers: 10, capacity: 14,
              customers: 20_000, patience: .exponential(mean: 3), warmUpCustomers: 500),
    ]

    /// The same seed reproduces a run bit for bit: every field of the result, Doubles compared
    /// by their bit patterns; another replication differs.
    @Test(arguments: configurations)
    func sameSeedSameRunBitForBit(configuration: SingleStationSimulation.Configuration) {
        let a = SingleStationSimulation.run(configuration, streams: RandomStreams(masterSeed: 11, replication: 2))
        let b = SingleStationSimulation.run(configuration, streams: RandomStreams(masterSeed: 11, replication: 2))
        #expect(bits(a) == bits(b))
        #expect(a == b)
        let c = SingleStationSimulation.run(configuration, streams: RandomStreams(masterSeed: 11, replication: 3))
        #expect(bits(a) != bits(c))
    }

    /// ParallelRunner returns the same results, in index order, with 1, 2 and 4 threads.
    @Test func parallelRunnerIndependentOfThreadCount() {
        let configuration = Self.configurations[1]
        let runs = [1, 2, 4].map { jobs in
            ParallelRunner.run(count: 9, jobs: jobs) { r in
                bits(SingleStationSimulation.run(configuration, streams: RandomStreams(masterSeed: 5, replication: r)))
            }
        }
        #expect(runs[0] == runs[1])
        #expect(runs[0] == runs[2])
        #expect(Set(runs[0]).count == 9)
        // Index order: result i is replication i's run.
        let third = bits(SingleStationSimulation.run(configuration, streams: RandomStreams(masterSeed: 5, replication: 3)))
        #expect(runs[2][3] == third)
    }

    @Test func parallelRunnerEdgeCases() {
        #expect(ParallelRunner.run(count: 0, jobs: 4) { $0 }.isEmpty)
        #expect(ParallelRunner.run(count: 3, jobs: 8) { $0 * $0 } == [0, 1, 4])
        #expect(ParallelRunner.run(count: 200, jobs: 3) { $0 } == Array(0..<200))
        #expect(ParallelRunner.availableCores >= 1)
    }
}

/// Every field of a result, Doubles as their bit patterns (so -0, NaN and the last bit count).
func bits(_ r: SingleStationSimulation.Result) -> [UInt64] {
    [UInt64(r.customers), UInt64(r.completions), UInt64(r.rejected), UInt64(r.reneged),
     r.meanWait.bitPattern, r.meanResponse.bitPattern, r.waitVariance.bitPattern, r.utilization.bitPattern,
     r.meanQueueLength.bitPattern, r.meanInSystem.bitPattern, r.blockingProbability.bitPattern,
     r.renegingProbability.bitPattern, r.acceptedArrivalRate.bitPattern, r.simulatedTime.bitPattern, UInt64(r.events)]
}
