#!/usr/bin/env bash
# Regenerates Sources/ColonyAPI/Generated from Protos/colony/v1/colony.proto and control.proto,
# and the standard gRPC health service from Protos/grpc/health/v1/health.proto (grpc-proto's).
#
# The generated code is committed, so builds and CI never run protoc. To regenerate you need
# protoc (Debian: apt-get install protobuf-compiler) and the two Swift plugins, built once:
#
#   mkdir -p /tmp/protoc-plugins && cd /tmp/protoc-plugins   # a package depending on
#   # https://github.com/apple/swift-protobuf and https://github.com/grpc/grpc-swift-protobuf, then:
#   swift build -c release --product protoc-gen-swift
#   swift build -c release --product protoc-gen-grpc-swift-2
#
# Usage: Scripts/generate-api.sh [PLUGIN_DIR]   (default: /tmp/protoc-plugins/.build/release)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
plugins="${1:-/tmp/protoc-plugins/.build/release}"
for tool in "$plugins/protoc-gen-swift" "$plugins/protoc-gen-grpc-swift-2"; do
  if [[ ! -x "$tool" ]]; then
    echo "error: $tool is missing; build the plugins as this script's header says, or pass their folder" >&2
    exit 2
  fi
done
if ! command -v protoc >/dev/null; then
  echo "error: protoc is not installed (Debian: apt-get install protobuf-compiler)" >&2
  exit 2
fi

out="$root/Sources/ColonyAPI/Generated"
mkdir -p "$out"
protoc \
  --proto_path="$root/Protos" \
  --plugin=protoc-gen-swift="$plugins/protoc-gen-swift" \
  --plugin=protoc-gen-grpc-swift="$plugins/protoc-gen-grpc-swift-2" \
  --swift_out="$out" --swift_opt=Visibility=Public \
  --grpc-swift_out="$out" --grpc-swift_opt=Visibility=Public,Client=true,Server=true \
  colony/v1/colony.proto colony/v1/control.proto grpc/health/v1/health.proto
echo "generated into $out:"
ls "$out"/colony/v1 "$out"/grpc/health/v1
