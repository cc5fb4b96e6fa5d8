import SimulationEngine

/// The sessions under way: whose each is, the page views it has left and when its access token
/// expires. Sessions are integer ids into reusable arrays.
public struct SessionTable: Sendable {
    public private(set) var user = ContiguousArray<Int32>()
    /// The user's IP (a copy of the user's row, so that a page view's rows can be fetched
    /// ahead from the session alone).
    public private(set) var ip = ContiguousArray<Int32>()
    public private(set) var pagesLeft = ContiguousArray<Int32>()
    public private(set) var tokenExpiry = ContiguousArray<Double>()
    var free = ContiguousArray<Int32>()

    public init() {}

    /// Sessions under way now.
    public var open: Int { user.count - free.count }

    /// A new session of `user` with a geometric number of pages (the given mean, at least one;
    /// at most 10,000).
    public mutating func open(user u: Int32, ip address: Int32, meanPages: Double, _ rng: inout Xoshiro256StarStar) -> Int32 {
        let q = 1 / Swift.max(1, meanPages)
        var pages: Int32 = 1
        while rng.nextUniform() >= q && pages < 10_000 { pages += 1 }
        if let s = free.popLast() {
            user[Int(s)] = u
            ip[Int(s)] = address
            pagesLeft[Int(s)] = pages
            tokenExpiry[Int(s)] = -.infinity
            return s
        }
        user.append(u)
        ip.append(address)
        pagesLeft.append(pages)
        tokenExpiry.append(-.infinity)
        return Int32(user.count - 1)
    }

    /// Whether the session's access token has expired at `now`; if so it is refreshed for
    /// `lifetime` (the caller sends the refresh request).
    @inline(__always)
    public mutating func refreshToken(_ s: Int32, at now: Double, lifetime: Double) -> Bool {
        guard now >= tokenExpiry[Int(s)] else { return false }
        tokenExpiry[Int(s)] = now + lifetime
        return true
    }

    /// One page view done; whether the session has more.
    @inline(__always)
    public mutating func viewed(_ s: Int32) -> Bool {
        pagesLeft[Int(s)] -= 1
        return pagesLeft[Int(s)] > 0
    }

    public mutating func close(_ s: Int32) { free.append(s) }
}
