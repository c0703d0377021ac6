/** A checked PostgreSQL connection URL. */
export interface PostgresUrl {
  /** The URL as given: handed to the driver unchanged (it reads sslmode, host=, options= and the rest). */
  url: string;
  /** The URL with its password replaced by `***`: safe for logs and error messages. */
  redacted: string;
  /** `host:port/database` for short messages (the socket directory stands in for a unix-socket host). */
  label: string;
}

/** A URL that is not a usable PostgreSQL URL; the message says what is wrong and shows the expected form. */
export class PostgresUrlError extends Error {
  constructor(message: string) {
    super(`${message} (expected postgres://user:password@host:5432/database)`);
    this.name = "PostgresUrlError";
  }
}

const SCHEMES = new Set(["postgres:", "postgresql:"]);

/**
 * Check a connection URL before anything connects, so a typo is reported as such (not as a timeout).
 * Accepts what libpq accepts in URL form: `postgres://` or `postgresql://`, credentials, host (or `?host=` for a
 * unix-socket directory), port, database, query parameters such as `sslmode`.
 */
export function parsePostgresUrl(text: string): PostgresUrl {
  const trimmed = text.trim();
  if (trimmed === "") throw new PostgresUrlError("the PostgreSQL URL is empty");
  // libpq allows an empty host (`postgres://user@/db?host=/socket/dir`), the WHATWG parser does not: parse such a
  // URL with a stand-in host.
  const emptyHost = EMPTY_HOST.test(trimmed);
  let url: URL;
  try {
    url = new URL(emptyHost ? trimmed.replace(EMPTY_HOST, "$1localhost") : trimmed);
  } catch {
    throw new PostgresUrlError(`"${redactText(trimmed)}" is not a URL`);
  }
  if (!SCHEMES.has(url.protocol)) throw new PostgresUrlError(`the URL's scheme must be postgres:// or postgresql://, got ${url.protocol}//`);
  const socketDir = url.searchParams.get("host");
  const hostname = emptyHost ? "" : url.hostname;
  if (hostname === "" && !socketDir) throw new PostgresUrlError(`"${redactText(trimmed)}" names no host`);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (database.includes("/")) throw new PostgresUrlError(`"${database}" is not a database name (it contains "/")`);
  const host = hostname || socketDir!;
  const db = database || decodeURIComponent(url.username) || "(default)";
  return { url: trimmed, redacted: redactText(trimmed), label: `${host}${url.port ? `:${url.port}` : ""}/${db}` };
}

/** `scheme://` and optional credentials, directly followed by the path, query or end: no host. */
const EMPTY_HOST = /^([a-z]+:\/\/(?:[^/?#@]*@)?)(?=[/?#]|$)/i;

/** Hide the password of `scheme://user:password@...` (also in text that does not parse as a URL). */
function redactText(text: string): string {
  return text.replace(/^([a-z]+:\/\/[^:/?#@]*:)[^@/?#]*@/i, "$1***@");
}
