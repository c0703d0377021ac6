/**
 * Request bodies of the API routes: JSON whatever the Content-Type says. Browser code sends `text/plain` to avoid a
 * CORS preflight, some clients send `application/json; charset=...` or no Content-Type at all; the official server
 * reads `text/plain` as JSON, and lg-dev reads every body as JSON. A body that does not parse, or that nests deeper
 * than lg-dev can store and serve back, is kept as an `UnreadableBody` (not thrown) so that authentication still runs
 * first: a client without credentials gets 401, not a hint about how the server parses bodies.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { lineAndColumn, locateJsonError } from "../config/json.js";
import { BadRequestError, ValidationError, type LgDevError } from "../errors.js";
import { MAX_BODY_DEPTH, tooDeep } from "../json-limits.js";

export { MAX_BODY_DEPTH };

/** A body that cannot be used: the error is answered after authentication. */
export class UnreadableBody {
  constructor(readonly error: LgDevError) {}
}

/** Where the parser leaves a request's body text as received (authenticate() reads these bytes). */
const RAW_BODY = "lgDevRawJson";
type WithRaw = FastifyRequest & { [RAW_BODY]?: string; [ORIGINAL_TYPE]?: string };
const ORIGINAL_TYPE = "lgDevContentType";

/** The body text of a request as received, when a parser of this file read it. */
export const rawBodyOf = (req: FastifyRequest): string | undefined => (req as WithRaw)[RAW_BODY];

/**
 * JSON bodies everywhere (the user's Fastify plugins included; the API's routes read every body as JSON, see
 * {@link readBodiesAsJson}): an empty body is "no body", broken JSON an UnreadableBody that says where.
 */
export const jsonBodies = fp(async (app: FastifyInstance) => {
  app.decorateRequest(RAW_BODY, undefined);
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (req, body, done) => {
    (req as WithRaw)[RAW_BODY] = body as string;
    done(null, parseBody(body as string));
  });
});

/** A media type Fastify accepts (`type/subtype`, parameters optional); others it refuses with 415 before parsing. */
const MEDIA_TYPE = /^\s*[\w!#$%&'*+.^`|~-]+\/[\w!#$%&'*+.^`|~-]+\s*(;|$)/;

/**
 * Parse every body of the routes registered in `scope` as JSON. Call it inside the API's plugin scope only: custom
 * routes (`http.app`) keep receiving raw bodies.
 */
export function readBodiesAsJson(scope: FastifyInstance): void {
  scope.decorateRequest(ORIGINAL_TYPE, undefined);
  scope.removeAllContentTypeParsers();
  // "*" also receives requests without a Content-Type (Fastify hands them to the catch-all parser).
  scope.addContentTypeParser("*", { parseAs: "string" }, (req, body, done) => {
    const r = req as WithRaw;
    if (r[ORIGINAL_TYPE] !== undefined) req.headers["content-type"] = r[ORIGINAL_TYPE];
    r[RAW_BODY] = body as string;
    done(null, parseBody(body as string));
  });
  // No body (or an empty one) reads as `{}`, as the official server reads it: `curl -X POST
  // .../threads/search` works. (authenticate() has already run, and saw no body.)
  scope.addHook("preValidation", (req, _reply, done) => {
    if (req.body === undefined && req.method !== "GET" && req.method !== "HEAD") req.body = {};
    done();
  });
  // A Content-Type that is not even a media type ("json", "") would be a 415 before any parser runs: stand in a
  // valid one until the parser puts the original back (authenticate() sees the headers as sent).
  scope.addHook("onRequest", (req, _reply, done) => {
    const type = req.headers["content-type"];
    if (type !== undefined && !MEDIA_TYPE.test(type)) {
      (req as WithRaw)[ORIGINAL_TYPE] = type;
      req.headers["content-type"] = "application/octet-stream";
    }
    done();
  });
}

/** A body text as the API reads it: undefined when empty, the parsed JSON, or an UnreadableBody. */
export function parseBody(text: string): unknown {
  if (text.trim() === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return new UnreadableBody(new BadRequestError(`Malformed JSON body: ${whereJsonBreaks(text, err as Error)}`));
  }
  const deep = tooDeep(value, MAX_BODY_DEPTH);
  if (deep !== undefined) {
    return new UnreadableBody(
      new ValidationError(`${deep} nests deeper than ${MAX_BODY_DEPTH} levels of objects and arrays, the most lg-dev accepts in a request body`),
    );
  }
  return value;
}

/** "<what> at line L, column C (position P)", from the scanner or, failing that, V8's own message. */
function whereJsonBreaks(text: string, err: Error): string {
  let found: { offset: number; message: string } | undefined;
  try {
    found = locateJsonError(text);
  } catch {
    // The scanner recurses: a broken body nested deeper than the stack allows gets V8's message alone.
  }
  const offset = found?.offset ?? Number(/at position (\d+)/.exec(err.message)?.[1] ?? text.length);
  const { line, column } = lineAndColumn(text, offset);
  return `${found?.message ?? err.message.replace(/ in JSON at position \d+.*$/s, "")} at line ${line}, column ${column} (position ${offset})`;
}
