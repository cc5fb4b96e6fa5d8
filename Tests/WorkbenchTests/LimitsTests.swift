import Foundation
import ModelFiles
import Testing
@testable import Workbench

/// The limits file: defaults, located errors, and the documented example.
@Suite struct LimitsTests {
    @Test func theDocumentedFileHoldsTheDefaults() throws {
        let limits = try WorkbenchLimits.load(repositoryRoot + "/Documentation/workbench-limits.yaml")
        #expect(limits == WorkbenchLimits())
    }

    @Test func badLimitsAreLocatedErrors() {
        func lines(_ yaml: String) -> [String] {
            do { _ = try WorkbenchLimits.parse(yaml: yaml, name: "limits.yaml"); return [] } catch { return error.errors.map(\.description) }
        }
        #expect(lines("concurrentRuns: 0\n") == ["limits.yaml:1:17: error: concurrentRuns must be between 1 and 64, got 0"])
        #expect(lines("maxUsers: 100\n").first?.contains("defaultUsers must not exceed maxUsers (100), got 1000000") == true)
        let unknown = lines("concurrentRun: 2\n")
        #expect(unknown.first?.hasPrefix("limits.yaml:1:1: error: unknown key 'concurrentRun'") == true)
        #expect(unknown.first?.contains("did you mean 'concurrentRuns'") == true)
        #expect(lines("queuedRuns: many\n").first?.hasPrefix("limits.yaml:1:13: error: queuedRuns") == true)
    }

    @Test func aLimitsFileChangesOnlyWhatItNames() throws {
        let limits = try WorkbenchLimits.parse(yaml: "concurrentRuns: 2\nmaxUsers: 5000000\n", name: "l.yaml")
        var expected = WorkbenchLimits()
        expected.concurrentRuns = 2
        expected.maxUsers = 5_000_000
        #expect(limits == expected)
    }
}
