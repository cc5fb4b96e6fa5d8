import ModelFiles

extension WorkbenchLimits {
    /// Reads a limits file: a YAML mapping of some of the keys below (the rest keep their
    /// defaults). Errors are located lines, `FILE:LINE:COLUMN: error: ...`, as for model files;
    /// an unknown key is one of them.
    public static func load(_ path: String) throws(ModelErrors) -> WorkbenchLimits {
        let document = try ModelDocument.load(base: path)
        return try document.validate { root in try read(root) }
    }

    /// The limits from YAML text (for tests and the documented example).
    public static func parse(yaml: String, name: String) throws(ModelErrors) -> WorkbenchLimits {
        let document = try ModelDocument(yaml: yaml, name: name)
        return try document.validate { root in try read(root) }
    }

    static func read(_ root: ObjectReader) throws -> WorkbenchLimits {
        var l = WorkbenchLimits()
        let d = WorkbenchLimits()
        l.concurrentRuns = try root.int("concurrentRuns", .range(1...64), default: d.concurrentRuns)
        l.queuedRuns = try root.int("queuedRuns", .range(0...10_000), default: d.queuedRuns)
        l.simulationThreads = try root.int("simulationThreads", .range(0...256), default: d.simulationThreads)
        l.maxUsers = try root.int("maxUsers", .range(1...100_000_000), default: d.maxUsers)
        l.maxDurationS = try root.double("maxDurationS", .range(1...604_800), default: d.maxDurationS)
        l.maxWarmUpS = try root.double("maxWarmUpS", .range(0...86_400), default: d.maxWarmUpS)
        l.maxReplications = try root.int("maxReplications", .range(1...1000), default: d.maxReplications)
        l.maxOverrides = try root.int("maxOverrides", .range(0...10_000), default: d.maxOverrides)
        l.maxEvents = try root.double("maxEvents", Constraint.range(1...1e15).atMost(1e15, because: "eight years of one core"), default: d.maxEvents)
        l.finishedRunsKept = try root.int("finishedRunsKept", .range(1...100_000), default: d.finishedRunsKept)
        l.disconnectGraceS = try root.double("disconnectGraceS", .range(0...3600), default: d.disconnectGraceS)
        l.defaultUsers = try root.int("defaultUsers", .range(1...100_000_000), default: d.defaultUsers)
        l.defaultReplications = try root.int("defaultReplications", .range(1...1000), default: d.defaultReplications)
        l.defaultDurationS = try root.double("defaultDurationS", .range(1...604_800), default: d.defaultDurationS)
        l.defaultWarmUpS = try root.double("defaultWarmUpS", .range(0...86_400), default: d.defaultWarmUpS)
        if l.defaultUsers > l.maxUsers { throw root.error("defaultUsers", "must not exceed maxUsers (\(l.maxUsers)), got \(l.defaultUsers)") }
        if l.defaultReplications > l.maxReplications {
            throw root.error("defaultReplications", "must not exceed maxReplications (\(l.maxReplications)), got \(l.defaultReplications)")
        }
        if l.defaultDurationS > l.maxDurationS { throw root.error("defaultDurationS", "must not exceed maxDurationS (\(l.maxDurationS)), got \(l.defaultDurationS)") }
        if l.defaultWarmUpS > l.maxWarmUpS { throw root.error("defaultWarmUpS", "must not exceed maxWarmUpS (\(l.maxWarmUpS)), got \(l.defaultWarmUpS)") }
        return l
    }
}
