import ArgumentParser
import ColonyCore
import ColonySim
import Foundation

/// `colony bench core`: the consensus core alone, with no IO: how many commands one cell
/// commits per second of CPU, and how many bytes an idle replica costs.
struct CoreBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "core",
        abstract: "Committed commands per CPU second for one 7-replica cell in memory, and memory per idle replica.",
        discussion: "Build with -c release for meaningful figures. Every replica of the cell runs in this process, so the CPU time covers all 7."
    )

    @Option(help: "Commands to commit in each throughput run.")
    var commands: Int = 200_000

    @Option(help: "Idle cells to host for the memory figure.")
    var idleCells: Int = 100_000

    func validate() throws {
        guard commands >= 1_000, commands <= 100_000_000 else { throw ValidationError("--commands must be from 1000 to 100000000") }
        guard idleCells >= 1_000, idleCells <= 10_000_000 else { throw ValidationError("--idle-cells must be from 1000 to 10000000") }
    }

    func run() throws {
        print("one cell, 7 replicas, in-memory network, all replicas on this CPU:")
        for clients in [1, 16, 256] {
            let result = try throughput(clients: clients)
            print(String(
                format: "  %4d concurrent clients: %8.0f commands per CPU second  (%d commands in %d slots, %.1f per slot, %.2f CPU s)",
                clients, Double(result.commands) / result.cpuSeconds, result.commands, result.slots,
                Double(result.commands) / Double(max(result.slots, 1)), result.cpuSeconds))
        }
        let bytes = idleReplicaMemory()
        print("memory per idle replica: \(bytes) bytes of resident memory per replica, with \(idleCells) idle cells "
            + "hosted on one node (\(MemoryLayout<CellReplica>.size) bytes of it inline in the replica struct)")
    }

    private struct Throughput {
        var commands: Int
        var slots: Int
        var cpuSeconds: Double
    }

    private func throughput(clients: Int) throws -> Throughput {
        let members = (1...7).map { NodeID(UInt32($0)) }
        var cell = try InMemoryCell(members: members)
        guard let leader = cell.tickUntilLeader() else { throw ValidationError("no leader was elected") }
        var sequences = Array(repeating: UInt64(0), count: clients)
        var committed = 0
        let startSlot = cell.replicas[leader]?.appliedThrough ?? 0
        let start = cpuSeconds()
        while committed < commands {
            for client in 0..<clients {
                sequences[client] += 1
                let request = ClientRequest(
                    id: RequestID(client: ClientID(UInt64(client + 1)), sequence: sequences[client]), cell: cell.cell,
                    operation: .put(Key("k\(client % 8)"), Array("value-\(sequences[client])".utf8)))
                cell.enqueue(request, to: leader)
            }
            cell.deliverAll()
            committed += cell.replies.count
            cell.clearObservations()
        }
        let elapsed = cpuSeconds() - start
        let slots = Int((cell.replicas[leader]?.appliedThrough ?? 0) - startSlot)
        return Throughput(commands: committed, slots: slots, cpuSeconds: elapsed)
    }

    /// The growth of resident memory while one host takes on `idleCells` replicas, per replica.
    private func idleReplicaMemory() -> Int {
        let residentBefore = residentBytes()
        var host = ReplicaHost(node: NodeID(1), options: ReplicaOptions(), seed: 1)
        let members = (1...7).map { NodeID(UInt32($0)) }
        for index in 0..<idleCells {
            // The members are fixed and valid, so this cannot fail.
            guard let configuration = try? CellConfiguration(epoch: 1, members: members, startSlot: 1) else { continue }
            _ = host.createCell(CellID("tenant-\(index)"), configuration: configuration)
        }
        _ = host.tick()
        let resident = residentBytes() - residentBefore
        withExtendedLifetime(host) {}
        return resident / idleCells
    }
}

/// CPU time this process has used, in seconds.
func cpuSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// Resident memory of this process, in bytes.
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}
