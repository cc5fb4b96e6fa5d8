import Foundation
import Formatting
import Hummingbird
import Logging
import ModelFiles
import ResultsStore
import SimulationEngine
import Synchronization

/// The what-if workbench: a local web server over the same modules as the command line.
///
/// It reads only the model files (the base file, the overlays and pricing file it names), the
/// experiment and notebook folders it was given, and reads and writes only the results
/// database it was given. Everything the pages need (style, script) is served by the program.
public struct Workbench: Sendable {
    let options: WorkbenchOptions
    let database: ResultsDatabase
    let queue: RunQueue
    let notebooks: ServedFolder?
    let experiments: ServedFolder?
    let catalogs = ModelCatalogCache()
    /// Whether the database file was there before; if not and the server never starts (its
    /// port is taken), the file it created is removed again: a failed start writes nothing.
    let databaseExisted: Bool

    var footer: PageFooter {
        PageFooter(programVersion: options.programVersion, modelPath: options.modelPath, databasePath: options.databasePath)
    }

    /// Checks everything it was given before creating anything: the model files load in every
    /// configuration, the folders exist; then opens (or creates) the results database.
    public init(options: WorkbenchOptions) throws {
        _ = try catalogs.catalog(modelPath: options.modelPath)
        func folder(_ path: String?, _ what: String) throws -> ServedFolder? {
            guard let path else { return nil }
            guard let f = ServedFolder(path) else { throw WorkbenchError(ErrorLine.format(file: path, message: "no such folder (the \(what) folder)")) }
            return f
        }
        notebooks = try folder(options.notebooksFolder, "notebooks")
        experiments = try folder(options.experimentsFolder, "experiments")
        databaseExisted = FileManager.default.fileExists(atPath: options.databasePath)
        do {
            database = try ResultsDatabase(path: options.databasePath, access: .write)
        } catch {
            throw WorkbenchError(ErrorLine.format(file: options.databasePath, message: "cannot open the results database: \(error)"))
        }
        self.options = options
        queue = RunQueue(limits: options.limits, threads: options.limits.threads(availableCores: ParallelRunner.availableCores))
    }

    /// The application, for running or for handler tests.
    public func application(onListening: (@Sendable (String) -> Void)? = nil) -> some ApplicationProtocol {
        var logger = Logger(label: "platform-sim serve")
        logger.logLevel = .warning
        let host = options.host
        return Application(
            router: router(),
            configuration: .init(address: .hostname(host, port: options.port), serverName: "platform-sim"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                let shown = host.contains(":") ? "[\(host)]" : host
                onListening?("http://\(shown):\(port)/")
            },
            logger: logger)
    }

    /// Serves until interrupted (SIGINT or SIGTERM end it gracefully).
    public func run(onListening: @escaping @Sendable (String) -> Void) async throws {
        let started = Mutex(false)
        do {
            try await application(onListening: { address in
                started.withLock { $0 = true }
                onListening(address)
            }).runService()
        } catch {
            if !databaseExisted && !started.withLock({ $0 }) {
                for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: options.databasePath + suffix) }
            }
            throw error
        }
    }
}
