/// A growable FIFO ring buffer of values: O(1) append and removal at the front, storage
/// reused once it has grown to the working size.
///
/// Written here (rather than taking swift-collections' `Deque`) because the engine has no
/// dependencies outside the toolchain; it needs only the four operations below.
public struct RingBuffer<Element>: Sendable where Element: Sendable {
    @usableFromInline var storage: ContiguousArray<Element?>
    @usableFromInline var head = 0
    @usableFromInline var _count = 0

    public init(capacity: Int = 16) {
        storage = ContiguousArray(repeating: nil, count: Swift.max(4, capacity))
    }

    @inlinable public var count: Int { _count }
    @inlinable public var isEmpty: Bool { _count == 0 }
    @inlinable public var first: Element? { _count == 0 ? nil : storage[head] }

    @inlinable
    public mutating func append(_ element: Element) {
        if _count == storage.count { grow() }
        var tail = head &+ _count
        if tail >= storage.count { tail &-= storage.count }
        storage[tail] = element
        _count &+= 1
    }

    @inlinable
    public mutating func popFirst() -> Element? {
        guard _count > 0 else { return nil }
        let e = storage[head]
        storage[head] = nil
        head &+= 1
        if head == storage.count { head = 0 }
        _count &-= 1
        return e
    }

    @usableFromInline
    mutating func grow() {
        var bigger = ContiguousArray<Element?>(repeating: nil, count: storage.count * 2)
        for i in 0..<_count {
            var j = head + i
            if j >= storage.count { j -= storage.count }
            bigger[i] = storage[j]
        }
        storage = bigger
        head = 0
    }

    public mutating func removeAll() {
        while _count > 0 { _ = popFirst() }
        head = 0
    }
}
