import Foundation
import GRDB
import Testing

/// The hostile inputs, through the built binary: each ends in one clean error line (or
/// a finished command), never a trap, a hang or a file written.
@Suite struct HostileInputTests {
    static var model: String { SweepCommandTests.root + "/Models/platform.yaml" }

    /// A crash prints a backtrace and exits by a signal (or with Swift's trap status).
    static func expectCleanFailure(_ out: PlatformSimBinary.Output, _ context: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(out.status != 0, "\(context): exited 0", sourceLocation: sourceLocation)
        #expect(out.status < 128 && out.status != 132 && out.status != 133, "\(context): status \(out.status)", sourceLocation: sourceLocation)
        #expect(out.stderrLines.count == 1, "\(context): \(out.stderr)", sourceLocation: sourceLocation)
        #expect(!out.stderr.contains("Fatal error") && !out.stderr.contains("backtrace"), "\(context): \(out.stderr)", sourceLocation: sourceLocation)
    }

    @Test func valuesThatUsedToCrashOrHangAreRefusedByValidateAndRun() throws {
        let cases = [
            "traffic.sessionsPerActiveUserPerDay=9.3e18", "traffic.apiClientRequestsPerActiveUserPerDay=1e308",
            "traffic.pollingCallsPerOpenTabMinute=1e308",
            "traffic.healthChecksPerInstancePerS=1e308", "api.instance.vcpu=1e16", "traffic.activityWeight=lognormal:1,1e308",
            "traffic.officeSize=exp:1e308", "traffic.unauthenticatedIPsPerUser=2147483648", "loadBalancer.latencyMs=9.3e18",
            "redis.commandTimeUs=lognormal:1,1e308", "traffic.thinkTimeS=det:1e308", "api.autoscaling.intervalS=1e-100",
            "database.sharding.count=99999999999999999999", "cdn.catalog.staticAsset.sharedObjects=1e300",
            "network.bandwidthMbps=lognormal:1e15,1", "externalServices.llm.rateLimitTier.tokensPerMinute=1e308",
            "redis.bytesPerJob=1e308", "api.loopWakeUpCpuMs=1e308", "caches.dashboard.entryBytes=1e308",
        ]
        for override in cases {
            let validate = try PlatformSimBinary.run(["validate", Self.model, "--set", override])
            Self.expectCleanFailure(validate, "validate --set \(override)")
            #expect(validate.stderr.hasPrefix("--set \(override): error: "), "\(validate.stderr)")
            let run = try PlatformSimBinary.run(["run", Self.model, "--users", "1000", "--duration", "10", "--set", override])
            Self.expectCleanFailure(run, "run --set \(override)")
            // One `error:` in the line, as `validate` prints it (not `error: --set ...: error: ...`).
            #expect(run.stderr.hasPrefix("--set \(override): error: "), "\(run.stderr)")
        }
    }

    @Test func workTooLargeToFinishIsRefusedWithHowLongItWouldTake() throws {
        let queue = try PlatformSimBinary.run(["queue", "--arrival-rate", "1", "--service", "exp:0.5", "--servers", "1",
                                               "--customers", "1000000000000"])
        Self.expectCleanFailure(queue, "queue --customers 1e12")
        #expect(queue.stderr.contains("would simulate about 3e12 events") && queue.stderr.contains("--max-events"), "\(queue.stderr)")
        let run = try PlatformSimBinary.run(["run", Self.model, "--users", "10M", "--set", "traffic.sessionsPerActiveUserPerDay=5000"])
        Self.expectCleanFailure(run, "run at 10M users and 5,000 sessions a day")
        #expect(run.stderr.contains("events (about") && run.stderr.contains("of memory") && run.stderr.contains("pass --max-events"),
                "\(run.stderr)")
        // The limit is the user's to raise: a small run under a tiny limit is refused, then allowed.
        let tiny = ["run", Self.model, "--users", "300", "--duration", "10", "--warm-up", "0"]
        Self.expectCleanFailure(try PlatformSimBinary.run(tiny + ["--max-events", "10"]), "--max-events 10")
        #expect(try PlatformSimBinary.run(tiny + ["--max-events", "1e9"]).status == 0)
    }

    @Test func userCountsAreReadAsTablesPrintThem() throws {
        let k = try PlatformSimBinary.run(["run", Self.model, "--users", "1.5k", "--duration", "10", "--warm-up", "0", "--format", "json"])
        #expect(k.status == 0, "\(k.stderr)")
        #expect(k.stdout.contains("\"users\" : 1500"))
        let bad = try PlatformSimBinary.run(["run", Self.model, "--users", "2.5x"])
        Self.expectCleanFailure(bad, "--users 2.5x")
        #expect(bad.stderr.contains("such as 300000, 300k or 1M"))
    }

    @Test func aLeafNameSuggestsItsFullPath() throws {
        let out = try PlatformSimBinary.run(["validate", Self.model, "--set", "connection_limit=10"])
        Self.expectCleanFailure(out, "connection_limit")
        #expect(out.stderr.contains("did you mean database.pool.connectionLimit?"), "\(out.stderr)")
    }

    @Test func settingsThatWouldBeIgnoredAreErrors() throws {
        for override in ["pricing=pricing/aws.yaml", "name=other", "configurations={}"] {
            let out = try PlatformSimBinary.run(["validate", Self.model, "--set", override])
            Self.expectCleanFailure(out, override)
            #expect(out.stderr.contains("only the base model file"), "\(out.stderr)")
        }
    }

    /// Model files naming files outside their folder, or files that are not YAML, or names that
    /// would become markup or formulas.
    @Test func pathsAndNamesInModelFilesAreChecked() throws {
        let dir = try SweepCommandTests.folder()
        try FileManager.default.createDirectory(atPath: dir + "/m/phases", withIntermediateDirectories: true)
        let base = try String(contentsOfFile: Self.model, encoding: .utf8)
        for name in ["phases/phase1.yaml", "phases/phase2.yaml", "phases/phase3.yaml", "phases/phase4.yaml"] {
            try FileManager.default.copyItem(atPath: SweepCommandTests.root + "/Models/" + name, toPath: dir + "/m/" + name)
        }
        try FileManager.default.createDirectory(atPath: dir + "/m/pricing", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: SweepCommandTests.root + "/Models/pricing/railway.yaml", toPath: dir + "/m/pricing/railway.yaml")
        try "SECRET=hunter2\n".write(toFile: dir + "/.env", atomically: true, encoding: .utf8)
        let cases: [(from: String, to: String, expected: String)] = [
            ("  phase1: [phases/phase1.yaml]", "  phase1: [../.env]", "which is not a .yaml file"),
            ("  phase1: [phases/phase1.yaml]", "  phase1: [../../../../../etc/x.yaml]", "outside the model's folder"),
            ("  phase1: [phases/phase1.yaml]", "  phase1: [\(dir)/elsewhere.yaml]", "outside the model's folder"),
            ("pricing: pricing/railway.yaml", "pricing: ../.env", "which is not a .yaml file"),
            ("  phase1: [phases/phase1.yaml]", "  \"<svg onload=alert(1)>\": [phases/phase1.yaml]", "starting with a letter or digit"),
            ("  phase1: [phases/phase1.yaml]", "  \"../../evil\": [phases/phase1.yaml]", "starting with a letter or digit"),
            ("  phase1: [phases/phase1.yaml]", "  \"=1+1\": [phases/phase1.yaml]", "starting with a letter or digit"),
        ]
        for (from, to, expected) in cases {
            #expect(base.contains(from))
            try base.replacingOccurrences(of: from, with: to).write(toFile: dir + "/m/platform.yaml", atomically: true, encoding: .utf8)
            let out = try PlatformSimBinary.run(["validate", dir + "/m/platform.yaml"])
            Self.expectCleanFailure(out, to)
            #expect(out.stderr.contains(expected), "\(to): \(out.stderr)")
            #expect(!out.stderr.contains("hunter2"))
            #expect(out.stderr.hasPrefix(dir + "/m/platform.yaml:"), "\(out.stderr)")
        }
        // An absolute path inside the model's folder is taken as it is.
        try base.replacingOccurrences(of: "  phase1: [phases/phase1.yaml]", with: "  phase1: [\(dir)/m/phases/phase1.yaml]")
            .write(toFile: dir + "/m/platform.yaml", atomically: true, encoding: .utf8)
        let ok = try PlatformSimBinary.run(["validate", dir + "/m/platform.yaml"])
        #expect(ok.status == 0, "\(ok.stderr)")
    }

    /// A database edited by hand (or by an older program) is read safely: huge and odd numbers
    /// print, names that would be markup, paths or formulas are refused, nothing crashes.
    @Test func aTamperedDatabaseIsReadSafely() throws {
        let dir = try SweepCommandTests.folder()
        let file = try SweepCommandTests.experiment(in: dir, users: "[300]", configurations: "[current]")
        let db = dir + "/results.sqlite"
        let sweep = try PlatformSimBinary.run(["sweep", file, "--db", db])
        #expect(sweep.status == 0, "\(sweep.stderr)")
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false  // an editor by hand does not keep them
        let queue = try DatabaseQueue(path: db, configuration: configuration)
        try queue.write { db in
            try db.execute(sql: "UPDATE experiments SET slo_p99_ms = 1e19, slo_error_rate = 1e300")
            try db.execute(sql: "UPDATE runs SET p99_ms = 1e308, error_rate = -1e300, p50_ms = 9.3e18")
            try db.execute(sql: "UPDATE cost_items SET monthly_usd = 1e300")
        }
        for format in ["md", "csv", "json"] {
            let out = try PlatformSimBinary.run(["report", "--db", db, "--format", format])
            #expect(out.status == 0 || out.stderrLines.count == 1, "\(format): \(out.stderr)")
            #expect(out.status < 128 && !out.stderr.contains("Fatal error"), "\(format): \(out.stderr)")
        }
        let charts = try PlatformSimBinary.run(["report", "--db", db, "--out", dir + "/report"])
        #expect(charts.status < 128 && !charts.stderr.contains("Fatal error"), "\(charts.stderr)")

        for hostile in ["../../evil", "<svg onload=alert(1)>", "=1+1"] {
            try queue.write { db in
                try db.execute(sql: "UPDATE runs SET configuration = ?", arguments: [hostile])
            }
            let out = try PlatformSimBinary.run(["report", "--db", db, "--out", dir + "/hostile"])
            Self.expectCleanFailure(out, "configuration \(hostile)")
            #expect(out.stderr.contains("not written by a sweep"), "\(out.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/hostile"))
            #expect(!FileManager.default.fileExists(atPath: dir + "/evil-latency.svg"))
        }
    }
}
