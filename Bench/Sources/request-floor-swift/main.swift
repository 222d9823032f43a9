import CRequestFloor
import Glibc

// request-floor-swift URL BODY: the Swift runtime's start, and nothing of Foundation.
let arguments = CommandLine.arguments
guard arguments.count == 3 else { fatalError("usage: request-floor-swift URL BODY") }
exit(request_floor_post(arguments[1], arguments[2]))
