import NIOSSL

/// A failed TLS handshake on a node's port, in words for the node's log: the TLS library's
/// reason codes and what they mean for whoever connected.
struct HandshakeFailure: CustomStringConvertible {
    /// The TLS library's reason codes, such as `PEER_DID_NOT_RETURN_A_CERTIFICATE`.
    let reason: String

    /// The failed handshake `error` is, or nil if it is not one.
    init?(_ error: any Error) {
        switch error {
        case let failure as NIOSSLError:
            guard case .handshakeFailed(let inner) = failure else { return nil }
            reason = Self.reasonCodes(in: "\(inner)")
        case let failure as BoringSSLError:
            reason = Self.reasonCodes(in: "\(failure)")
        default:
            return nil
        }
    }

    var description: String {
        let meaning: String
        if reason.contains("WRONG_VERSION_NUMBER") || reason.contains("HTTP_REQUEST") {
            meaning = "it does not speak TLS"
        } else if reason.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE") {
            meaning = "it presented no certificate"
        } else if reason.contains("CERTIFICATE_VERIFY_FAILED") {
            meaning = "its certificate was not issued by the colony's CA, or is not valid now"
        } else if reason.contains("ALERT") {
            meaning = "it refused this node's certificate; does it trust the colony's CA?"
        } else {
            meaning = "see the TLS reason"
        }
        return "the TLS handshake failed (\(reason)): \(meaning)"
    }

    /// The reason codes of a BoringSSL error stack (`...:OPENSSL_internal:REASON at ...`),
    /// or the whole text if it has none.
    static func reasonCodes(in text: String) -> String {
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
