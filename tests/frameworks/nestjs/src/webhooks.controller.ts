// POST /api/webhooks/zentitle. receiver.node() answers on the Express response itself (hence
// @Res()) and takes the raw bytes from req.rawBody (see main.ts).
import { Controller, Post, type RawBodyRequest, Req, Res } from "@nestjs/common";
import type { Request, Response } from "express";
import { WebhookReceiver } from "zentitle-webhooks";

@Controller("api/webhooks")
export class WebhooksController {
  private readonly handle = new WebhookReceiver({ key: process.env.ZENTITLE_RSA_MODULUS ?? "" })
    .onAny((event) => {
      console.log("handled", event.eventCode, event.eventId);
    })
    .node();

  @Post("zentitle")
  zentitle(@Req() req: RawBodyRequest<Request>, @Res() res: Response): Promise<void> {
    return this.handle(req, res);
  }
}
