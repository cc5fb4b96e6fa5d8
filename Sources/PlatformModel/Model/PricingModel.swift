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

/// A mail provider's monthly plan: a fee with emails included, then overage priced per 1,000
/// emails, by volume tier where the provider publishes tiers (the month's volume so far
/// decides the tier, as Mailgun bills it), else at one rate.
public struct MailPlan: Sendable, Equatable {
    public var name: String
    public var usdPerMonth: Double
    public var includedEmails: Double
    /// The overage rate where no tier applies (past the last tier, or without tiers).
    public var overageUSDPer1000: Double
    /// Volume tiers past the included emails: emails up to `upToEmails` in the month cost `usdPer1000`.
    public var overageTiers: [(upToEmails: Double, usdPer1000: Double)] = []
    public init(name: String, usdPerMonth: Double, includedEmails: Double, overageUSDPer1000: Double) {
        self.name = name; self.usdPerMonth = usdPerMonth; self.includedEmails = includedEmails; self.overageUSDPer1000 = overageUSDPer1000
    }

    /// The month's bill for `emails` emails.
    public func monthlyUSD(emails: Double) -> Double {
        var usd = usdPerMonth
        var from = includedEmails
        for tier in overageTiers where emails > from {
            usd += (Swift.min(emails, tier.upToEmails) - from) / 1000 * tier.usdPer1000
            from = tier.upToEmails
        }
        if emails > from { usd += (emails - from) / 1000 * overageUSDPer1000 }
        return usd
    }

    public static func == (a: MailPlan, b: MailPlan) -> Bool {
        a.name == b.name && a.usdPerMonth == b.usdPerMonth && a.includedEmails == b.includedEmails
            && a.overageUSDPer1000 == b.overageUSDPer1000 && a.overageTiers.elementsEqual(b.overageTiers) { $0 == $1 }
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
