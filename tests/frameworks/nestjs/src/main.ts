// `rawBody: true` keeps the exact bytes on req.rawBody beside the parsed req.body: without it,
// only the parsed JSON is left, and a parsed body cannot be verified (body_not_raw).
import "reflect-metadata";
import { NestFactory } from "@nestjs/core";
import { AppModule } from "./app.module.js";

const app = await NestFactory.create(AppModule, { rawBody: true });
await app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? "127.0.0.1");
