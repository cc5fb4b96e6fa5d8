import ArgumentParser

/// The `platform-sim` command: a discrete-event simulator for capacity planning.
@main
struct PlatformSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "platform-sim",
        abstract: "Simulates queueing systems and reports their waits, queues and utilizations.",
        discussion: "Times are in seconds and rates per second throughout.",
        version: "0.1.0",
        subcommands: [Queue.self]
    )

    /// Runs the command line, reporting any error as one `error: ...` line on stderr
    /// (see ``CommandLineErrors``) instead of ArgumentParser's message and usage.
    static func main() {
        CommandLineErrors.main(PlatformSim.self)
    }
}
