import Analysis
import Formatting

/// A table of values rather than text, written two ways from one list of columns: for people
/// (``TextTable``: grouped digits, `$`, `%`, `±` and `-` for a missing value) and for programs
/// (CSV: raw numbers, the unit in each column's name, an empty cell for a missing value, a
/// 95% half-width in a column of its own).
public struct DataTable: Sendable {
    /// How a column's numbers read for people; CSV always writes the number itself.
    public enum Unit: Sendable, Equatable {
        case text
        /// A user count: `300k`, `1.5M`.
        case users
        /// A whole count: `12,345`.
        case count
        /// A figure with its significant digits (`4,276`, `12.5`, `0.031`): milliseconds, rates.
        case figure
        /// A share written as a percentage with two decimals, `0` for none.
        case share
        /// A busy share written as a whole percentage.
        case utilization
        /// US dollars, whole: `$1,234`.
        case usd
        /// US dollars with cents: `$0.42`.
        case usdCents
        /// yes or no (CSV: true or false).
        case flag
    }

    /// What a column's 95% interval is, if it has one.
    public enum Interval: Sendable, Equatable {
        case none
        /// A mean's half-width: `x ± h`; CSV adds `NAME_ci95`.
        case halfWidth
        /// A paired difference: `+x ± h *` (`*` when the interval excludes zero); CSV adds
        /// `NAME_ci95` and `NAME_significant`.
        case difference
    }

    /// Which renderings show a column.
    public enum Audience: Sendable, Equatable { case everyone, people, programs }

    public struct Column: Sendable {
        /// The header people read (`p99 ms`).
        public var heading: String
        /// The CSV header: lower case, words joined by `_`, the unit last (`p99_ms`, `error_share`, `monthly_usd`).
        public var field: String
        public var unit: Unit
        public var interval: Interval
        public var alignment: TextTable.Alignment
        public var audience: Audience
        /// What people read for a missing value (`-`, `none`).
        public var missing: String

        public init(_ heading: String, field: String, unit: Unit, interval: Interval = .none, alignment: TextTable.Alignment? = nil,
                    audience: Audience = .everyone, missing: String = "-") {
            self.heading = heading; self.field = field; self.unit = unit; self.interval = interval
            self.alignment = alignment ?? (unit == .text ? .left : .right)
            self.audience = audience; self.missing = missing
        }
    }

    public enum Cell: Sendable, Equatable {
        case missing
        case text(String)
        /// A number with its 95% half-width when the column has an interval (nil: a single run).
        case number(Double, halfWidth: Double? = nil)
        case flag(Bool)

        public static func integer(_ n: Int) -> Cell { .number(Double(n)) }
        public static func optional(_ x: Double?) -> Cell { x.map { .number($0) } ?? .missing }
    }

    public var columns: [Column]
    public var rows: [[Cell]] = []
    /// Leading columns that name a row, repeated in every block of a table too wide to print.
    public var keyColumns: Int

    public init(_ columns: [Column], keyColumns: Int = 1) {
        self.columns = columns
        self.keyColumns = keyColumns
    }

    public mutating func add(_ row: [Cell]) {
        precondition(row.count == columns.count, "a row of \(row.count) cells in a table of \(columns.count) columns")
        rows.append(row)
    }

    // MARK: For people

    /// The table as people read it.
    public func text() -> TextTable {
        let shown = columns.indices.filter { columns[$0].audience != .programs }
        var t = TextTable(shown.map { columns[$0].heading }, alignments: shown.map { columns[$0].alignment })
        t.keyColumns = shown.filter { $0 < keyColumns }.count
        for r in rows { t.add(shown.map { Self.display(r[$0], columns[$0]) }) }
        return t
    }

    /// One cell as people read it.
    public static func display(_ cell: Cell, _ column: Column) -> String {
        switch cell {
        case .missing: return column.missing
        case .text(let s): return s
        case .flag(let b): return b ? "yes" : "no"
        case .number(let x, let h):
            let value = display(x, column.unit)
            switch column.interval {
            case .none:
                return value
            case .halfWidth:
                guard let h, h.isFinite else { return value }
                return "\(display(x, column.unit, zeroAsPlain: false)) ± \(display(h, column.unit, zeroAsPlain: false))"
            case .difference:
                // A rise is signed `+`, except a share's (as the tables always wrote it).
                var text = (x > 0 && column.unit != .share ? "+" : "") + display(x, column.unit, zeroAsPlain: false)
                if let h, h.isFinite { text += " ± \(display(h, column.unit, zeroAsPlain: false))" }
                return text + (Estimate.excludesZero(mean: x, halfWidth: h) ? " *" : "")
            }
        }
    }

    /// A number in a unit, for people. A share of exactly 0 reads `0`, so that the eye finds
    /// the others; beside a half-width or as a difference it keeps its `%`.
    static func display(_ x: Double, _ unit: Unit, zeroAsPlain: Bool = true) -> String {
        switch unit {
        case .text, .figure: return Format.number(x)
        case .users: return x.isFinite && abs(x) < 1e15 ? Format.users(Int(x.rounded())) : Format.number(x)
        case .count: return x.isFinite && abs(x) < 1e15 ? Format.grouped(Int64(x.rounded())) : Format.number(x)
        case .share: return x == 0 && zeroAsPlain ? "0" : Format.percent(x, 2)
        case .utilization: return Format.percent(x, 0)
        case .usd: return Format.usd(x)
        case .usdCents: return (x < 0 ? "-$" : "$") + Format.fixed(abs(x), 2)
        case .flag: return x != 0 ? "yes" : "no"
        }
    }

    // MARK: For programs

    /// A value as programs read it.
    public enum Field: Sendable, Equatable, Encodable {
        case number(Double)
        case text(String)
        case flag(Bool)

        /// The CSV cell: raw digits (``Format/raw(_:)``), the text, or `true`/`false`.
        var csv: String {
            switch self {
            case .number(let x): Format.raw(x)
            case .text(let s): s
            case .flag(let b): b ? "true" : "false"
            }
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .number(let x): if x.isFinite { try c.encode(x) } else { try c.encodeNil() }
            case .text(let s): try c.encode(s)
            case .flag(let b): try c.encode(b)
            }
        }
    }

    /// The fields programs get: each column's own, then for an interval `NAME_ci95` (the 95%
    /// half-width) and for a difference `NAME_significant` (whether it excludes zero).
    public var fieldNames: [String] {
        columns.filter { $0.audience != .people }.flatMap { col -> [String] in
            [col.field] + (col.interval != .none ? [col.field + "_ci95"] : []) + (col.interval == .difference ? [col.field + "_significant"] : [])
        }
    }

    /// One row's fields in the order of ``fieldNames``; nil where there is no value.
    public func fields(_ row: [Cell]) -> [Field?] {
        var out: [Field?] = []
        for (c, col) in columns.enumerated() where col.audience != .people {
            var halfWidth: Double?
            switch row[c] {
            case .missing: out.append(nil)
            case .text(let s): out.append(.text(s))
            case .flag(let b): out.append(.flag(b))
            case .number(let x, let h): out.append(x.isNaN ? nil : .number(x)); halfWidth = h
            }
            if col.interval != .none { out.append(halfWidth.flatMap { $0.isNaN ? nil : Field.number($0) }) }
            if col.interval == .difference {
                if case .number(let x, let h) = row[c] { out.append(.flag(Estimate.excludesZero(mean: x, halfWidth: h))) } else { out.append(nil) }
            }
        }
        return out
    }

    /// The table as CSV: a header of field names, then raw numbers (no grouping, `$` or `%`),
    /// an empty cell where there is no value, `true`/`false` for flags, and an interval's
    /// half-width (and whether it excludes zero) in columns of their own.
    public func csv() -> String {
        var t = TextTable(fieldNames)
        for r in rows { t.add(fields(r).map { $0?.csv ?? "" }) }
        return t.csv()
    }

    /// The rows as records of their fields (those with a value), for JSON.
    public func records() -> [[String: Field]] {
        let names = fieldNames
        return rows.map { r in
            var record: [String: Field] = [:]
            for (name, value) in zip(names, fields(r)) { if let value { record[name] = value } }
            return record
        }
    }
}

extension Estimate {
    /// Whether an interval `mean ± halfWidth` excludes zero (never without a finite half-width).
    static func excludesZero(mean: Double, halfWidth: Double?) -> Bool {
        guard let h = halfWidth else { return false }
        return Estimate(mean: mean, halfWidth: h, replications: 2).excludesZero
    }
}
