#!/usr/bin/env bash
# Regenerates Sources/EtcdAPI/Generated from Protos/etcd (etcd's KV.Range and KV.Put, trimmed
# from etcd's rpc.proto and kv.proto), the client `colony bench load` drives etcd with.
#
# The generated code is committed, like ColonyAPI's; this script needs the same protoc and
# plugins as Scripts/generate-api.sh (see its header).
#
# Usage: Scripts/generate-etcd-api.sh [PLUGIN_DIR]   (default: /tmp/protoc-plugins/.build/release)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
plugins="${1:-/tmp/protoc-plugins/.build/release}"
for tool in "$plugins/protoc-gen-swift" "$plugins/protoc-gen-grpc-swift-2"; do
  if [[ ! -x "$tool" ]]; then
    echo "error: $tool is missing; build the plugins as Scripts/generate-api.sh's header says, or pass their folder" >&2
    exit 2
  fi
done
if ! command -v protoc >/dev/null; then
  echo "error: protoc is not installed (Debian: apt-get install protobuf-compiler)" >&2
  exit 2
fi

out="$root/Sources/EtcdAPI/Generated"
mkdir -p "$out"
rm -rf "$out"/etcdserverpb "$out"/mvccpb
protoc \
  --proto_path="$root/Protos/etcd" \
  --plugin=protoc-gen-swift="$plugins/protoc-gen-swift" \
  --swift_out="$out" --swift_opt=Visibility=Public \
  etcdserverpb/rpc.proto mvccpb/kv.proto
# kv.proto holds no service: only rpc.proto gets a gRPC client.
protoc \
  --proto_path="$root/Protos/etcd" \
  --plugin=protoc-gen-grpc-swift="$plugins/protoc-gen-grpc-swift-2" \
  --grpc-swift_out="$out" --grpc-swift_opt=Visibility=Public,Client=true,Server=false \
  etcdserverpb/rpc.proto
echo "generated into $out:"
ls "$out"/etcdserverpb "$out"/mvccpb
