import Foundation
import Testing
@testable import PlatformSimCLI

/// `platform-sim queue` end to end: the built binary run as a subprocess. Customer counts
/// are small so that the suite stays fast in debug builds; nothing here depends on timing.
@Suite struct QueueCommandTests {
    static let mm1 = ["queue", "--arrival-rate", "0.5", "--service", "exp:1", "--servers", "1", "--customers", "20000", "--warm-up", "500"]

    @Test func jsonHasEveryFigure() throws {
        let (text, o) = try PlatformSimBinary.json(["queue", "--arrival-rate", "8.5", "--service", "exp:1", "--servers", "10", "--customers", "2000"])
        for key in ["customers", "meanWait", "meanResponse", "utilization", "meanQueueLength", "blockingProbability",
                    "events", "wallSeconds", "servers", "arrivalRate", "service", "seed", "replications",
                    "meanInSystem", "throughput", "theory"] {
            #expect(o[key] != nil, "missing key \(key)")
        }
        for key in ["meanWait", "meanResponse", "utilization", "meanQueueLength", "blockingProbability", "wallSeconds", "meanInSystem", "throughput"] {
            #expect(o[key] is NSNumber, "\(key) is not a number")
        }
        #expect(o["customers"] as? Int == 2000)
        #expect(o["servers"] as? Int == 10)
        #expect(o["service"] as? String == "exp:1")
        #expect(o["blockingProbability"] as? Double == 0)
        #expect((o["events"] as? Int ?? 0) == 4000)  // one arrival and one completion each
        #expect(o["meanWaitCI95"] == nil)  // only with several replications
        let theory = try #require(o["theory"] as? [String: Any])
        #expect(theory["method"] as? String == "Erlang C")
        // One object and nothing else: the text ends with its closing brace.
        #expect(text.hasPrefix("{"))
        #expect(text.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("}"))
    }

    @Test(arguments: [
        (["queue", "--arrival-rate", "1", "--service", "exp:1", "--servers", "1", "--customers", "10", "--bogus"], "--bogus"),
        (["queue", "--arrival-rate", "1", "--service", "nosuch:1", "--servers", "1", "--customers", "10"], "--service"),
        (["queue", "--arrival-rate", "-1", "--service", "exp:1", "--servers", "1", "--customers", "10"], "--arrival-rate must be positive, got -1"),
        (["queue", "--arrival-rate", "1", "--service", "exp:1", "--servers", "0", "--customers", "10"], "--servers"),
        (["queue", "--arrival-rate", "1", "--service", "exp:1", "--servers", "1", "--customers"], "--customers"),
        (["queue", "--arrival-rate", "1", "--service", "exp:1", "--servers", "1"], "--customers"),
        (["queue", "--arrival-rate", "1", "--service", "exp:1", "--servers", "3", "--capacity", "2", "--customers", "10"], "--capacity"),
        (["queue", "--arrival-rate", "nan", "--service", "exp:1", "--servers", "1", "--customers", "10"], "--arrival-rate"),
        (["queue", "--arrival-rate", "1", "--service", "exp:1", "--servers", "1", "--customers", "10", "--replications", "0"], "--replications"),
        (["queue", "--arrival-rate", "1", "--service", "exp:1", "--servers", "1", "--customers", "10", "--jobs", "0"], "--jobs"),
        (["queue", "--arrival-rate", "1", "--service", "exp:1", "--servers", "1", "--customers", "10", "--warm-up", "10"], "--warm-up"),
        (["queue", "--arrival-rate", "1", "--service", "exp:1", "--servers", "1", "--customers", "10", "--format", "xml"], "--format"),
        (["queue", "--arrival-rate", "1", "--service", "exp:1", "--servers", "1", "--customers", "10", "--seed", "-3"], "--seed"),
        (["queue", "--arrival-rate", "1", "--service", "gamma:1", "--servers", "1", "--customers", "10"], "--service"),
        (["nosuchcommand"], "nosuchcommand"),
    ])
    func badInputGivesOneErrorLine(arguments: [String], mentions: String) throws {
        let out = try PlatformSimBinary.run(arguments)
        #expect(out.status == 64, "exit status \(out.status)")
        #expect(out.stdout.isEmpty)
        #expect(out.stderrLines.count == 1, "stderr: \(out.stderr)")
        let line = String(out.stderrLines.first ?? "")
        #expect(line.hasPrefix("error: "), "stderr: \(out.stderr)")
        #expect(line.contains(mentions), "\(line) does not mention \(mentions)")
    }

    @Test(arguments: [["--help"], ["queue", "--help"], ["help", "queue"], ["--version"]])
    func helpAndVersionExitZero(arguments: [String]) throws {
        let out = try PlatformSimBinary.run(arguments)
        #expect(out.status == 0)
        #expect(out.stderr.isEmpty)
        #expect(!out.stdout.isEmpty)
        if arguments.contains("queue") { #expect(out.stdout.contains("--arrival-rate")) }
    }

    @Test func resultsDoNotDependOnJobs() throws {
        let base = Self.mm1.map { $0 == "20000" ? "3000" : $0 } + ["--replications", "4"]
        let one = try PlatformSimBinary.json(base + ["--jobs", "1"])
        let four = try PlatformSimBinary.json(base + ["--jobs", "4"])
        func withoutWallTime(_ text: String) -> String {
            text.split(separator: "\n").filter { !$0.contains("\"wallSeconds\"") }.joined(separator: "\n")
        }
        #expect(withoutWallTime(one.text) == withoutWallTime(four.text))
        #expect(one.object["meanWaitCI95"] is NSNumber)
        #expect(one.object["meanResponseCI95"] is NSNumber)
        #expect(one.object["utilizationCI95"] is NSNumber)
    }

    @Test func seedDecidesTheResult() throws {
        let short = Self.mm1.map { $0 == "20000" ? "2000" : $0 }
        let a = try PlatformSimBinary.json(short + ["--seed", "7"])
        let b = try PlatformSimBinary.json(short + ["--seed", "7"])
        let c = try PlatformSimBinary.json(short + ["--seed", "8"])
        #expect(a.object["meanWait"] as? Double == b.object["meanWait"] as? Double)
        #expect(a.object["meanWait"] as? Double != c.object["meanWait"] as? Double)
    }

    /// M/M/1 with rho 0.5: Wq = rho / (mu - lambda) = 1, W = 2, utilization 0.5.
    ///
    /// Sixteen replications of 20,000 customers. The program reports a 95% half-width h (t with
    /// 15 degrees of freedom, 2.131); the simulated means must lie within the 99.9% interval,
    /// 4.073 / 2.131 = 1.91 h, of theory, and h must be under 4% of the figure. The width is
    /// known in advance: the mean wait of n customers of an M/M/1 queue has variance about
    /// rho (2 + 5 rho - 4 rho^2 + rho^3) / (mu^2 (1 - rho)^4 n) (Daley 1968; Whitt 1989), 29 / n
    /// here, so h is about 2.131 x sqrt(29 / 20,000 / 16) = 2% of Wq. So a bias of 4% is
    /// caught typically, and of 7.7% whatever the interval (1.91 x 4%).
    @Test func mm1AgreesWithTheory() throws {
        let (_, o) = try PlatformSimBinary.json(Self.mm1 + ["--replications", "16"])
        let theory = try #require(o["theory"] as? [String: Any])
        let wq = try #require(theory["meanWait"] as? Double)
        let w = try #require(theory["meanResponse"] as? Double)
        #expect(abs(wq - 1) < 1e-12)
        #expect(abs(w - 2) < 1e-12)
        for (key, expected) in [("meanWait", 1.0), ("meanResponse", 2.0), ("utilization", 0.5)] {
            let mean = try #require(o[key] as? Double)
            let half = try #require(o[key + "CI95"] as? Double)
            #expect(half > 0 && half < 0.04 * expected, "\(key) half-width \(half)")
            #expect(abs(mean - expected) <= 4.073 / 2.131 * half, "\(key) = \(mean) ± \(half), theory \(expected)")
        }
    }

    @Test func mm1kBlockingAgreesWithTheory() throws {
        let (_, o) = try PlatformSimBinary.json(["queue", "--arrival-rate", "0.9", "--service", "exp:1", "--servers", "1",
                                                 "--capacity", "5", "--customers", "20000", "--replications", "4"])
        let theory = try #require(o["theory"] as? [String: Any])
        let expected = try #require(theory["blockingProbability"] as? Double)
        let simulated = try #require(o["blockingProbability"] as? Double)
        #expect(abs(expected - 0.1 * pow(0.9, 5) / (1 - pow(0.9, 6))) < 1e-12)
        #expect(abs(simulated - expected) < 0.015, "blocking \(simulated) vs \(expected)")
    }

    @Test func tableShowsConfidenceIntervals() throws {
        let out = try PlatformSimBinary.run(Self.mm1.map { $0 == "20000" ? "2000" : $0 } + ["--replications", "3"])
        #expect(out.status == 0)
        #expect(out.stderr.isEmpty)
        #expect(out.stdout.contains(" ± "))
        #expect(out.stdout.contains("mean wait in queue"))
        #expect(out.stdout.contains("Erlang C"))
    }

    // MARK: The error-line helper itself

    @Test func locatedErrorsPrintAsTheyAre() {
        #expect(CommandLineErrors.errorLine(message: "model.yaml:3:7: error: unknown key 'sevrers'") == "model.yaml:3:7: error: unknown key 'sevrers'")
        #expect(CommandLineErrors.errorLine(message: "Unknown option '--x'") == "error: unknown option '--x'")
        #expect(CommandLineErrors.errorLine(message: "Error: boom\nUsage: x") == "error: boom")
        #expect(CommandLineErrors.errorLine(message: "\n\n--servers must be at least 1, got 0\n") == "error: --servers must be at least 1, got 0")
        #expect(CommandLineErrors.errorLine(message: "ID 7 missing") == "error: ID 7 missing")
        #expect(CommandLineErrors.errorLine(message: "time: 12:30 is late") == "error: time: 12:30 is late")
    }
}
