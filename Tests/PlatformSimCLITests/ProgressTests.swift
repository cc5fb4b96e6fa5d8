import Foundation
import Testing

/// Progress by simulated time on a terminal, and nothing new when standard error is not one.
@Suite struct ProgressTests {
    // MARK: progress

    /// On a terminal, `run` shows its progress by simulated time on standard error and erases
    /// it; its standard output is the same bytes as without a terminal, where nothing else is written.
    @Test func runShowsProgressOnATerminalOnly() throws {
        let arguments = ["run", NewUser.model, "--phase", "current", "--users", "400", "--duration", "60", "--warm-up", "10"]
        let plain = try PlatformSimBinary.run(arguments)
        #expect(plain.status == 0 && plain.stderr.isEmpty)
        let terminal = try PlatformSimBinary.runOnTerminal(arguments)
        #expect(terminal.status == 0)
        func withoutWallTime(_ s: String) -> [Substring] { NewUser.lines(s).filter { !$0.contains(" s wall") } }
        #expect(withoutWallTime(terminal.stdout) == withoutWallTime(plain.stdout))
        #expect(terminal.stderr.contains("\rrun: [") && terminal.stderr.contains("simulated ") && terminal.stderr.contains(" elapsed"))
        #expect(terminal.stderr.hasSuffix("\r\u{1B}[K"))
        let json = try PlatformSimBinary.run(arguments + ["--format", "json"])
        let jsonOnTerminal = try PlatformSimBinary.runOnTerminal(arguments + ["--format", "json"])
        func withoutWall(_ s: String) -> String {
            s.split(separator: "\n").filter { !$0.contains("\"wallSeconds\"") }.joined(separator: "\n")
        }
        #expect(withoutWall(jsonOnTerminal.stdout) == withoutWall(json.stdout))
    }

    @Test func sweepBarMovesInsideRunsOnATerminal() throws {
        let folder = try SweepCommandTests.folder()
        let path = try SweepCommandTests.experiment(in: folder)
        let out = try PlatformSimBinary.runOnTerminal(["sweep", path, "--db", folder + "/t.sqlite"])
        #expect(out.status == 0)
        #expect(out.stderr.contains("\r[") && out.stderr.contains("runs") && out.stderr.contains("elapsed"))
        // Drawn from inside the runs too: shares of the work between whole runs (4 runs: 25% each).
        let shares = out.stderr.components(separatedBy: " runs ").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
        #expect(shares.contains { $0 % 25 != 0 }, "\(shares)")
        // Not on a terminal: one line per finished run, as always.
        let plain = try PlatformSimBinary.run(["sweep", path, "--db", folder + "/p.sqlite"])
        #expect(!plain.stderr.contains("\r"))
        #expect(plain.stderrLines.filter { $0.hasPrefix("sweep: ") }.count == 4)
        #expect(plain.stdout == out.stdout)
    }
}
