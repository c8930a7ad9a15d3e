import ArgumentParser
import Foundation
import Testing
@testable import colony

/// The parts of `colony bench load` that run no process: the CPU time read from /proc, the
/// CPU per operation worked out from it, the HDR latency figures, and what it accepts.
@Suite("colony bench load: CPU per operation, /proc parsing, latency figures, arguments")
struct LoadBenchmarkTests {
    @Test("utime and stime are read after the command name, whatever that name holds")
    func statParsing() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime …
        let stat = "4242 (colony (n1) x) S 1 4242 4242 0 -1 4194560 900 0 3 0 250 150 7 9 20 0 12 0 5000 123456789 2048 18446744073709551615"
        #expect(ProcessFigures.cpuSeconds(stat: stat, ticksPerSecond: 100) == 4.0)
        #expect(ProcessFigures.cpuSeconds(stat: stat, ticksPerSecond: 1_000) == 0.4)
        #expect(ProcessFigures.cpuSeconds(stat: "4242 (colony) S 1 4242", ticksPerSecond: 100) == nil)
        #expect(ProcessFigures.cpuSeconds(stat: "no parentheses at all", ticksPerSecond: 100) == nil)
        #expect(ProcessFigures.cpuSeconds(stat: stat.replacingOccurrences(of: " 250 ", with: " -250 "), ticksPerSecond: 100) == nil)
        #expect(ProcessFigures.cpuSeconds(stat: stat, ticksPerSecond: 0) == nil)
    }

    @Test("this process's CPU time is read from /proc; a process that does not exist makes the servers' sum unknown")
    func readings() throws {
        let own = try #require(ProcessFigures.cpuSeconds(of: getpid()))
        #expect(own >= 0)
        #expect(CPUReading.now(servers: [getpid()]).servers != nil)
        #expect(CPUReading.now(servers: []).servers == 0)
        #expect(CPUReading.now(servers: [getpid(), Int32.max]).servers == nil)
    }

    @Test("CPU per operation: the seconds spent between two readings over the operations acknowledged, in microseconds")
    func costPerOperation() {
        let cost = CPUCost(
            from: CPUReading(servers: 10.0, client: 2.0), to: CPUReading(servers: 13.0, client: 2.5), operations: 10_000)
        #expect(cost.serverSeconds == 3.0 && cost.clientSeconds == 0.5)
        #expect(cost.serverMicroseconds == 300)
        #expect(cost.clientMicroseconds == 50)
        #expect(cost.totalMicroseconds == 350)

        let none = CPUCost(from: CPUReading(servers: 1, client: 1), to: CPUReading(servers: 2, client: 2), operations: 0)
        #expect(none.serverMicroseconds == nil && none.totalMicroseconds == nil)
        let unknown = CPUCost(from: CPUReading(servers: nil, client: 1), to: CPUReading(servers: 5, client: 2), operations: 100)
        #expect(unknown.serverMicroseconds == nil && unknown.clientMicroseconds == 10_000 && unknown.totalMicroseconds == nil)
        // A server replaced between the readings (its counter restarted) is not a negative cost.
        let replaced = CPUCost(from: CPUReading(servers: 9, client: 1), to: CPUReading(servers: 2, client: 2), operations: 100)
        #expect(replaced.serverSeconds == nil)
    }

    @Test("latency percentiles come from an HDR histogram, within its three significant digits")
    func percentiles() {
        let figures = LoadFigures(latencies: (1...1_000).map { UInt64($0) * 1_000_000 }, errors: 2, seconds: 4)
        #expect(figures.count == 1_000)
        #expect(figures.perSecond == 250)
        func near(_ value: UInt64, _ expected: UInt64) -> Bool { abs(Double(value) - Double(expected)) <= Double(expected) / 1_000 }
        #expect(near(figures.latency(atPercent: 50), 500_000_000))
        #expect(near(figures.latency(atPercent: 99), 990_000_000))
        #expect(near(figures.latency(atPercent: 99.9), 999_000_000))
        // A latency past the histogram's range counts, as its upper bound.
        let slow = LoadFigures(latencies: [UInt64.max], errors: 0, seconds: 1)
        #expect(slow.count == 1 && near(slow.latency(atPercent: 50), LoadFigures.latencyRange.upperBound))
    }

    @Test("a row prints writes/s, latencies and the CPU per operation of servers, client and both")
    func row() {
        let figures = LoadFigures(latencies: [1_000_000, 2_000_000], errors: 0, seconds: 1)
        let cost = CPUCost(from: CPUReading(servers: 0, client: 0), to: CPUReading(servers: 0.0006, client: 0.0002), operations: 2)
        let line = figures.line("etcd mTLS writes x1", cpu: cost)
        #expect(line.hasPrefix("etcd mTLS writes x1"))
        #expect(line.hasSuffix("300     100     400"))
        let unknown = figures.line("x", cpu: CPUCost(from: CPUReading(servers: nil, client: 0), to: CPUReading(servers: 1, client: 1), operations: 2))
        #expect(unknown.hasSuffix("?  500000       ?"))
        #expect(LoadFigures.headerWithCPU.count == line.count)
    }

    @Test("the comparison puts each Colony row beside etcd's of the same transport, operation and callers")
    func comparison() {
        func row(_ system: String, _ transport: LoadBenchmark.Transport, rate: Int, cpu: Double) -> LoadBenchmark.Row {
            LoadBenchmark.Row(
                system: system, transport: transport, isWrite: true, callers: 64,
                figures: LoadFigures(latencies: [UInt64](repeating: 2_000_000, count: rate), errors: 0, seconds: 1),
                cpu: CPUCost(from: CPUReading(servers: 0, client: 0), to: CPUReading(servers: cpu * Double(rate), client: 0), operations: UInt64(rate)))
        }
        let lines = LoadBenchmark.Row.comparison([
            row("colony", .mtls, rate: 300, cpu: 100e-6), row("etcd", .mtls, rate: 100, cpu: 200e-6), row("colony", .plaintext, rate: 10, cpu: 1e-3),
        ])
        #expect(lines == [
            "mTLS, writes, 64 callers: Colony 3.0× etcd's ops/s, CPU per op (servers and client) 0.5× etcd's, p50 2.00 ms / 2.00 ms, p99.9 2.00 ms / 2.00 ms"
        ])
    }

    @Test("it takes the transports mtls and plaintext, and refuses others")
    func transports() throws {
        #expect(throws: Never.self) { _ = try LoadBenchmark.parse(["--transports", "mtls,plaintext"]) }
        #expect(throws: Never.self) { _ = try LoadBenchmark.parse(["--transports", "plaintext"]) }
        #expect(throws: (any Error).self) { _ = try LoadBenchmark.parse(["--transports", "tls"]) }
        #expect(throws: (any Error).self) { _ = try LoadBenchmark.parse(["--transports", ""]) }
        #expect(throws: (any Error).self) { _ = try LoadBenchmark.parse(["--etcd-connections", "0"]) }
    }
}
