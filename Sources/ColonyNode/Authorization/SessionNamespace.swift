import ColonyAuth
import Crypto

/// Client sessions bound to the identity that uses them.
///
/// A cell keeps each client's session (`ClientSessions`) under the `client_id` the request
/// carries. Left as it is, anyone could send a request under another client's id — with
/// sequence 2^64−1, every later write of that client would be refused as overtaken. So the
/// node never hands the cell the id the client sent: it hands it an id derived from the
/// caller's identity and that id (SHA-256 of both, the first 8 bytes). Every node derives the
/// same id for the same caller, so retries at another member still apply once; two identities
/// that send the same `client_id` reach two different sessions, and no identity can choose an
/// id that lands on another's session without finding a 64-bit preimage.
///
/// A caller without a certificate (a node configured without TLS, for tests) keeps the id it
/// sent.
@_spi(Testing) public enum SessionNamespace {
    /// The session id the cell keeps for `clientID` sent by `identity`; never 0.
    public static func clientID(_ clientID: UInt64, of identity: Identity) -> UInt64 {
        if case .anonymous = identity { return clientID }
        var hasher = SHA256()
        hasher.update(data: Array(identity.urn.utf8))
        hasher.update(data: [0])
        withUnsafeBytes(of: clientID.littleEndian) { hasher.update(bufferPointer: $0) }
        let digest = hasher.finalize()
        let derived = digest.withUnsafeBytes { bytes in
            bytes.prefix(8).reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
        }
        return derived == 0 ? 1 : derived
    }
}
