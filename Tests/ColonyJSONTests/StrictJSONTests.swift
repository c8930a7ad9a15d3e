@testable import ColonyJSON
import Foundation
import Testing

/// A document shaped like a node's configuration: nested objects, a list of objects,
/// optional keys, a dictionary and a custom decoder.
struct Document: Decodable, Equatable {
    struct Entry: Decodable, Equatable {
        var node: UInt32
        var address: String
        var zone: String?
    }

    struct Quota: Equatable, Decodable {
        var keysMax: Int

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            keysMax = try container.decodeIfPresent(Int.self, forKey: .keysMax) ?? 10
        }

        private enum Keys: String, CodingKey {
            case keysMax
        }
    }

    var colony: String
    var node: UInt32
    var nodes: [Entry]
    var keyFile: String?
    var quota: Quota?
    var labels: [String: String]?
    var plaintext: Bool?
}

@Suite("strict JSON decoding refuses unknown keys at every level and says where")
struct StrictJSONTests {
    func decode(_ text: String) throws(StrictJSONError) -> Document {
        try StrictJSON.decode(Document.self, from: Data(text.utf8))
    }

    func failure(_ text: String) -> StrictJSONError? {
        do {
            _ = try decode(text)
            return nil
        } catch {
            return error
        }
    }

    @Test("a document with only known keys decodes as JSONDecoder would decode it")
    func knownKeys() throws {
        let text = #"{"colony": "c", "node": 1, "nodes": [{"node": 1, "address": "a:1", "zone": "z1"}], "quota": {}, "labels": {"any": "thing"}}"#
        let document = try decode(text)
        #expect(document == (try JSONDecoder().decode(Document.self, from: Data(text.utf8))))
        #expect(document.quota?.keysMax == 10)
    }

    @Test("a misspelt optional key at the top level is refused with the key it meant")
    func misspeltTopLevelKey() {
        let error = failure(#"{"colony": "c", "node": 1, "nodes": [], "keyfile": "/k"}"#)
        #expect(error?.path == "")
        #expect(error?.description == #"unknown key "keyfile" at the top level; did you mean "keyFile"?"#)
    }

    @Test("unknown keys are found in list elements and nested objects, with their JSON path")
    func nestedUnknownKeys() {
        let inList = failure(#"{"colony": "c", "node": 1, "nodes": [{"node": 1, "address": "a:1"}, {"node": 2, "adress": "b:1", "address": "b:1"}]}"#)
        #expect(inList?.problem == .unknownKey("adress", suggestion: "address", known: ["address", "node", "zone"]))
        #expect(inList?.path == "nodes[1]")
        let inObject = failure(#"{"colony": "c", "node": 1, "nodes": [], "quota": {"keyMax": 3}}"#)
        #expect(inObject?.description == #"unknown key "keyMax" in quota; did you mean "keysMax"?"#)
    }

    @Test("a key far from every known key gets no suggestion")
    func noSuggestion() {
        let error = failure(#"{"colony": "c", "node": 1, "nodes": [], "completelyDifferent": 1}"#)
        #expect(error?.description
            == #"unknown key "completelyDifferent" at the top level; the keys there are colony, keyFile, labels, node, nodes, plaintext, quota"#)
    }

    @Test("a missing key explained by a misspelt one beside it is reported as the misspelling")
    func misspeltRequiredKey() {
        let error = failure(#"{"colonny": "c", "node": 1, "nodes": []}"#)
        #expect(error?.description == #"unknown key "colonny" at the top level; did you mean "colony"?"#)
        let missing = failure(#"{"node": 1, "nodes": []}"#)
        #expect(missing?.description == #"missing key "colony" at the top level"#)
    }

    @Test("a number out of range or of the wrong kind names its path, what it should be and what it is")
    func wrongValues() {
        #expect(failure(#"{"colony": "c", "node": -3, "nodes": []}"#)?.description == "node should be a whole number from 0 to 4294967295, not -3")
        #expect(failure(#"{"colony": "c", "node": 1, "nodes": [{"node": "two", "address": "a"}]}"#)?.description
            == #"nodes[0].node should be a whole number from 0 to 4294967295, not "two""#)
        #expect(failure(#"{"colony": 7, "node": 1, "nodes": []}"#)?.description == "colony should be a string, not 7")
        #expect(failure(#"{"colony": "c", "node": 1, "nodes": {}}"#)?.description == "nodes should be a list")
        #expect(failure(#"{"colony": "c", "node": 1, "nodes": [], "plaintext": "yes"}"#)?.description
            == #"plaintext should be true or false, not "yes""#)
        #expect(failure("[1, 2]")?.description == "the top level should be a JSON object")
    }

    @Test("bytes that are not JSON say so")
    func notJSON() {
        guard case .notJSON? = failure("{colony: 1")?.problem else {
            Issue.record("not reported as invalid JSON")
            return
        }
    }

    @Test("edit distance counts insertions, deletions and substitutions")
    func editDistance() {
        func distance(_ first: String, _ second: String) -> Int {
            NearestKey.editDistance(Array(first.unicodeScalars), Array(second.unicodeScalars))
        }
        #expect(distance("adress", "address") == 1)
        #expect(distance("kitten", "sitting") == 3)
        #expect(distance("", "abc") == 3)
        #expect(distance("flaw", "lawn") == 2)
        #expect(NearestKey.nearest(to: "keyfile", among: ["colony", "keyFile"]) == "keyFile")
        #expect(NearestKey.nearest(to: "zone", among: ["nodes", "zones"]) == "zones")
    }
}

