import Formatting
import ModelFiles
import PlatformModel
import SimulationEngine

/// Reads the merged platform tree into a ``PlatformModel``: names resolved to indices, units
/// converted to seconds and bytes, every value range-checked.
struct PlatformReader {
    let configuration: String

    /// Names of the things steps and mixes refer to, in file order.
    struct Names {
        var endpoints: [String] = []
        var queries: [String] = []
        var caches: [String] = []
        var tables: [String] = []
        var indexes: [String] = []
        var jobs: [String] = []
        var services: [String] = []
        var tiers: [String] = []

        func index(of name: String, in list: [String], kind: String, at value: ValueReader) throws -> Int {
            if let i = list.firstIndex(of: name) { return i }
            throw value.error("names an unknown \(kind) '\(name)' (known: \(list.joined(separator: ", ")))")
        }
    }

    func read(_ root: ObjectReader, pricing: PricingModel) throws -> PlatformModel? {
        _ = try root.string("name")
        _ = try root.dictionary("configurations")
        _ = try root.string("pricing")
        _ = try root.ifPresent("description")?.string()
        var names = Names()
        names.endpoints = try root.dictionary("endpoints").map(\.name)
        names.jobs = try root.dictionary("jobs").map(\.name)
        names.caches = try root.dictionary("caches").map(\.name)
        names.services = try root.dictionary("externalServices").map(\.name)
        let database = try root.object("database")
        names.queries = try database.dictionary("queries").map(\.name)
        names.tables = try database.dictionary("tables").map(\.name)
        names.indexes = try database.dictionary("indexes").map(\.name)
        let traffic = try root.object("traffic")
        names.tiers = try traffic.value("tiers").probabilities().map(\.name)

        let trafficModel = root.collect { try readTraffic(traffic, names) }
        let endpoints = root.collect { try root.dictionary("endpoints").enumerated().map { i, e in try readEndpoint(e.name, i, e.value.object(), names) } }
        let jobs = root.collect { try root.dictionary("jobs").enumerated().map { i, j in try readJob(j.name, i, j.value.object(), names) } }
        let loadBalancer = root.collect { try readLoadBalancer(root.object("loadBalancer")) }
        let api = root.collect { try readAPI(root.object("api")) }
        // Steps every authenticated request runs before its endpoint's own (phase 2's hot-data
        // read): put in front of each authenticated endpoint's path, so every reader of a path
        // (the simulation, the offered load, the notebooks) sees the same steps.
        let authenticatedSteps = root.collect { try readSteps(root.object("api").value("authenticatedSteps"), names) }
        let limiters = root.collect { try readRateLimiters(root.value("rateLimiters"), names) }
        let auth = root.collect { try readAuth(root.object("auth")) }
        let redis = root.collect { try readRedis(root.object("redis")) }
        let caches = root.collect { try root.dictionary("caches").enumerated().map { i, c in try readCache(c.name, i, c.value.object()) } }
        let db = root.collect { try readDatabase(database, names, pricing: pricing) }
        let workers = root.collect { try readWorkers(root.object("workers")) }
        let services = root.collect { try root.dictionary("externalServices").enumerated().map { i, s in try readService(s.name, i, s.value.object()) } }
        let cdn = root.collect { try readCDN(root.object("cdn"), names) }
        let network = root.collect { try readNetwork(root.object("network")) }
        let monitoring = root.collect { try readMonitoring(root.object("monitoring")) }
        let faults = root.collect { try readFaults(root.object("faults"), names) }
        let idleWakeUp = root.collect { try readIdleWakeUp(root.ifPresent("idleWakeUp")) }
        guard let trafficModel, var endpoints, let jobs, let loadBalancer, let api, let limiters, let auth, let redis,
              let caches, let db, let workers, let services, let cdn, let monitoring, let faults, let authenticatedSteps,
              let network, let idleWakeUp else {
            return nil  // the errors were collected; `validate` reports them
        }
        for i in endpoints.indices where endpoints[i].authenticated && endpoints[i].middleware {
            endpoints[i].steps = authenticatedSteps + endpoints[i].steps
        }
        var model = PlatformModel(configuration: configuration, traffic: trafficModel, endpoints: endpoints, jobs: jobs,
                                  loadBalancer: loadBalancer, api: api, rateLimiters: limiters, auth: auth, redis: redis, caches: caches,
                                  database: db, workers: workers, externalServices: services, cdn: cdn, monitoring: monitoring, pricing: pricing)
        model.faults = faults
        model.network = network
        model.idleWakeUp = idleWakeUp
        if cdn.enabled {
            // Every cacheable endpoint needs a catalog entry, or the edge would not know what it serves.
            let catalogued = Set(cdn.catalog.map(\.endpoint))
            if let missing = endpoints.first(where: { $0.cdnCacheable && !catalogued.contains($0.index) }) {
                throw try root.object("cdn").error("catalog", "has no entry for the cacheable endpoint '\(missing.name)'")
            }
        }
        return model
    }

    /// The most requests a day an active user's sessions, polling and API clients may make together.
    static let maxRequestsPerActiveUserPerDay = 1_000_000.0

    // MARK: Units

    /// A distribution written in the key's unit (`scale` converts it to seconds, or 1 for a
    /// count), whose mean is at most `maxMean` in those converted units. A bad one is reported
    /// and reading goes on (with a stand-in), so the next bad value is reported too.
    static func distribution(_ o: ObjectReader, _ key: String, scale: Double, maxMean: Double, unit: String,
                             why: String) throws -> Distribution {
        o.describe(key, "a distribution" + (unit.isEmpty ? "" : " in \(unit)") + " such as exp:MEAN or lognormal:MEAN,CV (all forms: platform-sim queue --help), CV at most 100"
                   + (maxMean.isFinite ? ", mean at most \(shownNumber(maxMean / scale)) \(unit) (\(why))" : ""))
        return o.recovering(.deterministic(0)) {
            try o.parse(key) { text in
                let d = try Distribution(spec: text).scaled(by: scale)
                guard d.mean <= maxMean else {
                    throw o.error(key, "has a mean of \(shownNumber(d.mean / scale)) \(unit); at most \(shownNumber(maxMean / scale)) \(unit) (\(why))")
                }
                return d
            }
        }
    }
    static func ms(_ o: ObjectReader, _ key: String) throws -> Distribution {
        try distribution(o, key, scale: 1e-3, maxMean: DistributionBounds.stepSeconds, unit: "ms", why: "an hour: a step that takes longer is a batch job")
    }
    static func us(_ o: ObjectReader, _ key: String) throws -> Distribution {
        try distribution(o, key, scale: 1e-6, maxMean: DistributionBounds.stepSeconds, unit: "us", why: "an hour: a step that takes longer is a batch job")
    }

    static func instance(_ o: ObjectReader, name: String) throws -> InstanceSize {
        InstanceSize(name: name, vcpu: try o.double("vcpu", .vcpu), memoryGB: try o.double("memoryGB", .memoryGB))
    }

    static func scaling(_ o: ObjectReader) throws -> ScalingRule {
        enum Rule: String, CaseIterable { case horizontal, vertical, fixed }
        switch try o.enumeration("rule", as: Rule.self) {
        case .horizontal:
            let lo = try o.int("min", .instances)
            let hi = try o.int("max", Constraint.range(1...10_000).atMost(10_000, because: "ten thousand instances of one service is past any fleet this model plans for"))
            guard hi >= lo else { throw o.error("max", "must be at least min (\(lo)), got \(hi)") }
            return .horizontal(targetUtilization: try o.double("targetUtilization", .range(0.01...1)), min: lo, max: hi)
        case .vertical:
            return .vertical(targetUtilization: try o.double("targetUtilization", .range(0.01...1)))
        case .fixed:
            return .fixed(try o.int("count", .instances))
        }
    }

    // MARK: Traffic

    func readTraffic(_ t: ObjectReader, _ names: Names) throws -> TrafficModel {
        let tiers = try t.value("tiers").probabilities().map { TierModel(name: $0.name, userShare: $0.probability) }
        let weightsValue = try t.value("diurnalWeights")
        let weights = try weightsValue.list().map { try $0.double(.diurnalWeight) }
        guard weights.count == 24 else { throw weightsValue.error("must list 24 hourly weights, got \(weights.count)") }
        guard weights.contains(where: { $0 > 0 }) else { throw weightsValue.error("must have at least one positive weight") }
        func mix(_ key: String) throws -> [(endpoint: Int, weight: Double)] {
            let value = try t.value(key)
            return try value.probabilities().map { item in
                (try names.index(of: item.name, in: names.endpoints, kind: "endpoint", at: value), item.probability)
            }
        }
        func endpoint(_ key: String) throws -> Int {
            let v = try t.value(key)
            return try names.index(of: try v.string(), in: names.endpoints, kind: "endpoint", at: v)
        }
        var spike: TrafficSpike?
        let s = try t.object("spike")
        let multiplier = try s.double("multiplier", .multiplier)
        let start = try s.double("startHour", .range(0...24)) * 3600
        let duration = try s.double("durationS", .windowSeconds)
        if multiplier != 1 && duration > 0 { spike = TrafficSpike(multiplier: multiplier, start: start, duration: duration) }
        let r = try t.object("retries")
        let retries = RetryPolicy(maxRetries: try r.int("maxRetries", .range(0...100)),
                                  backoff: try r.enumeration("backoff", as: RetryPolicy.Backoff.self),
                                  baseDelay: try r.double("baseDelayMs", Constraint.nonNegative.atMost(3_600_000, because: "an hour between retries")) / 1000,
                                  honourRetryAfter: try r.bool("honourRetryAfter"))
        let pages = try t.double("pageViewsPerSession", .range(1...100_000))
        var traffic = TrafficModel(
            users: try UserCount.read(t.value("users")),
            dailyActiveFraction: try t.double("dailyActiveFraction", .range(1e-6...1)),
            sessionsPerActiveUserPerDay: try t.double("sessionsPerActiveUserPerDay", .sessionsPerDay),
            pageViewsPerSession: pages,
            apiCallsPerPageView: try t.int("apiCallsPerPageView", .range(1...1000)),
            thinkTime: try Self.distribution(t, "thinkTimeS", scale: 1, maxMean: DistributionBounds.thinkSeconds, unit: "s", why: "a day between page views"),
            activityWeight: try Self.distribution(t, "activityWeight", scale: 1, maxMean: .infinity, unit: "", why: ""),
            tiers: tiers,
            diurnalWeights: weights,
            officeUserFraction: try t.double("officeUserFraction", .probability),
            officeSize: try Self.distribution(t, "officeSize", scale: 1, maxMean: DistributionBounds.officeUsers, unit: "users",
                                              why: "carrier-grade NAT puts thousands behind one address"),
            unauthenticatedRequestsPerUserPerDay: try t.double("unauthenticatedRequestsPerUserPerDay", .perUserPerDay),
            unauthenticatedIPsPerUser: try t.double("unauthenticatedIPsPerUser", .ipsPerUser),
            webhooksPerUserPerDay: try t.double("webhooksPerUserPerDay", .perUserPerDay),
            staticAssetsPerPageView: try t.double("staticAssetsPerPageView", Constraint.nonNegative.atMost(1000, because: "a thousand uncached assets per page view")),
            healthChecksPerInstancePerSecond: try t.double("healthChecksPerInstancePerS", .healthChecksPerSecond),
            authenticatedMix: try mix("authenticatedMix"),
            unauthenticatedMix: try mix("unauthenticatedMix"),
            webhookEndpoint: try endpoint("webhookEndpoint"),
            healthEndpoint: try endpoint("healthEndpoint"),
            staticEndpoint: try endpoint("staticEndpoint"),
            refreshEndpoint: try endpoint("refreshEndpoint"),
            spike: spike,
            retries: retries)
        traffic.pollingCallsPerOpenTabMinute = try t.double("pollingCallsPerOpenTabMinute",
            Constraint.nonNegative.atMost(600, because: "ten calls a second from every open tab; a badge refresh polls about once a minute"))
        traffic.pollingEndpoint = try endpoint("pollingEndpoint")
        traffic.apiClientRequestsPerActiveUserPerDay = try t.double("apiClientRequestsPerActiveUserPerDay", .perUserPerDay)
        traffic.referencePeakAPIRequestsPerSecondPer1000Users = try t.ifPresent("referencePeakApiRpsPer1000Users")?.double(
            Constraint.positive.atMost(1_000_000, because: "a figure for comparison only; GitLab's reference architecture says 20"))
        // The requests a day of an active user follow from several keys, each within its own
        // bound; their product has one too.
        let perDay = traffic.requestsPerActiveUserPerDay
        guard perDay <= Self.maxRequestsPerActiveUserPerDay else {
            // Reported at the value set last (an override, then an overlay), which is most
            // likely the one just changed.
            let keys = ["sessionsPerActiveUserPerDay", "pageViewsPerSession", "apiCallsPerPageView", "pollingCallsPerOpenTabMinute",
                        "apiClientRequestsPerActiveUserPerDay"]
            let values = try keys.map { try t.value($0) }
            let base = t.location.file
            let culprit = values.first { $0.location.file.hasPrefix("--set ") } ?? values.first { $0.location.file != base } ?? values[0]
            throw culprit.error("gives \(Format.number(perDay)) requests a day per active user (sessionsPerActiveUserPerDay x pageViewsPerSession "
                + "x (apiCallsPerPageView + polling calls per page) + apiClientRequestsPerActiveUserPerDay); at most "
                + "\(Format.number(Self.maxRequestsPerActiveUserPerDay)) (more than ten a second all day is a machine, not a user)")
        }
        return traffic
    }

    // MARK: Paths

    func readSteps(_ value: ValueReader, _ names: Names) throws -> [Step] {
        let keys = ["cpuMs", "threadPoolMs", "redisCommands", "cacheLookup", "cacheFill", "cacheInvalidate", "query", "external", "enqueue", "fanOut"]
        var steps: [Step] = []
        for item in try value.list() {
            let o = try item.object()
            let present = keys.filter { o.contains($0) }
            guard present.count == 1 else {
                throw item.error(present.isEmpty ? "must be one step: one of \(keys.joined(separator: ", "))"
                                                 : "must be one step, got \(present.joined(separator: " and "))")
            }
            func name(_ key: String, _ list: [String], _ kind: String) throws -> Int {
                let v = try o.value(key)
                return try names.index(of: try v.string(), in: list, kind: kind, at: v)
            }
            switch present[0] {
            case "cpuMs":
                steps.append(.cpu(try Self.ms(o, "cpuMs"), perRow: try o.double("perRowUs", .rowMicroseconds, default: 0) * 1e-6))
            case "threadPoolMs": steps.append(.threadPool(try Self.ms(o, "threadPoolMs")))
            case "redisCommands": steps.append(.redis(commands: try o.int("redisCommands", .range(1...10_000))))
            case "cacheLookup": steps.append(.cacheLookup(cache: try name("cacheLookup", names.caches, "cache")))
            case "cacheFill": steps.append(.cacheFill(cache: try name("cacheFill", names.caches, "cache")))
            case "cacheInvalidate": steps.append(.cacheInvalidate(cache: try name("cacheInvalidate", names.caches, "cache")))
            case "query": steps.append(.query(try name("query", names.queries, "query")))
            case "external": steps.append(.external(service: try name("external", names.services, "external service")))
            case "fanOut":
                steps.append(.fanOut(job: try name("fanOut", names.jobs, "job"), rowsPerJob: try o.int("rowsPerJob", .rowsPerJob, default: 1)))
            default: steps.append(.enqueue(job: try name("enqueue", names.jobs, "job")))
            }
        }
        return steps
    }

    func readEndpoint(_ name: String, _ index: Int, _ o: ObjectReader, _ names: Names) throws -> EndpointModel {
        EndpointModel(
            name: name, index: index,
            authenticated: try o.bool("authenticated"),
            middleware: try o.bool("middleware", default: true),
            cdnCacheable: try o.bool("cdnCacheable", default: false),
            responseBytes: try o.double("responseBytes", .bytes),
            requestedLimit: o.contains("requestedLimit")
                ? try Self.distribution(o, "requestedLimit", scale: 1, maxMean: DistributionBounds.pageRows, unit: "rows",
                                        why: "a million rows in one page") : nil,
            steps: try readSteps(o.value("steps"), names))
    }

    func readJob(_ name: String, _ index: Int, _ o: ObjectReader, _ names: Names) throws -> JobModel {
        JobModel(name: name, index: index, steps: try readSteps(o.value("steps"), names),
                 maxAttempts: try o.int("maxAttempts", .range(1...100)),
                 backoffBase: try o.double("backoffBaseMs", Constraint.nonNegative.atMost(3_600_000, because: "an hour before the first retry")) / 1000)
    }

    // MARK: Components

    /// `idleWakeUp` (optional; absent, `~` or `[]`: work starts at once): a list of
    /// `{delayMs, idleMs}` points, idle times increasing, for every kind of process; or a mapping
    /// of such lists by kind (`eventLoop`, `redis`, `database`), a kind left out starting at once.
    func readIdleWakeUp(_ value: ValueReader?) throws -> IdleWakeUpModel {
        guard let value else { return .none }
        guard value.node.entries != nil else { return IdleWakeUpModel(all: try readWakeUpCurve(value)) }
        let o = try value.object()
        let curve = { (key: String) throws -> WakeUpCurve in try o.ifPresent(key).map { try self.readWakeUpCurve($0) } ?? .none }
        return IdleWakeUpModel(eventLoop: try curve("eventLoop"), redis: try curve("redis"), database: try curve("database"))
    }

    /// One kind of process's `{delayMs, idleMs}` points, idle times increasing; `valueKey`
    /// names the other figure (`cpuMs` for the loop's wake-up CPU) and `limit` bounds it.
    func readWakeUpCurve(_ value: ValueReader, valueKey: String = "delayMs",
                         limit: Constraint = Constraint.nonNegative.atMost(1_000, because: "a second to wake a core")) throws -> WakeUpCurve {
        var idle: [Double] = [], delay: [Double] = []
        for item in try value.list() {
            let o = try item.object()
            let i = try o.double("idleMs", Constraint.positive.atMost(3_600_000, because: "an hour")) / 1000
            let d = try o.double(valueKey, limit) / 1000
            if let previous = idle.last, i <= previous {
                throw o.error("idleMs", "is \(shownNumber(i * 1000)) ms, not after the point before it (\(shownNumber(previous * 1000)) ms): the idle times must increase")
            }
            idle.append(i); delay.append(d)
        }
        return WakeUpCurve(idle: idle, delay: delay)
    }

    func readLoadBalancer(_ o: ObjectReader) throws -> LoadBalancerModel {
        LoadBalancerModel(policy: try o.enumeration("policy", as: BalancingPolicy.self),
                          latency: try o.double("latencyMs", Constraint.nonNegative.atMost(60_000, because: "a minute for one proxy hop")) / 1000,
                          readinessChecks: try o.bool("readinessChecks"))
    }

    func readAPI(_ o: ObjectReader) throws -> APIModel {
        let instance = try Self.instance(o.object("instance"), name: "api")
        let processes = try o.int("processesPerInstance", .processesPerInstance)
        let scaling = try Self.scaling(o.object("scaling"))
        let threads = try o.int("threadPoolSize", .range(1...1024))  // libuv allows 1024
        let inFlight = try o.int("maxInFlightPerProcess", .range(1...10_000_000))
        let timeout = try o.double("requestTimeoutMs", Constraint.positive.atMost(86_400_000, because: "a day")) / 1000
        let framework = try Self.ms(o, "frameworkCpuMs")
        // One figure for any idle, or a list of `{cpuMs, idleMs}` points: the CPU by idle time.
        let wakeLimit = Constraint.nonNegative.atMost(1000, because: "a second of CPU to wake an idle event loop; the testbed measures well under a millisecond")
        let wakeValue = try o.value("loopWakeUpCpuMs")
        let wakeIsCurve = if case .list = wakeValue.node.content { true } else { false }
        let wakeCurve = wakeIsCurve ? try readWakeUpCurve(wakeValue, valueKey: "cpuMs", limit: wakeLimit) : WakeUpCurve.none
        let wakeUp = wakeIsCurve ? 0 : try o.double("loopWakeUpCpuMs", wakeLimit) / 1000
        let pageSize = try o.ifPresent("maxPageSize").map { try $0.int(.range(1...1_000_000)) }
        let after = try o.ifPresent("frameworkCpuShareAfterMiddleware").map { try $0.double(.range(0...1)) } ?? 0
        let autoscaling = try readAutoscaling(o.object("autoscaling"))
        var api = APIModel(instance: instance, processesPerInstance: processes, scaling: scaling, threadPoolSize: threads,
                           maxInFlightPerProcess: inFlight, requestTimeout: timeout, frameworkCPU: framework, loopWakeUpCPU: wakeUp,
                           maxPageSize: pageSize, autoscaling: autoscaling)
        api.frameworkCPUShareAfterMiddleware = after
        api.loopWakeUpCPUAfterIdle = wakeCurve
        return api
    }

    func readAutoscaling(_ o: ObjectReader) throws -> AutoscalingModel? {
        let enabled = try o.bool("enabled")
        // The autoscaler is a timer event: an interval under a second would fill the event list.
        let model = AutoscalingModel(interval: try o.double("intervalS", Constraint.range(1...86_400).atMost(86_400, because: "autoscalers look every 15 to 60 s; a day at most")),
                                     delay: try o.double("delayS", Constraint.nonNegative.atMost(86_400, because: "a day to start an instance")))
        return enabled ? model : nil
    }

    func readFaults(_ o: ObjectReader, _ names: Names) throws -> FaultModel {
        var f = FaultModel()
        func window(_ w: ObjectReader) throws -> FaultModel.Window? {
            let enabled = try w.bool("enabled")
            let window = FaultModel.Window(start: try w.double("startS", .windowSeconds), duration: try w.double("durationS", .windowSeconds))
            return enabled ? window : nil
        }
        let redis = try o.object("redisOutage")
        f.redisOutage = try window(redis)
        f.redisFailMode = try redis.enumeration("failMode", as: FaultModel.FailMode.self)
        f.redisFailureDelay = try redis.double("failureDelayMs", Constraint.nonNegative.atMost(3_600_000, because: "an hour")) / 1000
        f.replicaLoss = try window(o.object("replicaLoss"))
        f.primaryFailover = try window(o.object("primaryFailover"))
        let d = try o.object("degradedService")
        f.degradation = try window(d)
        let serviceValue = try d.value("service")
        f.degradedService = try names.index(of: try serviceValue.string(), in: names.services, kind: "external service", at: serviceValue)
        f.latencyMultiplier = try d.double("latencyMultiplier", .multiplier)
        f.degradedFailureProbability = try d.double("failureProbability", .probability)
        return f
    }

    func readRateLimiters(_ value: ValueReader, _ names: Names) throws -> [RateLimiterModel] {
        var result: [RateLimiterModel] = []
        for (name, item) in try value.dictionary() {
            let o = try item.object()
            let enabled = try o.bool("enabled")
            func endpoints(_ key: String) throws -> [Int] {
                let v = try o.value(key)
                return try v.list().map { e in try names.index(of: try e.string(), in: names.endpoints, kind: "endpoint", at: e) }
            }
            var byTier: [Int]?
            if let t = o.ifPresent("limitByTier") {
                let items = try t.dictionary()
                var limits = [Int](repeating: 0, count: names.tiers.count)
                var seen = Set<Int>()
                for (tier, limit) in items {
                    let i = try names.index(of: tier, in: names.tiers, kind: "tier", at: limit)
                    limits[i] = try limit.int(.range(1...100_000_000))
                    seen.insert(i)
                }
                guard seen.count == names.tiers.count else {
                    throw t.error("must give a limit for every tier (\(names.tiers.joined(separator: ", ")))")
                }
                byTier = limits
            }
            let model = RateLimiterModel(
                name: name, key: try o.enumeration("key", as: RateLimiterModel.Key.self),
                window: try o.double("windowMs", Constraint.range(1...31_536_000_000).atMost(31_536_000_000, because: "a year")) / 1000,
                limit: try o.int("limit", .range(1...100_000_000)), limitByTier: byTier,
                scope: try o.enumeration("scope", as: RateLimiterModel.Scope.self),
                endpoints: try endpoints("endpoints"), skip: try endpoints("skip"))
            if enabled { result.append(model) }
        }
        return result
    }

    func readAuth(_ o: ObjectReader) throws -> AuthModel {
        AuthModel(jwtVerifyCPU: try Self.ms(o, "jwtVerifyCpuMs"), sessionCheck: try o.bool("sessionCheck"),
                  tokenRotation: try o.bool("tokenRotation"),
                  // Each expiry makes a refresh request: under 10 s, refreshes would outnumber page views.
                  accessTokenLifetime: try o.double("accessTokenLifetimeS", Constraint.range(10...31_536_000).atMost(31_536_000, because: "a year")),
                  maxSessionsPerUser: try o.ifPresent("maxSessionsPerUser").map { try $0.int(.range(1...1000)) })
    }

    func readRedis(_ o: ObjectReader) throws -> RedisModel {
        var redis = RedisModel(instance: try Self.instance(o.object("instance"), name: "redis"),
                               commandTime: try Self.us(o, "commandTimeUs"), scriptTime: try Self.us(o, "scriptTimeUs"),
                               roundTrip: try Self.us(o, "roundTripUs"),
                               maxMemoryBytes: try o.double("maxMemoryMB", Constraint.positive.atMost(67_108_864, because: "64 TB, the largest instances' memory")) * 1e6,
                               bytesPerKey: try o.double("bytesPerKey", .redisValueBytes),
                               baseMemoryBytes: try o.double("baseMemoryMB", Constraint.nonNegative.atMost(67_108_864, because: "64 TB")) * 1e6)
        redis.callCPU = try Self.us(o, "callCpuUs")
        redis.wakeUpCPU = try o.double("wakeUpCpuUs", Constraint.nonNegative.atMost(1_000_000, because: "a second of CPU to wake one thread")) * 1e-6
        redis.bytesPerJob = try o.double("bytesPerJob", Constraint.nonNegative.atMost(536_870_912, because: "Redis values are at most 512 MB"))
        redis.bytesPerSession = try o.double("bytesPerSession", Constraint.nonNegative.atMost(536_870_912, because: "Redis values are at most 512 MB"))
        return redis
    }

    func readCache(_ name: String, _ index: Int, _ o: ObjectReader) throws -> CacheModel {
        var cache = CacheModel(name: name, index: index, enabled: try o.bool("enabled"),
                               location: try o.enumeration("location", as: CacheModel.Location.self),
                               ttl: try o.double("ttlS", .longSeconds), ttlJitter: try o.double("ttlJitter", .range(0...10)),
                               key: try o.enumeration("key", as: CacheModel.Key.self), coalesceMisses: try o.bool("coalesceMisses"))
        cache.entryBytes = try o.double("entryBytes", Constraint.positive.atMost(536_870_912, because: "512 MB, the largest value Redis holds; no cached response comes near it"))
        return cache
    }

    func readDatabase(_ o: ObjectReader, _ names: Names, pricing: PricingModel) throws -> DatabaseModel {
        let p = try o.object("pool")
        let pool = ConnectionPoolModel(
            connectionLimit: try p.ifPresent("connectionLimit").map { try $0.int(.range(1...100_000)) },
            hostReportedCPUs: try p.int("hostReportedCpus", .range(1...4096)),
            poolTimeout: try p.double("poolTimeoutS", Constraint.positive.atMost(86_400, because: "a day")),
            connectTime: try Self.ms(p, "connectMs"), connectTimeViaPgBouncer: try Self.ms(p, "connectViaPgBouncerMs"),
            clientCPUPerQuery: try Self.ms(p, "clientCpuPerQueryMs"), answersReadOnEventLoop: try p.bool("answersReadOnEventLoop"))
        let b = try o.object("pgbouncer")
        var bouncer = PgBouncerModel(
            enabled: try b.bool("enabled"), processes: try b.int("processes", .processesPerInstance),
            maxClientConnections: try b.int("maxClientConnections", .range(1...10_000_000)),
            defaultPoolSize: try b.int("defaultPoolSize", .range(1...100_000)),
            queryWaitTimeout: try b.double("queryWaitTimeoutS", Constraint.positive.atMost(86_400, because: "a day")),
            cpuPerStatement: try Self.us(b, "cpuPerStatementUs"),
            hopLatency: try b.double("hopLatencyUs", Constraint.nonNegative.atMost(60_000_000, because: "a minute for one hop")) * 1e-6,
            instance: try Self.instance(b.object("instance"), name: "pgbouncer"))
        bouncer.wakeUpCPU = try b.double("wakeUpCpuUs", Constraint.nonNegative.atMost(1_000_000, because: "a second of CPU to wake one thread")) * 1e-6
        let g = try o.object("postgres")
        let ladderValue = try g.value("ladder")
        let ladder = try ladderValue.list().map { item -> InstanceSize in
            let s = try item.object()
            return try Self.instance(s, name: try s.string("name"))
        }
        guard !ladder.isEmpty else { throw ladderValue.error("must list at least one size") }
        for i in 1..<ladder.count where ladder[i].vcpu < ladder[i - 1].vcpu {
            throw ladderValue.error("sizes must go from smallest to largest (\(ladder[i].name) has fewer vCPU than \(ladder[i - 1].name))")
        }
        let u = try g.object("usl")
        var postgres = PostgresModel(
            ladder: ladder, scaling: try Self.scaling(g.object("scaling")),
            maxConnections: try g.int("maxConnections", .range(1...1_000_000)),
            memoryPerConnectionBytes: try g.double("memoryPerConnectionBytes", .bytes),
            bufferCache: try readBufferCache(g.object("bufferCache")),
            networkRoundTrip: try g.double("networkRoundTripMs", Constraint.nonNegative.atMost(60_000, because: "a minute for one round trip")) / 1000,
            sequentialRowCPU: try g.double("sequentialRowUs", .rowMicroseconds) * 1e-6,
            heapRowCPU: try g.double("heapRowUs", .rowMicroseconds) * 1e-6,
            indexOnlyRowCPU: try g.double("indexOnlyRowUs", .rowMicroseconds) * 1e-6,
            usl: USLModel(alpha: try u.double("alpha", .range(0...1)), beta: try u.double("beta", .range(0...1)),
                          measuredVCPU: try u.double("measuredVcpu", .vcpu)),
            storagePerRowOverheadBytes: try g.double("storagePerRowOverheadBytes", .bytes),
            // `~` (not measured): a commit's flush is a write I/O on the volume.
            walFlush: try g.ifPresent("walFlushMs").map { _ in try Self.ms(g, "walFlushMs") })
        postgres.wakeUpCPU = try g.double("wakeUpCpuMs", Constraint.nonNegative.atMost(1_000, because: "a second of CPU to wake one backend")) / 1000
        let c = try g.object("colocated")
        // `~`: no load generator on the host; with one, how its CPU splits between send and receipt.
        let generator = try c.ifPresent("loadGeneratorCpuPerRequestMs").map { _ in try Self.ms(c, "loadGeneratorCpuPerRequestMs") }
        let sendShare = try c.ifPresent("loadGeneratorSendShare").map { _ in try c.double("loadGeneratorSendShare", .range(0...1)) }
        if generator != nil && sendShare == nil {
            throw c.error("loadGeneratorCpuPerRequestMs", "is set but loadGeneratorSendShare is not: say what share of the load generator's CPU per request goes to sending it (the rest to receiving the response)")
        }
        postgres.colocated = ColocatedWork(redis: try c.bool("redis"), pgbouncer: try c.bool("pgbouncer"),
                                           loadGeneratorCPUPerRequest: generator, loadGeneratorSendShare: sendShare ?? 0.5)
        // `~` or absent: a load generator's loop costs nothing to wake.
        postgres.colocated.loadGeneratorWakeUpCPU = try c.ifPresent("loadGeneratorWakeUpCpuMs").map { _ in
            try c.double("loadGeneratorWakeUpCpuMs", Constraint.nonNegative.atMost(1000, because: "a second of CPU to wake one loop")) / 1000 } ?? 0
        // `~` or absent: the visibility map is not modelled (index-only scans never touch the heap).
        postgres.autovacuum = try g.ifPresent("autovacuum").map { v in
            let a = try v.object()
            return AutovacuumModel(
                vacuumThreshold: try a.double("vacuumThreshold", Constraint.nonNegative.atMost(1e12, because: "a trillion rows")),
                vacuumScaleFactor: try a.double("vacuumScaleFactor", .range(0...100)),
                insertThreshold: try a.double("insertThreshold", Constraint.nonNegative.atMost(1e12, because: "a trillion rows")),
                insertScaleFactor: try a.double("insertScaleFactor", .range(0...100)),
                pagesClearedPerUpdate: try a.double("pagesClearedPerUpdate", .range(0...2)))
        }
        let r = try o.object("replicas")
        let replicas = ReplicaModel(enabled: try r.bool("enabled"), scaling: try Self.scaling(r.object("scaling")),
                                    lag: try Self.ms(r, "lagMs"),
                                    readYourWritesWindow: try r.double("readYourWritesWindowS", Constraint.nonNegative.atMost(86_400, because: "a day")))
        let tables = try o.dictionary("tables").map { name, v -> TableModel in
            let t = try v.object()
            return TableModel(name: name, rowsPerUser: try t.double("rowsPerUser", .rowsPerUser),
                              rowBytes: try t.double("rowBytes", Constraint.positive.atMost(1e9, because: "a Postgres field holds at most 1 GB")))
        }
        let indexes = try o.dictionary("indexes").map { name, v in IndexModel(name: name, enabled: try v.bool()) }
        let queries = try o.dictionary("queries").enumerated().map { i, item -> QueryModel in
            let q = try item.value.object()
            let tableValue = try q.value("table")
            let plansValue = try q.value("plans")
            let plans = try plansValue.list().map { pv -> QueryPlan in
                let p = try pv.object()
                let index = try p.ifPresent("index").map { v in try names.index(of: try v.string(), in: names.indexes, kind: "index", at: v) }
                let rowsValue = try p.value("rows")
                let rows: RowCount
                switch try rowsValue.string() {
                case "one": rows = .one
                case "userRows": rows = .userRows
                case "page": rows = .page
                case "tableRows": rows = .tableRows
                default:
                    let n = try rowsValue.double(Constraint.nonNegative.atMost(1e12, because: "a trillion rows in one query"))
                    rows = .fixed(n)
                }
                return QueryPlan(index: index, rows: rows, access: try p.enumeration("access", as: AccessPath.self),
                                 scale: try p.double("scale", Constraint.positive.atMost(1e6, because: "a million times the plan's rows"), default: 1))
            }
            guard !plans.isEmpty else { throw plansValue.error("must list at least one plan") }
            guard plans.last!.index == nil else { throw plansValue.error("must end with a plan that needs no index (what Postgres does without one)") }
            return QueryModel(name: item.name, index: i,
                              table: try names.index(of: try tableValue.string(), in: names.tables, kind: "table", at: tableValue),
                              statements: try q.int("statements", .range(1...1000)),
                              statementCPU: try Self.ms(q, "statementCpuMs"), plans: plans,
                              write: try q.bool("write"), replicaEligible: try q.bool("replicaEligible"),
                              modifies: try q.ifPresent("modifies").map { v in try v.enumeration(RowChange.self) })
        }
        return DatabaseModel(pool: pool, pgbouncer: bouncer, postgres: postgres, replicas: replicas,
                             sharding: try readSharding(o.object("sharding")), storage: try readStorage(o.object("storage"), pricing: pricing),
                             tables: tables, indexes: indexes, queries: queries)
    }

    func readWorkers(_ o: ObjectReader) throws -> WorkerModel {
        WorkerModel(instance: try Self.instance(o.object("instance"), name: "worker"),
                    processesPerInstance: try o.int("processesPerInstance", .processesPerInstance),
                    concurrency: try o.int("concurrency", .range(1...100_000)),
                    scaling: try Self.scaling(o.object("scaling")),
                    redisCommandsToAdd: try o.int("redisCommandsToAdd", .range(0...1000)),
                    redisCommandsToFetch: try o.int("redisCommandsToFetch", .range(0...1000)),
                    redisCommandsToComplete: try o.int("redisCommandsToComplete", .range(0...1000)))
    }

    func readService(_ name: String, _ index: Int, _ o: ObjectReader) throws -> ExternalServiceModel {
        let input = try o.double("inputTokensPerCall", .tokensPerCall)
        let output = try o.double("outputTokensPerCall", .tokensPerCall)
        // The account's limit: calls per second as given, or the provider's usage tier (requests
        // and tokens per minute), whichever binds first for calls of this size.
        // Calls wait for a slot of the rate limit: under one a day, a wait outlasts any window.
        var limit = try o.ifPresent("rateLimitPerS").map { try $0.double(.callsPerSecond) }
        var tierName: String?
        if let tier = o.ifPresent("rateLimitTier") {
            guard limit == nil else { throw tier.error("gives the limit as a usage tier, so rateLimitPerS must be ~ (unset)") }
            let t = try tier.object()
            tierName = try t.string("name")
            let rpm = try t.double("requestsPerMinute", Constraint.range(6e-4...6e10).atMost(6e10, because: "a billion calls a second"))
            let tpm = try t.ifPresent("tokensPerMinute").map {
                try $0.double(Constraint.positive.atMost(1e15, because: "providers' largest tiers allow about 1e8 tokens a minute"))
            }
            var perSecond = rpm / 60
            if let tpm, input + output > 0 { perSecond = Swift.min(perSecond, tpm / 60 / (input + output)) }
            // As for rateLimitPerS: under a call a day, a wait outlasts any window.
            guard perSecond >= 1e-5 else {
                throw tier.error("allows \(Format.number(perSecond * 86_400)) calls a day at \(Format.number(input + output)) tokens a call; "
                                 + "a tier must allow at least one call a day")
            }
            limit = perSecond
        }
        var s = ExternalServiceModel(
            name: name, index: index, latency: try Self.ms(o, "latencyMs"),
            failureProbability: try o.double("failureProbability", .probability),
            rateLimitPerSecond: limit,
            timeout: try o.double("timeoutMs", Constraint.positive.atMost(86_400_000, because: "a day")) / 1000,
            inputTokensPerCall: input,
            outputTokensPerCall: output)
        s.rateLimitTier = tierName
        s.dedicatedIPs = try o.int("dedicatedIps", .range(0...10_000))
        return s
    }

    func readCDN(_ o: ObjectReader, _ names: Names) throws -> CDNModel {
        var cdn = CDNModel(enabled: try o.bool("enabled"), edgeLatency: try Self.ms(o, "edgeLatencyMs"),
                           edgeTTL: try o.double("edgeTtlS", .longSeconds),
                           pointsOfPresence: try o.int("pointsOfPresence", Constraint.range(1...1000).atMost(1000, because: "the largest CDNs have about 330 cities")))
        cdn.proxiesAllTraffic = try o.bool("proxiesAllTraffic")
        let catalog = try o.value("catalog")
        cdn.catalog = try catalog.dictionary().map { entry in
            let e = try entry.value.object()
            let endpoint = try names.index(of: entry.name, in: names.endpoints, kind: "endpoint", at: catalog)
            let table = try e.ifPresent("rowTable").map { v in try names.index(of: try v.string(), in: names.tables, kind: "table", at: v) }
            let perRow = try e.int("perRowObjects", Constraint.range(0...1000).atMost(1000, because: "a thousand cached objects per row (a page, its images and metadata)"))
            if perRow > 0 && table == nil { throw e.error("perRowObjects", "needs a rowTable to count rows in") }
            // Each point of presence keeps an expiry time per shared object: 10M x 1,000 is 40 GB,
            // which the work estimate refuses; the bound keeps the product inside an Int.
            let item = CDNCatalogEntry(endpoint: endpoint,
                                       sharedObjects: try e.int("sharedObjects", Constraint.range(0...10_000_000).atMost(10_000_000, because: "ten million files shared by every user")),
                                       sharedShare: try e.double("sharedShare", .probability),
                                       perUserObjects: try e.int("perUserObjects", Constraint.range(0...100_000).atMost(100_000, because: "a hundred thousand objects of one user's own")),
                                       perRowObjects: perRow,
                                       rowTable: table,
                                       popularityExponent: try e.double("popularityExponent", Constraint.range(0.01...10).atMost(10, because: "Zipf exponents of web traffic are near 1")))
            if item.sharedObjects + item.perUserObjects + item.perRowObjects == 0 {
                throw entry.value.error("serves no objects: give sharedObjects, perUserObjects or perRowObjects")
            }
            return item
        }
        return cdn
    }

    func readNetwork(_ o: ObjectReader) throws -> NetworkModel {
        let regions = try o.value("regions")
        let list = try regions.dictionary().map { entry -> NetworkModel.Region in
            let r = try entry.value.object()
            return NetworkModel.Region(name: entry.name, share: try r.double("share", .probability),
                                       lastMileRTT: try Self.ms(r, "lastMileRttMs"), toOriginRTT: try Self.ms(r, "toOriginRttMs"))
        }
        let total = list.reduce(0) { $0 + $1.share }
        guard list.isEmpty || abs(total - 1) < 1e-6 else { throw regions.error("shares must sum to 1, got \(total)") }
        // Mbps (10^6 bits per second) to bytes per second.
        let bandwidth = try Self.distribution(o, "bandwidthMbps", scale: 1e6 / 8, maxMean: 1e12 / 8, unit: "Mbps",
                                              why: "a terabit a second to one client")
        return NetworkModel(regions: list, bandwidthBytesPerSecond: bandwidth,
                            newConnectionShare: try o.double("newConnectionShare", .probability),
                            handshakeRoundTrips: try o.int("handshakeRoundTrips", Constraint.range(0...10).atMost(10, because: "TCP with TLS 1.2 takes 3")))
    }

    func readMonitoring(_ o: ObjectReader) throws -> MonitoringModel {
        MonitoringModel(sentry: try o.bool("sentry"), tracesSampleRate: try o.double("tracesSampleRate", .probability),
                        cpuPerTracedRequest: try Self.ms(o, "cpuPerTracedRequestMs"))
    }
}

/// Reads a pricing catalog (`Models/pricing/*.yaml`).
enum PricingReader {
    /// A catalog of zeros, for reading a model on to its own errors when its catalog has some.
    static let standIn = PricingModel(
        provider: "none", compute: .linear(usdPerVCPUMonth: 0, usdPerGBMonth: 0), egressTiers: [], volumeClasses: [],
        planUSDPerMonth: 0, mailPlans: [], dedicatedIPUSDPerMonth: 0,
        sentry: SentryPricing(usdPerMonth: 0, includedErrors: 0, overageUSDPerError: 0, includedTransactions: 0, overageUSDPerTransaction: 0),
        cdnUSDPerMonth: 0, llmUSDPerMillionInputTokens: 0, llmUSDPerMillionOutputTokens: 0)

    static func read(_ o: ObjectReader) throws -> PricingModel {
        let c = try o.object("compute")
        let compute: ComputePricing
        if c.contains("instances") {
            let list = try c.value("instances").list().map { v -> (name: String, vcpu: Double, memoryGB: Double, usdPerHour: Double) in
                let i = try v.object()
                return (try i.string("name"), try i.double("vcpu", .vcpu), try i.double("memoryGB", .memoryGB),
                        try i.double("usdPerHour", Constraint.positive.atMost(1e6, because: "a million dollars an hour for one instance")))
            }
            compute = .instances(list)
        } else {
            compute = .linear(usdPerVCPUMonth: try c.double("usdPerVcpuMonth", .usd), usdPerGBMonth: try c.double("usdPerGBMonth", .usd))
        }
        let egress = try o.value("egress").list().map { v -> (upToGB: Double, usdPerGB: Double) in
            let e = try v.object()
            return (try e.ifPresent("upToGB").map { try $0.double(Constraint.positive.atMost(1e15, because: "more than any platform could send in a month")) } ?? .infinity,
                    try e.double("usdPerGB", .usd))
        }
        let mail = try o.value("mailPlans").list().map { v -> MailPlan in
            let m = try v.object()
            var plan = MailPlan(name: try m.string("name"), usdPerMonth: try m.double("usdPerMonth", .usd),
                                includedEmails: try m.double("includedEmails", .pricedQuantity), overageUSDPer1000: try m.double("overageUsdPer1000", .usd))
            if let tiers = m.ifPresent("overageTiers") {
                var previous = plan.includedEmails
                plan.overageTiers = try tiers.list().map { item in
                    let t = try item.object()
                    let upTo = try t.ifPresent("upToEmails").map { try $0.double(Constraint.positive.atMost(1e15, because: "more than any platform could send in a month")) } ?? .infinity
                    guard upTo > previous else { throw item.error("upToEmails must grow from one tier to the next (and past the included emails), got \(Format.compact(upTo, 0))") }
                    previous = upTo
                    return (upTo, try t.double("usdPer1000", .usd))
                }
            }
            return plan
        }
        let s = try o.object("sentry")
        let l = try o.object("llm")
        return PricingModel(
            provider: try o.string("provider"), compute: compute, egressTiers: egress,
            volumeClasses: try readVolumeClasses(o.value("volumeClasses")),
            planUSDPerMonth: try o.double("planUsdPerMonth", .usd), mailPlans: mail,
            dedicatedIPUSDPerMonth: try o.double("dedicatedIpUsdPerMonth", .usd),
            sentry: SentryPricing(usdPerMonth: try s.double("usdPerMonth", .usd), includedErrors: try s.double("includedErrors", .pricedQuantity),
                                  overageUSDPerError: try s.double("overageUsdPerError", .usd),
                                  includedTransactions: try s.double("includedTransactions", .pricedQuantity),
                                  overageUSDPerTransaction: try s.double("overageUsdPerTransaction", .usd),
                                  maxOverageUSDPerMonth: try s.double("maxOverageUsdPerMonth", .usd)),
            cdnUSDPerMonth: try o.double("cdnUsdPerMonth", .usd),
            llmUSDPerMillionInputTokens: try l.double("usdPerMillionInputTokens", .usd),
            llmUSDPerMillionOutputTokens: try l.double("usdPerMillionOutputTokens", .usd))
    }
}
