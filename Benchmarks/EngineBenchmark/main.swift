import Foundation
import SimulationEngine

// Placeholder run to measure quickly; the full harness is written below.
let n = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1])! : 1_000_000
let config = SingleStationSimulation.Configuration(interarrival: .exponential(mean: 1 / 8.5), service: .exponential(mean: 1), servers: 10, customers: n)
let t0 = Date()
let r = SingleStationSimulation.run(config, streams: RandomStreams(masterSeed: 1))
let w = Date().timeIntervalSince(t0)
print("swift n=\(n) Wq=\(r.meanWait) wall=\(w) cust_per_s=\(Double(n)/w) events_per_s=\(Double(r.events)/w)")
