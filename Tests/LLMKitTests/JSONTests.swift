@testable import LLMKit
import Testing

@Suite struct JSONParserTests {
    @Test func keepsKeyOrderAndNumberText() throws {
        let text = #"{"z":1,"a":[true,false,null],"m":{"x":1.50,"big":18446744073709551615}}"#
        let value = try JSONParser.parse(text)
        #expect(value.objectValue?.keys == ["z", "a", "m"])
        #expect(value.serialized == text)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        // llama-cpp-python escapes emoji as surrogate pairs.
        let value = try JSONParser.parse(#"{"s":"caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \n\t"}"#)
        #expect(value["s"] == "café 😀 \"q\" \\ / \n\t")
    }

    @Test func repairsLoneSurrogates() throws {
        #expect(try JSONParser.parse(#""\ud83d""#) == "\u{FFFD}")
        #expect(try JSONParser.parse(#""\ude00x""#) == "\u{FFFD}x")
        #expect(try JSONParser.parse(#""\ud83d\u0041""#) == "\u{FFFD}A")
    }

    @Test func rawUTF8PassesThrough() throws {
        #expect(try JSONParser.parse("\"日本語 🎉\"") == "日本語 🎉")
    }

    @Test(arguments: [
        ("{\"a\":1,}", 7), ("[1 2]", 3), ("{\"a\" 1}", 5), ("\"abc", 4), ("tru", 0), ("01", 1), ("{} x", 3), ("\"a\u{1}\"", 2),
    ])
    func reportsWhereItFailed(text: String, offset: Int) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
        do {
            _ = try JSONParser.parse(text)
        } catch {
            #expect(error.offset == offset)
        }
    }

    @Test func limitsNesting() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
    }

    @Test func writerEscapesControlCharacters() throws {
        let value: JSONValue = ["k": .string("a\"b\\c\nd\u{1}é")]
        #expect(value.serialized == #"{"k":"a\"b\\c\nd\u0001é"}"#)
        #expect(try JSONParser.parse(value.serialized) == value)
    }

    @Test func objectSetKeepsPositionAndRemovesOnNil() {
        var object: JSONObject = ["a": 1, "b": 2]
        object["a"] = 3
        object["c"] = 4
        object["b"] = nil
        #expect(object.keys == ["a", "c"])
        #expect(object["a"] == 3)
    }

    @Test func numbersCompareByValueInAccessors() throws {
        #expect(try JSONParser.parse("5.0").intValue == 5)
        #expect(try JSONParser.parse("5.5").intValue == nil)
        #expect(try JSONParser.parse("-1e2").doubleValue == -100)
    }
}
