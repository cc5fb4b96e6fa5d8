import Foundation
import ModelSchema
import PlatformModel
import Testing

/// A pool whose answers the app's event loop reads (`database.pool.answersReadOnEventLoop`,
/// node-pg's Pool on the testbed) holds each connection until the loop has run the answer's
/// callback, its parsing CPU (`clientCpuPerQueryMs`) included; Prisma 6's engine returns it when
/// the answer arrives. Checked by Little's law on the pools: busy connections = acquisitions per
/// second x mean hold, so the hold grows by at least the client CPU of one statement per
/// acquisition, and by no more than the CPU of the longest query's statements plus the loop's
/// waits (one per round trip). Releasing on arrival, or before the CPU, fails the lower bound.
@Suite("Connections held until the event loop reads the answer")
struct AnswerReadOnLoopTests {
    static let clientCPU = 0.002

    /// Mean hold of an app pool connection (seconds) and the run's API loop wait (seconds).
    static func hold(readOnLoop: Bool) throws -> (hold: Double, acquisitions: Double, loopWait: Double) {
        let overrides = ThreadWakeUpCPUTests.alone + ["database.pool.clientCpuPerQueryMs=det:2",
                                                      "database.pool.answersReadOnEventLoop=\(readOnLoop)"]
        let r = try ThreadWakeUpCPUTests.run("phase3", seed: 8, overrides: overrides, overlays: ThreadWakeUpCPUTests.testbed, rateScale: 20)
        let pool = try #require(r.components.first { $0.kind == .connectionPool })
        let api = try #require(r.components.first { $0.kind == .apiProcess })
        let limit = try #require(pool.details[.connectionLimit])
        let busy = pool.utilization * Double(pool.count) * limit
        return (busy / pool.throughput, pool.throughput, api.meanWaitMs / 1000)
    }

    @Test func theConnectionIsHeldUntilTheLoopHasReadTheAnswer() throws {
        let off = try Self.hold(readOnLoop: false)
        let on = try Self.hold(readOnLoop: true)
        #expect(off.acquisitions > 5, "acquisitions per second \(off.acquisitions)")
        // The same seed sends the same requests: the acquisitions differ only by the window's edges.
        #expect(abs(on.acquisitions - off.acquisitions) <= 0.01 * off.acquisitions)
        let extra = on.hold - off.hold
        // Every acquisition parses at least one statement before its release (less the window's
        // edges: a connection busy across one is counted in the busy time, not the acquisitions).
        #expect(extra >= Self.clientCPU * 0.97, "extra hold \(extra * 1000) ms against one statement's \(Self.clientCPU * 1000) ms")
        // At most three statements (the longest query, loadFeatureFlags) and a loop wait for each
        // of a transaction's four round trips, with the loop's mean wait taken at four times over.
        let most = 3 * Self.clientCPU + 4 * 4 * on.loopWait
        #expect(extra <= most, "extra hold \(extra * 1000) ms against at most \(most * 1000) ms")
    }
}
