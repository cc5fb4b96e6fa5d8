import MemoryHints

extension PlatformSimulation {
    /// Starts the memory reads of one request's rows when it starts: the limiter
    /// counters, the buffer caches' ages, the dense cache tables, the weight, tier and last
    /// write (the user's rows only for a request with a user). At a million users these arrays are
    /// far larger than the CPU's caches and every request misses in each; the request reaches
    /// them tens to hundreds of events later, so fetching them together here lets the misses
    /// overlap instead of stalling one at a time.
    /// Only a hint to the CPU: no value changes, so outputs are the same with or without it.
    func prefetchRows(user: Int, ip: Int) {
        for l in limiters.indices where limiters[l].keyedByIP && ip >= 0 && ip < limiters[l].counters.keyCount {
            limiters[l].counters.entries.withUnsafeBufferPointer { memory_hints_prefetch($0.baseAddress! + ip) }
        }
        guard user >= 0 && user < users.count else { return }
        users.weight.withUnsafeBufferPointer { memory_hints_prefetch($0.baseAddress! + user) }
        users.tier.withUnsafeBufferPointer { memory_hints_prefetch($0.baseAddress! + user) }
        lastWrite.withUnsafeBufferPointer { memory_hints_prefetch($0.baseAddress! + user) }
        for l in limiters.indices {
            if !limiters[l].keyedByIP && user < limiters[l].counters.keyCount {
                limiters[l].counters.entries.withUnsafeBufferPointer { memory_hints_prefetch($0.baseAddress! + user) }
            } else if let n = limiters[l].shadowPerUser?.keyCount, user < n {
                limiters[l].shadowPerUser!.entries.withUnsafeBufferPointer { memory_hints_prefetch($0.baseAddress! + user) }
            }
        }
        for c in bufferCaches.indices where bufferCaches[c].slotsPerUser > 0 {
            bufferCaches[c].lastRequest.withUnsafeBufferPointer {
                memory_hints_prefetch($0.baseAddress! + user * bufferCaches[c].slotsPerUser)
            }
        }
        for c in caches.indices {
            for t in caches[c].tables.indices where !caches[c].tables[t].hashed && caches[c].tables[t].dense.count > user {
                caches[c].tables[t].dense.withUnsafeBufferPointer { memory_hints_prefetch($0.baseAddress! + user) }
            }
        }
    }
}
