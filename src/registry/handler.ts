/**
 * @module The registry as a `(req, res)` handler (ggcr's `registry.New`): routes requests,
 * checks names and permissions, turns failures into the spec's error answers, and writes an
 * access log line per request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { redactURL } from '../internal/redact/index.ts';
import { InvalidArgumentError } from '../errors/index.ts';
import { blob } from './blobs.ts';
import type { BlobRedirector, Ctx, Need } from './context.ts';
import { RegistryHttpError } from './http-errors.ts';
import { catalog, referrers, tags } from './listing.ts';
import { manifest } from './manifests.ts';
import { checkName } from './names.ts';
import { BodyStreamError, send, sendError } from './respond.ts';
import { route } from './router.ts';
import { startUpload, upload } from './uploads.ts';
import type { RegistryStorage } from './storage/types.ts';

/** An authorization decision for one request. */
export type AuthDecision =
  | { readonly ok: true; readonly account?: string | undefined }
  | {
      readonly ok: false;
      readonly status: 401 | 403;
      readonly code: 'UNAUTHORIZED' | 'DENIED';
      readonly message: string;
      /** `WWW-Authenticate` value for a 401. */
      readonly challenge?: string | undefined;
    };

/** Decides whether a request may do what a route needs. `actions: []` without a repository = "is this a known client?" (`/v2/`). */
export type Authorize = (req: IncomingMessage, need: Need) => Promise<AuthDecision>;

export interface HandlerOptions {
  readonly storage: RegistryStorage;
  /** Default: everyone may do everything (a loopback registry for development and tests). */
  readonly authorize?: Authorize | undefined;
  /** Extra routes tried first, e.g. the token server at `/token`; resolves true when handled. */
  readonly extraRoutes?: ((req: IncomingMessage, res: ServerResponse) => Promise<boolean>) | undefined;
  /** Largest manifest a PUT may carry; default 4 MiB, distribution's limit. */
  readonly maxManifestBytes?: number | undefined;
  /** Access log: `true` for stderr, a function to receive each line, false/absent for none. */
  readonly accessLog?: boolean | ((line: string) => void) | undefined;
  /**
   * Serve the OCI 1.1 referrers API (`/v2/<name>/referrers/<digest>`, `OCI-Subject` on PUT).
   * Default true. False answers it 404 and omits `OCI-Subject`, as a registry without the API
   * does, so clients fall back to the referrers tag schema (ggcr's `WithReferrersSupport`,
   * which is off by default there).
   */
  readonly referrers?: boolean | undefined;
  /** Adds `Warning: 299 - "<message>"` to responses under `/v2` (ggcr's `WithWarning`). */
  readonly warning?: RegistryWarning | undefined;
  /** Redirects blob GET/HEAD elsewhere when it returns a target (ggcr's `RedirectError`). */
  readonly blobRedirect?: BlobRedirector | undefined;
}

/** A warning the registry adds to its answers, for testing how clients show them. */
export interface RegistryWarning {
  readonly message: string;
  /** Chance in [0, 1] that a given response carries it. Default 1. */
  readonly probability?: number | undefined;
}

const allowAll: Authorize = async () => ({ ok: true });

/** Reports a failure that is the server's, not the client's, on stderr. */
function logFailure(req: IncomingMessage, err: unknown): void {
  process.stderr.write(`registry: ${req.method} ${redactURL(req.url ?? '/')}: ${(err as Error | undefined)?.stack ?? String(err)}\n`);
}

function denied(d: Extract<AuthDecision, { ok: false }>): RegistryHttpError {
  return new RegistryHttpError(d.status, d.code, d.message, { headers: d.challenge ? { 'WWW-Authenticate': d.challenge } : {} });
}

/** The `Warning` value (RFC 9111 §5.5: code 299, no agent, a quoted string), checked once. */
function warningHeader(w: RegistryWarning): { value: string; probability: number } {
  const probability = w.probability ?? 1;
  if (!(probability >= 0 && probability <= 1)) throw new InvalidArgumentError(`warning probability must be between 0 and 1, got ${probability}`);
  // Anything else would make every answer's header invalid, and so every answer a 500.
  if (/[^\t\x20-\x7e]/.test(w.message)) throw new InvalidArgumentError(`warning message must be printable ASCII: ${JSON.stringify(w.message)}`);
  return { value: `299 - "${w.message.replace(/["\\]/g, '\\$&')}"`, probability };
}

/**
 * Returns the request handler, which never throws: every failure becomes an HTTP answer.
 * Throws `InvalidArgumentError` for a `warning` that is not printable ASCII or whose probability
 * is outside [0, 1].
 */
export function createHandler(options: HandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const authorize = options.authorize ?? allowAll;
  const maxManifestBytes = options.maxManifestBytes ?? 4 * 1024 * 1024;
  const referrersOn = options.referrers ?? true;
  const warning = options.warning && warningHeader(options.warning);
  const log =
    options.accessLog === true ? (line: string) => process.stderr.write(`${line}\n`) : typeof options.accessLog === 'function' ? options.accessLog : undefined;

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (options.extraRoutes && (await options.extraRoutes(req, res))) return;
    const url = new URL(req.url ?? '/', 'http://registry.invalid');
    // Set first, so that error answers carry it too.
    if (warning && /^\/v2(\/|$)/.test(url.pathname) && Math.random() < warning.probability) res.setHeader('Warning', warning.value);
    let path: string;
    try {
      // The path as sent: URL parsing would resolve `..` segments, turning a bad name into another name.
      path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    } catch {
      throw new RegistryHttpError(400, 'NAME_INVALID', 'the request path is not valid percent-encoding');
    }
    const found = route(path);
    // Without the API its path is no route at all, the 404 clients take as "use the tag schema".
    const r = found?.kind === 'referrers' && !referrersOn ? undefined : found;
    res.setHeader('Docker-Distribution-API-Version', 'registry/2.0');
    if (!r) throw new RegistryHttpError(404, 'NAME_UNKNOWN', `no route for ${req.method} ${url.pathname}`);
    const ctx: Ctx = {
      req,
      res,
      url,
      storage: options.storage,
      maxManifestBytes,
      referrers: referrersOn,
      blobRedirect: options.blobRedirect,
      async authorize(need: Need) {
        const d = await authorize(req, need);
        if (!d.ok) throw denied(d);
      },
      async may(need: Need) {
        return (await authorize(req, need)).ok;
      },
    };
    if (r.kind === 'base') {
      await ctx.authorize({ actions: [] });
      return send(req, res, 200, { 'Content-Type': 'application/json' }, '{}');
    }
    if (r.kind === 'catalog') return catalog(ctx);
    const name = checkName(r.name);
    switch (r.kind) {
      case 'tags':
        return tags(ctx, name);
      case 'manifest':
        return manifest(ctx, name, r.reference);
      case 'uploads':
        return startUpload(ctx, name);
      case 'upload':
        return upload(ctx, name, r.id);
      case 'blob':
        return blob(ctx, name, r.digest);
      case 'referrers':
        return referrers(ctx, name, r.digest);
    }
  }

  return (req, res) => {
    const started = performance.now();
    if (log) {
      res.once('close', () => {
        const bytes = Number(res.getHeader('content-length') ?? 0);
        const ms = (performance.now() - started).toFixed(1);
        const status = res.headersSent ? res.statusCode : 0;
        log(`${req.method} ${redactURL(req.url ?? '/')} ${status} ${req.method === 'HEAD' ? 0 : bytes} ${ms}ms`);
      });
    }
    serve(req, res).catch((err: unknown) => {
      if (err instanceof RegistryHttpError) {
        // The rest of a request body the handler did not read would block a kept-alive connection.
        if (!req.readableEnded) req.resume();
        return sendError(req, res, err);
      }
      // Storage refuses what it cannot hold (a malformed length, a name it cannot store): the client's fault.
      if (err instanceof InvalidArgumentError) {
        if (!req.readableEnded) req.resume();
        return sendError(req, res, new RegistryHttpError(400, 'UNSUPPORTED', err.message));
      }
      // The answer was cut off (its response already destroyed): ours to report, not to answer.
      if (err instanceof BodyStreamError) return logFailure(req, err.cause);
      // A client that went away mid-request needs no answer.
      if (req.destroyed || res.destroyed || (err as { code?: string }).code === 'ECONNRESET') return;
      const e = new RegistryHttpError(500, 'UNKNOWN', `internal error: ${(err as Error).message ?? String(err)}`);
      logFailure(req, err);
      sendError(req, res, e);
    });
  };
}
