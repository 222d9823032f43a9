import Foundation
import Synchronization

/// Whether this machine could reach another: a default route exists (IPv4 or IPv6). It
/// reads two small kernel tables, no packet sent, so asking costs well under a millisecond
/// and an offline laptop learns it at once rather than after a connect timeout.
public enum NetworkReachability {
    /// A check made on first call and remembered: a run asks once, however many requests.
    public static func checkedOnce() -> @Sendable () -> Bool {
        let answer = Mutex<Bool?>(nil)
        return {
            answer.withLock { known in
                if let known { return known }
                let reachable = hasDefaultRoute()
                known = reachable
                return reachable
            }
        }
    }

    public static func hasDefaultRoute(
        ipv4Table: String? = try? String(contentsOfFile: "/proc/net/route", encoding: .utf8),
        ipv6Table: String? = try? String(contentsOfFile: "/proc/net/ipv6_route", encoding: .utf8)
    ) -> Bool {
        // Where the tables cannot be read, assume the network is there: a request then
        // fails in its own words, rather than being refused for a guess.
        if ipv4Table == nil, ipv6Table == nil { return true }
        return defaultIPv4Route(in: ipv4Table ?? "") || defaultIPv6Route(in: ipv6Table ?? "")
    }

    /// `/proc/net/route`: `Iface Destination Gateway Flags …`, hex; a default route has
    /// destination 00000000 and the up flag (1) set.
    static func defaultIPv4Route(in table: String) -> Bool {
        table.split(separator: "\n").dropFirst().contains { line in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count > 3, fields[0] != "lo", fields[1] == "00000000", let flags = Int(fields[3], radix: 16) else { return false }
            return flags & 1 != 0
        }
    }

    /// `/proc/net/ipv6_route`: destination, prefix length, …, flags, interface; a default
    /// route is `::/0` through an interface that is not loopback and not a reject route.
    static func defaultIPv6Route(in table: String) -> Bool {
        table.split(separator: "\n").contains { line in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 10, fields[0] == String(repeating: "0", count: 32), fields[1] == "00",
                  fields[9] != "lo", let flags = Int(fields[8], radix: 16) else { return false }
            return flags & 0x0200 == 0 && flags & 1 != 0  // not RTF_REJECT, RTF_UP
        }
    }
}
