// The registry on Cloudflare Workers over an R2 binding: `wrangler deploy` (see wrangler.toml and
// docs/r2-deployment.md). Config from the Worker's env: REGISTRY_BUCKET (R2), REGISTRY_SECRET
// (secret), REGISTRY_URL, REGISTRY_CONFIG (JSON5: package rules, uplinks, users), FW_PASSWORD_ITERATIONS.
import { createWorkerFetch } from '@factorywager/registry-server/workers';

export default { fetch: createWorkerFetch() };
