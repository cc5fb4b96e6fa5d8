/// The future event list: a 4-ary min-heap of ``Event`` values keyed by (time, sequence).
///
/// A 4-ary heap does fewer levels than a binary one and its children share a cache line,
/// which is what matters for the small, hot heaps of a queueing model. Values are moved into
/// a hole rather than swapped (as swift-collections' `Heap` does), and the storage is one
/// contiguous array that is reused: once the heap has reached its working size, scheduling
/// and popping allocate nothing.
///
/// Equal times pop in insertion order because every event gets the next value of a 64-bit
/// counter as its `sequence`; a run is therefore reproducible whatever the heap's internal
/// layout.
///
/// Events far ahead wait in a second heap: an event at or after `boundary` goes there, and
/// when the near heap runs empty the next `nearWindow` of time moves over in one go. A
/// platform's pending events are mostly page views tens of seconds ahead (5,400 of them at a
/// million users against a few hundred in flight), while most pops are of the events in
/// flight; each pop sinks through the levels of its own heap only, about four instead of
/// six. The order of pops is the same as with one heap: every near event is earlier than
/// every far one.
///
/// An event earlier than every pending one (a request's next step a few microseconds ahead,
/// while the next arrival is milliseconds away) skips both heaps: it waits in one slot,
/// `front`, and is the next to pop. About one event in six of a platform run is scheduled so,
/// and each saves a sift up and a sift down. The order is the heaps' order still: the slot's
/// event precedes every heap event at all times.
///
/// - Complexity: `insert` and `popMin` are O(log n), O(1) through the front slot; `first` is
///   O(1) unless the near heap must be refilled.
public struct EventList: Sendable {
    /// The near heap: every event earlier than `boundary`.
    @usableFromInline var storage: ContiguousArray<Event>
    /// The far heap: every event at or after `boundary`.
    @usableFromInline var far: ContiguousArray<Event>
    @usableFromInline var boundary = -Double.infinity
    /// How much simulated time one refill of the near heap covers.
    @usableFromInline let nearWindow: Double
    @usableFromInline var nextSequence: UInt64 = 0
    /// The next event to pop when `hasFront`: it precedes every event in both heaps.
    @usableFromInline var front = Event(time: 0, kind: 0)
    @usableFromInline var hasFront = false

    /// - Parameter nearWindow: the span of time the near heap takes at a refill; any positive
    ///   value gives the same order of events, only the speed differs.
    public init(reservingCapacity capacity: Int = 64, nearWindow: Double = 1) {
        precondition(nearWindow > 0, "the near window must be positive")
        storage = []
        storage.reserveCapacity(capacity)
        far = []
        self.nearWindow = nearWindow
    }

    /// The number of pending events (including ones that will be ignored as cancelled).
    @inlinable public var count: Int { storage.count &+ far.count &+ (hasFront ? 1 : 0) }
    @inlinable public var isEmpty: Bool { !hasFront && storage.isEmpty && far.isEmpty }
    /// The next event to fire, if any (moves the next window of far events over when the
    /// near heap is empty).
    @inlinable public var first: Event? {
        mutating get {
            if hasFront { return front }
            if storage.isEmpty { refill() }
            return storage.first
        }
    }

    /// The front slot's event, or else the near heap's earliest, without refilling: the next
    /// event to fire unless both are empty (then nil) or an earlier one is inserted first. For hints, such as
    /// starting its memory reads early.
    @inlinable public var peekNear: Event? { hasFront ? front : storage.first }

    /// Adds an event and stamps it with the next insertion sequence; returns that sequence.
    @inlinable @discardableResult
    public mutating func insert(_ event: Event) -> UInt64 {
        var e = event
        let sequence = nextSequence
        e.sequence = sequence
        nextSequence &+= 1
        if hasFront {
            // The slot's event stays first unless the new one precedes it; then the new one
            // takes the slot and the old one, still earlier than every heap event, goes in.
            if e.time < front.time {
                swap(&e, &front)
            }
        } else if e.time < boundary && (storage.isEmpty || e.time < storage[0].time) {
            // Earlier than every near event (and every far one, which are at or after the
            // boundary): strictly earlier in time, since its sequence is the largest yet.
            front = e
            hasFront = true
            return sequence
        }
        placeInHeap(e)
        return sequence
    }

    /// Puts an event (already stamped) into the near or far heap by the boundary.
    @inlinable @inline(__always)
    mutating func placeInHeap(_ e: Event) {
        if e.time < boundary {
            storage.append(e)
            Self.siftUp(&storage, from: storage.count &- 1)
        } else {
            far.append(e)
            Self.siftUp(&far, from: far.count &- 1)
        }
    }

    /// Removes and returns the earliest event.
    /// - Precondition: the list is not empty.
    @inlinable
    public mutating func popMin() -> Event {
        if hasFront {
            hasFront = false
            return front
        }
        if storage.isEmpty { refill() }
        return Self.popMin(&storage)
    }

    /// Moves the far heap's earliest event and every far event within `nearWindow` of it to
    /// the near heap, and sets the boundary there.
    @usableFromInline @inline(never)
    mutating func refill() {
        guard !far.isEmpty else { return }
        let first = Self.popMin(&far)
        let limit = first.time + nearWindow
        storage.append(first)
        // Events at the first's time always come along (a time of +infinity has no window).
        while let next = far.first, next.time < limit || next.time == first.time {
            storage.append(Self.popMin(&far))
        }
        // Popped in order, the near heap is sorted already: a sorted array is a heap.
        boundary = limit
    }

    /// Drops every pending event (the insertion counter keeps counting).
    public mutating func removeAll() {
        hasFront = false
        storage.removeAll(keepingCapacity: true)
        far.removeAll(keepingCapacity: true)
    }

    @inlinable @inline(__always)
    static func popMin(_ heap: inout ContiguousArray<Event>) -> Event {
        let last = heap.removeLast()
        if heap.isEmpty { return last }
        let top = heap[0]
        siftDown(&heap, placing: last)
        return top
    }

    @inlinable @inline(__always)
    static func siftUp(_ storage: inout ContiguousArray<Event>, from index: Int) {
        storage.withUnsafeMutableBufferPointer { heap in
            var hole = index
            let moving = heap[hole]
            while hole > 0 {
                let parent = (hole &- 1) >> 2
                if !moving.precedes(heap[parent]) { break }
                heap[hole] = heap[parent]
                hole = parent
            }
            heap[hole] = moving
        }
    }

    /// Puts `moving` into the hole left at the root and sinks it to its place.
    @inlinable @inline(__always)
    static func siftDown(_ storage: inout ContiguousArray<Event>, placing moving: Event) {
        storage.withUnsafeMutableBufferPointer { heap in
            let n = heap.count
            var hole = 0
            while true {
                let firstChild = (hole << 2) &+ 1
                if firstChild >= n { break }
                var best = firstChild
                let end = Swift.min(firstChild &+ 4, n)
                var c = firstChild &+ 1
                while c < end {
                    if heap[c].precedes(heap[best]) { best = c }
                    c &+= 1
                }
                if !heap[best].precedes(moving) { break }
                heap[hole] = heap[best]
                hole = best
            }
            heap[hole] = moving
        }
    }

    /// Checks both heaps' property and that every near event pops before every far one; used by tests.
    public func checkInvariants() -> Bool {
        for heap in [storage, far] {
            for i in 1..<Swift.max(heap.count, 1) where heap[i].precedes(heap[(i - 1) >> 2]) { return false }
        }
        // Every near event pops before every far one; new events at or after the boundary go far.
        if hasFront {
            if let near = storage.first, !front.precedes(near) { return false }
            if let earliestFar = far.first, !front.precedes(earliestFar) { return false }
        }
        guard let latestNear = storage.max(by: { $0.precedes($1) }), let earliestFar = far.first else { return true }
        return latestNear.precedes(earliestFar) && earliestFar.time >= boundary
    }
}
