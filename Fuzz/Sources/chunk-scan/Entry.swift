import LLMKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzChecks.chunkScan(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}
