import CRequestFloor
import Foundation

// request-floor-foundation URL BODY: Foundation's start and a first use of it (the
// environment, a file handle), as a tool that reads its settings pays them.
let arguments = ProcessInfo.processInfo.arguments
guard arguments.count == 3 else { fatalError("usage: request-floor-foundation URL BODY") }
let home = ProcessInfo.processInfo.environment["HOME"] ?? ""
let status = request_floor_post(arguments[1], arguments[2])
FileHandle.standardError.write(Data(home.utf8.prefix(0)))
exit(status)
