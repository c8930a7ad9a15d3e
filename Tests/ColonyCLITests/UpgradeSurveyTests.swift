import ColonyControl
import ColonyCore
import Testing
@testable import colony

/// What `colony upgrade` reads of a node's metrics, and what it lets an admin do.
@Suite("colony upgrade: the survey of builds and format levels")
struct UpgradeSurveyTests {
    static func record(_ id: UInt32) -> NodeRecord {
        NodeRecord(id: id, peerAddress: "127.0.0.1:1", clientAddress: "127.0.0.1:2", zone: "z\(id)", rack: "r1")
    }

    static func node(_ id: UInt32, reads: ClosedRange<Int>, writes: Int = 1) -> UpgradeSurvey.Node {
        UpgradeSurvey.Node(record: record(id), report: .success(NodeBuildReport(version: "0.1.0", levelsRead: reads, levelWritten: writes)))
    }

    @Test("a node's metrics page gives its release, the levels it reads and the level it writes; a page without them gives nothing")
    func parsesMetrics() {
        let page = """
            # HELP colony_build_info The build.
            colony_build_info{format_levels="1-2",peer_protocol="1-2",segment_format="1-2",snapshot_format="1-3",version="0.1.0+rehearsal"} 1
            colony_format_level 2
            """
        #expect(NodeBuildReport(metrics: page) == NodeBuildReport(version: "0.1.0+rehearsal", levelsRead: 1...2, levelWritten: 2))
        #expect(NodeBuildReport(metrics: "colony_format_level 1\n") == nil)
        #expect(NodeBuildReport(metrics: #"colony_build_info{format_levels="2-1",version="x"} 1"# + "\ncolony_format_level 1") == nil)
        #expect(NodeBuildReport.range("1") == 1...1 && NodeBuildReport.range("1-2") == 1...2)
        #expect(NodeBuildReport.range("1-2-3") == nil && NodeBuildReport.range("a") == nil && NodeBuildReport.range("") == nil)
    }

    @Test("the level is raised only when every node answers and reads it, and never lowered or kept")
    func finishOnlyWhenEveryNodeReads() {
        let mixed = UpgradeSurvey(recorded: .first, nodes: [Self.node(1, reads: 1...2), Self.node(2, reads: 1...1)])
        #expect(mixed.commonLevel == 1)
        #expect(mixed.finishProblem(to: 2)?.contains("node 2 runs 0.1.0, which reads levels 1") == true)
        #expect(mixed.verdict.contains("nothing to finish"))

        let upgraded = UpgradeSurvey(recorded: .first, nodes: [Self.node(1, reads: 1...2), Self.node(2, reads: 1...2)])
        #expect(upgraded.commonLevel == 2)
        #expect(upgraded.finishProblem(to: 2) == nil)
        #expect(upgraded.finishProblem(to: 1)?.contains("never lowered") == true)
        #expect(upgraded.finishProblem(to: 3)?.contains("unknown to this build") == true)
        #expect(upgraded.verdict.contains("`colony upgrade finish` raises the colony to it"))

        let silent = UpgradeSurvey(
            recorded: .first,
            nodes: [Self.node(1, reads: 1...2), UpgradeSurvey.Node(record: Self.record(2), report: .failure(.init(reason: "no answer")))])
        #expect(silent.commonLevel == nil)
        #expect(silent.finishProblem(to: 2)?.contains("node 2: no answer") == true)

        let raised = UpgradeSurvey(recorded: .rehearsal, nodes: [Self.node(1, reads: 1...2, writes: 2), Self.node(2, reads: 1...2, writes: 1)])
        #expect(raised.verdict.contains("nodes 2 have not yet read the colony's level"))
        let stranded = UpgradeSurvey(recorded: .rehearsal, nodes: [Self.node(1, reads: 1...2, writes: 2), Self.node(2, reads: 1...1, writes: 1)])
        #expect(stranded.verdict.contains("nodes 2 run a build that cannot read the colony's level 2"), "\(stranded.verdict)")
    }
}
