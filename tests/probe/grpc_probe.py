"""An independent gRPC client (Python grpcio) checks a running suite.

Usage: grpc_probe.py SERVICE=HOST:PORT [SERVICE=HOST:PORT ...]

For every service: grpc.health.v1 Check says SERVING for "" and for the service's own
name, and server reflection (grpc.reflection.v1) lists the service and grpc.health.v1.
Exits 1 with a message on the first failure.
"""

import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2

# grpcio-reflection ships the v1alpha messages only; v1 has the same wire format, so the
# v1 method is called with them.
REFLECTION_V1 = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"


def listed_services(channel):
    call = channel.stream_stream(
        REFLECTION_V1,
        request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
        response_deserializer=reflection_pb2.ServerReflectionResponse.FromString,
    )
    responses = call(iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=10)
    for response in responses:
        return {s.name for s in response.list_services_response.service}
    return set()


def main(pairs):
    if not pairs:
        sys.exit(__doc__)
    for pair in pairs:
        service, address = pair.split("=", 1)
        with grpc.insecure_channel(address) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            for name in ("", service):
                status = health.Check(health_pb2.HealthCheckRequest(service=name), timeout=10).status
                if status != health_pb2.HealthCheckResponse.SERVING:
                    sys.exit(f"{service} at {address}: health {name!r} is {status}, not SERVING")
            listed = listed_services(channel)
            for wanted in (service, "grpc.health.v1.Health"):
                if wanted not in listed:
                    sys.exit(f"{service} at {address}: reflection does not list {wanted}: {sorted(listed)}")
            print(f"{service} at {address}: SERVING; reflection lists {len(listed)} services")
    print(f"probe: {len(pairs)} passed, 0 failed")


if __name__ == "__main__":
    main(sys.argv[1:])
