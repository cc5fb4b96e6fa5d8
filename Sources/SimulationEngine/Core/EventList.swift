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
/// - Complexity: `insert` and `popMin` are O(log n); `peek` is O(1).
public struct EventList: Sendable {
    @usableFromInline var storage: ContiguousArray<Event>
    @usableFromInline var nextSequence: UInt64 = 0

    public init(reservingCapacity capacity: Int = 64) {
        storage = []
        storage.reserveCapacity(capacity)
    }

    /// The number of pending events (including ones that will be ignored as cancelled).
    @inlinable public var count: Int { storage.count }
    @inlinable public var isEmpty: Bool { storage.isEmpty }
    /// The next event to fire, if any.
    @inlinable public var first: Event? { storage.first }

    /// Adds an event and stamps it with the next insertion sequence; returns that sequence.
    @inlinable @discardableResult
    public mutating func insert(_ event: Event) -> UInt64 {
        var e = event
        e.sequence = nextSequence
        nextSequence &+= 1
        storage.append(e)
        siftUp(from: storage.count - 1)
        return e.sequence
    }

    /// Removes and returns the earliest event.
    /// - Precondition: the list is not empty.
    @inlinable
    public mutating func popMin() -> Event {
        let last = storage.removeLast()
        if storage.isEmpty { return last }
        let top = storage[0]
        siftDown(placing: last)
        return top
    }

    /// Drops every pending event (the insertion counter keeps counting).
    public mutating func removeAll() { storage.removeAll(keepingCapacity: true) }

    @inlinable @inline(__always)
    mutating func siftUp(from index: Int) {
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
    mutating func siftDown(placing moving: Event) {
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

    /// Checks the heap property; used by tests.
    public func checkInvariants() -> Bool {
        for i in 1..<Swift.max(storage.count, 1) where storage[i].precedes(storage[(i - 1) >> 2]) {
            return false
        }
        return true
    }
}
