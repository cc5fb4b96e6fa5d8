import PlatformModel

/// Scales a model's traffic to load a small platform: every arrival rate (users' sessions and
/// API clients, unauthenticated visitors, webhooks) multiplied by one factor, the users, their
/// data, the pages and calls of a session and the health probes unchanged.
///
/// A testbed seeded for a thousand users sees at most a few requests a second of their real
/// traffic; the validation needs hundreds. Scaling the rates per user (rather than adding
/// users) keeps the database the size it was seeded at, and makes each user and each office
/// IP busier, so the rate limiters bite harder as the load grows, on both sides alike.
public enum TrafficScaling {
    /// The model with its arrival rates multiplied by `factor` (> 0).
    public static func scaled(_ model: PlatformModel, by factor: Double) -> PlatformModel {
        precondition(factor > 0 && factor.isFinite, "rate scale must be positive")
        var m = model
        m.traffic.sessionsPerActiveUserPerDay *= factor
        m.traffic.apiClientRequestsPerActiveUserPerDay *= factor
        m.traffic.unauthenticatedRequestsPerUserPerDay *= factor
        m.traffic.webhooksPerUserPerDay *= factor
        return m
    }
}
