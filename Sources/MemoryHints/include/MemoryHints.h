#ifndef MEMORY_HINTS_H
#define MEMORY_HINTS_H

/// Asks the CPU to bring the cache line holding `address` into its caches for a later write,
/// without waiting for it. Swift has no prefetch of its own; the simulator uses this to start
/// the memory reads of a user's rows (limiter counters, buffer-cache ages, weights) an event
/// before a page view, and of an IP's limiter counters when a request starts, so that the
/// misses overlap instead of stalling one by one later.
/// A hint only: it never faults and changes no value, so results do not depend on it.
static inline void memory_hints_prefetch(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

#endif
