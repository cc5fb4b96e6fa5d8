/// Per-user figures of an access log, as flat arrays indexed by a dense user number (ids are
/// hashed to 64 bits and numbered in order of first appearance): memory grows with the users
/// and IPs a log holds, never with its length.
struct UserTable: Sendable {
    private(set) var index: [UInt64: Int32] = [:]
    var count: Int { ip.count }
    let mixSize: Int

    // Pass 1.
    /// The first IP the user was seen from, and whether others followed.
    var ip: [UInt64] = []
    var otherIPs: [Bool] = []
    /// Session-stream requests by hour of day (24 per user) and by mix position (mixSize per user).
    var hourCounts: [UInt32] = []
    var mixCounts: [UInt32] = []
    var requests: [UInt32] = []
    var lastArrival: [Double] = []

    // Pass 2: sessions.
    var pages: [UInt32] = []
    var sessions: [UInt32] = []
    /// Think gaps (between page views within a session): their sum and count; gaps in
    /// [delta, 2 delta) and [2 delta, 3 delta), for the think times hidden under delta.
    var thinkSum: [Double] = []
    var thinkCount: [UInt32] = []
    var nearGaps1: [UInt32] = []
    var nearGaps2: [UInt32] = []
    /// Sum over sessions of (duration + tau): the time in which a new session would be merged.
    var blindTime: [Double] = []
    /// The current session's first page (NaN: no session open).
    var sessionStart: [Double] = []
    // Pass 2: whole days.
    var day: [Int32] = []
    var dayRequests: [UInt32] = []
    var activeDays: [UInt16] = []
    var dayRequestSum: [Double] = []
    var dayRequestSquares: [Double] = []
    /// Seen on the first whole day (the day the office analysis counts users per IP on).
    var seenOnFirstDay: [Bool] = []

    init(mixSize: Int) { self.mixSize = mixSize }

    /// The user's number, adding the user on first sight.
    mutating func user(_ key: UInt64, ip ipKey: UInt64) -> Int {
        if let u = index[key] {
            let i = Int(u)
            if ip[i] != ipKey { otherIPs[i] = true }
            return i
        }
        let u = ip.count
        index[key] = Int32(u)
        ip.append(ipKey)
        otherIPs.append(false)
        hourCounts.append(contentsOf: repeatElement(0, count: 24))
        mixCounts.append(contentsOf: repeatElement(0, count: mixSize))
        requests.append(0)
        lastArrival.append(-.infinity)
        return u
    }

    func lookup(_ key: UInt64) -> Int? { index[key].map(Int.init) }

    /// Sets up the pass-2 arrays once pass 1 has numbered every user.
    mutating func startSessions() {
        let n = count
        pages = Array(repeating: 0, count: n)
        sessions = Array(repeating: 0, count: n)
        thinkSum = Array(repeating: 0, count: n)
        thinkCount = Array(repeating: 0, count: n)
        nearGaps1 = Array(repeating: 0, count: n)
        nearGaps2 = Array(repeating: 0, count: n)
        blindTime = Array(repeating: 0, count: n)
        sessionStart = Array(repeating: .nan, count: n)
        day = Array(repeating: -1, count: n)
        dayRequests = Array(repeating: 0, count: n)
        activeDays = Array(repeating: 0, count: n)
        dayRequestSum = Array(repeating: 0, count: n)
        dayRequestSquares = Array(repeating: 0, count: n)
        seenOnFirstDay = Array(repeating: false, count: n)
        lastArrival = Array(repeating: -.infinity, count: n)
    }

    /// Closes the user's current day (its requests join the per-day sums).
    mutating func closeDay(_ u: Int) {
        guard day[u] >= 0, dayRequests[u] > 0 else { return }
        let r = Double(dayRequests[u])
        activeDays[u] &+= 1
        dayRequestSum[u] += r
        dayRequestSquares[u] += r * r
        dayRequests[u] = 0
    }
}
