import Foundation
import PlatformModel
import SimulationEngine

/// The registered users a trace's requests come from, as the testbed's seeder needs them:
/// each user's tier, activity weight (their data scales with it, as in the simulation) and IP.
///
/// The simulation keeps only the day's active users (ids 0..<active); the other registered
/// users have no traffic but do have data, at the mean weight of 1.
public struct UserTable: Sendable, Equatable {
    public struct User: Sendable, Equatable {
        public var id: Int
        public var tier: String
        public var weight: Double
        /// The IP index (``TraceRecord/ipAddress(_:)``), or -1 for an inactive user.
        public var ip: Int
        public var active: Bool
    }
    public var users: [User]

    /// The population the simulation draws for `model` at `seed` (replication 0, as traces use).
    public init(model: PlatformModel, seed: UInt64) {
        let population = UserPopulation(traffic: model.traffic, streams: RandomStreams(masterSeed: seed, replication: 0))
        let tiers = model.traffic.tiers.map(\.name)
        var list: [User] = []
        list.reserveCapacity(model.traffic.users)
        for u in 0..<population.count {
            list.append(User(id: u, tier: tiers[Int(population.tier[u])], weight: Double(population.weight[u]),
                             ip: Int(population.ip[u]), active: true))
        }
        // Inactive users: tiers in the model's shares, deterministically (the largest remainder).
        let inactive = Swift.max(0, model.traffic.users - population.count)
        let shares = model.traffic.tiers.map(\.userShare)
        let total = shares.reduce(0, +)
        var given = [Int](repeating: 0, count: tiers.count)
        for i in 0..<inactive {
            var best = 0, bestGap = -Double.infinity
            for t in tiers.indices {
                let gap = Double(i + 1) * shares[t] / total - Double(given[t])
                if gap > bestGap { best = t; bestGap = gap }
            }
            given[best] += 1
            list.append(User(id: population.count + i, tier: tiers[best], weight: 1, ip: -1, active: false))
        }
        users = list
    }

    public static let columns = ["user", "tier", "weight", "ip", "active"]

    public func csv() -> String {
        var out = "# platformsim-users 1\n" + Self.columns.joined(separator: ",") + "\n"
        for u in users {
            out += "\(u.id),\(u.tier),\(String(format: "%.6f", u.weight)),\(u.ip >= 0 ? TraceRecord.ipAddress(u.ip) : ""),\(u.active ? 1 : 0)\n"
        }
        return out
    }
}
