#if canImport(Glibc)
import Glibc
#endif

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
        guard let base = chunk.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var position = bytes.startIndex
        let end = bytes.endIndex
        while position < end {
            if lastWasCR {
                lastWasCR = false
                if base[position] == 0x0A {
                    position += 1
                    continue
                }
            }
            // LF is the usual terminator; a CR before it (or alone) also ends the line.
            let lf = memchr(base + position, 0x0A, end - position).map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? end
            let cr = memchr(base + position, 0x0D, lf - position).map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) }
            let stop = cr ?? lf
            guard stop < end else {
                line.append(contentsOf: UnsafeBufferPointer(start: base + position, count: end - position))
                return
            }
            line.append(contentsOf: UnsafeBufferPointer(start: base + position, count: stop - position))
            lastWasCR = cr != nil
            position = stop + 1
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
        let nameEnd = colon ?? line.count
        var valueStart = colon.map { $0 + 1 } ?? line.count
        if valueStart < line.count, line[valueStart] == 0x20 { valueStart += 1 }
        let value = line[valueStart...]
        let field = line.withUnsafeBufferPointer { Field(UnsafeBufferPointer(rebasing: $0[..<nameEnd])) }
        switch field {
        case .data:
            data.append(contentsOf: value)
            data.append(0x0A)
            hasData = true
        case .event:
            eventType = String(decoding: value, as: UTF8.self)
        case .id:
            if !value.contains(0) { lastEventID = String(decoding: value, as: UTF8.self) }
        case .retry:
            if !value.isEmpty, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                reconnectionTime = Int(String(decoding: value, as: UTF8.self))
            }
        case .error:
            eventType = "error"
            data.append(contentsOf: value)
            data.append(0x0A)
            hasData = true
        case .other:
            break
        }
    }

    private enum Field {
        case data, event, id, retry, error, other

        init(_ name: UnsafeBufferPointer<UInt8>) {
            if name.equals("data") { self = .data }
            else if name.equals("event") { self = .event }
            else if name.equals("id") { self = .id }
            else if name.equals("retry") { self = .retry }
            else if name.equals("error") { self = .error }
            else { self = .other }
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
