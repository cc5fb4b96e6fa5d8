import GRDB

extension ResultsDatabase {
    /// The schema, as named migrations applied in order. A migration, once released, is never
    /// edited: a change of schema is a new migration ("v2", ...). Column names are written out
    /// here rather than taken from the records, so that a later change to a record cannot
    /// silently change what an old migration did; the records' `CodingKeys` must match them,
    /// which the round-trip test checks.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "experiments") { t in
                t.primaryKey("name", .text)
                t.column("question", .text).notNull()
                t.column("experiment_file", .text).notNull()
                t.column("experiment_sha256", .text).notNull()
                t.column("model_file", .text).notNull()
                t.column("pricing_file", .text)
                t.column("configurations", .text).notNull()
                t.column("variants", .text).notNull()
                t.column("users", .text).notNull()
                t.column("slo_p99_ms", .double).notNull()
                t.column("slo_error_rate", .double).notNull()
                t.column("warm_up_s", .double).notNull()
                t.column("duration_s", .double).notNull()
                t.column("start_hour", .double)
            }
            try db.create(table: "runs") { t in
                t.column("experiment", .text).notNull().references("experiments", onDelete: .cascade)
                t.column("configuration", .text).notNull()
                t.column("variant", .text).notNull()
                t.column("users", .integer).notNull()
                t.column("seed", .integer).notNull()
                t.column("replication", .integer).notNull()
                t.primaryKey(RunKey.columnNames)
                t.column("active_users", .integer).notNull()
                t.column("model_file", .text).notNull()
                t.column("model_sha256", .text).notNull()
                t.column("pricing_file", .text).notNull()
                t.column("pricing_sha256", .text).notNull()
                t.column("overrides", .text).notNull()
                t.column("program_version", .text).notNull()
                t.column("window_start_hour", .double).notNull()
                t.column("warm_up_s", .double).notNull()
                t.column("simulated_s", .double).notNull()
                t.column("wall_s", .double).notNull()
                t.column("events", .integer).notNull()
                t.column("requests", .integer).notNull()
                t.column("throughput_per_s", .double).notNull()
                for p in ["p50_ms", "p95_ms", "p99_ms", "mean_ms", "max_ms"] { t.column(p, .double).notNull() }
                t.column("error_rate", .double).notNull()
                t.column("errors", .integer).notNull()
                t.column("bottleneck_component", .text).notNull()
                t.column("bottleneck_reason", .text).notNull()
                t.column("bottleneck_utilization", .double).notNull()
                t.column("headroom_users", .integer)
                t.column("headroom_component", .text)
                t.column("cost_provider", .text).notNull()
                t.column("monthly_cost_usd", .double).notNull()
                t.column("cost_per_1k_users_usd", .double).notNull()
                t.column("api_instances", .integer).notNull()
                t.column("api_processes", .integer).notNull()
                t.column("worker_instances", .integer).notNull()
                t.column("postgres_size", .text).notNull()
                t.column("postgres_vcpu", .double).notNull()
                t.column("replicas_per_shard", .integer).notNull()
                t.column("shards", .integer).notNull()
                t.column("pgbouncer_processes", .integer).notNull()
                t.column("capacity_limits", .text).notNull()
            }
            try createRunTable(db, "component_metrics", name: "component") { t in
                t.column("kind", .text).notNull()
                t.column("count", .integer).notNull()
                t.column("utilization", .double).notNull()
                t.column("max_utilization", .double).notNull()
                t.column("mean_queue", .double).notNull()
                t.column("mean_wait_ms", .double).notNull()
                t.column("p99_wait_ms", .double).notNull()
                t.column("throughput_per_s", .double).notNull()
                t.column("mean_in_system", .double)
                t.column("mean_response_ms", .double)
                t.column("limit_hits", .integer).notNull()
                t.column("details", .text).notNull()
            }
            try createRunTable(db, "endpoint_latency", name: "endpoint") { t in
                t.column("requests", .integer).notNull()
                t.column("errors", .integer).notNull()
                for p in ["p50_ms", "p95_ms", "p99_ms", "mean_ms", "max_ms"] { t.column(p, .double).notNull() }
            }
            try createRunTable(db, "errors", name: "kind") { t in
                t.column("description", .text).notNull()
                t.column("count", .integer).notNull()
                t.column("share_of_requests", .double).notNull()
            }
            try createRunTable(db, "cost_items", name: "item") { t in
                t.column("monthly_usd", .double).notNull()
                t.column("basis", .text).notNull()
            }
            try createRunTable(db, "cache_hit_rates", name: "cache") { t in
                t.column("location", .text).notNull()
                t.column("lookups", .integer).notNull()
                t.column("hits", .integer).notNull()
                t.column("hit_rate", .double).notNull()
                t.column("predicted_hit_rate", .double).notNull()
            }
            try createRunTable(db, "jobs", name: "job") { t in
                t.column("enqueued", .integer).notNull()
                t.column("completed", .integer).notNull()
                t.column("failed_attempts", .integer).notNull()
                t.column("dead_lettered", .integer).notNull()
                for p in ["p50_ms", "p95_ms", "p99_ms"] { t.column(p, .double).notNull() }
            }
            try createRunTable(db, "time_series", name: "t_s", type: .double, position: false) { t in
                t.column("throughput_per_s", .double).notNull()
                t.column("p99_ms", .double).notNull()
                t.column("errors", .integer).notNull()
                t.column("api_utilization", .double).notNull()
                t.column("database_active", .double).notNull()
                t.column("pool_waiting", .integer).notNull()
                t.column("job_queue_depth", .integer).notNull()
            }
        }
        migrator.registerMigration("v2") { db in
            // The run's diagnosis, typed: what kind of cause the bottleneck is, every cause in
            // order, and the endpoint behind the tail.
            try db.alter(table: "runs") { t in
                t.add(column: "bottleneck_cause", .text).notNull().defaults(to: "")
                t.add(column: "causes", .text).notNull().defaults(to: "[]")
                t.add(column: "tail_endpoint", .text)
            }
            try db.alter(table: "experiments") { t in
                t.add(column: "slo_counts_intended_429s", .boolean).notNull().defaults(to: false)
            }
        }
        // v3: which part of a grid a database's runs were made as (`sweep --shard K/N`), for `merge`.
        migrator.registerMigration("v3") { db in
            try db.create(table: "shards") { t in
                t.column("experiment", .text).notNull().references("experiments", onDelete: .cascade)
                t.column("shard_index", .integer).notNull()
                t.column("shard_count", .integer).notNull()
                t.primaryKey(["experiment", "shard_count", "shard_index"])
                t.column("program_version", .text).notNull()
                t.column("grid_runs", .integer).notNull()
                t.column("shard_runs", .integer).notNull()
                t.column("grid_cost", .double).notNull()
                t.column("shard_cost", .double).notNull()
                t.column("grid_cells", .text).notNull()
            }
        }
        // v4-component-series: each component's, cache's and endpoint's figures per time-series
        // bucket (Postgres queries/s and active backends, Redis commands, hit rates, p99 per
        // endpoint). Readers treat a database without it as having no such series
        // (``readableWithout``).
        migrator.registerMigration("v4-component-series") { db in
            try db.create(table: "component_series") { t in
                t.column("experiment", .text).notNull()
                t.column("configuration", .text).notNull()
                t.column("variant", .text).notNull()
                t.column("users", .integer).notNull()
                t.column("seed", .integer).notNull()
                t.column("replication", .integer).notNull()
                t.column("subject", .text).notNull()
                t.column("name", .text).notNull()
                t.column("metric", .text).notNull()
                t.primaryKey(RunKey.columnNames + ["subject", "name", "metric"])
                t.foreignKey(RunKey.columnNames, references: "runs", onDelete: .cascade)
                t.column("position", .integer).notNull()
                t.column("bucket_s", .double).notNull()
                t.column("bucket_values", .text).notNull()
            }
        }
        return migrator
    }

    /// Migrations that only add a table readers can do without: a database that lacks them
    /// (written by an earlier version) is still read, as having no rows there.
    static let readableWithout: Set<String> = ["v4-component-series"]

    /// A table of a run's rows: the run's six key columns (a foreign key to `runs`, deleted with
    /// it), then `name`, which with them is the primary key, then `position` (the row's order in
    /// the run) and the table's own columns.
    private static func createRunTable(_ db: Database, _ table: String, name: String, type: Database.ColumnType = .text,
                                       position: Bool = true, columns: (TableDefinition) -> Void) throws {
        try db.create(table: table) { t in
            t.column("experiment", .text).notNull()
            t.column("configuration", .text).notNull()
            t.column("variant", .text).notNull()
            t.column("users", .integer).notNull()
            t.column("seed", .integer).notNull()
            t.column("replication", .integer).notNull()
            t.column(name, type).notNull()
            if position { t.column("position", .integer).notNull() }
            t.primaryKey(RunKey.columnNames + [name])
            t.foreignKey(RunKey.columnNames, references: "runs", onDelete: .cascade)
            columns(t)
        }
    }

    /// The tables of the schema, in creation order.
    public static let tableNames = ["experiments", "runs", "component_metrics", "endpoint_latency", "errors",
                                    "cost_items", "cache_hit_rates", "jobs", "time_series", "shards", "component_series"]
}
