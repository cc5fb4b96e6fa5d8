import Formatting
import Foundation

/// Where a value came from: a position in a model file, or a command-line override.
///
/// (Not named `SourceLocation`, which Swift Testing also declares: a test importing both would
/// have to qualify every use.)
///
/// `file` is the path exactly as it was given to the loader (so messages show what the user typed),
/// or, for a value set on the command line, the label `--set KEY=VALUE`. `line` and `column` are
/// 1-based as in editors (Yams reports them that way); they are 0 when there is no position, as for
/// an override or a file that could not be read, and then the location prints as `file` alone.
public struct ModelLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int = 0, column: Int = 0) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `FILE:LINE:COLUMN`, or `FILE` when there is no line.
    public var description: String {
        line > 0 ? "\(file):\(line):\(column)" : file
    }
}

/// One problem with the model, printed as one line: `FILE:LINE:COLUMN: error: MESSAGE`.
///
/// The message names the key path it is about (`api.instance.vcpu must be positive, got -2`).
public struct ModelError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where the problem is; nil only for errors that cannot be placed (a schema reader threw an
    /// error that is not a `ModelError` outside any key's ``ValueReader/parse(_:)``).
    public var location: ModelLocation?
    public var message: String

    public init(_ message: String, at location: ModelLocation?) {
        self.message = message
        self.location = location
    }

    public var description: String {
        ErrorLine.format(file: location?.file ?? "", line: location?.line, column: location?.column, message: message)
    }
}

/// All the problems found in one load or validation, at least one. Its description is one line per
/// error, in the order of the sources (base file, overlays in order, overrides) and then of line
/// and column, so it can be printed to standard error as it is.
public struct ModelErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ModelError]

    public init(_ errors: [ModelError]) {
        self.errors = errors
    }

    public var description: String {
        errors.map(\.description).joined(separator: "\n")
    }

    /// The errors sorted by source (in the order given; unknown files after known ones, by name),
    /// then line, then column, with exact duplicates removed. Sorting is stable otherwise.
    func sorted(sourceOrder: [String]) -> ModelErrors {
        var rank: [String: Int] = [:]
        for (index, name) in sourceOrder.enumerated() where rank[name] == nil { rank[name] = index }
        func key(_ error: ModelError) -> (Int, String, Int, Int) {
            guard let location = error.location else { return (Int.max, "", 0, 0) }
            return (rank[location.file] ?? Int.max - 1, location.file, location.line, location.column)
        }
        var seen = Set<ModelError>()
        let unique = errors.filter { seen.insert($0).inserted }
        let sorted = unique.enumerated().sorted { a, b in
            let (ka, kb) = (key(a.element), key(b.element))
            if ka != kb { return ka < kb }
            return a.offset < b.offset
        }
        return ModelErrors(sorted.map(\.element))
    }
}
