import ColonySim
import ColonyCore
import Foundation

let seed = UInt64(CommandLine.arguments.dropFirst().first ?? "1") ?? 1
var options = SimulationOptions()
if CommandLine.arguments.count > 2 { options.faults = Set(CommandLine.arguments[2].split(separator: ",").compactMap { FaultKind(rawValue: String($0)) }) }
let start = Date()
let sim = try Simulation(seed: seed, options: options)
let stats = sim.run()
print(stats)
print("wall", Date().timeIntervalSince(start))
for f in sim.faultLog { print(f.time / 1_000_000, f.description) }
print(sim.history.count)
