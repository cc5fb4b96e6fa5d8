import ModelSchema
import PlatformModel
import Testing
@testable import Validation

/// What the testbed is told of a configuration comes from the model, configuration by configuration.
@Suite struct TestbedSettingsTests {
    static func settings(_ config: String) throws -> TestbedSettings {
        let (model, _) = try PlatformModelFile.load(TraceTests.root + "/Models/platform.yaml", configuration: config, users: 100)
        return try TestbedSettings(model: model)
    }

    @Test func configurationsDifferWhereTheModelSays() throws {
        let current = try Self.settings("current"), phase1 = try Self.settings("phase1"), phase3 = try Self.settings("phase3")
        #expect(current.poolMax == 65 && phase1.poolMax == 20 && phase3.poolMax == 2)
        #expect(!current.pgbouncer && phase3.pgbouncer)
        #expect(current.limiters.map(\.name) == ["global"])
        #expect(current.limiters[0].key == "ip" && current.limiters[0].limit == 100)
        #expect(!current.limiters[0].endpoints.contains("webhook") && current.limiters[0].endpoints.contains("dashboard"))
        #expect(phase1.limiters.first { $0.name == "perUser" }?.limitByTier == ["tier1-2": 300, "tier3-4": 500, "tier5": 1000])
        #expect(phase1.limiters.first { $0.name == "aiScoring" }?.endpoints == ["aiScore"])
        #expect(current.indexes["leads_userId_createdAt"] == false && phase1.indexes["leads_userId_createdAt"] == true)
        #expect(current.queries.first { $0.name == "listLeads" }?.index == "leads_userId")
        #expect(phase1.queries.first { $0.name == "listLeads" }?.index == "leads_userId_createdAt")
        // The round-trip rule the API and the worker take from the settings (QueryModel.roundTrips).
        for q in phase3.queries {
            #expect(q.roundTrips == q.statements + (q.transaction ? 2 : 0), "\(q.name)")
            #expect(q.transaction == (q.write && q.statements > 1), "\(q.name)")
        }
        #expect(phase3.queries.first { $0.name == "writeRecord" }.map { $0.transaction && $0.roundTrips == 4 } == true)
        // Email in the request today, queued from phase 2.
        #expect(current.endpoints.first { $0.name == "emailSend" }!.steps.contains { $0.kind == "external" && $0.name == "mailgun" })
        #expect(phase3.endpoints.first { $0.name == "emailSend" }!.steps.contains { $0.kind == "enqueue" })
        #expect(current.caches.first { $0.name == "dashboard" }?.enabled == false)
        #expect(phase1.caches.first { $0.name == "dashboard" }.map { $0.enabled && $0.location == "process" && $0.ttlMs == 60_000 } == true)
    }

    @Test func providerLatencyInMilliseconds() throws {
        let s = try Self.settings("current")
        let llm = s.services.first { $0.name == "llm" }!
        #expect(llm.latency.kind == "lognormal")
        #expect(abs(llm.latency.meanMs - 8700) < 1)
        // exp(mu + sigma^2 / 2) in milliseconds is the model's mean.
        let (mu, sigma) = (llm.latency.parameters[0], llm.latency.parameters[1])
        #expect(abs(exp(mu + sigma * sigma / 2) - 8700) < 1)
    }
}

#if canImport(Glibc)
import Glibc
#endif
