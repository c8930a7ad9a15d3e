import ColonyCheck
import ColonyCore
import Testing

@Suite("Reading and writing histories")
struct HistoryCodingTests {
    static let example = """
        {"index":0,"time":1200,"process":3,"type":"invoke","f":"write","cell":"vol-7","key":"k1","value":"a"}
        {"index":1,"time":1250,"process":5,"type":"invoke","f":"read","cell":"vol-7","key":"k1","value":null}
        {"index":2,"time":1900,"process":3,"type":"ok","f":"write","cell":"vol-7","key":"k1","value":"a"}
        {"index":3,"time":2000,"process":5,"type":"ok","f":"read","cell":"vol-7","key":"k1","value":"a"}
        {"index":4,"time":2100,"process":3,"type":"invoke","f":"cas","cell":"vol-7","key":"k1","value":["a","b"]}
        {"index":5,"time":2600,"process":3,"type":"fail","f":"cas","cell":"vol-7","key":"k1","value":["a","b"]}

        """

    /// The line of the error `text` throws, and its description.
    private func failure(_ text: String) -> (line: Int, description: String)? {
        do {
            _ = try HistoryCoding.parse(text)
            return nil
        } catch {
            return (error.line, error.description)
        }
    }

    @Test("the example of HISTORY.md parses, and encodes back to the same text")
    func example() throws {
        let events = try HistoryCoding.parse(Self.example)
        #expect(events.count == 6)
        #expect(events[0] == HistoryEvent(
            index: 0, time: 1200, process: 3, type: .invoke, function: .write, cell: "vol-7", key: "k1", value: .string("a")))
        #expect(events[4].value == .pair("a", "b"))
        #expect(events[5].type == .fail)
        #expect(HistoryCoding.encode(events) == Self.example)
        #expect(LinearizabilityChecker().check(events).isLinearizable)
    }

    @Test("encoding then parsing gives back the same events, awkward strings included")
    func roundTrip() throws {
        let awkward = "quote \" backslash \\ newline \n tab \t bell \u{07} é 🐝 / end"
        var history = HistoryScript()
        history.cell = "cell \"one\""
        history.write(1, awkward, awkward)
        history.invokeCompareAndSet(2, awkward, nil, "b")
        history.info(2)
        history.invokeCompareAndSet(3, "k", "a", nil)
        history.fail(3)
        history.delete(4, "k")
        history.invokeTransaction(5, [readStep("k", nil), writeStep("k", "x"), writeStep("j", nil)])
        history.ok(5, .transaction([readStep("k", "a"), writeStep("k", "x"), writeStep("j", nil)]))
        history.invokeRead(6, "k")
        let text = HistoryCoding.encode(history.events)
        #expect(try HistoryCoding.parse(text) == history.events)
        #expect(text.split(separator: "\n").count == history.events.count)
        #expect(text.contains(#"\u0007"#))
    }

    @Test("a history with no events is empty, and blank lines at the end are fine")
    func blankTrailingLines() throws {
        #expect(try HistoryCoding.parse("").isEmpty)
        #expect(try HistoryCoding.parse(Self.example + "\n  \n").count == 6)
        #expect(try HistoryCoding.parse(Self.example.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n")).count == 6)
    }

    @Test("a blank line between events is an error on its line")
    func blankLineInside() {
        let lines = Self.example.split(separator: "\n").map(String.init)
        let text = ([lines[0], ""] + lines[1...]).joined(separator: "\n")
        #expect(failure(text)?.line == 2)
    }

    @Test("each malformed line is reported with its line number and what it should hold", arguments: [
        (2, #"{"index":1,"time":1250,"process":5,"type":"invoke","f":"read","cell":"vol-7","value":null}"#, #"the field "key" is missing"#),
        (2, #"{"index":4,"time":1250,"process":5,"type":"invoke","f":"read","cell":"vol-7","key":"k1","value":null}"#, "this one should have index 1"),
        (2, #"{"index":1,"time":99,"process":5,"type":"invoke","f":"read","cell":"vol-7","key":"k1","value":null}"#, "non-decreasing"),
        (2, #"{"index":1,"time":1250,"process":5,"type":"ok","f":"read","cell":"vol-7","key":"k1","value":null}"#, "process 5 reports ok but has no operation in flight"),
        (2, #"{"index":1,"time":1250,"process":5,"type":"invoke","f":"scan","cell":"vol-7","key":"k1","value":null}"#, "\"scan\""),
        (2, #"{"index":1,"time":1250,"process":5,"type":"begin","f":"read","cell":"vol-7","key":"k1","value":null}"#, "\"begin\""),
        (2, #"{"index":1,"time":1250,"process":5,"type":"invoke","f":"cas","cell":"vol-7","key":"k1","value":["a"]}"#, "[expected, new]"),
        (2, #"{"index":1,"time":1250,"process":5,"type":"invoke","f":"write","cell":"vol-7","key":"k1","value":7}"#, "a string (the value written)"),
        (2, #"{"index":1,"time":1250,"process":5,"type":"invoke","f":"txn","cell":"vol-7","key":null,"value":[["x","k","v"]]}"#, "step 1"),
        (2, #"{"index":1,"time":1250,"process":5,"type":"invoke","f":"txn","cell":"vol-7","key":"k1","value":[]}"#, "null (a txn names its keys"),
        (2, #"{"index":1,"time":"soon","process":5,"type":"invoke","f":"read","cell":"vol-7","key":"k1","value":null}"#, "whole number of nanoseconds"),
        (2, #"{"index":1.5,"time":1250,"process":5,"type":"invoke","f":"read","cell":"vol-7","key":"k1","value":null}"#, "the number 1.5"),
        (2, #"{"index":1,"time":1250,"process":5,"type":"invoke","f":"read","cell":"vol-7","key":"k1","value":null,"node":2}"#, #"the field "node" is not part of the format"#),
        (2, #"{"index":1,"time":1250,"process":5,"type":"invoke","f":"read","cell":"vol-7","key":"k1","value":null"#, "not valid JSON at column"),
        (2, #"[1,2,3]"#, "not a JSON object"),
        (2, #"{"index":1,"time":1250,"process":3,"type":"invoke","f":"read","cell":"vol-7","key":"k1","value":null}"#, "while its operation from line 1 is in flight"),
        (2, #"{"index":1,"time":1250,"process":3,"type":"ok","f":"write","cell":"vol-7","key":"k2","value":"a"}"#, "the key differs"),
    ])
    func malformedLine(expectedLine: Int, line: String, mention: String) throws {
        let first = #"{"index":0,"time":1200,"process":3,"type":"invoke","f":"write","cell":"vol-7","key":"k1","value":"a"}"#
        let problem = try #require(failure(first + "\n" + line + "\n"))
        #expect(problem.line == expectedLine)
        #expect(problem.description.hasPrefix("history line \(expectedLine): "))
        #expect(problem.description.contains(mention), "\(problem.description)")
    }

    @Test("a process whose operation ended in info never invokes again")
    func invokeAfterInfo() {
        let text = """
            {"index":0,"time":1,"process":3,"type":"invoke","f":"write","cell":"c","key":"k","value":"a"}
            {"index":1,"time":2,"process":3,"type":"info","f":"write","cell":"c","key":"k","value":"a"}
            {"index":2,"time":3,"process":3,"type":"invoke","f":"read","cell":"c","key":"k","value":null}
            """
        let problem = failure(text)
        #expect(problem?.line == 3)
        #expect(problem?.description.contains("fresh process number") == true)
    }

    @Test("the strict JSON reader rejects what JSON does not allow")
    func strictJSON() {
        let prefix = #"{"index":0,"time":1,"process":3,"type":"invoke","f":"write","cell":"c","key":"k","value":"#
        for bad in [#"'a'}"#, #""a",}"#, #""a\q"}"#, #""\ud800"}"#, "\"a\u{01}\"}", #"01}"#, #""a"} x"#] {
            #expect(failure(prefix + bad)?.line == 1, "\(bad)")
        }
        #expect(failure(#"{"index":0,"index":0}"#)?.description.contains("twice") == true)
        #expect(failure(String(repeating: "[", count: 100))?.description.contains("nest") == true)
        #expect(failure(prefix + #""\u00e9\ud83d\udc1d"}"#) == nil)
    }
}
