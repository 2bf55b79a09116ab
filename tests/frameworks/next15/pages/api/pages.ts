// Pages Router API route. Next.js parses the body by default, which breaks the signature:
// `bodyParser: false` keeps the raw bytes, and receiver.node() reads them itself.
import type { NextApiRequest, NextApiResponse } from "next";
import { webhooks } from "../../lib/webhooks";

export const config = { api: { bodyParser: false } };

export default function handler(req: NextApiRequest, res: NextApiResponse): Promise<void> {
  return webhooks().node()(req, res);
}
