/// A price catalog (Railway by default, AWS as the alternative), read from `Models/pricing/`.
/// Provisioned items are priced from the sized capacity, usage items from simulated volumes.
public struct PricingModel: Sendable {
    public var provider: String
    /// Compute: either linear per vCPU and GB, or the cheapest listed instance type that fits.
    public var compute: ComputePricing
    /// Egress price per GB by volume tier: (up to GB per month, USD per GB); the last tier has no cap.
    public var egressTiers: [(upToGB: Double, usdPerGB: Double)]
    /// The volume classes for database servers, cheapest first.
    public var volumeClasses: [VolumeClass]
    /// The platform plan fee (Railway Pro seat).
    public var planUSDPerMonth: Double
    public var mailPlans: [MailPlan]
    public var dedicatedIPUSDPerMonth: Double
    public var sentry: SentryPricing
    public var cdnUSDPerMonth: Double
    public var llmUSDPerMillionInputTokens: Double
    public var llmUSDPerMillionOutputTokens: Double
    public init(provider: String, compute: ComputePricing, egressTiers: [(upToGB: Double, usdPerGB: Double)], volumeClasses: [VolumeClass],
                planUSDPerMonth: Double, mailPlans: [MailPlan], dedicatedIPUSDPerMonth: Double, sentry: SentryPricing,
                cdnUSDPerMonth: Double, llmUSDPerMillionInputTokens: Double, llmUSDPerMillionOutputTokens: Double) {
        self.provider = provider; self.compute = compute; self.egressTiers = egressTiers; self.volumeClasses = volumeClasses
        self.planUSDPerMonth = planUSDPerMonth; self.mailPlans = mailPlans; self.dedicatedIPUSDPerMonth = dedicatedIPUSDPerMonth
        self.sentry = sentry; self.cdnUSDPerMonth = cdnUSDPerMonth
        self.llmUSDPerMillionInputTokens = llmUSDPerMillionInputTokens; self.llmUSDPerMillionOutputTokens = llmUSDPerMillionOutputTokens
    }
}

public enum ComputePricing: Sendable {
    case linear(usdPerVCPUMonth: Double, usdPerGBMonth: Double)
    case instances([(name: String, vcpu: Double, memoryGB: Double, usdPerHour: Double)])
}

public struct MailPlan: Sendable, Equatable {
    public var name: String
    public var usdPerMonth: Double
    public var includedEmails: Double
    public var overageUSDPer1000: Double
    public init(name: String, usdPerMonth: Double, includedEmails: Double, overageUSDPer1000: Double) {
        self.name = name; self.usdPerMonth = usdPerMonth; self.includedEmails = includedEmails; self.overageUSDPer1000 = overageUSDPer1000
    }
}

public struct SentryPricing: Sendable, Equatable {
    public var usdPerMonth: Double
    public var includedErrors: Double
    public var overageUSDPerError: Double
    public var includedTransactions: Double
    public var overageUSDPerTransaction: Double
    /// The on-demand budget: overage stops here (Sentry drops events past it).
    public var maxOverageUSDPerMonth: Double
    public init(usdPerMonth: Double, includedErrors: Double, overageUSDPerError: Double, includedTransactions: Double,
                overageUSDPerTransaction: Double, maxOverageUSDPerMonth: Double = .infinity) {
        self.usdPerMonth = usdPerMonth; self.includedErrors = includedErrors; self.overageUSDPerError = overageUSDPerError
        self.includedTransactions = includedTransactions; self.overageUSDPerTransaction = overageUSDPerTransaction
        self.maxOverageUSDPerMonth = maxOverageUSDPerMonth
    }
}
