/// Error responses by kind, counted in the measured window.
///
/// Indexed by ``ErrorKind``, so adding a kind adds a count everywhere; encoded as an object
/// with one member per kind (`{"rateLimited": 12, ...}`), every kind present, zeros included.
public struct ErrorCounts: Sendable, Equatable, Hashable {
    private var counts = [Int](repeating: 0, count: ErrorKind.allCases.count)

    public init() {}

    public subscript(kind: ErrorKind) -> Int {
        get { counts[Int(kind.rawValue) - 1] }
        set { counts[Int(kind.rawValue) - 1] = newValue }
    }

    public var total: Int { counts.reduce(0, +) }

    /// Every kind with its count, in the kinds' order.
    public var byKind: [(kind: ErrorKind, count: Int)] { ErrorKind.allCases.map { ($0, self[$0]) } }

    /// 429s of both kinds.
    public var rateLimitedTotal: Int { self[.rateLimited] + self[.rateLimitedFalse] }
}

extension ErrorCounts: Codable {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        for k in ErrorKind.allCases { self[k] = try c.decodeIfPresent(Int.self, forKey: Key(stringValue: k.name)) ?? 0 }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        for k in ErrorKind.allCases { try c.encode(self[k], forKey: Key(stringValue: k.name)) }
    }
}

/// A share of requests per error kind (a cell's means over its runs), encoded like
/// ``ErrorCounts``: an object with every kind's name.
public struct ErrorShares: Sendable, Equatable, Hashable {
    private var shares = [Double](repeating: 0, count: ErrorKind.allCases.count)

    public init() {}

    public subscript(kind: ErrorKind) -> Double {
        get { shares[Int(kind.rawValue) - 1] }
        set { shares[Int(kind.rawValue) - 1] = newValue }
    }

    public var total: Double { shares.reduce(0, +) }

    /// 429s of both kinds.
    public var rateLimitedTotal: Double { self[.rateLimited] + self[.rateLimitedFalse] }

    /// Every kind with its share, in the kinds' order.
    public var byKind: [(kind: ErrorKind, share: Double)] { ErrorKind.allCases.map { ($0, self[$0]) } }
}

extension ErrorShares: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: ErrorCounts.Key.self)
        for k in ErrorKind.allCases { self[k] = try c.decodeIfPresent(Double.self, forKey: ErrorCounts.Key(stringValue: k.name)) ?? 0 }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: ErrorCounts.Key.self)
        for k in ErrorKind.allCases { try c.encode(self[k], forKey: ErrorCounts.Key(stringValue: k.name)) }
    }
}
