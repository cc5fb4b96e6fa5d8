import ArgumentParser

/// The `platform-sim` command: a discrete-event simulator for capacity planning.
@main
struct PlatformSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "platform-sim",
        abstract: "Simulates a web platform (and single queues) for capacity planning: latency, errors, bottlenecks and costs.",
        discussion: "Times are in seconds and rates per second throughout.",
        version: programVersion,
        subcommands: [Run.self, Compare.self, Capacity.self, Sweep.self, Plan.self, Merge.self, Report.self, NotebookCommand.self, Size.self,
                      SensitivityCommand.self, Validate.self, ModelCommand.self, Queue.self, Calibrate.self, Trace.self, ValidationReportCommand.self, Serve.self]
    )

    /// Runs the command line, reporting any error as one `error: ...` line on stderr
    /// (see ``CommandLineErrors``) instead of ArgumentParser's message and usage.
    static func main() {
        CommandLineErrors.main(PlatformSim.self)
    }
}
