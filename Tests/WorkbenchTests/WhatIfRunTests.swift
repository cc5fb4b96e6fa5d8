import Foundation
import HummingbirdTesting
import ResultsStore
import Testing
@testable import Workbench

/// What-ifs from request to result: paired runs, the result page, saving, cancellation, the
/// queue's bounds and determinism whatever the number of threads.
@Suite(.serialized) struct WhatIfRunTests {
    static let small = #"{"configuration":"phase3","users":"2000","replications":"2","durationS":"20","warmUpS":"10","overrides":["database.pool.connectionLimit=1"]}"#

    @Test func aWhatIfRunsBesideItsBaselineAndCanBeSaved() async throws {
        let (bench, folder) = try makeWorkbench()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await bench.application().test(.router) { client in
            let (id, status) = try await client.runWhatIf(Self.small)
            #expect(status["phase"] as? String == "finished")
            #expect(status["runs"] as? Int == 4 && status["runsDone"] as? Int == 4)

            let result = try await client.page("/whatif/\(id)/result")
            #expect(result.status == .ok)
            #expect(result.body.contains("<code>database.pool.connectionLimit=1</code>"))
            #expect(result.body.contains("10 s of warm-up, then 20 s measured"))
            #expect(result.body.contains("seed 1, replications 0-1"))
            for table in ["headline", "bottleneck", "components", "costs"] { #expect(result.body.contains("id=\"\(table)\"")) }

            // The page of the what-if holds its form and result.
            let page = try await client.page("/whatif/\(id)")
            #expect(page.body.contains("value=\"1\""))
            #expect(page.body.contains("id=\"headline\""))

            let document = jsonObject(try await client.page("/api/whatif/\(id)/result.json").body)
            #expect((document["baseline"] as? [Any])?.count == 2 && (document["whatIf"] as? [Any])?.count == 2)
            #expect(document["overrides"] as? [String] == ["database.pool.connectionLimit=1"])

            // Saved: all four runs, with what made them; a second save under the name is refused.
            let saved = try await client.page("/api/whatif/\(id)/save", method: .post, json: #"{"name":"pool-1"}"#)
            #expect(saved.status == .created, "\(saved.body)")
            let again = try await client.page("/api/whatif/\(id)/save", method: .post, json: #"{"name":"pool-1"}"#)
            #expect(again.status == .conflict)
            let badName = try await client.page("/api/whatif/\(id)/save", method: .post, json: #"{"name":"../x"}"#)
            #expect(badName.status == .unprocessableContent)
            let runs = try bench.database.storedRuns(experiment: "pool-1")
            #expect(runs.count == 4)
            #expect(Set(runs.map(\.key.variant)) == ["baseline", "what-if"])
            #expect(runs.first { $0.key.variant == "what-if" }?.run.overrideList == ["database.pool.connectionLimit=1"])
            #expect(runs.allSatisfy { $0.run.programVersion == "test" && $0.run.modelSHA256.count == 64 })

            // And the Results pages show it.
            let list = try await client.page("/results")
            #expect(list.body.contains("href=\"/results/pool-1\""))
            let experiment = try await client.page("/results/pool-1")
            #expect(experiment.status == .ok)
            #expect(experiment.body.contains("id=\"table-bottlenecks\"") && experiment.body.contains("<figure class=\"chart\""))
            let filtered = try await client.page("/results/pool-1?variant=what-if")
            #expect(filtered.body.components(separatedBy: "/results/pool-1/run?").count - 1 == 2, "two what-if runs listed")
            let csv = try await client.page("/results/pool-1/download/runs.csv?variant=baseline")
            #expect(csv.body.split(separator: "\n").count == 3, "header and two baseline runs")
            #expect(csv.headers[.contentDisposition]?.contains("pool-1-runs.csv") == true)
            let detail = try await client.page("/results/pool-1/run?configuration=phase3&variant=what-if&users=2000&seed=1&replication=0")
            #expect(detail.status == .ok)
            #expect(detail.body.contains("id=\"run-components\"") && detail.body.contains("id=\"run-endpoints\""))
        }
    }

    /// Common random numbers: a what-if that changes nothing is its baseline, difference zero.
    @Test func anUnchangedWhatIfDiffersByNothing() async throws {
        let (bench, folder) = try makeWorkbench()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await bench.application().test(.router) { client in
            let (id, _) = try await client.runWhatIf(#"{"configuration":"phase2","users":"1500","replications":"2","durationS":"15","warmUpS":"5","overrides":[]}"#)
            let job = try #require(await bench.queue.job(id))
            let outcome = try #require(job.outcome)
            #expect(outcome.comparison.difference { $0.result.latencyMs.p99 }.mean == 0)
            #expect(outcome.comparison.difference { $0.result.errorRate }.mean == 0)
        }
    }

    /// The same what-if with one thread and with two gives the same document, byte for byte.
    @Test func resultsDoNotDependOnThreads() async throws {
        var documents: [String] = []
        for threads in [1, 2] {
            var limits = smallLimits()
            limits.simulationThreads = threads
            let (bench, folder) = try makeWorkbench(limits: limits)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let document = try await bench.application().test(.router) { client in
                let (id, _) = try await client.runWhatIf(Self.small)
                return try await client.page("/api/whatif/\(id)/result.json").body
            }
            documents.append(document)
        }
        #expect(documents.count == 2 && documents[0] == documents[1])
    }

    /// A baseline made ahead (while the form is filled in) is the baseline the what-if would
    /// have made: the what-if then simulates its own side only, and its result is the same.
    @Test func aBaselineMadeAheadGivesTheSameResult() async throws {
        var documents: [String] = []
        for ahead in [false, true] {
            let (bench, folder) = try makeWorkbench()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let document = try await bench.application().test(.router) { client in
                if ahead {
                    #expect(try await client.page("/api/baseline", method: .post, json: Self.small).status == .accepted)
                    let start = Date()
                    while Date().timeIntervalSince(start) < 60 {
                        let spec = try WhatIfSpecification.check(try JSONDecoder().decode(WhatIfRequest.self, from: Data(Self.small.utf8)),
                                                                 limits: smallLimits()).get()
                        let p = try PreparedWhatIf.prepare(spec, modelPath: repositoryRoot + "/Models/platform.yaml").get()
                        if bench.queue.baselines.runs(for: BaselineCache.Key(p)) != nil { break }
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
                let (id, _) = try await client.runWhatIf(Self.small)
                let job = try #require(await bench.queue.job(id))
                #expect(job.outcome?.reusedBaseline == ahead)
                return try await client.page("/api/whatif/\(id)/result.json").body
            }
            documents.append(document)
        }
        #expect(documents.count == 2 && documents[0] == documents[1])
    }

    @Test func aRunningWhatIfCanBeCancelledAndTheQueueIsBounded() async throws {
        var limits = smallLimits()
        limits.concurrentRuns = 1
        limits.queuedRuns = 1
        let (bench, folder) = try makeWorkbench(limits: limits)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let long = #"{"configuration":"phase3","users":"200000","replications":"2","durationS":"3600","warmUpS":"60","overrides":["api.instance.vcpu=4"]}"#
        try await bench.application().test(.router) { client in
            let first = jsonObject(try await client.page("/api/whatif", method: .post, json: long).body)["id"] as! String
            let second = jsonObject(try await client.page("/api/whatif", method: .post, json: long).body)["id"] as! String
            let third = try await client.page("/api/whatif", method: .post, json: long)
            #expect(third.status == .serviceUnavailable)
            #expect(third.body.contains("the run queue is full"))
            #expect(jsonObject(try await client.page("/api/whatif/\(second)").body)["phase"] as? String == "queued")

            let start = Date()
            #expect(try await client.page("/api/whatif/\(first)/cancel", method: .post, json: "{}").status == .ok)
            // The second starts once the first has stopped; cancel it too.
            var phase = ""
            while Date().timeIntervalSince(start) < 30 {
                phase = jsonObject(try await client.page("/api/whatif/\(first)").body)["phase"] as? String ?? ""
                if phase == "cancelled" { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(phase == "cancelled")
            _ = try await client.page("/api/whatif/\(second)/cancel", method: .post, json: "{}")
            while Date().timeIntervalSince(start) < 60, await bench.queue.load.running > 0 { try await Task.sleep(for: .milliseconds(50)) }
            let running = await bench.queue.load.running
            #expect(running == 0)
            #expect(jsonObject(try await client.page("/api/whatif/\(second)").body)["phase"] as? String == "cancelled")
            #expect(try await client.page("/whatif/\(first)/result").status == .conflict)
        }
    }

    /// A what-if whose page stops listening is cancelled after the grace period.
    @Test func anAbandonedWhatIfIsCancelled() async throws {
        let (bench, folder) = try makeWorkbench()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let spec = try #require(try? WhatIfSpecification.check(
            WhatIfRequest(configuration: "phase3", users: "200000", overrides: [], replications: "1", durationS: "3600"), limits: smallLimits()).get())
        let prepared = try PreparedWhatIf.prepare(spec, modelPath: repositoryRoot + "/Models/platform.yaml").get()
        let job = try await bench.queue.submit(prepared)
        job.listenerJoined()
        await bench.queue.listenerLeft(job)      // returns after the grace period
        let start = Date()
        while !job.isTerminal && Date().timeIntervalSince(start) < 30 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(job.phase == .cancelled)
        #expect(job.status(position: nil).message.contains("page watching it was closed"))
    }
}
