import SimulationEngine

/// The network between the users and the platform: where a client is, its round trip to the
/// nearest point of presence and on to the origin region, its bandwidth, and whether a
/// request opens a new connection. Latency is measured where the user sees it, for every path
/// alike: a response from the CDN's edge and one from the origin both count the client's round
/// trips and the payload's transfer.
///
/// Clients are a pool of 65,536 profiles drawn once per run; a user (or an anonymous visitor's
/// IP) always maps to the same profile, so a user's network is stable across their requests
/// and configurations (common random numbers) at no memory per user.
public struct ClientNetwork: Sendable {
    /// One client's path, in seconds and bytes per second.
    @usableFromInline struct Profile: Sendable {
        @usableFromInline var lastMile: Float
        @usableFromInline var toOrigin: Float
        @usableFromInline var bytesPerSecond: Float
    }

    @usableFromInline let profiles: ContiguousArray<Profile>
    let newConnectionShare: Double
    let handshakeRoundTrips: Double

    public static let poolSize = 65_536

    public init(model: NetworkModel, _ rng: inout Xoshiro256StarStar) {
        newConnectionShare = model.newConnectionShare
        handshakeRoundTrips = Double(model.handshakeRoundTrips)
        guard !model.regions.isEmpty, let pick = try? CategoricalDistribution(weights: model.regions.map(\.share)) else {
            profiles = [Profile(lastMile: 0, toOrigin: 0, bytesPerSecond: .infinity)]
            return
        }
        var pool = ContiguousArray<Profile>()
        pool.reserveCapacity(Self.poolSize)
        for _ in 0..<Self.poolSize {
            let r = model.regions[pick.sample(&rng)]
            let bandwidth = model.bandwidthBytesPerSecond.sample(&rng)
            pool.append(Profile(lastMile: Float(r.lastMileRTT.sample(&rng)), toOrigin: Float(r.toOriginRTT.sample(&rng)),
                                bytesPerSecond: Float(Swift.max(1, bandwidth))))
        }
        profiles = pool
    }

    /// The profile of a user (`id >= 0`) or of an anonymous visitor's IP (`id < 0`: its IP).
    @inline(__always)
    func profile(user: Int32, ip: Int32) -> Profile {
        let key = user >= 0 ? UInt64(UInt32(bitPattern: user)) : UInt64(UInt32(bitPattern: ip)) | (1 << 40)
        // SplitMix64's finaliser spreads consecutive ids over the pool.
        var z = key &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return profiles[Int(z & UInt64(profiles.count - 1))]
    }

    /// Where a response is served from, as the network sees it.
    public enum Path: Sendable {
        /// Straight to the origin: the client's handshakes and request cross the whole path.
        case origin
        /// Through a proxying edge (Cloudflare in front) to the origin: handshakes end at the
        /// edge; the edge's own connection to the origin is already open.
        case viaEdge
        /// Answered by the edge.
        case edge
    }

    /// Seconds the network adds to a request of a client answered with `bytes` along `path`:
    /// the round trips (one for the request, plus the handshakes on a new connection) and the
    /// payload's transfer at the client's bandwidth.
    @inline(__always)
    func time(user: Int32, ip: Int32, bytes: Double, path: Path, newConnection: Bool) -> Double {
        let p = profile(user: user, ip: ip)
        let lastMile = Double(p.lastMile), toOrigin = Double(p.toOrigin)
        let handshakes = newConnection ? handshakeRoundTrips : 0
        let transfer = bytes / Double(p.bytesPerSecond)
        switch path {
        case .origin: return (lastMile + toOrigin) * (1 + handshakes) + transfer
        case .viaEdge: return lastMile * (1 + handshakes) + toOrigin + transfer
        case .edge: return lastMile * (1 + handshakes) + transfer
        }
    }

    /// Whether a request opens a new connection (one draw per request, whatever its path).
    @inline(__always)
    func opensConnection(_ rng: inout Xoshiro256StarStar) -> Bool { rng.nextUniform() < newConnectionShare }
}
