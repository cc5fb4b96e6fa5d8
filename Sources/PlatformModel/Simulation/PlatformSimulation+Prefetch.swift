import MemoryHints
import SimulationEngine

extension PlatformSimulation {
    /// Starts the memory reads of the next event's rows before this event is handled, so that
    /// they arrive while this one runs. A page view is the only event whose rows are known
    /// ahead (its session's user): the page's requests then read that user's limiter counters,
    /// cache tables and buffer-cache ages, events later. The next event is the near heap's root;
    /// when this event schedules an earlier one, the hint was early, not wrong. Only a hint to the CPU: no value changes, so
    /// outputs are the same with or without it. (Mutating, like its callers: a non-mutating
    /// method called from the event loop made Swift copy the whole simulation per call.)
    @inline(__always)
    mutating func prefetchAhead(_ next: Event?) {
        guard let next, next.kind == EventKind.pageView.rawValue else { return }
        let s = Int(next.entity)
        guard s >= 0 && s < sessions.user.count else { return }
        prefetchUserRows(Int(sessions.user[s]))
    }

    /// Starts the reads of the rows a request from `user` touches: the limiter counters
    /// (per-user, or a per-IP limiter's shadow count), the buffer caches' ages, the dense cache
    /// tables, the weight, tier and last write. At a million users these arrays are far
    /// larger than the CPU's caches and every request misses in each; fetched together the
    /// misses overlap instead of stalling one at a time.
    mutating func prefetchUserRows(_ user: Int) {
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

    /// Starts the reads of the per-IP limiters' counters for `ip`, at a request's start. (Ahead
    /// of the page view, with the user's rows, the limiter's read stalled as before; at the
    /// request's start it went from 8% of a phase3 run at a million users to 2%.)
    @inline(__always)
    mutating func prefetchIPRows(_ ip: Int) {
        guard ip >= 0 else { return }
        for l in limiters.indices where limiters[l].keyedByIP && ip < limiters[l].counters.keyCount {
            limiters[l].counters.entries.withUnsafeBufferPointer { memory_hints_prefetch($0.baseAddress! + ip) }
        }
    }
}
