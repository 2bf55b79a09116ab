import { type RouteConfig, route } from "@react-router/dev/routes";

export default [route("api/webhooks/zentitle", "routes/webhooks.zentitle.ts")] satisfies RouteConfig;
