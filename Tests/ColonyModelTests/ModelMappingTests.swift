import Foundation
import Testing

/// `Model/MAPPING.md` maps each step of the model to the Swift code it stands for. These tests
/// keep the map true as either side changes: every model step it names is still in
/// `Model/cell.pml`, and every Swift declaration it names is still declared in the file it names.
@Suite("the map from the cell's model to the Swift code")
struct ModelMappingTests {
    /// The repository's root.
    static let root = ModelCheck.folder.deletingLastPathComponent()

    /// The references of the map: per table row, the model's names (before the first Swift
    /// file) and the Swift declarations (each after the file that declares it).
    static func references() throws -> (model: [String], swift: [(file: String, name: String)]) {
        let map = try String(contentsOf: ModelCheck.folder.appendingPathComponent("MAPPING.md"), encoding: .utf8)
        var model: [String] = []
        var swift: [(file: String, name: String)] = []
        for line in map.split(separator: "\n") where line.hasPrefix("|") && line.contains("`Sources/") {
            var file: String?
            for (index, piece) in line.split(separator: "`", omittingEmptySubsequences: false).enumerated() where index % 2 == 1 {
                let token = String(piece)
                if token.hasPrefix("Sources/") {
                    file = token
                } else if token.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
                    if let file { swift.append((file, token)) } else { model.append(token) }
                }
            }
        }
        return (model, swift)
    }

    @Test("every model step the map names is in Model/cell.pml")
    func modelSteps() throws {
        let references = try Self.references()
        #expect(references.model.count >= 10)
        let model = try String(contentsOf: ModelCheck.folder.appendingPathComponent("cell.pml"), encoding: .utf8)
        for name in references.model {
            #expect(
                model.contains("inline \(name)(") || model.contains("#define \(name)") || model.contains("defined(\(name))"),
                "MAPPING.md names \(name), which Model/cell.pml no longer has")
        }
    }

    @Test("every Swift declaration the map names is still declared in the file it names")
    func swiftDeclarations() throws {
        let references = try Self.references()
        #expect(references.swift.count >= 10)
        for (file, name) in references.swift {
            let source = try String(contentsOf: Self.root.appendingPathComponent(file), encoding: .utf8)
            let declared = ["func \(name)(", "case \(name)", "var \(name)", "let \(name)", "struct \(name)", "enum \(name)"]
                .contains { source.contains($0) }
            #expect(declared, "MAPPING.md maps a model step to \(name) in \(file), which no longer declares it")
        }
    }

    @Test("every Defect of the core is either mirrored by a mutant or named as not mirrored")
    func defectsAccountedFor() throws {
        let options = try String(
            contentsOf: Self.root.appendingPathComponent("Sources/ColonyCore/Paxos/ReplicaOptions.swift"), encoding: .utf8)
        let map = try String(contentsOf: ModelCheck.folder.appendingPathComponent("MAPPING.md"), encoding: .utf8)
        let body = try #require(options.components(separatedBy: "public enum Defect").last?.components(separatedBy: "\n}").first)
        let cases = body.split(separator: "\n").compactMap { line -> String? in
            let words = line.split(separator: " ")
            return words.first == "case" && words.count == 2 ? String(words[1]) : nil
        }
        #expect(cases.count >= 10)
        for name in cases {
            #expect(map.contains("`\(name)`"), "Defect.\(name) is neither mirrored nor named as left out in Model/MAPPING.md")
        }
    }
}
