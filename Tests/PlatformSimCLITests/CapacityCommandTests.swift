import Foundation
import Testing

/// `platform-sim capacity`: the largest user count within an SLO, by bisection.
@Suite struct CapacityCommandTests {
    // MARK: capacity

    @Test func capacityBisectsToTheLargestUserCountWithinTheSLO() throws {
        let out = try PlatformSimBinary.run(["capacity", NewUser.model, "--phase", "current", "--slo", "p99<=400ms,errors<=1%",
                                             "--low", "200", "--high", "200000", "--replications", "2", "--precision", "20%"] + NewUser.window)
        #expect(out.status == 0, "\(out.stderr)")
        let tried = NewUser.lines(out.stdout).filter { $0.hasPrefix("  ") && $0.contains(" users: p99 ") }
        #expect(tried.count >= 3)
        #expect(tried[0].hasPrefix("  200 users") && tried[0].hasSuffix("meets the SLO"))
        #expect(tried[1].hasPrefix("  200k users") && tried[1].contains("fails on"))
        let answer = try #require(NewUser.lines(out.stdout).first { $0.hasPrefix("Answer: ") })
        #expect(out.stdout.contains("What stops it at ") && out.stdout.contains("Noise: "))
        // The answer is a count that met the SLO, below one that failed within 20%.
        let meets = tried.filter { $0.hasSuffix("meets the SLO") }.map { String($0.dropFirst(2).prefix { $0 != " " }) }
        let fails = tried.filter { $0.contains("fails on") }.map { String($0.dropFirst(2).prefix { $0 != " " }) }
        func users(_ s: String) -> Double {
            if s.hasSuffix("M") { return Double(s.dropLast())! * 1e6 }
            if s.hasSuffix("k") { return Double(s.dropLast())! * 1e3 }
            return Double(s.filter { $0 != "," })!
        }
        let best = meets.map(users).max()!, worst = fails.map(users).min()!
        #expect(best < worst && worst <= best * 1.2 + 1)
        #expect(answer.contains(meets.max { users($0) < users($1) }!))
        let refused = try PlatformSimBinary.run(["capacity", NewUser.model, "--slo", "p99<=400ms,errors<=1%", "--low", "5000", "--high", "100"])
        #expect(refused.status != 0 && refused.stderrLines.count == 1 && refused.stdout.isEmpty)
    }
}
