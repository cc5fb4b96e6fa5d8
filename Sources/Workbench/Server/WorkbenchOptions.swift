/// What `platform-sim serve` was given: where to listen, the files it may read and write, and
/// the limits on what-ifs.
public struct WorkbenchOptions: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port (the address printed says which).
    public var port = 8080
    /// The base model file; the server reads it, the overlays and the pricing file it names.
    public var modelPath = "Models/platform.yaml"
    /// Folders of experiment files and notebooks (nil: none, and the pages say so).
    public var experimentsFolder: String? = "Experiments"
    public var notebooksFolder: String? = "Notebooks"
    /// The results database, created when missing.
    public var databasePath = "results.sqlite"
    public var limits = WorkbenchLimits()
    /// Stored with every saved run.
    public var programVersion: String

    public init(programVersion: String) { self.programVersion = programVersion }
}

/// A problem starting the workbench, printed as one line.
public struct WorkbenchError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
