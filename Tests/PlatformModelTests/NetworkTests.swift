import Foundation
@testable import PlatformModel
import SimulationEngine
import Testing

/// Latency as the user sees it: the client's network in front of every path, and the CDN.
@Suite struct NetworkTests {
    typealias F = PlatformFixture

    /// Two regions with fixed round trips: each path's time is the formula's (to the profile's
    /// single precision, 1e-6 s), and the
    /// profile pool holds each region in its share (a binomial count: 65,536 draws).
    @Test func pathTimesAndRegionShares() {
        let model = NetworkModel(regions: [.init(name: "near", share: 0.7, lastMileRTT: .deterministic(0.010), toOriginRTT: .deterministic(0.030)),
                                           .init(name: "far", share: 0.3, lastMileRTT: .deterministic(0.040), toOriginRTT: .deterministic(0.150))],
                                 bandwidthBytesPerSecond: .deterministic(1_000_000), newConnectionShare: 0.25, handshakeRoundTrips: 2)
        var rng = Xoshiro256StarStar(seed: 7)
        let network = ClientNetwork(model: model, &rng)
        var far = 0
        for u in 0..<Int32(ClientNetwork.poolSize) {
            let origin = network.time(user: u, ip: 0, bytes: 5000, path: .origin, newConnection: false)
            let isFar = origin > 0.1
            if isFar { far += 1 }
            let (lastMile, toOrigin) = isFar ? (0.040, 0.150) : (0.010, 0.030)
            func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) < 1e-6 }
            #expect(close(origin, (lastMile + toOrigin) + 0.005))
            #expect(close(network.time(user: u, ip: 0, bytes: 5000, path: .origin, newConnection: true), (lastMile + toOrigin) * 3 + 0.005))
            #expect(close(network.time(user: u, ip: 0, bytes: 5000, path: .viaEdge, newConnection: true), lastMile * 3 + toOrigin + 0.005))
            #expect(close(network.time(user: u, ip: 0, bytes: 5000, path: .edge, newConnection: true), lastMile * 3 + 0.005))
            // The same user always maps to the same profile.
            #expect(network.time(user: u, ip: 99, bytes: 0, path: .origin, newConnection: false) == origin - 0.005)
        }
        // Users 0..<65,536 map onto the pool's profiles by a hash: the far share is the pool's,
        // 0.3 within binomial error (sd sqrt(0.3 x 0.7 / 65,536) = 0.0018; 5 sd).
        let share = Double(far) / Double(ClientNetwork.poolSize)
        #expect(abs(share - 0.3) < 5 * 0.0018, "far share \(share)")
        // New connections in their share (10,000 draws: sd 0.0043).
        var opened = 0
        for _ in 0..<10_000 where network.opensConnection(&rng) { opened += 1 }
        #expect(abs(Double(opened) / 10_000 - 0.25) < 5 * 0.0043)
    }

    /// With the same traffic, the CDN never makes a static asset slower than the origin: the
    /// edge answers from the client's nearest point of presence, the origin is farther and does
    /// the work. Checked on the whole distribution (p50, p95, p99) of `staticAsset`.
    @Test func theCDNNeverMakesAStaticAssetSlower() throws {
        let with = try F.run("phase3", users: 20_000, seed: 5, duration: 300)
        let without = try F.run("phase3", users: 20_000, seed: 5, duration: 300, overrides: ["cdn.enabled=false"])
        let a = try #require(F.endpoint("staticAsset", in: with)), b = try #require(F.endpoint("staticAsset", in: without))
        #expect(a.requests > 1000 && a.requests == b.requests || abs(a.requests - b.requests) < a.requests / 50)
        #expect(a.latencyMs.p50 < b.latencyMs.p50, "p50 \(a.latencyMs.p50) with the CDN, \(b.latencyMs.p50) without")
        #expect(a.latencyMs.p95 <= b.latencyMs.p95, "p95 \(a.latencyMs.p95) with the CDN, \(b.latencyMs.p95) without")
        #expect(a.latencyMs.p99 <= b.latencyMs.p99, "p99 \(a.latencyMs.p99) with the CDN, \(b.latencyMs.p99) without")
    }
}
