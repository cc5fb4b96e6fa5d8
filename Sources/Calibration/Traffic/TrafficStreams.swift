import PlatformModel

/// Which of the model's traffic streams an endpoint belongs to, from the model's own
/// definitions: the session stream's mix, the unauthenticated mix, webhooks, health checks,
/// static assets and token refreshes.
struct TrafficStreams: Sendable {
    /// Position of each endpoint in `traffic.authenticatedMix`, or -1.
    var authenticatedPosition: [Int]
    /// Position of each endpoint in `traffic.unauthenticatedMix`, or -1.
    var unauthenticatedPosition: [Int]
    var authenticatedEndpoints: [Int]
    var unauthenticatedEndpoints: [Int]
    var health: Int
    var webhook: Int
    var staticAsset: Int
    var refresh: Int
    /// Endpoints that take a page size (`requestedLimit`).
    var takesLimit: [Bool]

    init(model: PlatformModel) {
        let t = model.traffic
        let n = model.endpoints.count
        authenticatedPosition = Array(repeating: -1, count: n)
        unauthenticatedPosition = Array(repeating: -1, count: n)
        authenticatedEndpoints = t.authenticatedMix.map(\.endpoint)
        unauthenticatedEndpoints = t.unauthenticatedMix.map(\.endpoint)
        for (i, e) in authenticatedEndpoints.enumerated() { authenticatedPosition[e] = i }
        for (i, e) in unauthenticatedEndpoints.enumerated() { unauthenticatedPosition[e] = i }
        health = t.healthEndpoint
        webhook = t.webhookEndpoint
        staticAsset = t.staticEndpoint
        refresh = t.refreshEndpoint
        takesLimit = model.endpoints.map { $0.requestedLimit != nil }
    }

    /// The stream of a request to endpoint `e`, with or without a user id.
    func classify(_ e: Int, hasUser: Bool) -> TrafficStream {
        if e == health { return .health }
        if e == webhook { return .webhook }
        if e == staticAsset { return .staticAsset }
        if e == refresh { return .refresh }
        if hasUser {
            return authenticatedPosition[e] >= 0 ? .session(authenticatedPosition[e]) : .otherWithUser
        }
        if unauthenticatedPosition[e] >= 0 { return .unauthenticated(unauthenticatedPosition[e]) }
        if authenticatedPosition[e] >= 0 { return .sessionWithoutUser(authenticatedPosition[e]) }
        return .otherWithoutUser
    }
}

/// The stream a request line belongs to.
enum TrafficStream: Equatable {
    /// A session's API call (the authenticated mix), with the mix position.
    case session(Int)
    /// An endpoint of the authenticated mix logged without a user id (a login before the app knows who it is).
    case sessionWithoutUser(Int)
    case unauthenticated(Int)
    case webhook, health, staticAsset, refresh
    /// A user's request to an endpoint outside the authenticated mix.
    case otherWithUser
    case otherWithoutUser
}
