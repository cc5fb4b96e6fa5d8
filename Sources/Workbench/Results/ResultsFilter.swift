import ResultsStore

/// The rows of an experiment a Results page shows: every run, or those of one configuration,
/// variant or user count, as the page's query asks (`?configuration=phase3&users=1000000`).
struct ResultsFilter: Sendable, Equatable {
    var configuration: String?
    var variant: String?
    var users: Int?

    init(configuration: String? = nil, variant: String? = nil, users: Int? = nil) {
        self.configuration = configuration; self.variant = variant; self.users = users
    }

    /// The filter a page's query asks for; `query` gives a query parameter's value.
    init(query: (String) -> String?) {
        func value(_ key: String) -> String? { query(key).flatMap { $0.isEmpty ? nil : $0 } }
        configuration = value("configuration")
        variant = value("variant")
        users = value("users").flatMap { Int($0) }
    }

    func includes(_ key: RunKey) -> Bool {
        (configuration == nil || key.configuration == configuration) && (variant == nil || key.variant == variant)
            && (users == nil || key.users == users)
    }

    /// The experiment with only the runs shown, in the experiment's own order.
    func apply(_ results: ExperimentResults) -> ExperimentResults {
        ExperimentResults(experiment: results.experiment, runs: results.runs.filter { includes($0.key) })
    }

    var isEmpty: Bool { configuration == nil && variant == nil && users == nil }

    /// The query string that reproduces the filter (`?configuration=phase3`), or "".
    var query: String {
        var parts: [String] = []
        if let configuration { parts.append("configuration=" + HTML.urlComponent(configuration)) }
        if let variant { parts.append("variant=" + HTML.urlComponent(variant)) }
        if let users { parts.append("users=\(users)") }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }
}
