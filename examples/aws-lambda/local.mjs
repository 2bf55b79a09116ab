// Runs the Lambda handler behind a loopback HTTP server that shapes each request as API
// Gateway's payload v2 does (headers lower-cased, the body base64 with isBase64Encoded), so
// that `make test` exercises the handler as Lambda calls it.
import { createServer } from "node:http";

import { handler } from "./handler.mjs";

createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const event = {
    version: "2.0",
    rawPath: req.url,
    headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(",") : v])),
    requestContext: { http: { method: req.method } },
    body: Buffer.concat(chunks).toString("base64"),
    isBase64Encoded: true,
  };
  const result = await handler(event);
  res.writeHead(result.statusCode, result.headers).end(result.body);
}).listen(Number(process.env.PORT ?? 3000), "127.0.0.1");
