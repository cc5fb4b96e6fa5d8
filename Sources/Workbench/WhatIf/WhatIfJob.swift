import Foundation
import PlatformModel
import Synchronization

/// One what-if on its way through the queue: waiting, running (with the progress of each of
/// its runs), then finished, cancelled or failed. Shared by the queue, the thread that runs
/// it and the pages that watch it; every field behind one lock.
final class WhatIfJob: Sendable {
    enum Phase: String, Codable, Sendable { case queued, running, finished, cancelled, failed }

    let id: String
    let prepared: PreparedWhatIf
    private let state: Mutex<State>

    struct State {
        var phase: Phase = .queued
        /// Progress of each run (baseline and what-if runs interleaved), 0-1.
        var fractions: [Double]
        var events = 0
        var clock: WallClock?
        var wallSeconds = 0.0
        var cancelRequested = false
        var listeners = 0
        /// Bumped whenever the listener count drops, so a pending disconnect check that
        /// finds a newer listener does nothing.
        var listenerGeneration = 0
        var outcome: WhatIfOutcome?
        var message = ""
    }

    /// What a page sees of the job (JSON of the progress events).
    struct Status: Codable, Sendable, Equatable {
        var id: String
        var phase: Phase
        /// Position in the queue (1: next), when queued.
        var position: Int?
        var fraction: Double
        var runsDone: Int
        var runs: Int
        var secondsLeft: Double?
        var wallSeconds: Double
        var message: String
    }

    init(id: String, prepared: PreparedWhatIf) {
        self.id = id
        self.prepared = prepared
        state = Mutex(State(fractions: Array(repeating: 0, count: 2 * prepared.specification.replications)))
    }

    var phase: Phase { state.withLock { $0.phase } }
    var isCancelled: Bool { state.withLock { $0.cancelRequested } }
    var outcome: WhatIfOutcome? { state.withLock { $0.outcome } }
    var isTerminal: Bool { state.withLock { [.finished, .cancelled, .failed].contains($0.phase) } }

    func status(position: Int?) -> Status {
        state.withLock { s in
            let runs = s.fractions.count
            let fraction = s.phase == .finished ? 1 : s.fractions.reduce(0, +) / Double(Swift.max(1, runs))
            let elapsed = s.clock?.elapsed ?? 0
            var left: Double?
            if s.phase == .running, fraction > 0.02 { left = elapsed * (1 - fraction) / fraction }
            return Status(id: id, phase: s.phase, position: position, fraction: fraction,
                          runsDone: s.fractions.filter { $0 >= 1 }.count, runs: runs, secondsLeft: left,
                          wallSeconds: s.phase == .running ? elapsed : s.wallSeconds, message: s.message)
        }
    }

    // MARK: Transitions

    /// Marks the job running; false when it was cancelled while waiting.
    func start() -> Bool {
        state.withLock { s in
            guard !s.cancelRequested, s.phase == .queued else { return false }
            s.phase = .running
            s.clock = WallClock()
            return true
        }
    }

    func progress(run: Int, fraction: Double) {
        state.withLock { s in if run < s.fractions.count { s.fractions[run] = Swift.max(s.fractions[run], fraction) } }
    }

    func finish(_ outcome: WhatIfOutcome?) {
        state.withLock { s in
            s.wallSeconds = s.clock?.elapsed ?? 0
            if let outcome {
                s.outcome = outcome
                s.phase = .finished
            } else {
                s.phase = .cancelled
                if s.message.isEmpty { s.message = "cancelled" }
            }
        }
    }

    func fail(_ message: String) {
        state.withLock { s in s.phase = .failed; s.message = message }
    }

    /// Asks the job to stop: a waiting job never starts, a running one stops at its runs'
    /// next progress check. Returns false when it had already ended.
    @discardableResult
    func cancel(reason: String) -> Bool {
        state.withLock { s in
            guard ![.finished, .cancelled, .failed].contains(s.phase) else { return false }
            s.cancelRequested = true
            if s.message.isEmpty { s.message = reason }
            if s.phase == .queued { s.phase = .cancelled }
            return true
        }
    }

    // MARK: Listeners (pages watching the progress)

    func listenerJoined() { state.withLock { $0.listeners += 1 } }

    /// A page stopped listening; returns the generation to check after the grace period.
    func listenerLeft() -> Int {
        state.withLock { s in
            s.listeners -= 1
            s.listenerGeneration += 1
            return s.listenerGeneration
        }
    }

    /// Whether nobody has listened since `generation` (the page did not come back).
    func abandoned(since generation: Int) -> Bool {
        state.withLock { $0.listeners == 0 && $0.listenerGeneration == generation }
    }
}
