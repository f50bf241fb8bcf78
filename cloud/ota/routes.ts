import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { MAX_IMAGE_BYTES } from "../../shared/ota";
import type { AuthVariables } from "../auth/require-token";
import type { Db } from "../db/client";
import { CampaignError, MEMBER_STATES, type CampaignEngine } from "./campaign-engine";
import { ImageRefused, type ImageStore } from "./image-store";
import { campaignNodes, listCampaigns } from "./queries";

export interface OtaDeps {
  db: Db;
  store: ImageStore;
  engine: CampaignEngine;
  now: () => number;
}

/**
 * /api/ota: signed images in, campaigns out.
 *   POST /images                  multipart: `image` (file) and `release` (its signed release JSON)
 *   GET  /images
 *   POST /campaigns               { image, placeId?, fromVersion?, stages?, nodeWindowMs?, failureThreshold?, id? }
 *   GET  /campaigns, GET /campaigns/:id, GET /campaigns/:id/nodes?state=
 *   POST /campaigns/:id/pause | resume | abort
 */
export function otaRoutes(deps: OtaDeps) {
  const { store, engine, now } = deps;
  const app = new Hono<{ Variables: AuthVariables }>();

  app.post(
    "/images",
    bodyLimit({
      maxSize: MAX_IMAGE_BYTES + 64 * 1024,
      onError: (c) => c.json({ error: "too-large", message: `an image is at most ${MAX_IMAGE_BYTES} bytes` }, 413),
    }),
    async (c) => {
      let form: Record<string, string | File | (string | File)[]>;
      try {
        form = await c.req.parseBody();
      } catch {
        return c.json({ error: "bad-request", message: "send multipart/form-data with fields `image` (file) and `release` (JSON)" }, 400);
      }
      const image = form.image;
      const releaseText = form.release;
      if (!(image instanceof File)) return c.json({ error: "bad-request", message: "field `image` must be the firmware file" }, 400);
      if (typeof releaseText !== "string") return c.json({ error: "bad-request", message: "field `release` must be the signed release JSON" }, 400);
      let release: unknown;
      try {
        release = JSON.parse(releaseText);
      } catch {
        return c.json({ error: "bad-request", message: "field `release` is not JSON" }, 400);
      }
      try {
        const { image: stored, created } = await store.accept(new Uint8Array(await image.arrayBuffer()), release, c.get("owner").name, now());
        return c.json({ image: stored, created }, created ? 201 : 200);
      } catch (error) {
        if (error instanceof ImageRefused) return c.json({ error: error.code, message: error.message }, error.status);
        throw error;
      }
    },
  );

  app.get("/images", async (c) => c.json({ images: await store.list() }));

  app.post("/campaigns", async (c) => {
    let body: Record<string, unknown>;
    try {
      body = (await c.req.json()) as Record<string, unknown>;
    } catch {
      return c.json({ error: "bad-request", message: "send a JSON campaign: { image, placeId?, fromVersion?, stages?, nodeWindowMs?, failureThreshold? }" }, 400);
    }
    return campaignAnswer(c, () => engine.create(body as never, c.get("owner").name), 201);
  });

  app.get("/campaigns", async (c) => {
    const campaigns = await listCampaigns(deps.db);
    return c.json({ campaigns: await Promise.all(campaigns.map((campaign) => engine.summary(campaign.id))) });
  });

  app.get("/campaigns/:id", async (c) => {
    const summary = await engine.summary(c.req.param("id"));
    return summary ? c.json({ campaign: summary }) : c.json({ error: "not-found", message: `no campaign ${c.req.param("id")}` }, 404);
  });

  app.get("/campaigns/:id/nodes", async (c) => {
    const state = c.req.query("state");
    if (state !== undefined && !(MEMBER_STATES as readonly string[]).includes(state)) {
      return c.json({ error: "bad-request", message: `state must be one of ${MEMBER_STATES.join(", ")}` }, 400);
    }
    if (!(await engine.summary(c.req.param("id")))) return c.json({ error: "not-found", message: `no campaign ${c.req.param("id")}` }, 404);
    const rows = await campaignNodes(deps.db, c.req.param("id"), state);
    return c.json({
      nodes: rows.map((row) => ({
        nodeId: row.nodeId,
        stage: row.stage + 1,
        state: row.state,
        progress: row.progress,
        reason: row.reason,
        offers: row.offerCount,
        offeredAt: row.offeredAt === null ? null : new Date(row.offeredAt).toISOString(),
        deadlineAt: row.deadlineAt === null ? null : new Date(row.deadlineAt).toISOString(),
        updatedAt: new Date(row.updatedAt).toISOString(),
      })),
    });
  });

  for (const action of ["pause", "resume", "abort"] as const) {
    app.post(`/campaigns/:id/${action}`, (c) => campaignAnswer(c, () => engine[action](c.req.param("id"), c.get("owner").name), 200));
  }

  return app;
}

async function campaignAnswer(
  c: { json: (body: unknown, status: 200 | 201 | 400 | 404 | 409 | 422) => Response },
  run: () => Promise<unknown>,
  status: 200 | 201,
): Promise<Response> {
  try {
    return c.json({ campaign: await run() }, status);
  } catch (error) {
    if (error instanceof CampaignError) return c.json({ error: "campaign-refused", message: error.message }, error.status);
    throw error;
  }
}
