import Testing
@testable import Reports

/// Printed tables fit a 120-column terminal: a wider one wraps its long text and splits into
/// blocks that repeat the columns naming each row, and loses nothing on the way.
@Suite struct TextTableWidthTests {
    /// A table as wide as the roadmap's bottleneck table at its widest (306 characters): names,
    /// numbers with half-widths, error kinds and a long reason.
    static func wide() -> TextTable {
        let headers = ["configuration", "users", "bottleneck", "utilization", "p50 ms", "p95 ms", "p99 ms", "errors", "SLO errors",
                       "429", "false 429", "P2024", "refused", "PgBouncer wait", "upstream 5xx", "timeout", "503", "Redis down",
                       "jobs lost", "headroom users", "why"]
        var t = TextTable(headers, alignments: [.left, .left, .left] + Array(repeating: .right, count: headers.count - 4) + [.left])
        t.keyColumns = 2
        let why = "pool exhausted: P2024 after pool_timeout (10 s) on 4.21% of requests, 2 connections per process against "
            + "40 requests in flight per process; raise connection_limit or add PgBouncer"
        for (c, u) in [("current", "10k"), ("phase1", "300k"), ("phase4", "3M")] {
            t.add([c, u, "prisma-pool (2 of 3 runs)", "100%", "1,234 ± 56", "12,345 ± 678", "54,321 ± 9,876", "4.21% ± 0.37%", "4.21%",
                   "0", "0.12%", "4.09%", "0", "0", "0", "0", "0", "0", "0.01%", "1,200,000", why])
        }
        return t
    }

    @Test func aWideTableFitsInBlocksThatRepeatTheRowNames() {
        let t = Self.wide()
        let text = t.plain()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.allSatisfy { $0.count <= TextTable.defaultWidth }, "\(lines.map(\.count).max() ?? 0) columns")
        // Several blocks, each headed by the columns that name a row.
        let headings = lines.filter { $0.hasPrefix("configuration") }
        #expect(headings.count >= 2)
        #expect(headings.allSatisfy { $0.hasPrefix("configuration  users") })
        // Every header and cell is still there (long text across wrapped lines).
        let words = Set(text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
        for cell in t.headers + t.rows.flatMap({ $0 }) {
            for word in cell.split(separator: " ") { #expect(words.contains(String(word)), "lost '\(word)'") }
        }
    }

    @Test func aTableThatFitsIsWrittenAsItAlwaysWas() {
        var t = TextTable(["a", "bb"])
        t.add(["x", "1"])
        t.add(["yyyy", "22"])
        #expect(t.plain() == "a     bb\n----  --\nx      1\nyyyy  22\n")
    }

    @Test func longWordsAreCutAndShortTextStaysWhole() {
        #expect(TextTable.wrap("short", 10) == ["short"])
        #expect(TextTable.wrap("one two three four", 9) == ["one two", "three", "four"])
        #expect(TextTable.wrap("abcdefghijkl", 5) == ["abcde", "fghij", "kl"])
    }

    @Test func aNarrowWidthStillHoldsEveryLine() {
        let text = Self.wide().plain(width: 60)
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 60 })
    }
}
