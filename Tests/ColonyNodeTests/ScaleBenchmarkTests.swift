import ArgumentParser
import Testing
@testable import colony

/// The parts of `colony bench scale` that run no process: what it accepts, how it places the
/// cells, how it reads a node's status page, and the table it prints.
@Suite("colony bench scale: arguments, placement, status and table")
struct ScaleBenchmarkTests {
    @Test("it refuses a shape no colony can take, and takes the issue's shapes")
    func validation() throws {
        func refuses(nodes: Int = 3, replicas: Int = 3, cells: Int = 1_000, idle: Double = 30, write: Double = 5, wait: Double = 600) -> Bool {
            (try? ScaleBenchmark.validate(
                nodes: nodes, replicas: replicas, cells: cells, idleSeconds: idle, writeSeconds: write, waitSeconds: wait)) == nil
        }
        #expect(!refuses())
        #expect(!refuses(nodes: 9, replicas: 7, cells: 100_000))
        #expect(!refuses(cells: 1_000_000))
        #expect(refuses(replicas: 4, cells: 10))
        #expect(refuses(nodes: 3, replicas: 5))
        #expect(refuses(nodes: 2, replicas: 1))
        #expect(refuses(nodes: 10, replicas: 3))
        #expect(refuses(cells: 0))
        #expect(refuses(cells: 1_000_001))
        #expect(refuses(idle: 0))
        #expect(refuses(write: -1))
        #expect(refuses(wait: 0))
    }

    @Test("each cell gets distinct consecutive nodes, and every node as many replicas as the others")
    func placement() {
        var held = [UInt32: Int]()
        for index in 0..<700 {
            let members = ScaleBenchmark.members(ofCell: index, nodes: 7, replicas: 3)
            #expect(Set(members).count == 3 && members == members.sorted() && members.allSatisfy { (1...7).contains($0) })
            for member in members { held[member, default: 0] += 1 }
        }
        #expect(held == [1: 300, 2: 300, 3: 300, 4: 300, 5: 300, 6: 300, 7: 300])
        #expect(ScaleBenchmark.members(ofCell: 5, nodes: 7, replicas: 3) == [1, 6, 7])
    }

    @Test("the cells a node leads are read from its status page")
    func ledCellsFromStatus() {
        let page = """
            node 2: 3 replicas, leading 2, 0 damaged, 0 deleted; 0 watches; 9 requests, 2 leader changes, 0 peer messages dropped
              scale-0: LEADER, applied 1, lag 0, epoch 1, members 1,2,3
              scale-1: leader 3, applied 1, lag 0, epoch 1, members 1,2,3
              scale: 2: LEADER, applied 4, lag 0, epoch 2, members 1,2,3
            """
        #expect(ScaleBenchmark.ledCells(inStatus: page) == ["scale-0", "scale: 2"])
    }

    @Test("the table: a column per node, then a row per colony-wide figure, with units")
    func table() {
        let node = { (id: UInt32, leaders: Int) in
            ScaleFigures.Node(
                node: id, replicas: 1_000, leaders: leaders, resting: 1_000, idleCPUPercent: 0.84, residentEmptyBytes: 20 << 20,
                residentBytes: (20 << 20) + 2_048_000, framesPerSecond: 20, messagesPerSecond: 0)
        }
        var figures = ScaleFigures(
            nodeCount: 3, replicas: 3, cells: 1_000, executable: "colony", idleSeconds: 30,
            creation: .init(
                path: "createCell", cells: 1_000, seconds: 2, failed: 0, nodesCPUPercent: [(1, 99.5), (2, 40), (3, 41)],
                clientCPUPercent: 60),
            settling: .init(seconds: 4.5, settled: true, leaders: 1_000, resting: 3_000, replicas: 3_000),
            nodes: [node(1, 400), node(2, 300), node(3, 300)],
            writes: LoadFigures(latencies: [1_000_000, 2_000_000, 3_000_000, 4_000_000], errors: 0, seconds: 2), writeCallers: 64,
            readsInFlight: 64)
        figures.failover = .init(
            node: 1, cellsLed: 400, seconds: 3.25, ledSeconds: 2.5, failed: 0, elections: 400, survivorsPeakCPUPercent: [(2, 91.2), (3, 88.7)])
        figures.restart = .init(node: 1, answeredSeconds: 1.5, leadersKnownSeconds: 2.0, cells: 1_000, servedSeconds: 2.75, failed: 3)
        #expect(figures.lines == [
            "colony bench scale: 3 nodes, 3 replicas per cell, 1,000 cells; nodes run colony",
            "figure                                                    n1          n2          n3",
            "replicas                                               1,000       1,000       1,000",
            "leading                                                  400         300         300",
            "resting                                                1,000       1,000       1,000",
            "idle CPU over 30 s, % of a core                        0.8 %       0.8 %       0.8 %",
            "RSS at an empty start                               20.0 MiB    20.0 MiB    20.0 MiB",
            "RSS settled, after the idle window                  22.0 MiB    22.0 MiB    22.0 MiB",
            "RSS per replica (settled - empty)                   2.00 KiB    2.00 KiB    2.00 KiB",
            "peer frames/s while idle                                20.0        20.0        20.0",
            "peer messages/s while idle                               0.0         0.0         0.0",
            "creation                                          500 cells/s via createCell (1,000 cells in 2.00 s); CPU meanwhile n1 100 %, n2 40 %, n3 41 %, client 60 %",
            "settling: every cell led, resting steady          settled after 4.50 s: 1,000 leaders, 3,000 of 3,000 replicas resting",
            "writes/s, 64 callers, random cells                2 writes/s over 2.00 s, 0 errors, p50 2.00 ms, p99 4.00 ms",
            "failover: n1 SIGKILLed                            every cell led again after 2.50 s; all 400 cells it led served again after 3.25 s (64 reads in flight); 400 elections (123.1/s); survivors' peak CPU n2 91 %, n3 89 %",
            "restart of n1                                     serving after 1.50 s; every replica there knew its leader after 2.00 s; 3 of its 1,000 cells NOT read within 2.75 s",
        ])
    }
}
