import PlatformModel
import SimulationEngine
import Formatting

/// Monthly cost of a run's configuration: provisioned items from the sized capacity, usage
/// items from the simulated daily volumes times 30.4 days.
public enum CostModel {
    public static let daysPerMonth = 30.4
    public static let hoursPerMonth = 730.0

    public static func monthlyCost(model: PlatformModel, result: RunResult) -> CostBreakdown {
        let p = model.pricing
        let plan = result.capacity
        let usage = result.usage
        var items: [CostItem] = []
        func add(_ name: String, _ usd: Double, _ basis: String) { items.append(CostItem(name: name, monthlyUSD: usd, basis: basis)) }

        add("platform plan", p.planUSDPerMonth, "\(p.provider) plan fee")
        let api = model.api.instance
        add("API compute", Double(plan.apiInstances) * compute(api, p), "\(plan.apiInstances) x \(describe(api))")
        let pgSize = InstanceSize(name: plan.postgresSize, vcpu: plan.postgresVCPU, memoryGB: plan.postgresMemoryGB)
        let perShardGB = usage.databaseGB / Double(plan.shards)
        let volume = plan.volume
        let storage = volumeCost(volume, gb: perShardGB, p)
        let primary = compute(pgSize, p) + storage
        add("Postgres primary", primary, "\(describe(pgSize)) + \(round1(perShardGB)) GB \(volume.className) volume at \(Format.number(volume.iops)) IOPS")
        if plan.shards > 1 {
            add("shards", Double(plan.shards - 1) * primary, "\(plan.shards - 1) more primaries of the same size")
        }
        if plan.replicasPerShard > 0 {
            let n = plan.replicasPerShard * plan.shards
            add("read replicas", Double(n) * (compute(pgSize, p) + storage), "\(n) x \(describe(pgSize)) + volume")
        }
        if plan.pgbouncerProcesses > 0 {
            let n = plan.pgbouncerProcesses * plan.shards
            add("PgBouncer", Double(n) * compute(model.database.pgbouncer.instance, p), "\(n) x \(describe(model.database.pgbouncer.instance))")
        }
        add("Redis", compute(model.redis.instance, p), describe(model.redis.instance))
        if plan.workerInstances > 0 {
            add("workers", Double(plan.workerInstances) * compute(model.workers.instance, p), "\(plan.workerInstances) x \(describe(model.workers.instance))")
        }
        let emails = usage.emailsPerDay * daysPerMonth
        if emails > 0, let best = p.mailPlans.map({ (plan: $0, usd: $0.monthlyUSD(emails: emails)) }).min(by: { $0.usd < $1.usd }) {
            add("Mailgun", best.usd, "\(Int(saturating: emails.rounded())) emails on \(best.plan.name)")
        }
        let ips = model.externalServices.reduce(0) { $0 + $1.dedicatedIPs }
        if ips > 0 { add("dedicated IPs", Double(ips) * p.dedicatedIPUSDPerMonth, "\(ips) x \(p.dedicatedIPUSDPerMonth)") }
        if let llm = model.externalServices.first(where: { $0.inputTokensPerCall > 0 || $0.outputTokensPerCall > 0 }) {
            let calls = usage.llmCallsPerDay * daysPerMonth
            let usd = calls * (llm.inputTokensPerCall * p.llmUSDPerMillionInputTokens + llm.outputTokensPerCall * p.llmUSDPerMillionOutputTokens) / 1e6
            if calls > 0 { add("LLM tokens", usd, "\(Int(saturating: calls.rounded())) calls") }
        }
        if model.monitoring.sentry {
            let errors = usage.errorsPerDay * daysPerMonth
            let traces = usage.tracedRequestsPerDay * daysPerMonth
            let overage = Swift.max(0, errors - p.sentry.includedErrors) * p.sentry.overageUSDPerError
                + Swift.max(0, traces - p.sentry.includedTransactions) * p.sentry.overageUSDPerTransaction
            let usd = p.sentry.usdPerMonth + Swift.min(overage, p.sentry.maxOverageUSDPerMonth)
            add("Sentry", usd, "\(Int(saturating: errors.rounded())) errors, \(Int(saturating: traces.rounded())) traces")
        }
        if model.cdn.enabled { add("CDN", p.cdnUSDPerMonth, "flat plan") }
        let egressGB = usage.originEgressGBPerDay * daysPerMonth
        add("egress", tiered(egressGB, p.egressTiers), "\(round1(egressGB)) GB from origin")

        let total = items.reduce(0) { $0 + $1.monthlyUSD }
        return CostBreakdown(provider: p.provider, monthlyUSD: total, perThousandUsersUSD: total / Double(Swift.max(1, result.users)) * 1000, items: items)
    }

    /// Monthly price of one volume holding `gb` of data: its GB-months and the IOPS and
    /// throughput provisioned beyond what its class includes.
    public static func volumeCost(_ v: VolumeSpec, gb: Double, _ p: PricingModel) -> Double {
        guard let c = p.volumeClasses.first(where: { $0.name == v.className }) else { return 0 }
        return gb * c.usdPerGBMonth + c.monthlyPerformanceUSD(iops: v.iops, throughputMBps: v.throughputMBps)
    }

    /// Monthly price of one machine of this size.
    public static func compute(_ size: InstanceSize, _ p: PricingModel) -> Double {
        switch p.compute {
        case .linear(let perVCPU, let perGB):
            return size.vcpu * perVCPU + size.memoryGB * perGB
        case .instances(let types):
            let fitting = types.filter { $0.vcpu >= size.vcpu && $0.memoryGB >= size.memoryGB }.min { $0.usdPerHour < $1.usdPerHour }
            let chosen = fitting ?? types.max { $0.vcpu < $1.vcpu }!
            // Larger than the largest listed: buy several of the largest.
            let count = fitting == nil ? (size.vcpu / chosen.vcpu).rounded(.up) : 1
            return chosen.usdPerHour * hoursPerMonth * count
        }
    }

    static func tiered(_ gb: Double, _ tiers: [(upToGB: Double, usdPerGB: Double)]) -> Double {
        var left = gb, floor = 0.0, usd = 0.0
        for t in tiers where left > 0 {
            let span = Swift.min(left, t.upToGB - floor)
            usd += span * t.usdPerGB
            left -= span
            floor = t.upToGB
        }
        return usd
    }

    static func describe(_ s: InstanceSize) -> String { "\(round1(s.vcpu)) vCPU / \(round1(s.memoryGB)) GB" }
    static func round1(_ x: Double) -> String { Format.compact(x, 1) }
}
