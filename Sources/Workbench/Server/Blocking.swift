import Dispatch

/// Runs blocking work (SQLite reads and writes, reading files, loading model files) on
/// Dispatch's threads instead of the server's cooperative ones, so a slow read never holds up
/// other pages.
enum Blocking {
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try work() })
            }
        }
    }
}
