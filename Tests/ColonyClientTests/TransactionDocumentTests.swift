import ColonyAPI
import ColonyClient
import Foundation
import Testing

@Suite("transactions written as JSON")
struct TransactionDocumentTests {
    func parse(_ text: String) throws(TransactionDocumentError) -> Colony_V1_TransactionRequest {
        try TransactionDocument.parse(Data(text.utf8))
    }

    func problem(_ text: String) -> TransactionDocumentError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test("a full document becomes the request: every test and every step")
    func fullDocument() throws {
        let request = try parse("""
            {
              "conditions": [
                {"key": "owner", "value": "alice"}, {"key": "lock", "exists": false}, {"key": "count", "version": 7}
              ],
              "success": [
                {"put": "lock", "value": "alice"}, {"increment": "count", "by": -2}, {"increment": "hits"},
                {"get": "owner"}, {"delete": "request"}
              ],
              "failure": [{"get": "owner"}]
            }
            """)
        #expect(request.conditions.map(\.key) == ["owner", "lock", "count"])
        #expect(request.conditions[0].test == .valueEquals(Data("alice".utf8)))
        #expect(request.conditions[1].test == .exists(false))
        #expect(request.conditions[2].test == .versionEquals(7))
        #expect(request.success.count == 5)
        #expect(request.success[0].put.key == "lock" && request.success[0].put.value == Data("alice".utf8))
        #expect(request.success[1].increment.delta == -2)
        #expect(request.success[2].increment.delta == 1, "an increment without \"by\" adds 1")
        #expect(request.success[3].step == .get("owner"))
        #expect(request.success[4].step == .delete("request"))
        #expect(request.failure.map(\.step) == [.get("owner")])
    }

    @Test("a mistake is reported with its JSON path and what was expected")
    func mistakesNameTheirPath() {
        let cases: [(document: String, path: String, mentions: String)] = [
            ("not json", "$", "not valid JSON"),
            ("[]", "$", "expected an object"),
            ("{}", "$", "at least one step"),
            (#"{"success": [], "failure": []}"#, "$", "at least one step"),
            (#"{"succes": [{"get": "a"}]}"#, "$", "unknown field \"succes\""),
            (#"{"success": {"get": "a"}}"#, "$.success", "expected a list"),
            (#"{"success": [{"get": "a"}, {"put": "b"}]}"#, "$.success[1].value", "expected a string"),
            (#"{"success": [{"put": "b", "value": 5}]}"#, "$.success[0].value", "the number 5"),
            (#"{"success": [{"get": "a", "put": "b"}]}"#, "$.success[0]", "exactly one of"),
            (#"{"success": [{}]}"#, "$.success[0]", "not none"),
            (#"{"success": [{"get": "a", "value": "x"}]}"#, "$.success[0].value", "only a \"put\""),
            (#"{"success": [{"delete": "a", "by": 2}]}"#, "$.success[0].by", "only an \"increment\""),
            (#"{"success": [{"increment": "n", "by": 1.5}]}"#, "$.success[0].by", "whole number"),
            (#"{"success": [{"increment": "n", "by": true}]}"#, "$.success[0].by", "whole number"),
            (#"{"success": [{"get": 3}]}"#, "$.success[0].get", "expected a string"),
            (#"{"conditions": [{"key": "a"}], "success": [{"get": "a"}]}"#, "$.conditions[0]", "exactly one test"),
            (#"{"conditions": [{"key": "a", "exists": 1}], "success": [{"get": "a"}]}"#, "$.conditions[0].exists", "true or false"),
            (#"{"conditions": [{"key": "a", "version": -1}], "success": [{"get": "a"}]}"#, "$.conditions[0].version", "from 0"),
            (#"{"conditions": [{"exists": true}], "success": [{"get": "a"}]}"#, "$.conditions[0].key", "expected a string"),
            (#"{"failure": [{"get": "a"}], "conditions": [{"key": "a", "value": "x", "exists": true}]}"#, "$.conditions[0]", "exists and value"),
        ]
        for (document, path, mentions) in cases {
            let error = problem(document)
            #expect(error?.path == path, "\(document)")
            #expect(error?.problem.contains(mentions) == true, "\(document): \(String(describing: error))")
        }
    }

    @Test("an error reads as its path, a colon and the problem")
    func errorText() {
        #expect("\(TransactionDocumentError(path: "$.success[2]", problem: "x"))" == "$.success[2]: x")
    }
}
