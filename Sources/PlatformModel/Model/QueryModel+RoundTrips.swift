/// Round trips between the app and Postgres for one query.
///
/// A driver sends each statement in a round trip of its own and waits for its result before
/// the next (node-pg, and Prisma's engine, do not pipeline), and a write of several statements
/// runs in a transaction: BEGIN and COMMIT are two more. The testbed measured what this costs
/// (Notebooks/validation.md): a two-statement list paid two loopback round trips, a
/// two-statement write four, where one round trip per query was counted before.
extension QueryModel {
    /// One per statement, plus BEGIN and COMMIT for a write of several statements.
    public var roundTrips: Int { Self.roundTrips(statements: statements, write: write) }

    @inlinable
    public static func roundTrips(statements: Int, write: Bool) -> Int {
        statements + (write && statements > 1 ? 2 : 0)
    }
}
