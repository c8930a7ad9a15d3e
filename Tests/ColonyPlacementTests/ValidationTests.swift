import ColonyCore
import ColonyPlacement
import Foundation
import Testing

@Suite("bad input gets a clear error")
struct ValidationTests {
    let fleet = try! Fleet(shape: FleetShape(zones: 3, racksPerZone: 2, nodesPerRack: 2, colors: 2))

    @Test("a replica count that is even or out of range is refused")
    func replicaCounts() throws {
        var placer = try Placer(fleet: fleet)
        for replicas in [0, 1, 2, 4, 6, 8, 10, 11, -3] {
            let cell = CellID("bad")
            #expect(throws: PlacementError.badReplicaCount(cell: cell, replicas: replicas)) {
                try placer.place(PlacementRequest(cell: cell, replicas: replicas, color: "c1"))
            }
        }
        #expect(PlacementError.badReplicaCount(cell: CellID("x"), replicas: 6).description.contains("odd count from 3 to 9"))
    }

    @Test("a near zone that does not exist, or a color no node has, is refused and the error lists what exists")
    func unknownNames() throws {
        var placer = try Placer(fleet: fleet)
        let cell = CellID("lost")
        #expect(throws: PlacementError.unknownZone(cell: cell, zone: "z9", known: ["z1", "z2", "z3"])) {
            try placer.place(PlacementRequest(cell: cell, replicas: 3, nearZone: "z9", color: "c1"))
        }
        #expect(throws: PlacementError.unknownColor(cell: cell, color: "green", known: ["c1", "c2"])) {
            try placer.place(PlacementRequest(cell: cell, replicas: 3, color: "green"))
        }
    }

    @Test("a color with fewer active nodes than replicas is refused")
    func tooFewNodes() throws {
        var placer = try Placer(fleet: fleet)
        let cell = CellID("big")
        #expect(throws: PlacementError.tooFewNodes(cell: cell, color: "c1", active: 6, replicas: 7)) {
            try placer.place(PlacementRequest(cell: cell, replicas: 7, color: "c1"))
        }
        try placer.setState(.draining, of: NodeID(1))
        #expect(throws: PlacementError.tooFewNodes(cell: cell, color: "c1", active: 5, replicas: 7)) {
            try placer.place(PlacementRequest(cell: cell, replicas: 7, color: "c1"))
        }
        let smaller = try placer.place(PlacementRequest(cell: cell, replicas: 5, color: "c1"))
        #expect(smaller.members.count == 5)
    }

    @Test("a fleet with a duplicate id, a bad name or no nodes is refused")
    func badFleets() {
        let node = FleetNode(id: NodeID(1), zone: "z1", rack: "r1")
        #expect(throws: FleetError.duplicateNode(NodeID(1))) { try Fleet(nodes: [node, node]) }
        #expect(throws: FleetError.empty) { try Fleet(nodes: []) }
        #expect(throws: FleetError.invalidName(node: NodeID(2), kind: "rack", name: "rack 2")) {
            try Fleet(nodes: [FleetNode(id: NodeID(2), zone: "z1", rack: "rack 2")])
        }
        #expect(throws: PlacementError.badShape("zones is 0; it must be from 1 to 10000")) {
            try Fleet(shape: FleetShape(zones: 0, racksPerZone: 1, nodesPerRack: 1))
        }
        #expect(throws: PlacementError.self) { try Fleet(shape: FleetShape(zones: 100, racksPerZone: 100, nodesPerRack: 2)) }
    }

    @Test("a configuration out of range is refused")
    func badConfiguration() {
        #expect(throws: PlacementError.self) { try Placer(fleet: fleet, configuration: PlacerConfiguration(overlapMax: -1)) }
        #expect(throws: PlacementError.self) { try Placer(fleet: fleet, configuration: PlacerConfiguration(searchStepsMax: 0)) }
    }

    static func parse(_ text: String) throws(PlacementError) -> WhatIf {
        try WhatIfFile.parse(Data(text.utf8), path: "fleet.json")
    }

    @Test("a what-if file is read from a shape or from nodes, with defaults")
    func goodFiles() throws {
        let shaped = try Self.parse(#"{"zones": 3, "racksPerZone": 4, "nodesPerRack": 5, "cells": 100, "overlapMax": 2, "seed": 9}"#)
        #expect(shaped.fleet.nodes.count == 60 && shaped.cells == 100 && shaped.replicas == 7)
        #expect(shaped.configuration == PlacerConfiguration(seed: 9, overlapMax: 2))
        let listed = try Self.parse(#"{"cells": 2, "replicas": 3, "nodes": [{"id": 1, "zone": "a", "rack": "1"}, {"id": 2, "zone": "b", "rack": "1", "color": "default"}, {"id": 3, "zone": "c", "rack": "1", "state": "draining"}]}"#)
        #expect(listed.fleet.nodes.map(\.state) == [.active, .active, .draining])
    }

    @Test("a malformed what-if file is refused with what is wrong and where")
    func malformedFiles() {
        let cases: [(String, String)] = [
            ("{zones: 3", "not valid JSON"),
            ("[1, 2]", "top level should be a JSON object"),
            (#"{"zones": 3, "racksPerZone": 2, "nodesPerRack": 2}"#, "missing key \"cells\""),
            (#"{"zones": "three", "racksPerZone": 2, "nodesPerRack": 2, "cells": 5}"#, "zones should be a whole number"),
            (#"{"zone": 3, "racksPerZone": 2, "nodesPerRack": 2, "cells": 5}"#, "unknown key \"zone\""),
            (#"{"racksPerZone": 2, "nodesPerRack": 2, "cells": 5}"#, "give \"nodes\", or all of zones"),
            (#"{"zones": 3, "racksPerZone": 2, "nodesPerRack": 2, "cells": 0}"#, "0 cells"),
            (#"{"zones": 3, "racksPerZone": 2, "nodesPerRack": 2, "cells": 5, "replicas": 4}"#, "4 replicas"),
            (#"{"zones": -1, "racksPerZone": 2, "nodesPerRack": 2, "cells": 5}"#, "zones is -1"),
            (#"{"cells": 5, "nodes": [{"id": 1, "zone": "a"}]}"#, "missing key \"rack\" in nodes[0]"),
            (#"{"cells": 5, "nodes": [{"id": 1, "zone": "a", "rack": "r"}, {"id": 1, "zone": "a", "rack": "s"}]}"#, "node n1 appears twice"),
            (#"{"cells": 5, "zones": 3, "nodes": [{"id": 1, "zone": "a", "rack": "r"}]}"#, "not both"),
            (#"{"cells": 5, "nodes": [{"id": 1, "zone": "a", "rack": "r", "state": "lost"}]}"#, "nodes[0].state"),
        ]
        for (text, expected) in cases {
            do {
                _ = try Self.parse(text)
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.description.contains(expected), "\(text): \(error.description)")
                #expect(error.description.hasPrefix("fleet file fleet.json") || error.description.hasPrefix("what-if fleet"), "\(error)")
            }
        }
    }

    @Test("a failure is written node:ID, rack:ZONE/RACK or zone:ZONE, and must exist")
    func failures() throws {
        #expect(try FailureTarget(parsing: "node:12") == .node(NodeID(12)))
        #expect(try FailureTarget(parsing: "node:n12") == .node(NodeID(12)))
        #expect(try FailureTarget(parsing: "rack:z1/r2") == .rack(zone: "z1", rack: "r2"))
        #expect(try FailureTarget(parsing: "zone:z3") == .zone("z3"))
        for bad in ["node:x", "rack:z1", "rack:/r1", "zone:", "disk:3", "12"] {
            #expect(throws: PlacementError.badFailure(bad)) { try FailureTarget(parsing: bad) }
        }
        #expect(try FailureTarget.rack(zone: "z1", rack: "r2").nodes(in: fleet).count == 2)
        #expect(try FailureTarget.zone("z2").nodes(in: fleet).count == 4)
        #expect(throws: PlacementError.unknownFailureDomain("z9")) { try FailureTarget.zone("z9").nodes(in: fleet) }
        #expect(throws: PlacementError.unknownFailureDomain("n99")) { try FailureTarget.node(NodeID(99)).nodes(in: fleet) }
    }
}
