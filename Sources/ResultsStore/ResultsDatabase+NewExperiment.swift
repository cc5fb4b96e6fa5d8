import GRDB

extension ResultsDatabase {
    /// Writes a new experiment with all of its runs in one transaction, for callers that have
    /// every run before writing (the workbench saving a what-if): the experiment is then whole
    /// or absent, never half-written. Writes nothing and returns false when an experiment of
    /// that name exists already, so a save never replaces another's results.
    public func saveNewExperiment(_ experiment: ExperimentRecord, runs: [StoredRun]) throws -> Bool {
        try writer.write { db in
            if try ExperimentRecord.fetchOne(db, key: experiment.name) != nil { return false }
            try experiment.insert(db)
            for run in runs { try Self.insert(run, db) }
            return true
        }
    }
}
