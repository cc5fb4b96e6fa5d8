import Formatting

/// A problem with calibration input, printed as one line: `FILE:LINE:COLUMN: error: MESSAGE`
/// (or `FILE:LINE: error: ...`, `FILE: error: ...` when there is no finer place).
///
/// Calibration refuses input it cannot read rather than guessing: an empty file, a format that
/// no line matches, snapshots that do not belong together. Lines that merely fail to parse in an
/// otherwise good file are not errors: they are counted and sampled (``UnparsedLines``).
public struct CalibrationError: Error, Sendable, CustomStringConvertible, Equatable {
    public var file: String
    /// 1-based; 0 when the problem is with the whole file.
    public var line: Int
    /// 1-based; 0 when there is no column.
    public var column: Int
    public var message: String

    public init(_ message: String, file: String, line: Int = 0, column: Int = 0) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { ErrorLine.format(file: file, line: line, column: column, message: message) }
}

/// Lines of an input that did not parse: how many, and the first few with where and why, so
/// that a report can show them instead of dropping them silently.
public struct UnparsedLines: Sendable, Equatable {
    public struct Sample: Sendable, Equatable {
        public var file: String
        public var line: Int
        public var column: Int
        public var reason: String
        /// The line as read, cut to 160 characters.
        public var text: String
    }

    public private(set) var count = 0
    public private(set) var samples: [Sample] = []
    public static let sampleLimit = 5

    public init() {}

    public mutating func add(file: String, line: Int, column: Int, reason: String, text: @autoclosure () -> String) {
        count += 1
        if samples.count < Self.sampleLimit {
            var t = text()
            if t.count > 160 { t = String(t.prefix(157)) + "..." }
            samples.append(Sample(file: file, line: line, column: column, reason: reason, text: t))
        }
    }

    public mutating func merge(_ other: UnparsedLines) {
        count += other.count
        for s in other.samples where samples.count < Self.sampleLimit { samples.append(s) }
    }
}
