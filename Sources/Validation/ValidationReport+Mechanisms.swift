extension ValidationReport {
    /// A mechanism the simulator lacked until the testbed showed it, and where it now lives.
    public struct Mechanism: Sendable {
        public var name: String
        public var evidence: String
        public var inModel: String
    }

    /// What the validation added to the simulator (each with a test in `Tests/ValidationTests`).
    public static let mechanismsAdded: [Mechanism] = [
        Mechanism(
            name: "One database round trip per statement",
            evidence: "node-pg sends a statement and waits for its result before the next: the testbed's two-statement lists paid two loopback round trips and its two-statement writes four (BEGIN, two statements, COMMIT), where the simulator counted one per query; with a measured round trip of several tenths of a millisecond on this machine that was most of a list's database time at low load.",
            inModel: "`QueryModel.roundTrips` (one per statement, plus BEGIN and COMMIT for a write of several); the connection is held for the extra trips and the client's CPU per query is per statement (`database.pool.clientCpuPerQueryMs`)."),
        Mechanism(
            name: "One Redis round trip per rate limiter",
            evidence: "express-rate-limit runs each limiter as a middleware that awaits its own script, and the session check after them: phase 1's authenticated requests made two round trips before the handler (three with phase 2's session check), where the simulator sent every script in one.",
            inModel: "the middleware's Redis stage chains one round trip per limiter that applies, then the session check."),
        Mechanism(
            name: "Starting cold",
            evidence: "a simulated run starts from replayed traffic (limiter windows part-filled), a testbed from empty Redis: the fixed windows then start at different moments on the two sides and the same request meets different counts, so 429s moved between requests (about 6% of decisions in a first trial).",
            inModel: "`RunSettings.replaySeconds` 0 leaves every window empty (`platform-sim trace --cold-start`); the replayer empties Redis and the API's caches before each trace."),
    ]

    func mechanisms() -> String {
        var o = "## Mechanisms the validation added to the simulator\n\n"
        for m in Self.mechanismsAdded {
            o += "- **\(m.name).** \(m.evidence) Now: \(m.inModel)\n"
        }
        return o + "\n"
    }
}
