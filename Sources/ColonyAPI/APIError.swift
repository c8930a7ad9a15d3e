// The API's error message doubles as a Swift error, so code on both sides of the wire can
// carry it in a `Result` or throw it.
extension Colony_V1_Error: Error {}
