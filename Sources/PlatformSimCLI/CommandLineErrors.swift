import ArgumentParser
import Formatting
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How every `platform-sim` command reports failure: exactly one line on stderr and a
/// non-zero exit code, never a usage dump or a stack trace.
///
/// - A usage error (unknown flag, missing or malformed value, a check in `validate()`)
///   prints `error: MESSAGE` and exits with 64 (`EX_USAGE`).
/// - Any other error thrown by `run()` prints `error: MESSAGE` and exits with 1.
/// - An error whose description already starts with a location (`FILE:LINE:COLUMN: ...`,
///   as model-file errors do) is printed as it is, so editors can jump to it.
/// - Help and version requests print as usual on stdout and exit with 0.
/// - A thrown ``ExitCode`` exits with that code and prints nothing more.
enum CommandLineErrors {
    static func main<Root: ParsableCommand>(_ root: Root.Type, arguments: [String]? = nil) -> Never {
        do {
            var command = try Root.parseAsRoot(arguments)
            try command.run()
        } catch {
            fail(root, error)
        }
        exitAfterFlushing(0)
    }

    static func fail<Root: ParsableCommand>(_ root: Root.Type, _ error: Error) -> Never {
        if let code = error as? ExitCode {
            exitAfterFlushing(code.rawValue)
        }
        let code = Root.exitCode(for: error)
        if code == .success {
            // --help, --version, help subcommand, CleanExit: ArgumentParser's own output.
            Root.exit(withError: error)
        }
        let line = errorLine(message: Root.message(for: error), fallback: Root.fullMessage(for: error))
        if !line.isEmpty {
            var stderr = StandardError()
            print(line, to: &stderr)
        }
        _ = standardOutputFailure()
        exit(code.rawValue == 0 ? 1 : code.rawValue)
    }

    /// Exits with `code` once standard output is flushed; if any write to it failed (a full
    /// disk, `/dev/full`, a closed file), says so in one line and exits with 1 instead: a
    /// command whose output was truncated must not report success.
    static func exitAfterFlushing(_ code: Int32) -> Never {
        if let reason = standardOutputFailure() {
            var stderr = StandardError()
            print("error: cannot write to standard output: \(reason)", to: &stderr)
            exit(code == 0 ? 1 : code)
        }
        exit(code)
    }

    /// Flushes standard output; the reason if that or any earlier write to it failed.
    static func standardOutputFailure() -> String? {
        StandardOutput.flush()
    }

    /// The one line to print for an error message: its first non-blank line, as it is if
    /// it starts with a location, else prefixed with `error: `.
    static func errorLine(message: String, fallback: String = "") -> String {
        var line = firstMeaningfulLine(message)
        if line.isEmpty { line = firstMeaningfulLine(fallback) }
        if line.isEmpty { return "" }
        if ErrorLine.startsWithLocation(line) { return line }
        for prefix in ["error: ", "Error: "] where line.hasPrefix(prefix) {
            line = String(line.dropFirst(prefix.count))
        }
        return "error: " + lowercasingFirstWord(line)
    }

    static func firstMeaningfulLine(_ text: String) -> String {
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters()
            if line.isEmpty || line.hasPrefix("Usage:") || line.hasPrefix("Help:") || line.hasPrefix("See '") { continue }
            return line
        }
        return ""
    }

    /// ArgumentParser writes sentences ("Unknown option '--x'"); the project's style is
    /// `error: unknown option '--x'`. Acronyms and flags are left alone.
    static func lowercasingFirstWord(_ s: String) -> String {
        guard let first = s.first, first.isUppercase else { return s }
        let second = s.dropFirst().first
        if let second, second.isUppercase || second.isNumber { return s }
        return first.lowercased() + s.dropFirst()
    }
}

/// `print(..., to: &stderr)` without Foundation: unbuffered writes to file descriptor 2.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        var bytes = Array(string.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { writeToDescriptor(2, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            bytes = bytes.dropFirst(n)
        }
    }
}

extension Substring {
    func trimmingCharacters() -> String {
        var s = self
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}

#if canImport(Glibc)
private let writeToDescriptor = Glibc.write
#elseif canImport(Darwin)
private let writeToDescriptor = Darwin.write
#endif
