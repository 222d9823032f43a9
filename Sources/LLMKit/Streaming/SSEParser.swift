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

/// An event as the parser sees it: its data as bytes, valid only during the callback.
///
/// Streams are tens of thousands of events; handing out bytes instead of a new `String`
/// each time keeps the per-event cost to the parse itself.
public struct SSEEventView {
    /// Empty for the default type, `message`.
    public var type: String
    public var data: UnsafeBufferPointer<UInt8>
    public var lastEventID: String

    public var event: SSEEvent {
        SSEEvent(type: type.isEmpty ? "message" : type, data: String(decoding: data, as: UTF8.self), lastEventID: lastEventID)
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
///
/// Unchecked Sendable: the one pointer it holds (`dataInChunk`) is set only while a chunk
/// is being fed and is nil again when `feedViews` returns.
public struct SSEParser: @unchecked Sendable {
    private var line: [UInt8] = []
    private var lastWasCR = false
    private var atStart = true
    private var bomCandidate: [UInt8] = []
    private var eventType = ""
    private var data: [UInt8] = []
    /// The event's only data line so far, where it lies in the chunk being fed: most events
    /// are one line, which then reaches `emit` without being copied. Copied into `data`
    /// before anything else is added and before the chunk is let go.
    private var dataInChunk: UnsafeBufferPointer<UInt8>?
    private var hasData = false
    private var lastEventID = ""
    /// The `retry:` value in milliseconds, if the server sent one.
    public private(set) var reconnectionTime: Int?
    /// The most bytes a line or an event may hold: a peer cannot make memory grow past it.
    public let limit: Int
    /// A line or an event went over `limit`; nothing more is parsed.
    public private(set) var overflowed = false
    /// Pass on lines that are no SSE field but look like JSON (`{`, `}`, `[`, `"` or
    /// indentation first), as one event of type `stray` at the next blank line or the end:
    /// Gemini reports a failure mid-stream as a raw JSON body, not as an event.
    public var keepsStrayLines = false
    private var stray: [UInt8] = []

    public static let defaultLimit = 16 << 20

    public init(limit: Int = SSEParser.defaultLimit) { self.limit = limit }

    /// Parses a chunk; calls `emit` for every event it completes.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, emit: (SSEEvent) -> Void) {
        feedViews(chunk) { emit($0.event) }
    }

    /// Parses a chunk; calls `emit` with a view of every event it completes.
    ///
    /// `skim` is shown the rest of the chunk wherever a new event could begin (no line,
    /// field or event pending) and returns how many bytes it took as whole events, 0 for
    /// none: the caller's promise is that parsing and dispatching them would have given it
    /// nothing else. A caller that knows its server's ordinary events by their bytes spares
    /// them the parse (`StreamState`).
    public mutating func feedViews(_ chunk: UnsafeRawBufferPointer, skim: (UnsafeBufferPointer<UInt8>) -> Int = { _ in 0 },
                                   emit: (SSEEventView) -> Void) {
        guard !overflowed else { return }
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
        // Servers end lines with LF: one look for a CR in the whole chunk spares a search
        // of every line for one.
        let hasCR = memchr(base + position, 0x0D, end - position) != nil
        defer { keepDataPastTheChunk() }
        while position < end {
            if lastWasCR {
                lastWasCR = false
                if base[position] == 0x0A {
                    position += 1
                    continue
                }
            }
            if line.isEmpty, !hasData, eventType.isEmpty, stray.isEmpty {
                let taken = skim(UnsafeBufferPointer(start: base + position, count: end - position))
                precondition(taken >= 0 && taken <= end - position, "skim took bytes it was not shown")
                if taken > 0 {
                    position += taken
                    continue
                }
            }
            // LF is the usual terminator; a CR before it (or alone) also ends the line.
            let lf = memchr(base + position, 0x0A, end - position).map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? end
            let cr = hasCR ? memchr(base + position, 0x0D, lf - position).map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } : nil
            let stop = cr ?? lf
            let piece = UnsafeBufferPointer(start: base + position, count: stop - position)
            guard stop < end else {
                guard line.count + piece.count <= limit else { return overflow() }
                line.append(contentsOf: piece)
                return
            }
            lastWasCR = cr != nil
            position = stop + 1
            if line.isEmpty {
                // The whole line is in this chunk: parse it where it lies.
                processLine(piece, inChunk: true, emit: emit)
            } else {
                guard line.count + piece.count <= limit else { return overflow() }
                line.append(contentsOf: piece)
                let whole = line
                line.removeAll(keepingCapacity: true)
                whole.withUnsafeBufferPointer { processLine($0, inChunk: false, emit: emit) }
            }
            if overflowed { return }
        }
    }

    private mutating func overflow() {
        overflowed = true
        line = []
        data = []
        dataInChunk = nil
        stray = []
        hasData = false
    }

    public mutating func feed(_ bytes: [UInt8], emit: (SSEEvent) -> Void) {
        bytes.withUnsafeBytes { feed($0, emit: emit) }
    }

    /// At end of stream the spec discards an event that no blank line ended; LLM servers
    /// that close without one (or without `[DONE]`) still mean it, so it is dispatched.
    public mutating func finish(emit: (SSEEvent) -> Void) {
        finishViews { emit($0.event) }
    }

    public mutating func finishViews(emit: (SSEEventView) -> Void) {
        guard !overflowed else { return }
        if !bomCandidate.isEmpty { line.append(contentsOf: bomCandidate); bomCandidate.removeAll() }
        if !line.isEmpty {
            let whole = line
            line.removeAll()
            whole.withUnsafeBufferPointer { processLine($0, inChunk: false, emit: emit) }
        }
        dispatch(emit: emit)
    }

    /// `inChunk`: `line` lies in the chunk being fed, so a view of it stays valid until
    /// `feedViews` returns.
    private mutating func processLine(_ line: UnsafeBufferPointer<UInt8>, inChunk: Bool, emit: (SSEEventView) -> Void) {
        if line.isEmpty {
            dispatch(emit: emit)
            return
        }
        if line[0] == UInt8(ascii: ":") { return }
        let colon = line.firstIndex(of: UInt8(ascii: ":"))
        let nameEnd = colon ?? line.count
        var valueStart = colon.map { $0 + 1 } ?? line.count
        if valueStart < line.count, line[valueStart] == 0x20 { valueStart += 1 }
        let value = UnsafeBufferPointer(rebasing: line[valueStart...])
        let field = Field(UnsafeBufferPointer(rebasing: line[..<nameEnd]))
        switch field {
        case .data:
            if inChunk, !hasData, value.count < limit {
                dataInChunk = value
                hasData = true
                return
            }
            keepDataPastTheChunk()
            guard data.count + value.count < limit else { return overflow() }
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
            keepDataPastTheChunk()
            guard data.count + value.count < limit else { return overflow() }
            eventType = "error"
            data.append(contentsOf: value)
            data.append(0x0A)
            hasData = true
        case .other:
            guard keepsStrayLines, let first = line.first, [0x7B, 0x7D, 0x5B, 0x5D, 0x22, 0x20, 0x09].contains(first) else { break }
            guard stray.count + line.count < limit else { return overflow() }
            stray.append(contentsOf: line)
            stray.append(0x0A)
        }
    }

    /// Copies the data line held as a view into `data`, as if it had been copied when read.
    private mutating func keepDataPastTheChunk() {
        guard let view = dataInChunk else { return }
        dataInChunk = nil
        data.append(contentsOf: view)
        data.append(0x0A)
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

    private mutating func dispatch(emit: (SSEEventView) -> Void) {
        if !stray.isEmpty {
            let id = lastEventID
            stray.withUnsafeBufferPointer { emit(SSEEventView(type: "stray", data: $0, lastEventID: id)) }
            stray.removeAll()
        }
        defer {
            data.removeAll(keepingCapacity: true)
            dataInChunk = nil
            hasData = false
            eventType = ""
        }
        guard hasData else { return }
        if let view = dataInChunk {
            let type = eventType, id = lastEventID
            emit(SSEEventView(type: type, data: view, lastEventID: id))
            return
        }
        if data.last == 0x0A { data.removeLast() }
        let type = eventType, id = lastEventID
        data.withUnsafeBufferPointer { emit(SSEEventView(type: type, data: $0, lastEventID: id)) }
    }
}
