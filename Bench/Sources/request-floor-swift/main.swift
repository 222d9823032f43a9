import CRequestFloor

// request-floor-swift URL BODY
let arguments = CommandLine.arguments
guard arguments.count == 3 else { fatalError("usage: request-floor-swift URL BODY") }
let status = request_floor_post(arguments[1], arguments[2])
@_silgen_name("exit") func exit(_ status: Int32) -> Never
exit(status)
