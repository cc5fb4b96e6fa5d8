import SimulationEngine

/// The day's active users as compact per-user arrays (ids are indices, never objects):
/// activity weight, tier and the IP each one comes from.
///
/// About 17 bytes per active user here (plus the alias table that picks session owners), so
/// ten million registered users at 15% daily activity cost some 40 MB.
public struct UserPopulation: Sendable {
    /// Daily-active users; user ids are 0..<count.
    public let count: Int
    /// Registered users (for table sizes and unauthenticated traffic).
    public let registered: Int
    /// Activity weight (mean 1): session share and data volume scale with it.
    public let weight: ContiguousArray<Float>
    public let tier: ContiguousArray<UInt8>
    /// The public IP each user's requests come from; office users share one.
    public let ip: ContiguousArray<Int32>
    /// IPs used by users (0..<userIPs); unauthenticated traffic uses userIPs..<totalIPs.
    public let userIPs: Int
    public let totalIPs: Int
    /// Picks a session's user in proportion to weight.
    public let sessionOwner: CategoricalDistribution
    /// Users behind each shared IP, for reports: (office IPs, users in offices).
    public let officeIPs: Int
    public let officeUsers: Int

    public init(traffic: TrafficModel, streams: RandomStreams) {
        let n = traffic.activeUsers
        registered = traffic.users
        count = n
        var rng = streams.stream("traffic.population")
        var w = ContiguousArray<Float>(repeating: 1, count: n)
        var raw = [Double](repeating: 1, count: n)
        var sum = 0.0
        for u in 0..<n {
            let x = Swift.max(traffic.activityWeight.sample(&rng), 1e-9)
            raw[u] = x
            sum += x
        }
        let scale = Double(n) / sum
        for u in 0..<n { w[u] = Float(raw[u] * scale) }
        weight = w
        sessionOwner = try! CategoricalDistribution(weights: raw)

        let tierPick = try! CategoricalDistribution(weights: traffic.tiers.map(\.userShare))
        var t = ContiguousArray<UInt8>(repeating: 0, count: n)
        for u in 0..<n { t[u] = UInt8(tierPick.sample(&rng)) }
        tier = t

        var ips = ContiguousArray<Int32>(repeating: 0, count: n)
        var nextIP: Int32 = 0
        var office: Int32 = -1
        var seatsLeft = 0
        var offices = 0, inOffices = 0, inLastOffice = 0
        for u in 0..<n {
            if rng.nextUniform() < traffic.officeUserFraction {
                if seatsLeft == 0 {
                    office = nextIP
                    nextIP += 1
                    offices += 1
                    seatsLeft = Swift.max(2, Int(saturating: traffic.officeSize.sample(&rng).rounded()))
                    inLastOffice = 0
                }
                ips[u] = office
                seatsLeft -= 1
                inOffices += 1
                inLastOffice += 1
            } else {
                ips[u] = nextIP
                nextIP += 1
            }
        }
        // The last office may be cut short by the end of the population; with a single user its
        // IP is shared by no one, so it counts as that user's own IP, not as an office.
        if offices > 0 && inLastOffice == 1 {
            offices -= 1
            inOffices -= 1
        }
        ip = ips
        userIPs = Int(nextIP)
        totalIPs = userIPs + Swift.max(1, Int(saturating: (Double(traffic.users) * traffic.unauthenticatedIPsPerUser).rounded()))
        officeIPs = offices
        officeUsers = inOffices
    }

    /// The shard a user's data lives on (user-id hash).
    @inlinable
    public func shard(of user: Int, shards: Int) -> Int {
        shards <= 1 ? 0 : Int(SplitMix64.mix(UInt64(user)) % UInt64(shards))
    }
}
