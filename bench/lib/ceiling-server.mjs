// The capacity ceiling: bare Fastify doing the least possible work for the benchmark's requests.
// POST /threads answers a tiny constant JSON with the bench token and a 401 without it; GET /ok answers {ok:true}.
import Fastify from "fastify";

const port = Number(process.argv[2]);
const app = Fastify({ logger: false });
const BODY = '{"thread_id":"00000000-0000-0000-0000-000000000000"}';
app.get("/ok", async () => ({ ok: true }));
app.post("/threads", (req, reply) => {
  if (req.headers.authorization !== "Bearer bench-token") {
    reply.code(401).type("text/plain").send("Invalid or missing token");
    return;
  }
  reply.type("application/json").send(BODY);
});
await app.listen({ port, host: "127.0.0.1" });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => app.close().then(() => process.exit(0)));
