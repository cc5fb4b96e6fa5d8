import ArgumentParser
import Foundation
import Synchronization
import Workbench

extension PlatformSim {
    /// `platform-sim serve`: the what-if workbench in the browser (the Workbench module).
    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serves the what-if workbench on a local web page: the model, what-ifs against a baseline, the results database and the notebooks.",
            discussion: """
                Open the address it prints. It reads only the model files, the experiment and notebook \
                folders and the results database it is given, and listens on loopback unless --host says \
                otherwise. Limits on what-ifs (how many run at once, users, window) come from --limits, \
                a YAML file (see Documentation/workbench-limits.yaml). Ctrl-C stops it.
                """)

        @Option(help: ArgumentHelp("The results database (created when missing).", valueName: "path"))
        var db = "results.sqlite"

        @Option(parsing: .unconditional, help: ArgumentHelp("Port to listen on (0: any free port).", valueName: "port"))
        var port = 8080

        @Option(help: ArgumentHelp("Address to listen on.", valueName: "host"))
        var host = "127.0.0.1"

        @Option(help: ArgumentHelp("The base model file.", valueName: "file"))
        var model = "Models/platform.yaml"

        @Option(help: ArgumentHelp("Folder of experiment files (default: Experiments, when present).", valueName: "folder"))
        var experiments: String?

        @Option(help: ArgumentHelp("Folder of notebooks (default: Notebooks, when present).", valueName: "folder"))
        var notebooks: String?

        @Option(help: ArgumentHelp("A YAML file of limits on what-ifs (default: the built-in limits).", valueName: "file"))
        var limits: String?

        func validate() throws {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535, got \(port)") }
        }

        func run() throws {
            var options = WorkbenchOptions(programVersion: programVersion)
            options.host = host
            options.port = port
            options.modelPath = model
            options.databasePath = db
            options.experimentsFolder = experiments ?? (Self.isFolder("Experiments") ? "Experiments" : nil)
            options.notebooksFolder = notebooks ?? (Self.isFolder("Notebooks") ? "Notebooks" : nil)
            if let limits { options.limits = try WorkbenchLimits.load(limits) }
            let workbench = try Workbench(options: options)
            let failure = Mutex<(any Error)?>(nil)
            let done = DispatchSemaphore(value: 0)
            let (host, port) = (host, port)
            Task {
                do {
                    try await workbench.run { address in
                        // Unbuffered, so that a program reading the output sees the address at once.
                        FileHandle.standardOutput.write(Data("PlatformSim workbench at \(address) (Ctrl-C stops it)\n".utf8))
                    }
                } catch {
                    failure.withLock { $0 = WorkbenchError("cannot serve on \(host):\(port): \(error)") }
                }
                done.signal()
            }
            done.wait()
            if let error = failure.withLock({ $0 }) { throw error }
        }

        static func isFolder(_ path: String) -> Bool {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
    }
}
