import type { FastifyRequest } from "fastify";

/** The scheme the client used: https over TLS (`--ssl-certfile`) or when a proxy says so, else http. */
export function protocolOf(req: FastifyRequest): "http" | "https" {
  return (req.socket as { encrypted?: boolean }).encrypted === true || req.headers["x-forwarded-proto"] === "https" ? "https" : "http";
}
