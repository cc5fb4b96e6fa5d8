import Formatting

/// A problem in a file the validation reads (a trace, a population, a measurement), located
/// as `FILE:LINE:COLUMN: error: ...` so that an editor can jump to it and the command line
/// prints it as it is.
public struct ValidationFileError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int?
    public var column: Int?
    public var message: String

    public init(_ message: String, file: String, line: Int? = nil, column: Int? = nil) {
        self.message = message
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { ErrorLine.format(file: file, line: line, column: column, message: message) }
}
