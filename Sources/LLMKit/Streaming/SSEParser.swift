/// One dispatched Server-Sent Event.
public struct SSEEvent: Sendable, Equatable {
    public var type: String
    public var data: String
    public var lastEventID: String

    public init(type: String = "message", data: String, lastEventID: String = "") {
        self.type = type
        self.data = data
        self.lastEventID = lastEventID
    }
}

/// A Server-Sent Events parser per the WHATWG rules, fed bytes as they arrive.
///
/// It works on bytes, not characters: CR and LF never occur inside a multi-byte UTF-8
/// sequence, so a line can be cut at them safely and decoded only once it is complete.
/// That makes the result the same for every split of the stream, including splits inside
/// a character or between CR and LF. One deliberate extension: older llama.cpp servers
/// report failures as an `error:` field, which the standard ignores; it is dispatched as
/// an event of type `error` so the failure is not lost.
public struct SSEParser: Sendable {
    private var line: [UInt8] = []
    private var lastWasCR = false
    private var atStart = true
    private var bomCandidate: [UInt8] = []
    private var eventType = ""
    private var data: [UInt8] = []
    private var hasData = false
    private var lastEventID = ""
    /// The `retry:` value in milliseconds, if the server sent one.
    public private(set) var reconnectionTime: Int?

    public init() {}

    /// Parses a chunk; calls `emit` for every event it completes.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, emit: (SSEEvent) -> Void) {
        var bytes = chunk[...]
        if atStart {
            // A leading BOM is dropped once, even when it arrives split across chunks.
            let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
            while let byte = bytes.first, bomCandidate.count < 3, byte == bom[bomCandidate.count] {
                bomCandidate.append(byte)
                bytes = bytes.dropFirst()
            }
            if bomCandidate.count < 3 && bytes.isEmpty { return }
            if bomCandidate.count < 3 { line.append(contentsOf: bomCandidate) }
            bomCandidate.removeAll()
            atStart = false
        }
        while !bytes.isEmpty {
            if lastWasCR {
                lastWasCR = false
                if bytes.first == 0x0A {
                    bytes = bytes.dropFirst()
                    continue
                }
            }
            guard let end = bytes.firstIndex(where: { $0 == 0x0A || $0 == 0x0D }) else {
                line.append(contentsOf: bytes)
                return
            }
            line.append(contentsOf: bytes[..<end])
            lastWasCR = bytes[end] == 0x0D
            bytes = bytes[(end + 1)...]
            processLine(emit: emit)
        }
    }

    public mutating func feed(_ bytes: [UInt8], emit: (SSEEvent) -> Void) {
        bytes.withUnsafeBytes { feed($0, emit: emit) }
    }

    /// At end of stream the spec discards an event that no blank line ended; LLM servers
    /// that close without one (or without `[DONE]`) still mean it, so it is dispatched.
    public mutating func finish(emit: (SSEEvent) -> Void) {
        if !bomCandidate.isEmpty { line.append(contentsOf: bomCandidate); bomCandidate.removeAll() }
        if !line.isEmpty { processLine(emit: emit) }
        dispatch(emit: emit)
    }

    private mutating func processLine(emit: (SSEEvent) -> Void) {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            dispatch(emit: emit)
            return
        }
        if line[0] == UInt8(ascii: ":") { return }
        let colon = line.firstIndex(of: UInt8(ascii: ":"))
        let name = colon.map { line[..<$0] } ?? line[...]
        var value = colon.map { line[line.index(after: $0)...] } ?? []
        if value.first == 0x20 { value = value.dropFirst() }
        if name.elementsEqual("data".utf8) {
            data.append(contentsOf: value)
            data.append(0x0A)
            hasData = true
        } else if name.elementsEqual("event".utf8) {
            eventType = String(decoding: value, as: UTF8.self)
        } else if name.elementsEqual("id".utf8) {
            if !value.contains(0) { lastEventID = String(decoding: value, as: UTF8.self) }
        } else if name.elementsEqual("retry".utf8) {
            if !value.isEmpty, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                reconnectionTime = Int(String(decoding: value, as: UTF8.self))
            }
        } else if name.elementsEqual("error".utf8) {
            eventType = "error"
            data.append(contentsOf: value)
            data.append(0x0A)
            hasData = true
        }
    }

    private mutating func dispatch(emit: (SSEEvent) -> Void) {
        defer {
            data.removeAll(keepingCapacity: true)
            hasData = false
            eventType = ""
        }
        guard hasData else { return }
        if data.last == 0x0A { data.removeLast() }
        emit(SSEEvent(type: eventType.isEmpty ? "message" : eventType,
                      data: String(decoding: data, as: UTF8.self), lastEventID: lastEventID))
    }
}
