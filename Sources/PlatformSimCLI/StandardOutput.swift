import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard output with every write checked: the commands' `print` goes here (the function
/// below shadows the standard library's within this module), buffered, written with
/// `write(2)`, and the first failure is kept with its reason, so that a command whose output
/// was cut short (a full disk, `/dev/full`, a closed file) exits with an error naming why
/// instead of 0. Standard error is not buffered (see ``StandardError``).
enum StandardOutput {
    private struct State {
        var buffer: [UInt8] = []
        var failure: String?
    }
    private static let state = Mutex(State())
    /// Bytes kept before they are written.
    static let capacity = 1 << 16

    static func write(_ text: String) {
        state.withLock { s in
            s.buffer.append(contentsOf: text.utf8)
            if s.buffer.count >= capacity { flush(&s) }
        }
    }

    /// Writes what is buffered; returns the reason of the first failed write, if any.
    static func flush() -> String? {
        state.withLock { s in
            flush(&s)
            return s.failure
        }
    }

    private static func flush(_ s: inout State) {
        defer { s.buffer.removeAll(keepingCapacity: true) }
        guard s.failure == nil else { return }
        var start = 0
        while start < s.buffer.count {
            let n = s.buffer[start...].withUnsafeBytes { writeToDescriptor(1, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                s.failure = String(cString: strerror(errno))
                return
            }
            start += n
        }
    }
}

/// `print` for the command line: the same text as the standard library's, through ``StandardOutput``.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    var text = ""
    for (i, item) in items.enumerated() {
        if i > 0 { text += separator }
        text += String(describing: item)
    }
    text += terminator
    StandardOutput.write(text)
}

#if canImport(Glibc)
private let writeToDescriptor = Glibc.write
#elseif canImport(Darwin)
private let writeToDescriptor = Darwin.write
#endif
