import Foundation
import Testing
@testable import Notebooks

/// The assumption index reads labels from comments, as the model files write them.
@Suite struct AssumptionIndexTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static let fixture = """
        # A model in the style of Models/platform.yaml.
        traffic:
          dailyActiveFraction: 0.15              # B2B SaaS DAU/MAU average ~15% (June.so; Userpilot 2026)
          requestsPerActiveUserPerDay: 240       # assumption: no public figure found (MODEL §3)
          tiers:                                 # share of users per tier: assumption
            tier1-2: 0.6                         # LeadSite
            tier5: 0.1
          # Relative traffic per hour. Assumption: a business-hours app.
          diurnalWeights: [0.35, 0.3,
                           1.9, 0.4]
        rateLimiters:                            # express-rate-limit with the Redis store (§2)
          global:
            limit: 100                           # 100 req / 15 min per IP (§2 Current)
            windowMs: 900000
        database:
          ladder:
            - {name: pg-2, vcpu: 2}              # assumption: Railway sizes
            - {name: pg-4, vcpu: 4}
          queries:
            dashboardStats:                      # lead counts by status
              table: leads
        endpoints:
          dashboard:
            steps:
              - cacheLookup: dashboard
              - cpuMs: lognormal:0.4,0.5         # assumption: serialisation
                perRowUs: 25
          login:
            steps: []
        """

    @Test func findsAKnownAssumptionAndAKnownSourcedValue() {
        var index = AssumptionIndex()
        index.add(text: Self.fixture, file: "fixture.yaml")
        let assumed = index.parameter("traffic.requestsPerActiveUserPerDay")
        #expect(assumed?.label == .assumption)
        #expect(assumed?.value == "240")
        #expect(assumed?.line == 4)
        let sourced = index.parameter("rateLimiters.global.limit")
        #expect(sourced?.label == .sourced)
        #expect(sourced?.comment == "100 req / 15 min per IP (§2 Current)")
        #expect(index.parameter("traffic.dailyActiveFraction")?.label == .sourced)
        // Inherited from the enclosing key, over a comment that only describes.
        #expect(index.parameter("traffic.tiers.tier1-2")?.label == .assumption)
        #expect(index.parameter("traffic.tiers.tier5")?.inherited == true)
        #expect(index.parameter("rateLimiters.global.windowMs")?.label == .sourced)
        // The comment block above a key; a flow list over two lines.
        #expect(index.parameter("traffic.diurnalWeights")?.label == .assumption)
        #expect(index.parameter("traffic.diurnalWeights")?.value == "[0.35, 0.3, 1.9, 0.4]")
        // List items, and keys inside list items.
        #expect(index.parameter("database.ladder[0]")?.label == .assumption)
        #expect(index.parameter("database.ladder[1]")?.label == .unlabelled)
        #expect(index.parameter("endpoints.dashboard.steps[1].cpuMs")?.label == .assumption)
        #expect(index.parameter("endpoints.dashboard.steps[1].perRowUs")?.value == "25")
        #expect(index.parameter("endpoints.dashboard.steps[0].cacheLookup")?.label == .unlabelled)
        #expect(index.parameter("database.queries.dashboardStats.table")?.label == .unlabelled)
        #expect(index.parameter("endpoints.login.steps")?.value == "[]")
    }

    @Test func anOverlayReplacesTheValueAndKeepsALabelWhenItHasNone() {
        var index = AssumptionIndex()
        index.add(text: Self.fixture, file: "base.yaml")
        index.add(text: "rateLimiters:\n  global:\n    limit: 300    # \"Increase global rate limit to 300\" (§10)\n    windowMs: 60000\n", file: "phase1.yaml")
        let limit = index.parameter("rateLimiters.global.limit")
        #expect(limit?.value == "300")
        #expect(limit?.file == "phase1.yaml")
        #expect(limit?.label == .sourced)
        // The overlay's line has no label of its own: the base line's stays with the new value.
        #expect(index.parameter("rateLimiters.global.windowMs")?.value == "60000")
        #expect(index.parameter("rateLimiters.global.windowMs")?.file == "phase1.yaml")
        #expect(index.parameter("rateLimiters.global.windowMs")?.label == .sourced)
    }

    @Test func readsTheProjectModel() throws {
        let index = try AssumptionIndex(files: [(Self.root + "/Models/platform.yaml", "Models/platform.yaml")])
        #expect(index.parameter("traffic.sessionsPerActiveUserPerDay")?.label == .assumption)
        #expect(index.parameter("rateLimiters.global.limit")?.label == .sourced)
        #expect(index.parameter("database.postgres.maxConnections")?.label == .sourced)
        #expect(index.parameter("traffic.officeUserFraction")?.label == .assumption)
        let counts = index.counts()
        #expect(counts.sourced > 30 && counts.assumption > 60)
    }
}
