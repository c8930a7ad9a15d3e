import GRPCNIOTransportHTTP2
import NIOSSL
import X509

/// A node's TLS contexts, made once from one checked set of its files. The node replaces the
/// whole set when its files change (`ReloadingNodeTLS`); a connection keeps the set it was
/// opened with.
final class NodeTLS: Sendable {
    /// The material the contexts are made of.
    let material: TLSMaterial
    /// TLS for connections other nodes open to this one.
    let peerServerContext: NIOSSLContext
    /// TLS for connections this node opens to other nodes.
    let peerClientContext: NIOSSLContext
    /// The certificate and key the gRPC client API presents.
    let clientAPIOverride: NIOSSLContextConfigurationOverride

    init(material: TLSMaterial, files: TLSFiles) throws(TLSFileError) {
        let authorities: [NIOSSLCertificate]
        let certificate: NIOSSLCertificate
        let key: NIOSSLPrivateKey
        do {
            authorities = try NIOSSLCertificate.fromPEMBytes(material.authorityPEM)
            certificate = try NIOSSLCertificate(bytes: material.certificatePEM, format: .pem)
            key = try NIOSSLPrivateKey(bytes: material.keyPEM, format: .pem)
        } catch {
            throw .notPEM(path: "\(files.certificate) or \(files.key)", expected: "a certificate and key TLS can load (\(error))")
        }
        var server = TLSConfiguration.makeServerConfigurationWithMTLS(
            certificateChain: [.certificate(certificate)], privateKey: .privateKey(key), trustRoots: .certificates(authorities))
        server.minimumTLSVersion = .tlsv13
        server.certificateVerification = .noHostnameVerification
        var client = TLSConfiguration.makeClientConfiguration()
        client.certificateChain = [.certificate(certificate)]
        client.privateKey = .privateKey(key)
        client.trustRoots = .certificates(authorities)
        client.minimumTLSVersion = .tlsv13
        // The peer is checked by the identity its certificate carries, not by host name.
        client.certificateVerification = .noHostnameVerification
        do {
            peerServerContext = try NIOSSLContext(configuration: server)
            peerClientContext = try NIOSSLContext(configuration: client)
        } catch {
            throw .notPEM(path: "\(files.certificate) or \(files.key)", expected: "a certificate and key TLS can load (\(error))")
        }
        var override = NIOSSLContextConfigurationOverride()
        override.certificateChain = [.certificate(certificate)]
        override.privateKey = .privateKey(key)
        clientAPIOverride = override
        self.material = material
    }
}
