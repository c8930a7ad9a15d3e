import NIOSSL

/// A TLS handshake with a node that failed, found among an error's causes, told in words
/// that say what to fix. A connection refused at the handshake carried no request.
struct TLSFailure: Sendable, CustomStringConvertible {
    /// The TLS library's reason, such as `TLSV1_ALERT_UNKNOWN_CA`.
    let reason: String

    /// The failed handshake behind `error`, or nil if `error` is not one.
    init?(_ error: any Error) {
        for cause in ErrorCauses.chain(error) {
            switch cause {
            case let failure as NIOSSLError:
                guard case .handshakeFailed(let inner) = failure else { return nil }
                reason = Self.reasonCode(in: "\(inner)")
                return
            case let failure as BoringSSLError:
                reason = Self.reasonCode(in: "\(failure)")
                return
            case let failure as NIOSSLExtraError:
                reason = "\(failure)"
                return
            default:
                continue
            }
        }
        return nil
    }

    /// What went wrong and what to do about it.
    var description: String {
        let advice: String
        if reason.contains("CERTIFICATE_VERIFY_FAILED") {
            advice = "this client could not verify the node's certificate: give the colony's CA (ca.pem)"
        } else if reason.contains("failedToValidateHostname") {
            advice = "the node's certificate does not name the address dialled: issue it with `colony certs node ID --host ADDRESS`"
        } else if reason.contains("ALERT") {
            advice = "the node refused this client's certificate: use one issued by the colony's CA (`colony certs client NAME`)"
        } else {
            advice = "check that the node runs TLS and that the client's files come from the colony's CA"
        }
        return "the TLS handshake failed (\(reason)): \(advice)"
    }

    /// The reason codes of a BoringSSL error stack (`...:OPENSSL_internal:REASON at ...`),
    /// or the whole text if it has none.
    private static func reasonCode(in text: String) -> String {
        let marker = "OPENSSL_internal:"
        var codes: [String] = []
        var rest = Substring(text)
        while let range = rest.range(of: marker) {
            rest = rest[range.upperBound...]
            let code = rest.prefix { $0.isUppercase || $0.isNumber || $0 == "_" }
            if !code.isEmpty { codes.append(String(code)) }
        }
        return codes.isEmpty ? text : codes.joined(separator: ", ")
    }
}
